"""Candidate profiles: personal data, residence and work permission, languages,
education, experience, skills, mobility, perspective, documents, consents and notes.

This is sensitive personal data: employers never read these tables directly.
Every change sets `rescore_requested_at`, the re-scoring mark that the matching
app picks up (this app never imports `matching`).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from bridges.models import CEFRLevel, Language, Occupation, Place, Region, Skill


class Gender(models.TextChoices):
    FEMALE = "female", _("female")
    MALE = "male", _("male")
    DIVERSE = "diverse", _("diverse")


class ResidenceStatus(models.TextChoices):
    RESIDENCE_PERMIT = "aufenthaltserlaubnis", _("Residence permit (Aufenthaltserlaubnis)")
    SETTLEMENT_PERMIT = "niederlassungserlaubnis", _("Settlement permit (Niederlassungserlaubnis)")
    PERMISSION_TO_REMAIN = "aufenthaltsgestattung", _("Permission to remain (Aufenthaltsgestattung)")
    TOLERATION = "duldung", _("Toleration (Duldung)")
    BLUE_CARD = "blaue_karte", _("EU Blue Card (Blaue Karte EU)")
    OTHER = "other", _("other")


class WorkPermission(models.TextChoices):
    ALLOWED = "allowed", _("allowed")
    WITH_APPROVAL = "with_approval", _("allowed with approval of the immigration office")
    NOT_ALLOWED = "not_allowed", _("not allowed")


class Perspective(models.TextChoices):
    STAY = "stay", _("stay in Germany")
    RETURN = "return", _("return to the home region")
    OPEN = "open", _("open")


class Status(models.TextChoices):
    ACTIVE = "active", _("active")
    IN_PLACEMENT = "in_placement", _("in placement")
    PLACED = "placed", _("placed")
    RETURNED = "returned", _("returned home")
    INACTIVE = "inactive", _("inactive")


class WorkingTime(models.TextChoices):
    FULL = "full", _("full time")
    PART = "part", _("part time")
    EITHER = "either", _("full or part time")


class SupportNeed(models.TextChoices):
    LANGUAGE_COURSE = "language_course", _("language course")
    TRAINING = "training", _("training")
    TRAVEL = "travel", _("travel")
    ACCOMMODATION = "accommodation", _("accommodation")
    CHILDCARE = "childcare", _("childcare")
    OTHER = "other", _("other")


class DrivingLicence(models.TextChoices):
    AM = "AM", "AM"
    A1 = "A1", "A1"
    A2 = "A2", "A2"
    A = "A", "A"
    B = "B", "B"
    BE = "BE", "BE"
    C1 = "C1", "C1"
    C1E = "C1E", "C1E"
    C = "C", "C"
    CE = "CE", "CE"
    D1 = "D1", "D1"
    D = "D", "D"
    L = "L", "L"
    T = "T", "T"
    FORKLIFT = "forklift", _("forklift licence")


class CandidateQuerySet(models.QuerySet):
    def mark_for_rescore(self) -> int:
        return self.update(rescore_requested_at=timezone.now())


class Candidate(models.Model):
    # Personal data
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    date_of_birth = models.DateField(_("date of birth"))
    gender = models.CharField(_("gender"), max_length=10, choices=Gender.choices, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    place = models.ForeignKey(
        Place, verbose_name=_("town"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Origin and legal status
    nationality = CountryField(_("nationality"), blank=True)
    country_of_origin = CountryField(_("country of origin"), blank=True)
    region_of_origin = models.ForeignKey(
        Region, verbose_name=_("region of origin"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    residence_status = models.CharField(_("residence status"), max_length=30, choices=ResidenceStatus.choices)
    residence_valid_until = models.DateField(_("residence status valid until"), null=True, blank=True)
    work_permission = models.CharField(_("work permission"), max_length=20, choices=WorkPermission.choices)
    work_permission_valid_until = models.DateField(_("work permission valid until"), null=True, blank=True)

    # Skills and wishes
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True, related_name="+")
    desired_occupations = models.ManyToManyField(
        Occupation, verbose_name=_("desired occupations"), blank=True, related_name="+"
    )
    driving_licences = models.JSONField(_("driving licences"), default=list, blank=True)
    max_commute_km = models.PositiveIntegerField(_("maximum commute (km)"), null=True, blank=True)
    willing_to_relocate = models.BooleanField(_("willing to relocate"), default=False)
    relocation_regions = models.ManyToManyField(
        Region, verbose_name=_("regions in Germany for a move"), blank=True, related_name="+"
    )
    available_from = models.DateField(_("available from"), null=True, blank=True)
    desired_working_time = models.CharField(
        _("desired working time"), max_length=10, choices=WorkingTime.choices, default=WorkingTime.EITHER
    )

    # Career perspective
    perspective = models.CharField(_("career perspective"), max_length=10, choices=Perspective.choices)
    return_country = CountryField(_("country for a return"), blank=True)
    return_region = models.ForeignKey(
        Region, verbose_name=_("region for a return"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    support_needs = models.JSONField(_("support needs"), default=list, blank=True)
    support_needs_note = models.TextField(_("support needs, details"), blank=True)

    # Case management
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("case worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidates",
        limit_choices_to={"role__in": ["case_worker", "admin"]},
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    # The candidate's own login (`candidates.portal`): made when they accept an invitation.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("own login"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidate",
        limit_choices_to={"role": "candidate"},
    )
    last_confirmed = models.DateField(_("profile last confirmed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    # The re-scoring mark: set on every change, cleared by matching once a rescore that saw it committed.
    rescore_requested_at = models.DateTimeField(_("re-scoring requested"), null=True, blank=True, db_index=True)
    # Data-subject rights (`candidates.privacy`): when the retention sweep found no activity for
    # RETENTION_FLAG_AFTER_DAYS (cleared by new activity), and when the person was anonymised.
    retention_flagged_at = models.DateTimeField(_("flagged for retention"), null=True, blank=True)
    erased_at = models.DateTimeField(_("anonymised"), null=True, blank=True)

    objects = CandidateQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["last_name", "first_name"]
        indexes = [
            models.Index(Lower("last_name"), Lower("first_name"), name="candidate_name_ci"),
            models.Index(fields=["status"], name="candidate_status"),
            # The list's orders (Meta.ordering and the "Sort by" choices): the first page of
            # 10,000 candidates is 25 index reads, not a sort of all of them (31 ms).
            models.Index(fields=["last_name", "first_name"], name="candidate_name_order"),
            models.Index(fields=["updated_at"], name="candidate_changed"),
            models.Index(fields=["available_from"], name="candidate_available"),
            # The dashboard's card of a case worker's candidates the retention sweep flagged: those
            # few, in their order, rather than every candidate of the case worker read to find them
            # (~5,000 at 100,000 candidates and 20 case workers: 4 ms).
            models.Index(
                fields=["case_worker", "retention_flagged_at", "id"],
                condition=models.Q(retention_flagged_at__isnull=False, erased_at__isnull=True),
                name="candidate_retention_flagged",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(perspective="return") | ~models.Q(return_country=""),
                name="candidate_return_needs_country",
                violation_error_message=_("A return perspective needs a country for the return."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return reverse("candidates:detail", kwargs={"pk": self.pk})

    def section_url(self, section: str) -> str:
        """The candidate page at one of its sections (`consents`, `measures`, `portal`, …)."""
        return f"{self.get_absolute_url()}#{section}"

    @staticmethod
    def name_fields(path: str) -> tuple[str, ...]:
        """The fields `full_name` reads, of the candidate at `path` (e.g. "candidate"), for `.only()`."""
        return tuple(f"{path}__{name}" for name in ("first_name", "last_name", "erased_at"))

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            return str(_("anonymised person no. %(id)s") % {"id": self.pk})
        return f"{self.first_name} {self.last_name}"

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def age(self) -> int:
        today = timezone.localdate()
        born = self.date_of_birth
        return today.year - born.year - ((today.month, today.day) < (born.month, born.day))

    def get_driving_licences_display(self) -> str:
        labels = dict(DrivingLicence.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.driving_licences)

    def get_support_needs_display(self) -> str:
        labels = dict(SupportNeed.choices)
        return ", ".join(str(labels.get(code, code)) for code in self.support_needs)

    @cached_property
    def may_work(self) -> bool:
        """Work permission allowed (with or without approval) and not expired."""
        if self.work_permission == WorkPermission.NOT_ALLOWED:
            return False
        until = self.work_permission_valid_until
        return until is None or until >= timezone.localdate()


class CandidateLanguage(models.Model):
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="languages"
    )
    language = models.ForeignKey(Language, verbose_name=_("language"), on_delete=models.PROTECT, related_name="+")
    level = models.PositiveSmallIntegerField(_("level"), choices=CEFRLevel.choices)

    class Meta:
        verbose_name = _("language skill")
        verbose_name_plural = _("language skills")
        ordering = ["-level"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "language"], name="candidate_language_unique"),
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=7), name="candidate_language_level"),
        ]

    def __str__(self) -> str:
        return f"{self.language} {self.get_level_display()}"


class Education(models.Model):
    class DegreeLevel(models.TextChoices):
        NONE = "none", _("no formal schooling")
        PRIMARY = "primary", _("primary school")
        SECONDARY = "secondary", _("secondary school")
        UPPER_SECONDARY = "upper_secondary", _("upper secondary school (university entrance)")
        VOCATIONAL = "vocational", _("vocational training")
        BACHELOR = "bachelor", _("bachelor's degree")
        MASTER = "master", _("master's degree or diploma")
        DOCTORATE = "doctorate", _("doctorate")

    class Recognition(models.TextChoices):
        NOT_APPLIED = "not_applied", _("not applied for")
        IN_PROGRESS = "in_progress", _("in progress")
        FULL = "full", _("fully recognised")
        PARTIAL = "partial", _("partly recognised")
        REFUSED = "refused", _("refused")

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="education"
    )
    degree_level = models.CharField(_("degree level"), max_length=20, choices=DegreeLevel.choices)
    field = models.CharField(_("field of study or training"), max_length=200, blank=True)
    institution = models.CharField(_("institution"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    year_completed = models.PositiveSmallIntegerField(_("year completed"), null=True, blank=True)
    recognition = models.CharField(
        _("recognition in Germany"), max_length=20, choices=Recognition.choices, default=Recognition.NOT_APPLIED
    )

    class Meta:
        verbose_name = _("education")
        verbose_name_plural = _("education")
        ordering = ["-year_completed"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year_completed__isnull=True)
                | models.Q(year_completed__gte=1940, year_completed__lte=2100),
                name="education_year_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_degree_level_display()} {self.field}".strip()


class WorkExperience(models.Model):
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="experience"
    )
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    employer_name = models.CharField(_("employer"), max_length=200, blank=True)
    country = CountryField(_("country"), blank=True)
    start_date = models.DateField(_("from"), null=True, blank=True)
    end_date = models.DateField(_("to"), null=True, blank=True)
    years = models.DecimalField(_("years"), max_digits=4, decimal_places=1, null=True, blank=True)

    class Meta:
        verbose_name = _("work experience")
        verbose_name_plural = _("work experience")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="experience_dates_in_order",
            ),
            models.CheckConstraint(
                condition=models.Q(years__isnull=True) | models.Q(years__gte=0, years__lte=60),
                name="experience_years_range",
            ),
        ]

    def __str__(self) -> str:
        return self.job_title or (self.occupation.label if self.occupation_id else "")

    @property
    def duration_years(self) -> float:
        """Years in this job: the stated years, else the span from–to (to today if still running)."""
        if self.years is not None:
            return float(self.years)
        if self.start_date:
            end = self.end_date or timezone.localdate()
            return max((end - self.start_date).days / 365.25, 0.0)
        return 0.0


def private_storage() -> FileSystemStorage:
    """Storage outside MEDIA_URL. A callable, so that migrations do not record the machine's path."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)


def document_path(instance: Document, filename: str) -> str:
    # A random name: a stored path reveals nothing and cannot be guessed.
    return f"candidates/{uuid.uuid4().hex}{Path(filename).suffix.lower()}"


class Document(models.Model):
    class Kind(models.TextChoices):
        CV = "cv", _("CV")
        CERTIFICATE = "certificate", _("certificate")
        ID = "id", _("identity or residence document")
        OFFER = "offer", _("offer or quote for a support measure")
        INVOICE = "invoice", _("invoice for a support measure")
        OTHER = "other", _("other")

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="documents"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CV)
    title = models.CharField(_("title"), max_length=200, blank=True)
    file = models.FileField(_("file"), storage=private_storage, upload_to=document_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # An offer or invoice belongs to the support measure it is for (lazy: defined below).
    measure = models.ForeignKey(
        "SupportMeasure",
        verbose_name=_("support measure"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="documents",
    )

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return self.title or self.original_name

    def get_absolute_url(self) -> str:
        return reverse("candidates:document_download", kwargs={"pk": self.candidate_id, "doc": self.pk})


class Note(models.Model):
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class ConsentQuerySet(models.QuerySet):
    def active(self) -> ConsentQuerySet:
        return self.filter(withdrawn_at__isnull=True)

    def sharing_with(self, employer_id: int) -> ConsentQuerySet:
        """Standing consents to share a profile with this organisation."""
        return self.active().filter(purpose=Consent.Purpose.SHARING, employer_id=employer_id)

    def profiling(self) -> ConsentQuerySet:
        """Standing consents to the anonymised summaries employers may see."""
        return self.active().filter(purpose=Consent.Purpose.PROFILING)


class Consent(models.Model):
    class Purpose(models.TextChoices):
        PROCESSING = "processing", _("data processing by the programme")
        SHARING = "sharing", _("sharing the profile with a named employer")
        PROFILING = "profiling", _("anonymised profile in the match summaries employers see")

    class Method(models.TextChoices):
        PAPER = "paper", _("on paper")
        IN_PERSON = "in_person", _("in person")
        ONLINE = "online", _("online")

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    # Sharing is consented for one organisation. The lazy reference is the only place where this
    # app names `employers`; neither app imports the other's code.
    employer = models.ForeignKey(
        "employers.Employer",
        verbose_name=_("employer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consents",
        help_text=_("For sharing: the organisation the profile may go to."),
    )
    # The employer's name as recorded (kept if the organisation is deleted); before consents named an
    # organisation, the free text a case worker typed.
    recipient = models.CharField(_("employer as recorded"), max_length=200, blank=True)
    needs_review = models.BooleanField(
        _("to be checked by a case worker"),
        default=False,
        help_text=_("The recorded employer name matched no single organisation; sharing needs a new consent."),
    )
    wording_version = models.CharField(_("wording version"), max_length=30)
    method = models.CharField(_("recorded how"), max_length=20, choices=Method.choices)
    given_at = models.DateTimeField(_("given"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ConsentQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(purpose="sharing") | ~models.Q(recipient=""),
                name="consent_sharing_needs_recipient",
                violation_error_message=_("Consent to sharing needs the employer."),
            ),
            models.CheckConstraint(
                condition=models.Q(purpose="sharing") | models.Q(employer__isnull=True),
                name="consent_employer_only_for_sharing",
                violation_error_message=_("Only a consent to sharing names an employer."),
            ),
            models.CheckConstraint(
                condition=models.Q(withdrawn_at__isnull=True) | models.Q(withdrawn_at__gte=models.F("given_at")),
                name="consent_withdrawn_after_given",
            ),
        ]
        # Standing consents to share: whether an introduction may show a profile to its
        # organisation (a probe per row of the introductions list), and the dashboard's count of
        # those naming no single organisation. Partial, so both read only what they ask for, not
        # every consent ever given (the dashboard's count read all ~20,000 at 10,000 candidates).
        indexes = [
            models.Index(
                fields=["candidate", "employer"],
                condition=models.Q(withdrawn_at__isnull=True, purpose="sharing"),
                name="consent_sharing_standing",
            ),
            models.Index(
                fields=["candidate"],
                condition=models.Q(withdrawn_at__isnull=True, purpose="sharing", needs_review=True),
                name="consent_sharing_to_check",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.recipient}".strip()

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None


# --- support measures the programme pays for, and their budget ------------------------------------


class MeasureKind(models.TextChoices):
    LANGUAGE_COURSE = "language_course", _("language course")
    TRAINING = "training", _("vocational training or qualification")
    RECOGNITION = "recognition", _("recognition procedure fees")
    TRAVEL = "travel", _("travel")
    ACCOMMODATION = "accommodation", _("accommodation")
    CHILDCARE = "childcare", _("childcare")
    EQUIPMENT = "equipment", _("tools or work clothes")
    OTHER = "other", _("other")


class Budget(models.Model):
    """What the programme may spend in a year on one kind of measure (optionally per funding source)."""

    year = models.PositiveSmallIntegerField(_("year"))
    kind = models.CharField(_("kind of measure"), max_length=20, choices=MeasureKind.choices)
    funding_source = models.CharField(_("funding source"), max_length=100, blank=True)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")
        ordering = ["-year", "kind", "funding_source"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "funding_source"], name="budget_unique"),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="budget_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(year__gte=2000, year__lte=2100), name="budget_year_range"),
        ]

    def __str__(self) -> str:
        return " · ".join(filter(None, [str(self.year), str(self.get_kind_display()), self.funding_source]))


class SupportMeasure(models.Model):
    """A measure the programme pays for one candidate: planned → approved → done, or cancelled.

    Its state changes only through `candidates.measures`: four-eyes approval, the budget check."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        # "Bewilligt", as a grant is; the bare "approved" is an organisation's ("freigegeben").
        APPROVED = "approved", pgettext_lazy("support measure", "approved")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="measures"
    )
    kind = models.CharField(_("kind of measure"), max_length=20, choices=MeasureKind.choices)
    title = models.CharField(_("title"), max_length=200)
    provider = models.CharField(_("provider"), max_length=200, blank=True)
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    planned_cost = models.DecimalField(_("planned cost (EUR)"), max_digits=10, decimal_places=2)
    actual_cost = models.DecimalField(_("actual cost (EUR)"), max_digits=10, decimal_places=2, null=True, blank=True)
    budget = models.ForeignKey(
        Budget, verbose_name=_("budget"), on_delete=models.PROTECT, related_name="measures", null=True, blank=True
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    # What the measure is for: the gap it closes, and the position or introduction it serves (lazy
    # references: this app never imports `employers` or `matching`).
    closes = models.CharField(_("closes the gap"), max_length=200, blank=True)
    position = models.ForeignKey(
        "employers.Position",
        verbose_name=_("position"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
    )
    introduction = models.ForeignKey(
        "matching.Introduction",
        verbose_name=_("introduction"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="measures",
    )
    over_budget_reason = models.TextField(_("reason for planning beyond the budget"), blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # When and by whom it was marked done or cancelled.
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done or cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("done or cancelled"), null=True, blank=True)
    created_at = models.DateTimeField(_("planned at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("support measure")
        verbose_name_plural = _("support measures")
        ordering = ["-start_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(planned_cost__gte=0)
                & (models.Q(actual_cost__isnull=True) | models.Q(actual_cost__gte=0)),
                name="measure_cost_not_negative",
                violation_error_message=_("A cost cannot be negative."),
            ),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="measure_end_after_start",
                violation_error_message=_("The end cannot be before the start."),
            ),
            # Four eyes: whoever approves did not plan it.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True) | ~models.Q(approved_by=models.F("planned_by")),
                name="measure_four_eyes",
                violation_error_message=_("A measure is approved by someone other than the person who planned it."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(actual_cost__isnull=False),
                name="measure_done_has_actual_cost",
                violation_error_message=_("A measure that is done needs its actual cost."),
            ),
        ]
        indexes = [models.Index(fields=["budget", "status"], name="measure_budget_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def committed_cost(self):
        """What the measure takes from its budget: the actual cost once done, else the planned cost;
        nothing when cancelled."""
        if self.status == self.Status.CANCELLED:
            return 0
        if self.status == self.Status.DONE:
            return self.actual_cost
        return self.planned_cost


# --- the candidate's own view: invitations and requests to the case worker ----------------------------


class PortalInvitation(models.Model):
    """A case worker invites a candidate to their own view: a one-time code sent by e-mail, or printed
    for someone without e-mail. Only a hash of the code is kept; a new invitation replaces an open one."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("by e-mail")
        PRINTED = "printed", _("printed code")

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="portal_invitations"
    )
    channel = models.CharField(_("sent how"), max_length=10, choices=Channel.choices)
    email = models.EmailField(_("sent to"), blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    code_hash = models.CharField(_("code (hash)"), max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("invited"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("replaced or revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation to the own view")
        verbose_name_plural = _("invitations to the own view")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(channel="email") | ~models.Q(email=""),
                name="portal_invitation_email_needs_address",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.created_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.revoked_at is None and self.expires_at > timezone.now()


class CandidateRequest(models.Model):
    """What a candidate asks of their case worker from their own view; the case worker acts on it and
    marks it done."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("correction of the profile")
        CONSENT = "consent", _("a new consent")
        ERASURE = "erasure", _("erasure of the data")

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="requests"
    )
    kind = models.CharField(_("request"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("message"), blank=True)
    # A request for a new consent names the one withdrawn (its organisation and purpose).
    consent = models.ForeignKey(
        Consent, verbose_name=_("consent"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("request of a candidate")
        verbose_name_plural = _("requests of candidates")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["candidate"], condition=models.Q(done_at__isnull=True), name="candidate_request_open"),
        ]

    def __str__(self) -> str:
        return self.get_kind_display()
