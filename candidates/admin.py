"""Admin for candidate data: search and filters for everything."""

import copy

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bridges.admin_guards import ReadOnlyAdmin, action_reason_page
from bridges.audit import AuditedAdminMixin
from candidates import measures, privacy
from candidates.forms import ErasureForm, PerspectiveForm, ProfileForm
from candidates.measures import euros, with_figures
from candidates.models import (
    Budget,
    Candidate,
    CandidateLanguage,
    CandidateRequest,
    Consent,
    Document,
    Education,
    Note,
    PortalInvitation,
    SupportMeasure,
    WorkExperience,
)


class CandidateLanguageInline(admin.TabularInline):
    model = CandidateLanguage
    extra = 0
    autocomplete_fields = ["language"]


class EducationInline(admin.TabularInline):
    model = Education
    extra = 0


class ExperienceInline(admin.TabularInline):
    model = WorkExperience
    extra = 0
    autocomplete_fields = ["occupation"]


class ConsentAdminForm(forms.ModelForm):
    """A consent to share chosen with its organisation keeps that organisation's name as recorded,
    as the candidate page does; the admin need not type it."""

    class Meta:
        model = Consent
        fields = [
            "candidate",
            "purpose",
            "employer",
            "recipient",
            "needs_review",
            "wording_version",
            "method",
            "given_at",
            "withdrawn_at",
        ]

    def clean(self) -> dict:
        cleaned = super().clean()
        employer = cleaned.get("employer")
        if employer is not None and not cleaned.get("recipient"):
            cleaned["recipient"] = employer.name
        return cleaned


class ConsentInline(admin.TabularInline):
    model = Consent
    form = ConsentAdminForm
    extra = 0
    fields = [
        "purpose",
        "employer",
        "recipient",
        "needs_review",
        "wording_version",
        "method",
        "given_at",
        "recorded_by",
        "withdrawn_at",
        "withdrawn_by",
    ]
    readonly_fields = ["given_at", "recorded_by", "withdrawn_at", "withdrawn_by"]
    autocomplete_fields = ["employer"]


class DocumentInline(admin.TabularInline):
    model = Document
    extra = 0
    fields = ["kind", "title", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Uploads go through the candidate page, which checks the file's content.
        return False


CHECKBOX_FIELDS = {"driving_licences": ProfileForm, "support_needs": PerspectiveForm}


@admin.register(Candidate)
class CandidateAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = [
        "last_name",
        "first_name",
        "date_of_birth",
        "country_of_origin",
        "status",
        "perspective",
        "case_worker_name",
        "updated_at",
    ]
    list_filter = ["status", "perspective", "work_permission", "residence_status", "country_of_origin", "case_worker"]
    search_fields = ["first_name", "last_name", "email", "phone"]
    autocomplete_fields = ["place", "region_of_origin", "return_region", "skills", "desired_occupations"]
    filter_horizontal = ["relocation_regions"]
    readonly_fields = ["created_at", "updated_at", "rescore_requested_at", "audit_entries"]
    inlines = [CandidateLanguageInline, EducationInline, ExperienceInline, ConsentInline, DocumentInline]
    date_hierarchy = "created_at"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        # Lists of choices as checkboxes, as on the candidate page, not their stored JSON.
        if db_field.name in CHECKBOX_FIELDS:
            return copy.deepcopy(CHECKBOX_FIELDS[db_field.name].base_fields[db_field.name])
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    list_select_related = ["case_worker"]
    actions = ["erase_selected"]

    @admin.action(description=_("Erase the personal data of selected candidates"), permissions=["change"])
    def erase_selected(self, request, queryset) -> TemplateResponse | None:
        """An intermediate page asks for the reason (GDPR Art. 17); each candidate is anonymised
        by `candidates.privacy.erase_candidate`, as on the candidate page."""
        if "apply" in request.POST:
            form = ErasureForm(request.POST)
            if form.is_valid():
                erased = sum(
                    privacy.erase_candidate(candidate=candidate, actor=request.user, reason=form.cleaned_data["reason"])
                    for candidate in queryset
                )
                text = ngettext(
                    "The personal data of %(count)d candidate were erased.",
                    "The personal data of %(count)d candidates were erased.",
                    erased,
                )
                self.message_user(request, text % {"count": erased}, messages.SUCCESS)
                return None
        else:
            form = ErasureForm()
        return action_reason_page(
            self, request, queryset, form=form, title=_("Erase personal data"), action="erase_selected"
        )

    def save_formset(self, request, form, formset, change: bool) -> None:
        if formset.model is not Consent:
            return super().save_formset(request, form, formset, change)
        # A consent added here is recorded by the admin and given now, as on the candidate page.
        for consent in formset.save(commit=False):
            if consent.pk is None:
                consent.recorded_by = request.user
                consent.given_at = consent.given_at or timezone.now()
            consent.save()
        for consent in formset.deleted_objects:
            consent.delete()
        formset.save_m2m()

    @admin.display(description=_("audit trail"))
    def audit_entries(self, candidate: Candidate) -> str:
        if candidate.pk is None:
            return "–"
        url = reverse("admin:bridges_auditevent_changelist")
        query = urlencode({"target_type": Candidate._meta.label_lower, "target_id": candidate.pk})
        return format_html('<a href="{}?{}">{}</a>', url, query, _("Entries about this candidate"))

    @admin.display(description=_("case worker"), ordering="case_worker__last_name")
    def case_worker_name(self, candidate: Candidate) -> str:
        # The name, not the e-mail address: the list fits a laptop's width.
        return candidate.case_worker.display_name if candidate.case_worker else "–"


@admin.register(Consent)
class ConsentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    form = ConsentAdminForm
    list_display = [
        "candidate",
        "purpose",
        "employer",
        "recipient",
        "needs_review",
        "method",
        "given_at",
        "withdrawn_at",
    ]
    list_filter = ["needs_review", "purpose", "method", "withdrawn_at"]
    search_fields = ["candidate__last_name", "candidate__first_name", "recipient", "employer__name"]
    autocomplete_fields = ["candidate", "employer"]
    readonly_fields = ["recorded_by", "withdrawn_by"]
    list_select_related = ["candidate", "employer"]

    def save_model(self, request, obj: Consent, form, change: bool) -> None:
        # Who recorded it, as on the candidate page; a withdrawal entered here is the admin's.
        if not change:
            obj.recorded_by = request.user
        if obj.withdrawn_at and "withdrawn_at" in form.changed_data:
            obj.withdrawn_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Note)
class NoteAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["candidate", "author", "created_at"]
    search_fields = ["candidate__last_name", "text"]
    autocomplete_fields = ["candidate"]
    list_select_related = ["candidate", "author"]


@admin.register(PortalInvitation)
class PortalInvitationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Invitations to the own view: made on the candidate page (the code is shown only there)."""

    list_display = ["candidate", "channel", "language", "created_at", "expires_at", "used_at", "revoked_at"]
    list_filter = ["channel", "language"]
    search_fields = ["candidate__last_name", "email"]
    readonly_fields = ["candidate", "channel", "email", "language", "created_by", "created_at", "expires_at", "used_at"]
    list_select_related = ["candidate"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CandidateRequest)
class CandidateRequestAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["candidate", "kind", "created_at", "done_at", "done_by"]
    list_filter = ["kind", ("done_at", admin.EmptyFieldListFilter)]
    search_fields = ["candidate__last_name"]
    readonly_fields = ["candidate", "kind", "text", "consent", "created_at"]
    list_select_related = ["candidate", "done_by"]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["candidate", "kind", "original_name", "content_type", "size", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["candidate__last_name", "original_name", "title"]
    readonly_fields = ["candidate", "file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    list_select_related = ["candidate"]

    def has_add_permission(self, request) -> bool:
        return False


# --- support measures and budgets ------------------------------------------------------------------


@admin.register(Budget)
class BudgetAdmin(admin.ModelAdmin):
    """Budgets per year and kind of measure: admins set the amount; committed, spent and left follow
    the measures (summed in the database)."""

    list_display = ["year", "kind", "funding_source", "amount_display", "committed", "spent", "left"]
    list_filter = ["year", "kind"]
    fields = ["year", "kind", "funding_source", "amount"]

    def get_queryset(self, request):
        return with_figures(super().get_queryset(request))

    @admin.display(description=_("amount (EUR)"), ordering="amount")
    def amount_display(self, obj: Budget) -> str:
        return euros(obj.amount)

    @admin.display(description=_("committed"))
    def committed(self, obj: Budget) -> str:
        return euros(obj.committed)

    @admin.display(description=_("spent"))
    def spent(self, obj: Budget) -> str:
        return euros(obj.spent)

    @admin.display(description=_("left"))
    def left(self, obj: Budget) -> str:
        return euros(obj.amount - obj.committed - obj.spent)


@admin.register(SupportMeasure)
class SupportMeasureAdmin(AuditedAdminMixin, ReadOnlyAdmin, admin.ModelAdmin):
    """Measures are planned, approved and completed through `candidates.measures` (budget check,
    four eyes); the admin lists them."""

    list_display = ["title", "candidate", "status", "start_date", "planned", "actual", "approver"]
    list_filter = ["status", "kind"]
    list_select_related = ["candidate", "planned_by", "approved_by"]
    search_fields = ["title", "provider", "candidate__last_name", "candidate__first_name"]
    date_hierarchy = "start_date"
    readonly_fields = [field.name for field in SupportMeasure._meta.concrete_fields]
    actions = ["approve"]

    @admin.display(description=_("planned cost"), ordering="planned_cost")
    def planned(self, measure: SupportMeasure) -> str:
        return euros(measure.planned_cost)

    @admin.display(description=_("approved by"), ordering="approved_by__last_name")
    def approver(self, measure: SupportMeasure) -> str:
        return measure.approved_by.display_name if measure.approved_by else "–"

    @admin.display(description=_("actual cost"), ordering="actual_cost")
    def actual(self, measure: SupportMeasure) -> str:
        return euros(measure.actual_cost) if measure.actual_cost is not None else "–"

    @admin.action(description=_("Approve the selected measures (four eyes)"))
    def approve(self, request, queryset) -> None:
        """Approve each planned measure through the service; a refusal (own measure, not planned)
        is reported by name and changes nothing for that measure."""
        approved = 0
        for measure in queryset.order_by("pk"):
            try:
                measures.measure_approve(measure=measure, actor=request.user)
            except ValidationError as error:
                self.message_user(request, f"{measure}: {' '.join(error.messages)}", level=messages.ERROR)
            else:
                approved += 1
        if approved:
            self.message_user(
                request,
                ngettext("%(count)d measure approved.", "%(count)d measures approved.", approved) % {"count": approved},
                level=messages.SUCCESS,
            )
