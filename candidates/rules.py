"""The business rules of a candidate profile, shared by the intake and section forms
and by the import, so that every way in refuses the same input with the same words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

from django.utils import timezone
from django.utils.translation import gettext

from candidates.models import Candidate, Perspective, WorkPermission

MIN_AGE = 14
EARLIEST_BIRTH_YEAR = 1920


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def date_of_birth_error(born: date | None) -> str | None:
    if born is None:
        return None
    today = timezone.localdate()
    if born > today:
        return gettext("The date of birth cannot be in the future.")
    if age_on(born, today) < MIN_AGE:
        return gettext("Candidates must be at least %(age)d years old.") % {"age": MIN_AGE}
    if born.year < EARLIEST_BIRTH_YEAR:
        return gettext("Please check the year of birth.")
    return None


def work_permission_error(permission: str | None, valid_until: date | None) -> str | None:
    allowed = permission in (WorkPermission.ALLOWED, WorkPermission.WITH_APPROVAL)
    if allowed and valid_until and valid_until < timezone.localdate():
        return gettext("This date is in the past: correct it, or set the work permission to “not allowed”.")
    return None


def return_country_error(perspective: str | None, return_country) -> str | None:
    if perspective == Perspective.RETURN and not return_country:
        return gettext("A return perspective needs the country of the return.")
    return None


def postal_code_error(postal_code: str, place) -> str | None:
    if postal_code and place and place.country.code == "DE" and not re.fullmatch(r"\d{5}", postal_code):
        return gettext("A German postal code has five digits.")
    return None


def candidate_rule_errors(candidate: Candidate, *, skip: Iterable[str] = ()) -> list[tuple[str, str]]:
    """Every rule above for one candidate, as (field, message), leaving out fields in `skip`."""
    skip = set(skip)
    checks = [
        ("date_of_birth", {"date_of_birth"}, lambda: date_of_birth_error(candidate.date_of_birth)),
        (
            "work_permission_valid_until",
            {"work_permission", "work_permission_valid_until"},
            lambda: work_permission_error(candidate.work_permission, candidate.work_permission_valid_until),
        ),
        (
            "return_country",
            {"return_country"},
            lambda: return_country_error(candidate.perspective, candidate.return_country),
        ),
        ("postal_code", {"postal_code"}, lambda: postal_code_error(candidate.postal_code, candidate.place)),
    ]
    problems = []
    for field, depends_on, check in checks:
        if not depends_on & skip and (message := check()):
            problems.append((field, message))
    return problems
