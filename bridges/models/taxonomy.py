"""The shared vocabulary of candidates, positions and matching.

Occupations and skills follow ESCO (with ISCO-08 groups) and may carry programme
entries without an ESCO URI (e.g. a forklift licence). Labels are kept per
language: the preferred label of each language in `labels` for display, and
every preferred and alternative label in a label table for search. Places are
towns with coordinates (GeoNames), regions are ISO 3166-2 subdivisions,
languages are ISO 639, and CEFR levels are an ordered integer type.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


def pick_label(labels: dict[str, str], language: str | None = None) -> str:
    """The label in `language` (default: the active one), else English, else German, else any."""
    if not isinstance(labels, dict):
        return ""  # an admin form being re-shown with invalid labels still names its record
    texts = {code: text for code, text in labels.items() if isinstance(text, str) and text}
    language = (language or translation.get_language() or "de")[:2]
    for code in (language, "en", "de"):
        if code in texts:
            return texts[code]
    return next(iter(texts.values()), "")


def validate_labels(value) -> None:
    """Labels are an object of language codes and texts; anything else breaks every display."""
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ValidationError(
            _('Enter the labels as language codes with their texts, e.g. {"de": "Schweißer/in", "en": "welder"}.'),
            code="invalid_labels",
        )


class CEFRLevel(models.IntegerChoices):
    """Language levels in order, so that levels compare as numbers (B2 > B1)."""

    A1 = 1, "A1"
    A2 = 2, "A2"
    B1 = 3, "B1"
    B2 = 4, "B2"
    C1 = 5, "C1"
    C2 = 6, "C2"
    NATIVE = 7, _("native language")


def language_name_order(prefix: str = "", language: str | None = None):
    """An ordering by a language's name in `language` (default: the active one), with `pick_label`'s
    fallbacks (English, German) where that name is empty, ignoring case: option lists read in the
    alphabetical order of the names they show. `prefix` for a language reached through a relation
    ("language__")."""
    code = (language or translation.get_language() or "de")[:2]
    columns = [f"{prefix}name_{c}" for c in dict.fromkeys((code, "en", "de")) if c in ("de", "en", "ar")]
    return Lower(Coalesce(*(NullIf(column, models.Value("")) for column in columns)))


class LanguageQuerySet(models.QuerySet):
    def in_name_order(self, language: str | None = None) -> LanguageQuerySet:
        """By name in `language` (default: the active one), as the options show them."""
        return self.order_by(language_name_order(language=language), "pk")


class Language(models.Model):
    code = models.CharField(
        _("code"), max_length=3, unique=True, help_text=_("ISO 639-1, or ISO 639-3 where there is none.")
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_de = models.CharField(_("name (German)"), max_length=100)
    name_ar = models.CharField(_("name (Arabic)"), max_length=100, blank=True)

    objects = LanguageQuerySet.as_manager()

    class Meta:
        verbose_name = _("language")
        verbose_name_plural = _("languages")
        ordering = ["name_de"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_of(self.name_de, self.name_en, self.name_ar)

    @staticmethod
    def name_of(name_de: str, name_en: str, name_ar: str, language: str | None = None) -> str:
        """The name in `language` (default: the active one), from the three columns (a list that
        reads them with `values_list` rather than building a model per language)."""
        return pick_label({"de": name_de, "en": name_en, "ar": name_ar}, language)


class Region(models.Model):
    """A first-level subdivision (ISO 3166-2), e.g. SY-HL Aleppo or DE-TH Thüringen."""

    code = models.CharField(_("ISO 3166-2 code"), max_length=10, unique=True)
    country = CountryField(_("country"))
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_de = models.CharField(_("name (German)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=100, blank=True)
    aliases = models.CharField(
        _("other names"), max_length=255, blank=True, help_text=_("Official and accent-free spellings, for search.")
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["country", "name_en"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})"

    @property
    def name(self) -> str:
        return pick_label({"de": self.name_de, "en": self.name_en, "ar": self.name_ar})


class Place(models.Model):
    """A town with coordinates, from GeoNames (towns of 500+ inhabitants)."""

    geonameid = models.PositiveIntegerField(_("GeoNames id"), unique=True)
    name = models.CharField(_("name"), max_length=200, db_index=True)
    country = CountryField(_("country"), db_index=True)
    region = models.ForeignKey(Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.SET_NULL)
    admin1_code = models.CharField(_("GeoNames first-level code"), max_length=20, blank=True)
    latitude = models.FloatField(_("latitude"))
    longitude = models.FloatField(_("longitude"))
    population = models.PositiveIntegerField(_("population"), default=0)

    class Meta:
        verbose_name = _("place")
        verbose_name_plural = _("places")
        ordering = ["name", "-population"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(latitude__gte=-90, latitude__lte=90), name="place_latitude_range"
            ),
            models.CheckConstraint(
                condition=models.Q(longitude__gte=-180, longitude__lte=180), name="place_longitude_range"
            ),
        ]

    def __str__(self) -> str:
        if self.region_id and self.country.code == "DE":
            return f"{self.name} ({self.region.name})"
        return f"{self.name} ({self.country.name})"


class IscoGroup(models.Model):
    code = models.CharField(_("ISCO-08 code"), max_length=4, unique=True)
    uri = models.CharField(_("ESCO URI"), max_length=255, unique=True, null=True, blank=True)
    labels = models.JSONField(_("labels"), default=dict, validators=[validate_labels])

    class Meta:
        verbose_name = _("ISCO-08 group")
        verbose_name_plural = _("ISCO-08 groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {pick_label(self.labels)}"


class Concept(models.Model):
    """What occupations and skills share: an optional ESCO URI and labels per language."""

    uri = models.CharField(
        _("ESCO URI"),
        max_length=255,
        unique=True,
        null=True,
        blank=True,
        help_text=_("Empty for programme entries that ESCO does not have."),
    )
    labels = models.JSONField(
        _("preferred labels"),
        default=dict,
        validators=[validate_labels],
        help_text=_('Per language, e.g. {"de": "…"}.'),
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick_label(self.labels)

    @property
    def is_programme_entry(self) -> bool:
        return not self.uri


class Skill(Concept):
    class SkillType(models.TextChoices):
        SKILL = "skill/competence", _("skill or competence")
        KNOWLEDGE = "knowledge", _("knowledge")
        OTHER = "other", _("other")

    skill_type = models.CharField(_("skill type"), max_length=20, choices=SkillType.choices, default=SkillType.SKILL)
    reuse_level = models.CharField(_("reuse level"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["id"]


class Occupation(Concept):
    code = models.CharField(_("ESCO code"), max_length=30, blank=True)
    isco_group = models.CharField(_("ISCO-08 group"), max_length=4, blank=True, db_index=True)
    skills = models.ManyToManyField(
        Skill, verbose_name=_("skills"), through="OccupationSkill", related_name="occupations", blank=True
    )

    class Meta:
        verbose_name = _("occupation")
        verbose_name_plural = _("occupations")
        ordering = ["id"]


class OccupationSkill(models.Model):
    class Relation(models.TextChoices):
        ESSENTIAL = "essential", _("essential")
        OPTIONAL = "optional", _("optional")

    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), on_delete=models.CASCADE, related_name="skill_relations"
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), on_delete=models.CASCADE, related_name="occupation_relations"
    )
    relation_type = models.CharField(_("relation"), max_length=10, choices=Relation.choices)

    class Meta:
        verbose_name = _("occupation skill")
        verbose_name_plural = _("occupation skills")
        constraints = [models.UniqueConstraint(fields=["occupation", "skill"], name="occupation_skill_unique")]

    def __str__(self) -> str:
        return f"{self.occupation} – {self.skill} ({self.get_relation_type_display()})"


class LabelBase(models.Model):
    language = models.CharField(_("language"), max_length=8)
    text = models.CharField(_("text"), max_length=255)
    preferred = models.BooleanField(_("preferred"), default=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.text} [{self.language}]"


class OccupationLabel(LabelBase):
    occupation = models.ForeignKey(
        Occupation, verbose_name=_("occupation"), on_delete=models.CASCADE, related_name="all_labels"
    )

    class Meta:
        verbose_name = _("occupation label")
        verbose_name_plural = _("occupation labels")
        indexes = [models.Index(fields=["language", "text"], name="occupation_label_lang_text")]
        constraints = [
            models.UniqueConstraint(fields=["occupation", "language", "text"], name="occupation_label_unique")
        ]


class SkillLabel(LabelBase):
    skill = models.ForeignKey(Skill, verbose_name=_("skill"), on_delete=models.CASCADE, related_name="all_labels")

    class Meta:
        verbose_name = _("skill label")
        verbose_name_plural = _("skill labels")
        indexes = [models.Index(fields=["language", "text"], name="skill_label_lang_text")]
        constraints = [models.UniqueConstraint(fields=["skill", "language", "text"], name="skill_label_unique")]
