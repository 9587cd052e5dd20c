"""Admin for matching: matches (results, read-only, with decisions as bulk actions),
match runs (read-only), scoring configurations and the decisions people took.

A match reads as the case workers' explanation page does (`matching.explain`): the
components by name with value and weight, the explanation in sentences, rounded numbers.

Saving the active configuration, or activating another one, queues a full rescore
once the change has committed. Decisions go through `matching.review`, so that the
audit trail of each pair is written however a decision is taken.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bridges.admin_guards import ReadOnlyAdmin
from bridges.audit import AuditedAdminMixin
from employers.models import Position
from matching import explain, review
from matching.models import (
    AllocationRun,
    FollowUp,
    Interview,
    Introduction,
    IntroductionEvent,
    Match,
    MatchDecision,
    MatchRun,
    Placement,
    ScoringConfig,
    SharedSection,
)
from matching.selectors import decision_subquery

SCORE_BANDS = {
    "0-40": (0, 40),
    "40-60": (40, 60),
    "60-80": (60, 80),
    "80-100": (80, None),
}


class ScoreBandFilter(admin.SimpleListFilter):
    title = _("score")
    parameter_name = "score_band"

    def lookups(self, request, model_admin):
        return [("0-40", "0–40"), ("40-60", "40–60"), ("60-80", "60–80"), ("80-100", "80–100")]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        band = SCORE_BANDS.get(self.value() or "")
        if band is None:
            return queryset
        low, high = band
        queryset = queryset.filter(score__gte=low)
        return queryset.filter(score__lt=high) if high is not None else queryset


class DecisionFilter(admin.SimpleListFilter):
    title = _("decision")
    parameter_name = "decision"
    OPEN = "open"

    def lookups(self, request, model_admin):
        return [(self.OPEN, _("not decided yet")), *MatchDecision.Status.choices]

    def queryset(self, request, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if not value:
            return queryset
        decisions = MatchDecision.objects.filter(
            candidate_id=OuterRef("candidate_id"), position_id=OuterRef("position_id")
        )
        if value == self.OPEN:
            return queryset.filter(~Exists(decisions))
        return queryset.filter(Exists(decisions.filter(status=value)))


class PositionFilter(admin.RelatedOnlyFieldListFilter):
    """The positions that have matches, named with their company (read in one query, not one per position)."""

    def field_choices(self, field, request: HttpRequest, model_admin) -> list[tuple[int, str]]:
        ids = model_admin.get_queryset(request).distinct().values_list(f"{self.field_path}__pk", flat=True)
        positions = Position.objects.filter(pk__in=ids).select_related("employer").order_by("title", "employer__name")
        return [(position.pk, str(position)) for position in positions]


def duration_text(seconds: float | None) -> str:
    """A run's duration as people read it: "11 ms", "2,1 s", "12 min 34 s"."""
    if seconds is None:
        return "–"
    if seconds < 1:
        return gettext("%(ms)s ms") % {"ms": round(seconds * 1000)}
    if seconds < 60:
        return gettext("%(s)s s") % {"s": number_format(round(seconds, 1), 1)}  # number_format cuts, not rounds
    minutes, rest = divmod(round(seconds), 60)
    return gettext("%(min)s min %(s)s s") % {"min": minutes, "s": rest}


@admin.register(Match)
class MatchAdmin(AuditedAdminMixin, admin.ModelAdmin):
    # Methods rather than the foreign keys for position and run: the admin keeps a foreign key's
    # cell on one line, and long position titles pushed the score out of sight.
    list_display = [
        "candidate",
        "position_display",
        "score_display",
        "decision",
        "rank",
        "run_display",
        "pages",
    ]
    list_filter = [
        DecisionFilter,
        ScoreBandFilter,
        ("position__employer", admin.RelatedOnlyFieldListFilter),
        ("position", PositionFilter),
        ("run", admin.RelatedOnlyFieldListFilter),
        "candidate__perspective",
        ("candidate", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["candidate__first_name", "candidate__last_name", "position__title", "position__employer__name"]
    list_select_related = ["candidate", "position__employer", "run"]
    fields = [
        "candidate",
        "position",
        "pages",
        "score_display",
        "rank_for_position",
        "rank_for_candidate",
        "decision",
        "run",
        "computed_at",
        "components_display",
        "explanation_display",
    ]
    readonly_fields = fields
    actions = ["shortlist_selected", "dismiss_selected"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(decision_status=decision_subquery("status"))

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # matches are results of the scoring, never typed in

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # a rescore replaces them; a dismissal is the way to set one aside

    @admin.display(description=_("score"), ordering="score")
    def score_display(self, obj: Match) -> str:
        return obj.score_text()

    @admin.display(description=_("position"), ordering="position__title")
    def position_display(self, obj: Match) -> str:
        return format_html('{}<br><span class="quiet">{}</span>', obj.position.title, obj.position.employer.name)

    @admin.display(description=_("run"), ordering="run__started_at")
    def run_display(self, obj: Match) -> str:
        return str(obj.run) if obj.run_id else "–"

    @admin.display(description=_("decision"))
    def decision(self, obj: Match) -> str:
        return str(dict(MatchDecision.Status.choices).get(obj.decision_status, "–"))

    @admin.display(description=_("rank"), ordering="rank_for_position")
    def rank(self, obj: Match) -> int | None:
        return obj.rank_for_position  # the field's own name ("rank for the position") widens the column

    @admin.display(description=_("pages"))
    def pages(self, obj: Match) -> str:
        links = [
            (reverse("candidates:detail", args=[obj.candidate_id]), _("Profile")),
            (reverse("employers:position_detail", args=[obj.position_id]), _("Position")),
            (reverse("matching:explain", args=[obj.candidate_id, obj.position_id]), _("Explanation")),
        ]
        return format_html_join(" · ", '<a href="{}">{}</a>', links)

    def _explanation(self, obj: Match) -> explain.PairExplanation:
        # Both read-only fields show the one explanation of the pair: computed once per page.
        if not hasattr(obj, "_pair_explanation"):
            obj._pair_explanation = explain.pair_explanation(
                candidate_id=obj.candidate_id, position_id=obj.position_id, match=obj
            )
        return obj._pair_explanation

    @admin.display(description=_("How the score is made up"))
    def components_display(self, obj: Match) -> str:
        return render_to_string("admin/matching/match/components.html", {"explanation": self._explanation(obj)})

    @admin.display(description=_("explanation"))
    def explanation_display(self, obj: Match) -> str:
        return render_to_string("admin/matching/match/explanation.html", {"explanation": self._explanation(obj)})

    @admin.action(description=_("Shortlist selected matches"))
    def shortlist_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = self._decide(request, queryset, status=MatchDecision.Status.SHORTLISTED)
        if count:
            message = ngettext("%(count)d match was shortlisted.", "%(count)d matches were shortlisted.", count)
            self.message_user(request, message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Dismiss selected matches (reason: other)"))
    def dismiss_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = self._decide(
            request, queryset, status=MatchDecision.Status.DISMISSED, reason=MatchDecision.Reason.OTHER
        )
        message = ngettext("%(count)d match was dismissed.", "%(count)d matches were dismissed.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    def _decide(self, request: HttpRequest, queryset: QuerySet, *, status: str, reason: str = "") -> int:
        """Decide each selected pair on its own; a pair the service refuses (e.g. one the matching
        rules exclude) is named in an error message and the others are still decided."""
        decided = 0
        for match in queryset.select_related("candidate", "position"):
            try:
                review.match_decide(
                    candidate_id=match.candidate_id,
                    position_id=match.position_id,
                    status=status,
                    reason=reason,
                    note=str(_("Decided in the admin, several at once.")),
                    actor=request.user,
                )
            except ValidationError as error:
                pair = f"{match.candidate.full_name} × {match.position.title}"
                self.message_user(request, f"{pair}: {' '.join(error.messages)}", messages.ERROR)
            else:
                decided += 1
        return decided


@admin.register(MatchRun)
class MatchRunAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # the record of what ran: read-only
    list_display = [
        "started_at",
        "trigger",
        "status",
        "duration_display",
        "progress",
        "pairs_scored",
        "rows_written",
        "config",
    ]
    list_filter = ["trigger", "status"]
    date_hierarchy = "started_at"
    list_select_related = ["config"]
    fields = [
        "trigger",
        "status",
        "config",
        "candidate_id",
        "position_id",
        "started_at",
        "finished_at",
        "progress",
        "pairs_scored",
        "rows_written",
        "duration_display",
        "error",
    ]
    readonly_fields = fields

    @admin.display(description=_("duration"), ordering="duration_s")
    def duration_display(self, obj: MatchRun) -> str:
        return duration_text(obj.duration_s)


@admin.register(AllocationRun)
class AllocationRunAdmin(ReadOnlyAdmin, admin.ModelAdmin):  # when the suggested allocation was computed: read-only
    list_display = [
        "created_at",
        "location",
        "status",
        "duration_display",
        "pairs",
        "suggested_filled",
        "greedy_filled",
        "openings",
        "ignored_pins",
    ]
    list_filter = ["status", "location"]
    date_hierarchy = "created_at"
    exclude = ["requested_by"]

    @admin.display(description=_("duration"), ordering="duration_s")
    def duration_display(self, obj: AllocationRun) -> str:
        return duration_text(obj.duration_s)


@admin.register(ScoringConfig)
class ScoringConfigAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active", "employers_see_summaries", "min_score", "updated_at"]
    list_filter = ["is_active"]
    readonly_fields = ["is_active", "created_at", "updated_at"]
    actions = ["activate_selected", "rescore_now"]
    fieldsets = [
        (None, {"fields": ["name", "is_active", "employers_see_summaries"]}),
        (
            _("Weights of the components"),
            {
                "fields": [
                    "weight_occupation",
                    "weight_essential_skills",
                    "weight_optional_skills",
                    "weight_language",
                    "weight_experience",
                    "weight_place",
                    "weight_perspective",
                    "weight_availability",
                    "weight_freshness",
                ],
                "description": _(
                    "Relative weights: the score is the weighted mean of the components the position asks for, "
                    "times 100."
                ),
            },
        ),
        (
            _("Relevance"),
            {
                "fields": ["relevance_gate", "lateral_entry_factor"],
                "description": _(
                    "Skilled positions list only candidates from their line of work; elementary positions "
                    "(ISCO group 9) also list lateral entrants, ranked lower."
                ),
            },
        ),
        (
            _("Thresholds"),
            {
                "fields": [
                    "max_language_gap",
                    "experience_full_years",
                    "default_commute_km",
                    "min_score",
                    "top_k_per_position",
                    "top_k_per_candidate",
                ]
            },
        ),
        (_("History"), {"fields": ["created_at", "updated_at"]}),
    ]

    def save_model(self, request: HttpRequest, obj: ScoringConfig, form, change: bool) -> None:
        super().save_model(request, obj, form, change)
        review.scoring_config_saved(config=obj, created=not change, actor=request.user)
        if obj.is_active:
            self.message_user(request, _("The active configuration changed: a full rescore was queued."), messages.INFO)

    def has_delete_permission(self, request: HttpRequest, obj: ScoringConfig | None = None) -> bool:
        if obj is not None and obj.is_active:
            return False  # there is always one active configuration
        return super().has_delete_permission(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        super().delete_queryset(request, queryset.filter(is_active=False))

    @admin.action(description=_("Activate the selected configuration (and rescore everything)"))
    def activate_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        if queryset.count() != 1:
            self.message_user(request, _("Select exactly one configuration to activate."), messages.ERROR)
            return
        config = queryset.get()
        review.scoring_config_activate(config=config, actor=request.user)
        self.message_user(
            request, _("“%(name)s” is now active; a full rescore was queued.") % {"name": config.name}, messages.SUCCESS
        )

    @admin.action(description=_("Rescore everything now"))
    def rescore_now(self, request: HttpRequest, queryset: QuerySet) -> None:
        review.rescore_all_request(trigger=MatchRun.Trigger.FULL)
        self.message_user(request, _("A full rescore was queued."), messages.SUCCESS)


class MatchDecisionForm(forms.ModelForm):
    """The admin's change form of a decision: refuses, as a form error, what `review.match_decide` refuses."""

    class Meta:
        model = MatchDecision
        fields = ["status", "reason", "note"]

    def clean(self) -> dict:
        cleaned = super().clean()
        status = cleaned.get("status")
        if status:
            try:
                review.match_decision_check(
                    candidate_id=self.instance.candidate_id, position_id=self.instance.position_id, status=status
                )
            except ValidationError as error:
                self.add_error("status", error)
        return cleaned


@admin.register(MatchDecision)
class MatchDecisionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = MatchDecisionForm
    list_display = ["candidate", "position", "status", "reason", "decided_by", "decided_at"]
    list_filter = ["status", "reason"]
    search_fields = ["candidate__first_name", "candidate__last_name", "position__title", "position__employer__name"]
    list_select_related = ["candidate", "position__employer", "decided_by"]
    fields = ["candidate", "position", "status", "reason", "note", "decided_by", "decided_at"]
    readonly_fields = ["candidate", "position", "decided_by", "decided_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # decisions are taken on a match (page or bulk action)

    def save_model(self, request: HttpRequest, obj: MatchDecision, form, change: bool) -> None:
        review.match_decide(
            candidate_id=obj.candidate_id,
            position_id=obj.position_id,
            status=obj.status,
            reason=obj.reason,
            note=obj.note,
            actor=request.user,
        )

    def delete_model(self, request: HttpRequest, obj: MatchDecision) -> None:
        review.match_decision_undo(candidate_id=obj.candidate_id, position_id=obj.position_id, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for candidate_id, position_id in queryset.values_list("candidate_id", "position_id"):
            review.match_decision_undo(candidate_id=candidate_id, position_id=position_id, actor=request.user)


# --- introductions, placements, follow-ups: read here, changed on the case workers' pages ---------


# A record of what people did: stages move only through `matching.introductions`, so the admin
# shows introductions, placements and follow-ups and links to the page where they are changed.
class IntroductionEventInline(ReadOnlyAdmin, admin.TabularInline):
    model = IntroductionEvent
    verbose_name_plural = _("Timeline")
    fields = ["at", "kind", "from_stage", "to_stage", "reason", "comment", "actor"]
    readonly_fields = fields
    extra = 0


class InterviewInline(ReadOnlyAdmin, admin.TabularInline):
    model = Interview
    fields = ["starts_at", "place", "online_link", "status", "proposed_by", "confirmed_by"]
    readonly_fields = fields
    extra = 0


@admin.register(Introduction)
class IntroductionAdmin(AuditedAdminMixin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = [
        "candidate",
        "position",
        "employer",
        "stage",
        "close_reason",
        "case_worker_name",
        "next_step_due",
        "created_at",
    ]
    list_filter = ["stage", "close_reason", "position__location"]
    list_select_related = ["candidate", "position__employer", "case_worker"]
    search_fields = ["candidate__last_name", "candidate__first_name", "position__title", "position__employer__name"]
    date_hierarchy = "created_at"
    fieldsets = [
        (
            None,
            {"fields": ["candidate", "position", "page_link", "stage", "reached_stage", "close_reason", "closed_at"]},
        ),
        (_("Shared with the employer"), {"fields": ["shared_sections_display", "shared_documents", "message"]}),
        (
            _("Case management"),
            {"fields": ["case_worker_name", "next_step", "next_step_due", "created_by", "created_at"]},
        ),
        (
            _("Recommendation when introduced"),
            {"fields": ["score_display", "rank_for_position", "rank_for_candidate", "scoring_config"]},
        ),
    ]
    readonly_fields = [field for _title, options in fieldsets for field in options["fields"]]
    inlines = [IntroductionEventInline, InterviewInline]

    @admin.display(description=_("employer"), ordering="position__employer__name")
    def employer(self, obj: Introduction) -> str:
        return obj.position.employer.name

    @admin.display(description=_("responsible case worker"), ordering="case_worker__last_name")
    def case_worker_name(self, obj: Introduction) -> str:
        return obj.case_worker.display_name if obj.case_worker else "–"

    @admin.display(description=_("page"))
    def page_link(self, obj: Introduction) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), gettext("Open the introduction"))

    @admin.display(description=_("shared sections"))
    def shared_sections_display(self, obj: Introduction) -> str:
        labels = dict(SharedSection.choices)
        return ", ".join(str(labels.get(code, code)) for code in obj.shared_sections) or "–"

    @admin.display(description=_("score when introduced"))
    def score_display(self, obj: Introduction) -> str:
        return "–" if obj.score is None else number_format(round(obj.score, 1), 1)


class FollowUpInline(ReadOnlyAdmin, admin.TabularInline):
    model = FollowUp
    fields = ["months", "due_on", "outcome", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields
    extra = 0


@admin.register(Placement)
class PlacementAdmin(AuditedAdminMixin, ReadOnlyAdmin, admin.ModelAdmin):
    list_display = ["candidate", "position", "kind", "start_date", "fixed_term", "end_date"]
    list_filter = ["kind", "fixed_term"]
    list_select_related = ["candidate", "position__employer"]
    search_fields = ["candidate__last_name", "candidate__first_name", "position__title", "position__employer__name"]
    date_hierarchy = "start_date"
    fields = [
        "introduction",
        "candidate",
        "position",
        "kind",
        "start_date",
        "place",
        "fixed_term",
        "end_date",
        "recorded_by",
        "created_at",
    ]
    readonly_fields = fields
    inlines = [FollowUpInline]
