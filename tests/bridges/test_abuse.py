"""Hostile and broken input, found by a fuzzing probe: each case once answered 500 or stalled
the site. Bad input gets a form error or a clear 4xx, never a server error."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.forms.formsets import BaseFormSet
from django.test import Client
from django.urls import reverse
from django_countries import countries

import candidates.forms
import employers.forms
from employers.adapters import EmployerAccountAdapter
from employers.models import Employer
from matching.models import MatchDecision
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import (
    PositionFactory,
    employer_form_data,
    position_form_data,
)
from tests.factories import OccupationFactory

pytestmark = pytest.mark.django_db

HUGE = "1000000"


@pytest.fixture
def position(company_a):
    return PositionFactory(employer=company_a)


@pytest.fixture
def candidate(db):
    return CandidateFactory()


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _formsets_of(module) -> list[tuple[str, type[BaseFormSet]]]:
    return [
        (name, value)
        for name, value in vars(module).items()
        # The classes that formset factories made (their bases have no form)
        if isinstance(value, type) and issubclass(value, BaseFormSet) and hasattr(value, "form")
    ]


# --- 1. formsets: a huge TOTAL_FORMS is a form error, not minutes of work -------------------

FORMSETS = _formsets_of(employers.forms) + _formsets_of(candidates.forms)


def test_the_project_has_the_formsets_this_file_knows():
    assert {name for name, _ in FORMSETS} == {
        "EngagementRegionFormSet",
        "ContactPersonFormSet",
        "LanguageRequirementFormSet",
        "LanguageFormSet",
        "EducationFormSet",
        "ExperienceFormSet",
    }


@pytest.mark.parametrize(("name", "formset_class"), FORMSETS, ids=[name for name, _ in FORMSETS])
def test_every_formset_builds_at_most_a_few_dozen_forms(name, formset_class):
    data = {"x-TOTAL_FORMS": HUGE, "x-INITIAL_FORMS": "0"}

    formset = formset_class(data, prefix="x")

    assert len(formset.forms) <= 50
    assert not formset.is_valid()
    assert formset.non_form_errors()


# Every page with a formset: persona, URL (from the position, candidate and company of the
# test), context name of the formset and its prefix.
FORMSET_PAGES = {
    "position_edit": (
        "employer_a",
        lambda p, c, e: reverse("employers:position_edit", args=[p.pk]),
        "language_formset",
        "languages",
    ),
    "position_create": (
        "employer_a",
        lambda p, c, e: reverse("employers:position_create"),
        "language_formset",
        "languages",
    ),
    "regions": ("employer_a", lambda p, c, e: reverse("employers:regions"), "formset", "regions"),
    "contacts": ("employer_a", lambda p, c, e: reverse("employers:contacts"), "formset", "contacts"),
    "staff_position_create": (
        "case_worker",
        lambda p, c, e: reverse("employers:staff_position_create", args=[e.pk]),
        "language_formset",
        "languages",
    ),
    "staff_regions": (
        "case_worker",
        lambda p, c, e: reverse("employers:staff_regions", args=[e.pk]),
        "formset",
        "regions",
    ),
    "staff_contacts": (
        "case_worker",
        lambda p, c, e: reverse("employers:staff_contacts", args=[e.pk]),
        "formset",
        "contacts",
    ),
    "staff_employer_create_contacts": (
        "case_worker",
        lambda p, c, e: reverse("employers:staff_employer_create"),
        "contact_formset",
        "contacts",
    ),
    "staff_employer_create_regions": (
        "case_worker",
        lambda p, c, e: reverse("employers:staff_employer_create"),
        "region_formset",
        "regions",
    ),
    "candidate_create": ("case_worker", lambda p, c, e: reverse("candidates:create"), "language_formset", "languages"),
    "candidate_languages": (
        "case_worker",
        lambda p, c, e: reverse("candidates:edit", args=[c.pk, "languages"]),
        "formset",
        "languages",
    ),
    "candidate_education": (
        "case_worker",
        lambda p, c, e: reverse("candidates:edit", args=[c.pk, "education"]),
        "formset",
        "education",
    ),
    "candidate_experience": (
        "case_worker",
        lambda p, c, e: reverse("candidates:edit", args=[c.pk, "experience"]),
        "formset",
        "experience",
    ),
}


@pytest.mark.parametrize("page", FORMSET_PAGES)
def test_a_huge_total_forms_on_a_formset_page_is_a_form_error(
    client, personas, position, candidate, company_a, english, page
):
    persona, url, key, prefix = FORMSET_PAGES[page]
    client.force_login(personas[persona])

    response = client.post(
        url(position, candidate, company_a), {f"{prefix}-TOTAL_FORMS": HUGE, f"{prefix}-INITIAL_FORMS": "0"}
    )

    assert response.status_code == 200
    assert len(response.context[key].forms) <= 50
    assert "Please submit at most" in response.text


def test_the_largest_form_of_the_portal_still_fits_the_request_limit(client, case_worker, settings):
    """The case workers' company form with every contact and region row its formsets allow."""
    contacts = employers.forms.ContactPersonFormSet.max_num
    regions = employers.forms.EngagementRegionFormSet.max_num
    data = {
        **employer_form_data(),
        "contacts-TOTAL_FORMS": str(contacts),
        "contacts-INITIAL_FORMS": "0",
        "regions-TOTAL_FORMS": str(regions),
        "regions-INITIAL_FORMS": "0",
    }
    for index in range(contacts):
        data |= {f"contacts-{index}-name": f"Kontakt {index}", f"contacts-{index}-email": f"k{index}@firma.example"}
    abroad = [code for code, _name in countries if code != "DE"][:regions]
    for index, code in enumerate(abroad):
        data |= {f"regions-{index}-country": code, f"regions-{index}-kind": "partner"}
    client.force_login(case_worker)

    response = client.post(reverse("employers:staff_employer_create"), data)

    assert response.status_code == 302
    employer = Employer.objects.get(name=data["name"])
    assert (employer.contacts.count(), employer.engagement_regions.count()) == (contacts, regions)
    # With every field of every row sent (a row adds id, company and DELETE to its form's
    # fields; a formset has 4 management fields) it would still fit, with room to spare.
    formsets = (employers.forms.ContactPersonFormSet, employers.forms.EngagementRegionFormSet)
    full = len(employers.forms.EmployerForm.base_fields) + 1  # and the CSRF token
    full += sum(formset.max_num * (len(formset.form.base_fields) + 3) + 4 for formset in formsets)
    assert full * 2 < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS


def test_a_request_with_too_many_fields_is_refused_as_a_bad_request(client, employer_a, company_a, settings, english):
    client.force_login(employer_a)
    data = {f"field{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}

    response = client.post(reverse("employers:position_create"), data)

    assert response.status_code == 400
    assert "The request could not be processed." in response.text


def test_a_huge_total_forms_on_an_admin_inline_is_a_form_error(client, admin_user, candidate, english):
    client.force_login(admin_user)
    url = reverse("admin:candidates_candidate_change", args=[candidate.pk])

    response = client.post(url, {"experience-TOTAL_FORMS": HUGE, "experience-INITIAL_FORMS": "0"})

    assert response.status_code == 200
    inlines = {inline.formset.prefix: inline.formset for inline in response.context["inline_admin_formsets"]}
    assert len(inlines["experience"].forms) <= 20
    assert "Please submit at most" in response.text


# --- 4. autocomplete fields: a value that is no id is a form error --------------------------

POSITION_AUTOCOMPLETE = ["occupation", "place", "region", "essential_skills", "optional_skills"]


@pytest.mark.parametrize("field", POSITION_AUTOCOMPLETE)
@pytest.mark.parametrize("value", ["abc", "1.5", "-", "1e3"])
def test_a_non_numeric_value_in_an_autocomplete_field_of_a_position_is_a_form_error(
    client, employer_a, company_a, english, field, value
):
    client.force_login(employer_a)
    data = position_form_data(location="abroad" if field == "region" else "germany", country="SY")

    response = client.post(reverse("employers:position_create"), {**data, field: value})

    assert response.status_code == 200
    assert field in response.context["form"].errors


CANDIDATE_AUTOCOMPLETE = [
    ("personal", "place"),
    ("legal", "region_of_origin"),
    ("perspective", "return_region"),
    ("profile", "skills"),
    ("profile", "desired_occupations"),
]


@pytest.mark.parametrize(("section", "field"), CANDIDATE_AUTOCOMPLETE)
def test_a_non_numeric_value_in_an_autocomplete_field_of_a_candidate_is_a_form_error(
    client, case_worker, candidate, english, section, field
):
    client.force_login(case_worker)

    response = client.post(reverse("candidates:edit", args=[candidate.pk, section]), {field: "abc"})

    assert response.status_code == 200
    assert field in response.context["form"].errors


def test_a_non_numeric_occupation_in_a_work_experience_is_a_form_error(client, case_worker, candidate, english):
    client.force_login(case_worker)
    data = {"experience-TOTAL_FORMS": "1", "experience-INITIAL_FORMS": "0", "experience-0-occupation": "x"}

    response = client.post(reverse("candidates:edit", args=[candidate.pk, "experience"]), data)

    assert response.status_code == 200
    assert "occupation" in response.context["formset"].forms[0].errors


def test_a_non_numeric_place_of_a_company_is_a_form_error(client, employer_a, company_a, english):
    client.force_login(employer_a)

    response = client.post(reverse("employers:profile"), employer_form_data(place="Erfurt"))

    assert response.status_code == 200
    assert "place" in response.context["form"].errors


@pytest.mark.parametrize(
    ("url_name", "field", "multiple"),
    [
        ("admin:employers_position_add", "occupation", False),
        ("admin:employers_position_add", "place", False),
        ("admin:candidates_candidate_add", "skills", True),
        ("admin:candidates_candidate_add", "desired_occupations", True),
        ("admin:candidates_candidate_add", "return_region", False),
    ],
)
def test_a_non_numeric_value_in_an_admin_autocomplete_is_a_form_error(
    client, admin_user, english, url_name, field, multiple
):
    client.force_login(admin_user)

    response = client.post(reverse(url_name), {field: ["abc", "x"] if multiple else "abc"})

    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors


def test_a_non_numeric_value_in_an_admin_inline_autocomplete_is_a_form_error(client, admin_user, english):
    client.force_login(admin_user)
    data = {
        "languages-TOTAL_FORMS": "1",
        "languages-INITIAL_FORMS": "0",
        "languages-0-language": "abc",
        "experience-TOTAL_FORMS": "1",
        "experience-INITIAL_FORMS": "0",
        "experience-0-occupation": "abc",
    }

    response = client.post(reverse("admin:candidates_candidate_add"), data)

    assert response.status_code == 200
    inlines = {inline.formset.prefix: inline.formset for inline in response.context["inline_admin_formsets"]}
    assert "language" in inlines["languages"].forms[0].errors
    assert "occupation" in inlines["experience"].forms[0].errors


# --- found by the fuzz test (tests/bridges/test_fuzz_forms.py) --------------------------------


def test_an_admin_list_with_a_year_beyond_any_date_shows_the_list_again(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:candidates_candidate_changelist")

    response = client.get(url, {"created_at__year": "2147483648"})

    assert response.status_code == 302
    assert response.url == f"{url}?e=1"


@pytest.mark.parametrize("labels", ["-1", "[]", '"welder"', '{"de": 1}'])
def test_labels_that_are_no_language_object_are_a_form_error_in_the_admin(client, admin_user, english, labels):
    occupation = OccupationFactory()
    client.force_login(admin_user)
    url = reverse("admin:bridges_occupation_change", args=[occupation.pk])
    data = {
        "labels": labels,
        **{
            f"{prefix}-{key}": "0"
            for prefix in ("all_labels", "skill_relations")
            for key in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert "labels" in response.context["adminform"].form.errors


def test_an_invalid_celery_beat_schedule_is_a_form_error_in_the_admin(client, admin_user, english):
    client.force_login(admin_user)
    data = {
        "minute": "*",
        "hour": "*",
        "day_of_month": "*",
        "month_of_year": "*",
        "day_of_week": "-1",
        "timezone": "Europe/Berlin",
        "periodictask_set-TOTAL_FORMS": "0",
        "periodictask_set-INITIAL_FORMS": "0",
    }

    response = client.post(reverse("admin:django_celery_beat_crontabschedule_add"), data)

    assert response.status_code == 200
    assert "day_of_week" in response.context["adminform"].form.errors


@pytest.mark.parametrize("value", ["²", "١٢", "99999999999999999999"])
def test_an_id_in_a_query_that_only_looks_like_digits_finds_nothing(client, employer_a, value):
    """str.isdigit() holds for "²", which is no number for the database."""
    client.force_login(employer_a)

    prefill = client.get(reverse("employers:position_skills_prefill"), {"occupation": value})
    search = client.get(reverse("taxonomy:skills"), {"autocomplete_q": "", "field": "skills", "skills": value})

    assert (prefill.status_code, search.status_code) == (200, 200)


# --- 5. `next`: anything but a path on this site falls back to the default page ---------------

HOSTILE_NEXT = [
    "foo",
    "employers:dashboard",
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "ftp:x",
    "/ok\nLocation: https://evil.example/",
    " ",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_position_status_change_ignores_a_next_that_is_no_local_path(client, employer_a, position, target):
    client.force_login(employer_a)

    response = client.post(
        reverse("employers:position_status", args=[position.pk]), {"status": "paused", "next": target}
    )

    assert response.status_code == 302
    assert response.url == reverse("employers:position_detail", args=[position.pk])


def test_a_position_status_change_follows_a_local_next(client, employer_a, position):
    client.force_login(employer_a)

    response = client.post(
        reverse("employers:position_status", args=[position.pk]),
        {"status": "paused", "next": "/employer/positions/?x=1"},
    )

    assert response.url == "/employer/positions/?x=1"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_a_match_decision_ignores_a_next_that_is_no_local_path(client, case_worker, candidate, position, target):
    candidate.desired_occupations.add(position.occupation)  # a pair the rules propose: it can be shortlisted
    client.force_login(case_worker)
    url = reverse("matching:decide", args=[candidate.pk, position.pk])

    response = client.post(url, {"action": "shortlist", "next": target})

    assert response.status_code == 302
    assert response.url == reverse("matching:explain", args=[candidate.pk, position.pk])
    assert MatchDecision.objects.filter(candidate=candidate, position=position).exists()


# --- 6. NUL bytes in the query string: a clear 400, not a database error -----------------------

NUL_SEARCHES = [
    ("case_worker", "taxonomy:places", "autocomplete_q"),
    ("case_worker", "taxonomy:skills", "autocomplete_q"),
    ("employer_a", "taxonomy:occupations", "autocomplete_q"),
    ("employer_a", "taxonomy:regions", "autocomplete_q"),
    ("admin", "admin:candidates_candidate_changelist", "q"),
    ("admin", "admin:employers_position_changelist", "q"),
    ("admin", "admin:bridges_occupation_changelist", "q"),
    ("case_worker", "candidates:list", "q"),
    ("case_worker", "employers:staff_positions", "q"),
    ("case_worker", "matching:overview", "q"),
    (None, "jobs:list", "q"),
]


@pytest.mark.parametrize(("persona", "url_name", "param"), NUL_SEARCHES)
def test_a_nul_byte_in_a_search_is_a_bad_request_with_a_message(client, personas, english, persona, url_name, param):
    if persona:
        client.force_login(personas[persona])

    response = client.get(reverse(url_name), {param: "ab\x00c"})

    assert response.status_code == 400
    assert "NUL" in response.text


def test_a_nul_byte_in_the_path_is_a_bad_request(client, english):
    response = client.get("/employer/invitations/ab%00c/")

    assert response.status_code == 400


def test_a_nul_byte_in_a_form_field_is_a_form_error_that_keeps_the_input(client, case_worker, candidate, english):
    client.force_login(case_worker)

    response = client.post(reverse("candidates:note_add", args=[candidate.pk]), {"text": "erste Zeile\x00"})

    assert response.status_code == 400
    assert "text" in response.context["note_form"].errors
    assert "erste Zeile" in response.text


# --- 7. sign-up race: the losers get the answer of a sign-up with a known address ---------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_sign_ups_with_one_address_make_one_account_and_no_server_error(monkeypatch):
    """Six sign-ups that all pass the form's uniqueness check before any of them saves.

    The barrier holds every request at the adapter's save until all six got there, so the
    race happens on every run; each thread has its own database connection.
    """
    signups = 6
    barrier = threading.Barrier(signups, timeout=20)
    save_user = EmployerAccountAdapter.save_user

    def save_user_together(self, request, user, form, commit=True):
        barrier.wait()
        return save_user(self, request, user, form, commit=commit)

    monkeypatch.setattr(EmployerAccountAdapter, "save_user", save_user_together)
    statuses = []

    def sign_up():
        try:
            client = Client(raise_request_exception=False)
            response = client.post(
                reverse("account_signup"),
                {
                    "email": "neu@firma.example",
                    "password1": "a-long-enough-passphrase",
                    "password2": "a-long-enough-passphrase",
                },
            )
            statuses.append((response.status_code, response.get("Location", "")))
        finally:
            connection.close()

    threads = [threading.Thread(target=sign_up) for _ in range(signups)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert get_user_model().objects.filter(email="neu@firma.example").count() == 1
    assert statuses == [(302, reverse("account_email_verification_sent"))] * signups
