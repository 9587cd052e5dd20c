"""Employer organisations, their users, regions of engagement and positions.

An employer user belongs to exactly one organisation through `Membership`
(the user model lives in `bridges` and knows nothing of employers). A company
that signs up is pending until a case worker or admin approves it; positions of
pending or rejected companies are neither public nor matched. Every change to an
open position sets `rescore_requested_at`, the re-scoring mark that the matching
app picks up.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from bridges.models import CEFRLevel, Language, Occupation, Place, Region, Skill

# The classes of the German driving licence, as candidates record them. Kept here
# because employers must not import candidates (the apps only meet in matching).
DRIVING_LICENCES = [
    ("AM", "AM"),
    ("A1", "A1"),
    ("A2", "A2"),
    ("A", "A"),
    ("B", "B"),
    ("BE", "BE"),
    ("C1", "C1"),
    ("C1E", "C1E"),
    ("C", "C"),
    ("CE", "CE"),
    ("D1", "D1"),
    ("D", "D"),
    ("L", "L"),
    ("T", "T"),
    ("forklift", _("forklift licence")),
]
# A position's choice: one of them, or none.
DRIVING_LICENCE_CHOICES = [("", _("none")), *DRIVING_LICENCES]


class Sector(models.TextChoices):
    """Sections of the German classification of economic activities (WZ 2008 = NACE Rev. 2)."""

    A = "A", _("A – Agriculture, forestry and fishing")
    B = "B", _("B – Mining and quarrying")
    C = "C", _("C – Manufacturing")
    D = "D", _("D – Electricity, gas, steam and air conditioning supply")
    E = "E", _("E – Water supply, sewerage, waste management and remediation")
    F = "F", _("F – Construction")
    G = "G", _("G – Wholesale and retail trade; repair of motor vehicles")
    H = "H", _("H – Transportation and storage")
    I = "I", _("I – Accommodation and food service activities")  # noqa: E741 (the WZ section is called I)
    J = "J", _("J – Information and communication")
    K = "K", _("K – Financial and insurance activities")
    L = "L", _("L – Real estate activities")
    M = "M", _("M – Professional, scientific and technical activities")
    N = "N", _("N – Administrative and support service activities")
    O = "O", _("O – Public administration and defence; social security")  # noqa: E741
    P = "P", _("P – Education")
    Q = "Q", _("Q – Human health and social work activities")
    R = "R", _("R – Arts, entertainment and recreation")
    S = "S", _("S – Other service activities")


class SizeBand(models.TextChoices):
    MICRO = "1-9", _("1–9 employees")
    SMALL = "10-49", _("10–49 employees")
    MEDIUM = "50-249", _("50–249 employees")
    LARGE = "250+", _("250 or more employees")


class LegalForm(models.TextChoices):
    GMBH = "gmbh", "GmbH"
    UG = "ug", "UG (haftungsbeschränkt)"
    AG = "ag", "AG"
    KG = "kg", "KG / GmbH & Co. KG"
    OHG = "ohg", "OHG"
    GBR = "gbr", "GbR"
    EK = "ek", _("Sole proprietorship (e.K.)")
    EG = "eg", _("Cooperative (eG)")
    EV = "ev", _("Association (e.V.)")
    PUBLIC = "public", _("Public body")
    OTHER = "other", _("other")


class Employer(models.Model):
    class Verification(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")

    name = models.CharField(_("name"), max_length=200)
    legal_form = models.CharField(_("legal form"), max_length=10, choices=LegalForm.choices, blank=True)
    sector = models.CharField(_("sector (WZ 2008)"), max_length=1, choices=Sector.choices)
    size = models.CharField(_("size"), max_length=10, choices=SizeBand.choices, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=5)
    place = models.ForeignKey(Place, verbose_name=_("town"), on_delete=models.PROTECT, related_name="+")
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("short description"), blank=True)
    offers_training = models.BooleanField(_("offers training itself"), default=False)
    offers_language_courses = models.BooleanField(_("offers language courses itself"), default=False)

    verification = models.CharField(
        _("verification"), max_length=10, choices=Verification.choices, default=Verification.PENDING, db_index=True
    )
    review_note = models.TextField(_("note on the review"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("employers:staff_employer_detail", kwargs={"pk": self.pk})

    @property
    def is_approved(self) -> bool:
        return self.verification == self.Verification.APPROVED


class Membership(models.Model):
    """An employer user's organisation: one per user."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="membership"
    )
    employer = models.ForeignKey(Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="members")
    joined_at = models.DateTimeField(_("joined"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} @ {self.employer}"


def _invitation_token() -> str:
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """A colleague invited by e-mail to join an organisation."""

    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    token = models.CharField(_("token"), max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("valid until"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.email} → {self.employer}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.expires_at > timezone.now()


class ContactPerson(models.Model):
    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role in the company"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_public = models.BooleanField(
        _("show on the job board"), default=False, help_text=_("Name, e-mail and phone appear with public positions.")
    )

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EngagementRegion(models.Model):
    """A country or region abroad where the company is active or plans to be."""

    class Kind(models.TextChoices):
        SUBSIDIARY = "subsidiary", _("subsidiary")
        PARTNER = "partner", _("partner company")
        PROJECT = "project", _("project")
        PLANNED = "planned", _("planned")

    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="engagement_regions"
    )
    country = CountryField(_("country"))
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind of engagement"), max_length=20, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("region of engagement")
        verbose_name_plural = _("regions of engagement")
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "country", "region"], name="engagement_region_unique"),
        ]

    def __str__(self) -> str:
        where = f"{self.region.name}, {self.country.name}" if self.region_id else str(self.country.name)
        return f"{where} ({self.get_kind_display()})"


class PositionQuerySet(models.QuerySet):
    def public(self, today: date | None = None) -> PositionQuerySet:
        """Open positions of approved employers, not expired on `today` (default: the local date):
        what the job board and matching see."""
        today = today or timezone.localdate()
        return self.filter(
            status=Position.Status.OPEN,
            employer__verification=Employer.Verification.APPROVED,
        ).filter(models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today))


class Position(models.Model):
    class PositionType(models.TextChoices):
        EMPLOYMENT = "employment", _("employment")
        APPRENTICESHIP = "apprenticeship", _("apprenticeship (Ausbildung)")
        INTERNSHIP = "internship", _("internship")
        QUALIFICATION = "qualification", _("qualification or training")
        RETURN_ABROAD = "return_abroad", _("return position abroad")

    class Location(models.TextChoices):
        GERMANY = "germany", _("in Germany")
        ABROAD = "abroad", _("abroad")

    class WorkingTime(models.TextChoices):
        FULL = "full", _("full time")
        PART = "part", _("part time")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        OPEN = "open", _("open")
        PAUSED = "paused", _("paused")
        FILLED = "filled", _("filled")
        CLOSED = "closed", _("closed")

    employer = models.ForeignKey(
        Employer, verbose_name=_("employer"), on_delete=models.CASCADE, related_name="positions"
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    occupation = models.ForeignKey(Occupation, verbose_name=_("occupation"), on_delete=models.PROTECT, related_name="+")
    skills = models.ManyToManyField(
        Skill, verbose_name=_("skills"), through="PositionSkill", related_name="+", blank=True
    )
    position_type = models.CharField(_("type"), max_length=20, choices=PositionType.choices)

    location = models.CharField(_("place of work"), max_length=10, choices=Location.choices, default=Location.GERMANY)
    postal_code = models.CharField(_("postal code"), max_length=5, blank=True)
    place = models.ForeignKey(
        Place, verbose_name=_("town"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    country = CountryField(_("country"), blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    working_time = models.CharField(
        _("working time"), max_length=10, choices=WorkingTime.choices, default=WorkingTime.FULL
    )
    hours_per_week = models.PositiveSmallIntegerField(_("hours per week"), null=True, blank=True)
    fixed_term = models.BooleanField(_("fixed-term"), default=False)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    openings = models.PositiveSmallIntegerField(_("number of openings"), default=1)
    salary_min = models.PositiveIntegerField(_("salary from (€ per month, gross)"), null=True, blank=True)
    salary_max = models.PositiveIntegerField(_("salary to (€ per month, gross)"), null=True, blank=True)

    requires_work_permission = models.BooleanField(_("work permission needed"), default=True)
    driving_licence = models.CharField(_("driving licence needed"), max_length=10, blank=True)
    provides_training = models.BooleanField(_("we provide training"), default=False)
    provides_language_support = models.BooleanField(_("we provide language support"), default=False)
    suitable_for_career_changers = models.BooleanField(_("suitable for career changers"), default=False)

    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    expires_on = models.DateField(_("closes automatically after"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    # The re-scoring mark: set on every change to an open position, cleared by matching.
    rescore_requested_at = models.DateTimeField(_("re-scoring requested"), null=True, blank=True, db_index=True)

    objects = PositionQuerySet.as_manager()

    class Meta:
        verbose_name = _("position")
        verbose_name_plural = _("positions")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(openings__gte=1), name="position_openings_at_least_one"),
            models.CheckConstraint(
                condition=models.Q(salary_min__isnull=True)
                | models.Q(salary_max__isnull=True)
                | models.Q(salary_min__lte=models.F("salary_max")),
                name="position_salary_range",
            ),
            models.CheckConstraint(
                condition=~models.Q(location="abroad") | ~models.Q(country=""),
                name="position_abroad_needs_country",
            ),
            models.CheckConstraint(
                condition=~models.Q(location="germany") | ~models.Q(postal_code=""),
                name="position_germany_needs_postal_code",
            ),
            models.CheckConstraint(
                condition=models.Q(hours_per_week__isnull=True)
                | models.Q(hours_per_week__gte=1, hours_per_week__lte=60),
                name="position_hours_range",
            ),
        ]
        indexes = [
            # The job board, newest first: the first page reads the first open positions of the
            # index instead of sorting every open one (a partial index: closed ones are left out).
            models.Index(fields=["-created_at", "id"], condition=models.Q(status="open"), name="position_open_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.employer})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", kwargs={"pk": self.pk})

    @property
    def is_abroad(self) -> bool:
        return self.location == self.Location.ABROAD

    @property
    def driving_licence_label(self) -> str:
        """The licence the position needs as people read it ("forklift licence"), or "none"."""
        return str(dict(DRIVING_LICENCE_CHOICES).get(self.driving_licence, self.driving_licence))

    @property
    def where(self) -> str:
        """Place of work as shown to people: town, or region and country abroad."""
        if self.is_abroad:
            parts = [self.region.name] if self.region_id else []
            return ", ".join([*parts, str(self.country.name)])
        return f"{self.postal_code} {self.place.name}" if self.place_id else self.postal_code


class PositionSkill(models.Model):
    class Relation(models.TextChoices):
        ESSENTIAL = "essential", _("essential")
        OPTIONAL = "optional", _("optional")

    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.CASCADE, related_name="skill_requirements"
    )
    skill = models.ForeignKey(Skill, verbose_name=_("skill"), on_delete=models.PROTECT, related_name="+")
    relation_type = models.CharField(_("relation"), max_length=10, choices=Relation.choices)

    class Meta:
        verbose_name = _("skill requirement")
        verbose_name_plural = _("skill requirements")
        constraints = [models.UniqueConstraint(fields=["position", "skill"], name="position_skill_unique")]

    def __str__(self) -> str:
        return f"{self.skill} ({self.get_relation_type_display()})"


class LanguageRequirement(models.Model):
    position = models.ForeignKey(
        Position, verbose_name=_("position"), on_delete=models.CASCADE, related_name="language_requirements"
    )
    language = models.ForeignKey(Language, verbose_name=_("language"), on_delete=models.PROTECT, related_name="+")
    min_level = models.PositiveSmallIntegerField(_("minimum level"), choices=CEFRLevel.choices)
    required = models.BooleanField(_("required"), default=True, help_text=_("Otherwise nice to have."))

    class Meta:
        verbose_name = _("language requirement")
        verbose_name_plural = _("language requirements")
        ordering = ["-required", "-min_level"]
        constraints = [
            models.UniqueConstraint(fields=["position", "language"], name="position_language_unique"),
            models.CheckConstraint(
                condition=models.Q(min_level__gte=1, min_level__lte=7), name="position_language_level"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.language} {self.get_min_level_display()}"

    @property
    def min_level_text(self) -> str:
        """ "at least B2"; the native language alone, which no level is above."""
        level = self.get_min_level_display()
        return str(level) if self.min_level == CEFRLevel.NATIVE else gettext("at least %(level)s") % {"level": level}
