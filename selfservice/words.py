"""What the candidate reads: their profile as the programme holds it, the stage of an introduction and
why it was proposed, in plain words of the active language (no scores, no ranks, no internal notes)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridges.models.taxonomy import language_name_order
from candidates.models import Candidate
from matching.explain import PairExplanation
from matching.pipeline import Stage

# An introduction's stage as the candidate reads it.
STAGE_WORDS = {
    Stage.PROPOSED: gettext_lazy(
        "Your case worker has sent your profile to the employer. The employer has not answered yet."
    ),
    Stage.INTERESTED: gettext_lazy("The employer is interested in you. Your case worker will tell you the next step."),
    Stage.INTERVIEW: gettext_lazy("The employer would like to meet you for an interview."),
    Stage.TRIAL: gettext_lazy("You are invited to a trial day or an internship."),
    Stage.OFFER: gettext_lazy("The employer offers you the job. Talk to your case worker about it."),
    Stage.PLACED: gettext_lazy("You have the job. Congratulations!"),
    Stage.DECLINED: gettext_lazy("The employer has chosen someone else this time."),
    Stage.WITHDRAWN: gettext_lazy("You decided not to go on with this position."),
    Stage.CLOSED: gettext_lazy("This introduction has ended."),
}


@dataclass
class Field:
    label: str
    value: str


@dataclass
class Section:
    title: str
    fields: list[Field]


def _date(value) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def _label(name: str) -> str:
    return str(Candidate._meta.get_field(name).verbose_name)


def _country(value) -> str:
    return str(value.name) if value else ""


def profile_sections(candidate: Candidate) -> list[Section]:
    """The profile as the programme holds it, section by section; empty values are shown as not recorded."""
    c = candidate

    def row(name: str, value) -> Field:
        return Field(_label(name), str(value) if value not in (None, "") else "")

    languages = [
        f"{language.language} ({language.get_level_display()})"
        for language in c.languages.select_related("language").order_by(language_name_order("language__"))
    ]
    education = [
        ", ".join(part for part in (str(item), item.institution, str(item.year_completed or "")) if part)
        for item in c.education.all()
    ]
    experience = [str(item) for item in c.experience.all()]
    return [
        Section(
            _("About you"),
            [
                row("first_name", c.first_name),
                row("last_name", c.last_name),
                row("date_of_birth", _date(c.date_of_birth)),
                row("email", c.email),
                row("phone", c.phone),
                row("street", c.street),
                row("postal_code", c.postal_code),
                row("place", c.place),
            ],
        ),
        Section(
            _("Origin and residence"),
            [
                row("nationality", _country(c.nationality)),
                row("country_of_origin", _country(c.country_of_origin)),
                row("region_of_origin", c.region_of_origin),
                row("residence_status", c.get_residence_status_display()),
                row("residence_valid_until", _date(c.residence_valid_until)),
                row("work_permission", c.get_work_permission_display()),
                row("work_permission_valid_until", _date(c.work_permission_valid_until)),
            ],
        ),
        Section(
            _("Languages, education and work"),
            [
                Field(_("Languages"), ", ".join(languages)),
                Field(_("Education"), "; ".join(education)),
                Field(_("Work experience"), "; ".join(experience)),
                row("skills", ", ".join(sorted(str(skill) for skill in c.skills.all()))),
                row("desired_occupations", ", ".join(sorted(str(o) for o in c.desired_occupations.all()))),
            ],
        ),
        Section(
            _("Wishes"),
            [
                row("driving_licences", c.get_driving_licences_display()),
                row("max_commute_km", c.max_commute_km),
                row("willing_to_relocate", _("yes") if c.willing_to_relocate else _("no")),
                row("relocation_regions", ", ".join(str(r) for r in c.relocation_regions.all())),
                # Empty means available now, as the matching and the case workers' pages read it.
                row("available_from", _date(c.available_from) or _("now")),
                row("desired_working_time", c.get_desired_working_time_display()),
                row("perspective", c.get_perspective_display()),
                row("return_country", _country(c.return_country)),
                row("return_region", c.return_region),
                row("support_needs", c.get_support_needs_display()),
            ],
        ),
    ]


def fit_word(value: float | None) -> str:
    """A component's value (0..1) as a word."""
    if value is None:
        return ""
    if value >= 0.8:
        return _("fits well")
    if value >= 0.5:
        return _("fits partly")
    if value > 0:
        return _("fits a little")
    return _("does not fit yet")


@dataclass
class Reason:
    label: str
    help: str
    word: str


# What each part of the comparison looks at, addressed to the candidate and without the case
# workers' terms (ISCO groups, CEFR steps); matching.explain.COMPONENT_HELP says it for staff.
OWN_HELP = {
    "occupation": gettext_lazy(
        "The same occupation or a related one (the same occupational group, or essential skills in common)."
    ),
    "essential_skills": gettext_lazy("How many of the position's essential skills you have."),
    "optional_skills": gettext_lazy("How many of the position's optional skills you have."),
    "language": gettext_lazy("How close your language levels are to what the position asks for."),
    "experience": gettext_lazy("Your years of experience in this occupation or related ones."),
    "place": gettext_lazy(
        "Whether the place of work is within your reach; abroad: your home region against the position's region."
    ),
    "perspective": gettext_lazy("Whether you want to stay in Germany or return, against where the position is."),
    "availability": gettext_lazy("Whether you are available when the position starts."),
    "freshness": gettext_lazy("When your profile was last confirmed."),
}


def reasons(explanation: PairExplanation) -> list[Reason]:
    """The explanation's parts that were compared, each with a word instead of a number."""
    return [
        Reason(row.label, str(OWN_HELP.get(row.name, row.help)), fit_word(row.value))
        for row in explanation.components
        if row.compared
    ]
