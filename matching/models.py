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
from django.utils import timezone, translation
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext_lazy as _

from matching import engine


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
            with translation.override(settings.LANGUAGE_CODE):
                name = str(_("Default configuration"))
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
    # the ranked lists and the k-th best score a single-record run compares with.
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
