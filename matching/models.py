"""Scoring configuration, match runs, stored matches and the decisions people take on them.

`Match` rows are results: a rescore replaces them. `MatchDecision` rows are what a
person decided about a candidate–position pair (shortlist, dismiss with a reason);
they are never touched by a rescore, so a decision survives every run.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from bridges.working_language import in_working_language
from matching import engine, pipeline


class ScoringConfig(models.Model):
    """Weights and thresholds of the scoring model; exactly one is active."""

    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=False)
    # Weights of the soft components (relative; the score is the weighted mean × 100).
    weight_occupation = models.FloatField(_("weight: occupation"), default=3.0)
    weight_essential_skills = models.FloatField(_("weight: essential skills"), default=3.0)
    weight_optional_skills = models.FloatField(_("weight: optional skills"), default=1.0)
    weight_language = models.FloatField(_("weight: languages"), default=2.0)
    weight_experience = models.FloatField(_("weight: experience"), default=1.5)
    weight_place = models.FloatField(_("weight: place"), default=1.5)
    weight_perspective = models.FloatField(_("weight: perspective"), default=1.0)
    weight_availability = models.FloatField(_("weight: availability"), default=1.0)
    weight_freshness = models.FloatField(_("weight: profile freshness"), default=0.5)
    # Thresholds
    max_language_gap = models.PositiveSmallIntegerField(
        _("largest gap below a required language level (CEFR steps)"), default=1
    )
    experience_full_years = models.FloatField(_("years of experience that count fully"), default=3.0)
    default_commute_km = models.PositiveIntegerField(_("commute radius when the profile names none (km)"), default=50)
    min_score = models.FloatField(_("lowest score stored (0–100)"), default=20.0)
    top_k_per_position = models.PositiveIntegerField(_("matches kept per position"), default=50)
    top_k_per_candidate = models.PositiveIntegerField(_("matches kept per candidate"), default=20)
    relevance_gate = models.BooleanField(
        _("propose only candidates from the position's line of work"),
        default=True,
        help_text=_(
            "Skilled positions list only candidates with the same or a related occupation or one of the position's "
            "specific essential skills; elementary positions (ISCO group 9) list the others as lateral entrants."
        ),
    )
    lateral_entry_factor = models.FloatField(
        _("score factor for lateral entrants (0–1)"),
        default=0.6,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Multiplies the score of a lateral entrant at an elementary position; 0 lists none."),
    )
    employers_see_summaries = models.BooleanField(
        _("employers see anonymised match summaries of their positions"), default=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("scoring configuration")
        verbose_name_plural = _("scoring configurations")
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="one_active_scoring_config"
            ),
            models.CheckConstraint(condition=Q(min_score__gte=0, min_score__lte=100), name="scoring_min_score_range"),
            models.CheckConstraint(
                condition=Q(lateral_entry_factor__gte=0, lateral_entry_factor__lte=1),
                name="scoring_lateral_factor_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def active(cls) -> ScoringConfig:
        """The active configuration; a default one is created the first time."""
        config = cls.objects.filter(is_active=True).first()
        if config is None:
            # The name is data: kept in the portal's language, whoever asks first (a task, an English page).
            name = in_working_language(_("Default configuration"))
            config, _created = cls.objects.get_or_create(is_active=True, defaults={"name": name})
        return config

    def weights(self) -> dict[str, float]:
        return {
            "occupation": self.weight_occupation,
            "essential_skills": self.weight_essential_skills,
            "optional_skills": self.weight_optional_skills,
            "language": self.weight_language,
            "experience": self.weight_experience,
            "place": self.weight_place,
            "perspective": self.weight_perspective,
            "availability": self.weight_availability,
            "freshness": self.weight_freshness,
        }


class MatchRun(models.Model):
    class Trigger(models.TextChoices):
        FULL = "full", _("full rescore")
        NIGHTLY = "nightly", _("nightly rescore")
        CONFIG = "config", _("configuration changed")
        CANDIDATE = "candidate", _("one candidate")
        POSITION = "position", _("one position")
        SWEEP = "sweep", _("sweep of marked records")

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    config = models.ForeignKey(ScoringConfig, verbose_name=_("configuration"), null=True, on_delete=models.SET_NULL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.RUNNING)
    candidate_id = models.BigIntegerField(_("candidate"), null=True, blank=True)
    position_id = models.BigIntegerField(_("position"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    pairs_scored = models.BigIntegerField(_("pairs scored"), default=0)
    rows_written = models.BigIntegerField(_("rows written"), default=0)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("match run")
        verbose_name_plural = _("match runs")
        ordering = ["-started_at"]

    def __str__(self) -> str:
        # In local time, as the admin shows every other time (started_at is kept in UTC).
        started = date_format(timezone.localtime(self.started_at), "SHORT_DATETIME_FORMAT") if self.started_at else ""
        return f"{self.get_trigger_display()} {started}".strip()


class StoredJSONField(models.JSONField):
    """JSON kept as PostgreSQL's `json` (checked text) rather than `jsonb` (parsed into a tree).

    Match rows are written by the hundred thousand at every full rescore and are read whole,
    never searched by key: `json` takes them in about 2.5 times faster. Other databases use
    the ordinary JSON column.
    """

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):
            return value  # psycopg2 decodes `json` columns itself
        return super().from_db_value(value, expression, connection)


class KeyedJSONField(StoredJSONField):
    """A dict with fixed keys, kept in the database as the JSON array of its values in `keys` order.

    The keys are then written once in the code instead of in every row: for the components and
    the explanation of a match, more than a third of the text a full rescore writes. A value that
    is not a dict with exactly these keys is kept as it is.
    """

    def __init__(self, *args, keys: tuple[str, ...] = (), **kwargs):
        self.keys = tuple(keys)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["keys"] = self.keys
        return name, path, args, kwargs

    def get_prep_value(self, value):
        if isinstance(value, dict) and self.keys and set(value) == set(self.keys):
            value = [value[key] for key in self.keys]
        return super().get_prep_value(value)

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        if isinstance(value, list) and self.keys and len(value) == len(self.keys):
            return dict(zip(self.keys, value, strict=True))
        return value


EXPLANATION_KEYS = ("matched_skills", "missing_essential", "language_gaps", "support", "notes")


class Match(models.Model):
    """A scored candidate–position pair with its explanation (replaced by every rescore)."""

    # Few indexes: each one slows the bulk writes of a full rescore. The (…, -score) indexes serve
    # the ranked lists and the k-th best score a single-record run compares with; (-score, id) the
    # lists over every match (the overview, the dashboard's best undecided matches), which then read
    # the first rows of the index instead of sorting the whole table.
    candidate = models.ForeignKey(
        "candidates.Candidate",
        verbose_name=_("candidate"),
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
    )
    position = models.ForeignKey(
        "employers.Position",
        verbose_name=_("position"),
        on_delete=models.CASCADE,
        related_name="matches",
        db_index=False,
    )
    score = models.FloatField(_("score"))
    components = KeyedJSONField(_("components"), default=dict, keys=engine.COMPONENTS)
    explanation = KeyedJSONField(_("explanation"), default=dict, keys=EXPLANATION_KEYS)
    rank_for_position = models.PositiveIntegerField(_("rank for the position"), null=True, blank=True)
    rank_for_candidate = models.PositiveIntegerField(_("rank for the candidate"), null=True, blank=True)
    run = models.ForeignKey(
        MatchRun, verbose_name=_("run"), null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )
    # The database default serves the COPY of a full rescore (the time of its transaction).
    computed_at = models.DateTimeField(_("computed"), auto_now=True, db_default=Now())

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "position"], name="match_candidate_position_unique"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="match_score_range"),
        ]
        indexes = [
            models.Index(fields=["position", "-score"], name="match_position_score"),
            models.Index(fields=["candidate", "-score"], name="match_candidate_score"),
            models.Index(fields=["-score", "id"], name="match_score"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} × {self.position.title}: {self.score_text()}"

    def score_text(self) -> str:
        """The score as people read it: one decimal, in the active language's format."""
        return number_format(round(self.score, 1), 1)  # number_format cuts digits off, it does not round


class MatchDecision(models.Model):
    """What a person decided about a pair. The machine proposes; a person decides."""

    class Status(models.TextChoices):
        SHORTLISTED = "shortlisted", _("shortlisted")
        DISMISSED = "dismissed", _("dismissed")
        PINNED = "pinned", _("pinned for the allocation")

    class Reason(models.TextChoices):
        SKILLS = "skills", _("skills do not fit")
        LANGUAGE = "language", _("language level too low")
        PLACE = "place", _("place or mobility")
        CANDIDATE = "candidate", _("candidate not interested")
        TIMING = "timing", _("timing")
        OTHER = "other", _("other")

    candidate = models.ForeignKey(
        "candidates.Candidate", verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="match_decisions"
    )
    position = models.ForeignKey(
        "employers.Position", verbose_name=_("position"), on_delete=models.CASCADE, related_name="match_decisions"
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), auto_now=True)

    class Meta:
        verbose_name = _("match decision")
        verbose_name_plural = _("match decisions")
        constraints = [
            models.UniqueConstraint(fields=["candidate", "position"], name="match_decision_unique"),
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(reason=""), name="match_dismissal_needs_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} × {self.position.title}: {self.get_status_display()}"


# --- from a match to a placement ----------------------------------------------------------------


class SharedSection(models.TextChoices):
    """The parts of a profile a case worker may share in an introduction (the name always goes)."""

    CONTACT = "contact", _("contact details (e-mail, phone, address)")
    BIRTH = "birth", _("date of birth")
    PERMISSION = "permission", _("residence status and work permission")
    LANGUAGES = "languages", _("languages")
    EDUCATION = "education", _("education")
    EXPERIENCE = "experience", _("work experience")
    SKILLS = "skills", _("skills and desired occupations")
    MOBILITY = "mobility", _("mobility and availability")
    PERSPECTIVE = "perspective", _("career perspective")


class Introduction(models.Model):
    """A case worker proposes a candidate to an employer's position (Vermittlungsvorschlag).

    Its stage moves only through `matching.introductions` along the table in `matching.pipeline`.
    The employer sees the chosen sections and documents while the introduction is open and the
    candidate's consent to share with that organisation stands.
    """

    candidate = models.ForeignKey(
        "candidates.Candidate", verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="introductions"
    )
    position = models.ForeignKey(
        "employers.Position", verbose_name=_("position"), on_delete=models.PROTECT, related_name="introductions"
    )
    stage = models.CharField(_("stage"), max_length=20, choices=pipeline.Stage.choices, default=pipeline.Stage.PROPOSED)
    # The furthest open stage reached; kept when the introduction closes (the funnel counts it).
    reached_stage = models.CharField(
        _("furthest stage reached"), max_length=20, choices=pipeline.Stage.choices, default=pipeline.Stage.PROPOSED
    )
    close_reason = models.CharField(_("reason"), max_length=30, choices=pipeline.Reason.choices, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # What the employer sees.
    shared_sections = models.JSONField(_("shared sections"), default=list, blank=True)
    shared_documents = models.ManyToManyField(
        "candidates.Document", verbose_name=_("shared documents"), blank=True, related_name="introductions"
    )
    message = models.TextField(_("message to the employer"), blank=True)
    # Case management
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible case worker"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="introductions",
    )
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    next_step_due = models.DateField(_("next step due"), null=True, blank=True)
    next_step_reminded_on = models.DateField(_("reminder for the next step sent"), null=True, blank=True)
    # The recommendation a person acted on (AI Act: what the machine proposed is logged with the decision).
    score = models.FloatField(_("score when introduced"), null=True, blank=True)
    rank_for_position = models.PositiveIntegerField(_("rank for the position when introduced"), null=True, blank=True)
    rank_for_candidate = models.PositiveIntegerField(_("rank for the candidate when introduced"), null=True, blank=True)
    scoring_config = models.ForeignKey(
        ScoringConfig, verbose_name=_("scoring configuration"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    scoring_snapshot = models.JSONField(_("scoring configuration when introduced"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("introduced by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("introduced"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "position"],
                condition=Q(stage__in=pipeline.OPEN_STAGES),
                name="introduction_one_open_per_pair",
                violation_error_message=_("This candidate already has an open introduction to this position."),
            ),
            models.CheckConstraint(
                condition=Q(stage__in=pipeline.OPEN_STAGES) | Q(stage="placed") | ~Q(close_reason=""),
                name="introduction_closing_needs_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "next_step_due"], name="introduction_stage_due"),
            models.Index(fields=["position", "stage"], name="introduction_position_stage"),
            # The introductions list's order (`introduction_list`): its first page is 25 index reads,
            # not a sort of every introduction ever made joined to every position (14 ms at 1,000
            # introductions and 20,000 positions, growing with both).
            models.Index(fields=["next_step_due", "-created_at", "id"], name="introduction_list_order"),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} → {self.position.title}"

    def get_absolute_url(self) -> str:
        return reverse("matching:introduction", kwargs={"pk": self.pk})

    @property
    def is_open(self) -> bool:
        return pipeline.is_open(self.stage)

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.next_step_due is not None and self.next_step_due < timezone.localdate()

    def shares(self, section: str) -> bool:
        return section in self.shared_sections


class IntroductionEvent(models.Model):
    """One row of an introduction's timeline: a stage move, an interview proposed or confirmed,
    the next step or what is shared changed. Written only by `matching.introductions`."""

    class Kind(models.TextChoices):
        STAGE = "stage", _("stage changed")
        INTERVIEW_PROPOSED = "interview_proposed", _("interview dates proposed")
        INTERVIEW_CONFIRMED = "interview_confirmed", _("interview confirmed")
        NEXT_STEP = "next_step", _("next step set")
        SHARING = "sharing", _("shared data changed")

    introduction = models.ForeignKey(
        Introduction, verbose_name=_("introduction"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.STAGE)
    from_stage = models.CharField(_("from"), max_length=20, choices=pipeline.Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=20, choices=pipeline.Stage.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=30, choices=pipeline.Reason.choices, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("introduction event")
        verbose_name_plural = _("introduction events")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        if self.kind == self.Kind.STAGE:
            return f"{self.get_from_stage_display() or '–'} → {self.get_to_stage_display()}"
        return str(self.get_kind_display())


class Interview(models.Model):
    """A date the employer proposed; the case worker confirms one (the others lapse)."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        CONFIRMED = "confirmed", _("confirmed")
        LAPSED = "lapsed", _("not chosen")
        CANCELLED = "cancelled", _("cancelled")

    introduction = models.ForeignKey(
        Introduction, verbose_name=_("introduction"), on_delete=models.CASCADE, related_name="interviews"
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_link = models.URLField(_("online link"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(place="") | ~Q(online_link=""),
                name="interview_needs_place_or_link",
                violation_error_message=_("Give a place or an online link."),
            ),
            models.UniqueConstraint(
                fields=["introduction"], condition=Q(status="confirmed"), name="interview_one_confirmed"
            ),
        ]

    def __str__(self) -> str:
        return date_format(timezone.localtime(self.starts_at), "SHORT_DATETIME_FORMAT")


class Placement(models.Model):
    """A candidate started work (or training), in Germany or back in the home region."""

    class Kind(models.TextChoices):
        EMPLOYMENT = "employment", _("employment in Germany")
        APPRENTICESHIP = "apprenticeship", _("apprenticeship (Ausbildung)")
        QUALIFICATION = "qualification", _("qualification")
        RETURN = "return", _("return: work in the home region")

    introduction = models.OneToOneField(
        Introduction, verbose_name=_("introduction"), on_delete=models.PROTECT, related_name="placement"
    )
    candidate = models.ForeignKey(
        "candidates.Candidate", verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="placements"
    )
    position = models.ForeignKey(
        "employers.Position", verbose_name=_("position"), on_delete=models.PROTECT, related_name="placements"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    start_date = models.DateField(_("start date"))
    place = models.CharField(_("place of work"), max_length=200)
    fixed_term = models.BooleanField(_("fixed-term"), default=False)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="placement_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(fixed_term=False) | Q(end_date__isnull=False),
                name="placement_fixed_term_needs_end",
                violation_error_message=_("A fixed-term placement needs an end date."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.candidate} – {self.position.title}"

    @property
    def is_return(self) -> bool:
        return self.kind == self.Kind.RETURN


class FollowUp(models.Model):
    """Is the person still in work 6 and 12 months after the start? A case worker records it."""

    class Outcome(models.TextChoices):
        IN_WORK = "in_work", _("still in work")
        OTHER_WORK = "other_work", _("in work elsewhere")
        NOT_IN_WORK = "not_in_work", _("no longer in work")
        NOT_REACHED = "not_reached", _("not reached")

    MONTHS = (6, 12)

    placement = models.ForeignKey(
        Placement, verbose_name=_("placement"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    months = models.PositiveSmallIntegerField(_("months after the start"))
    due_on = models.DateField(_("due"))
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    reminded_on = models.DateField(_("reminder sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on"]
        constraints = [
            models.UniqueConstraint(fields=["placement", "months"], name="follow_up_unique"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(recorded_at__isnull=False), name="follow_up_recorded_when"
            ),
        ]
        indexes = [models.Index(fields=["outcome", "due_on"], name="follow_up_open_due")]

    def __str__(self) -> str:
        return f"{self.placement}: {self.months}"

    @property
    def is_due(self) -> bool:
        return not self.outcome and self.due_on <= timezone.localdate()


# --- the suggested allocation --------------------------------------------------------------------


# The place-of-work filters of a run: everywhere, or those of `employers.Position.Location`.
ALLOCATION_LOCATIONS = [("", _("all places of work")), ("germany", _("in Germany")), ("abroad", _("abroad"))]


class AllocationRun(models.Model):
    """One computation of the suggested allocation (`matching.allocation_service`) for a place-of-work
    filter, with its totals; its chosen pairs are `AllocationPair` rows, one `AllocationPosition` row per
    position that had stored matches. A newer finished run of the same filter replaces the older ones."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("computing")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed")

    location = models.CharField(
        _("place of work"), max_length=20, blank=True, choices=ALLOCATION_LOCATIONS
    )  # "" = everywhere
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    duration_s = models.FloatField(_("duration (s)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    pairs = models.PositiveIntegerField(_("stored matches"), default=0)
    positions = models.PositiveIntegerField(_("positions"), default=0)
    openings = models.PositiveIntegerField(_("openings"), default=0)
    suggested_total = models.FloatField(_("suggested total score"), default=0)
    suggested_filled = models.PositiveIntegerField(_("suggested: filled openings"), default=0)
    greedy_total = models.FloatField(_("greedy total score"), default=0)
    greedy_filled = models.PositiveIntegerField(_("greedy: filled openings"), default=0)
    ignored_pins = models.PositiveIntegerField(_("pins left out"), default=0)

    class Meta:
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["location", "status", "-id"], name="allocation_run_latest")]

    def __str__(self) -> str:
        created = date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT") if self.created_at else ""
        return f"{_('allocation run')} {created}".strip()


class AllocationPosition(models.Model):
    """A position of an allocation run: what the suggestion and the greedy choice give it (the page's rows)."""

    run = models.ForeignKey(
        AllocationRun, verbose_name=_("allocation run"), on_delete=models.CASCADE, related_name="position_rows"
    )
    position = models.ForeignKey(
        "employers.Position", verbose_name=_("position"), on_delete=models.CASCADE, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)  # lowercased, the page's order
    openings = models.PositiveIntegerField(_("openings"), default=1)
    pairs = models.PositiveIntegerField(_("stored matches"), default=0)
    suggested_count = models.PositiveIntegerField(_("suggested: filled openings"), default=0)
    suggested_total = models.FloatField(_("suggested total score"), default=0)
    greedy_count = models.PositiveIntegerField(_("greedy: filled openings"), default=0)
    greedy_total = models.FloatField(_("greedy total score"), default=0)

    class Meta:
        verbose_name = _("position of an allocation run")
        verbose_name_plural = _("positions of an allocation run")
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="allocation_position_unique")]
        indexes = [models.Index(fields=["run", "title", "position"], name="allocation_position_order")]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.title}"


class AllocationPair(models.Model):
    """A pair an allocation run chose (suggested, greedy or both), or a pin it had to leave out."""

    run = models.ForeignKey(
        AllocationRun,
        verbose_name=_("allocation run"),
        on_delete=models.CASCADE,
        related_name="pair_rows",
        db_index=False,
    )
    position = models.ForeignKey(
        "employers.Position", verbose_name=_("position"), on_delete=models.CASCADE, related_name="+"
    )
    candidate = models.ForeignKey(
        "candidates.Candidate", verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(_("score"))
    is_pinned = models.BooleanField(_("pinned"), default=False)
    in_suggested = models.BooleanField(_("in the suggested allocation"), default=False)
    in_greedy = models.BooleanField(_("in the greedy choice"), default=False)
    ignored_pin = models.BooleanField(_("pin left out"), default=False)

    class Meta:
        verbose_name = _("pair of an allocation run")
        verbose_name_plural = _("pairs of an allocation run")
        indexes = [models.Index(fields=["run", "position"], name="allocation_pair_run_position")]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.candidate_id} × {self.position_id}"

    def score_text(self) -> str:
        return number_format(round(self.score, 1), 1)
