"""Positions: create, edit, duplicate, status changes, validation, skills prefilled from the
occupation, and the re-scoring mark on every change."""

import re
from datetime import timedelta

import pytest
import time_machine
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from bridges.models import CEFRLevel, OccupationSkill, Region
from employers.models import LanguageRequirement, Position, PositionSkill
from tests.candidates.factories import LanguageFactory, PlaceFactory
from tests.employers.factories import LanguageRequirementFactory, PositionFactory, position_form_data
from tests.factories import OccupationFactory, SkillFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = timezone.localdate()


@pytest.fixture
def logged_in(client, employer_a, company_a):
    client.force_login(employer_a)
    return client


@pytest.fixture
def german(db):
    return LanguageFactory(code="de", name_en="German", name_de="Deutsch")


@pytest.fixture
def arabic(db):
    return LanguageFactory(code="ar", name_en="Arabic", name_de="Arabisch")


def languages(*rows: dict, initial: int = 0) -> dict:
    data = {
        "languages-TOTAL_FORMS": str(len(rows)),
        "languages-INITIAL_FORMS": str(initial),
        "languages-MIN_NUM_FORMS": "0",
        "languages-MAX_NUM_FORMS": "10",
    }
    for index, row in enumerate(rows):
        data |= {f"languages-{index}-{key}": value for key, value in row.items()}
    return data


def create(client, **overrides):
    return client.post(reverse("employers:position_create"), {**position_form_data(), **overrides})


# --- create --------------------------------------------------------------------------------


def test_new_position_is_saved_as_a_draft_with_skills_and_languages(logged_in, employer_a, company_a, german):
    weld, read = SkillFactory(), SkillFactory()
    data = {
        "essential_skills": [str(weld.pk)],
        "optional_skills": [str(read.pk)],
        **languages({"language": str(german.pk), "min_level": str(CEFRLevel.B1), "required": "on"}),
    }

    response = create(logged_in, start_date=str(TODAY + timedelta(days=30)), **data)

    position = Position.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("employers:position_detail", args=[position.pk])
    assert (position.employer, position.created_by, position.status) == (company_a, employer_a, Position.Status.DRAFT)
    assert position.rescore_requested_at is not None
    assert set(position.skill_requirements.values_list("skill_id", "relation_type")) == {
        (weld.pk, "essential"),
        (read.pk, "optional"),
    }
    assert list(position.language_requirements.values_list("language__code", "min_level")) == [("de", CEFRLevel.B1)]


def test_create_page_prefills_skills_when_the_occupation_changes(logged_in):
    response = logged_in.get(reverse("employers:position_create"))

    assert response.status_code == 200
    assert f'hx-get="{reverse("employers:position_skills_prefill")}"' in response.text
    assert 'hx-target="#position-skills"' in response.text
    assert 'id="position-skills"' in response.text


def test_skill_prefill_selects_the_occupations_essential_and_optional_skills(logged_in):
    occupation = OccupationFactory()
    essential, optional, unrelated = SkillFactory(), SkillFactory(), SkillFactory()
    OccupationSkill.objects.create(occupation=occupation, skill=essential, relation_type="essential")
    OccupationSkill.objects.create(occupation=occupation, skill=optional, relation_type="optional")

    response = logged_in.get(reverse("employers:position_skills_prefill"), {"occupation": occupation.pk})

    assert response.status_code == 200
    selects = dict(re.findall(r'<select name="(\w+)"(.*?)</select>', response.text, flags=re.S))
    assert set(selects) == {"essential_skills", "optional_skills"}
    assert f'value="{essential.pk}" selected' in selects["essential_skills"]
    assert f'value="{optional.pk}"' not in selects["essential_skills"]
    assert f'value="{optional.pk}" selected' in selects["optional_skills"]
    assert f'value="{unrelated.pk}"' not in response.text


def test_skill_prefill_with_an_unknown_occupation_gives_empty_fields(logged_in):
    response = logged_in.get(reverse("employers:position_skills_prefill"), {"occupation": "999999"})

    assert response.status_code == 200
    assert "selected" not in response.text


# --- validation: refused and nothing saved -------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"openings": "0"}, "openings"),
        ({"start_date": str(TODAY - timedelta(days=1))}, "start_date"),
        ({"salary_min": "3500", "salary_max": "2800"}, "salary_max"),
        ({"location": "abroad", "country": ""}, "country"),
        ({"location": "germany", "postal_code": ""}, "postal_code"),
        ({"location": "germany", "postal_code": "9908"}, "postal_code"),
        ({"location": "germany", "place": ""}, "place"),
        ({"occupation": "999999"}, "occupation"),
        ({"hours_per_week": "0"}, "hours_per_week"),
        ({"hours_per_week": "61"}, "hours_per_week"),
        ({"expires_on": str(TODAY - timedelta(days=1))}, "expires_on"),
        ({"title": ""}, "title"),
    ],
    ids=[
        "no-openings",
        "start-in-the-past",
        "salary-min-above-max",
        "abroad-without-country",
        "germany-without-postal-code",
        "four-digit-postal-code",
        "germany-without-town",
        "unknown-occupation",
        "zero-hours",
        "too-many-hours",
        "closing-date-in-the-past",
        "no-title",
    ],
)
def test_invalid_position_is_refused_and_nothing_saved(logged_in, overrides, field):
    response = create(logged_in, **overrides)

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Position.objects.exists()
    # Summarised above the form, announced, and linked to the field (keyboard and screen readers).
    summary = response.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    assert 'role="alert"' in response.text.split('id="error-summary"', 1)[0].rsplit("<div", 1)[1]
    assert f'href="#id_{field}"' in summary


def test_region_must_lie_in_the_country_abroad(logged_in):
    damascus = Region.objects.create(code="SY-DI", country="SY", name_en="Damascus", name_de="Damaskus")

    response = create(logged_in, location="abroad", country="AF", region=str(damascus.pk))

    assert "region" in response.context["form"].errors
    assert not Position.objects.exists()


def test_town_abroad_is_refused_for_a_position_in_germany(logged_in):
    kabul = PlaceFactory(geonameid=1138958, name="Kabul", country="AF", latitude=34.5, longitude=69.2)

    response = create(logged_in, place=str(kabul.pk))

    assert "place" in response.context["form"].errors
    assert not Position.objects.exists()


def test_a_skill_cannot_be_essential_and_optional(logged_in):
    skill = SkillFactory()

    response = create(logged_in, essential_skills=[str(skill.pk)], optional_skills=[str(skill.pk)])

    assert "optional_skills" in response.context["form"].errors
    assert not Position.objects.exists()
    assert not PositionSkill.objects.exists()


def test_a_language_cannot_be_required_twice(logged_in, german):
    rows = [{"language": str(german.pk), "min_level": str(level), "required": "on"} for level in (3, 4)]

    response = logged_in.post(reverse("employers:position_create"), {**position_form_data(), **languages(*rows)})

    assert response.status_code == 200
    assert "language" in response.context["language_formset"].forms[1].errors
    assert not Position.objects.exists()
    assert not LanguageRequirement.objects.exists()


def test_position_abroad_keeps_no_german_town(logged_in):
    response = create(logged_in, location="abroad", country="SY", postal_code="99084")

    assert response.status_code == 302
    position = Position.objects.get()
    assert (position.country.code, position.postal_code, position.place) == ("SY", "", None)


def work_permission_as_the_browser_sends_it(form) -> dict:
    """The work-permission field of a rendered position form, posted unchanged."""
    field = form["requires_work_permission"]
    if isinstance(field.field.widget, forms.CheckboxInput):
        return {"requires_work_permission": "on"} if field.value() else {}
    return {"requires_work_permission": field.value() or ""}


@pytest.mark.parametrize(("location", "needed"), [("abroad", False), ("germany", True)])
def test_the_work_permission_follows_the_place_of_work_when_left_as_it_is(logged_in, location, needed):
    untouched = work_permission_as_the_browser_sends_it(
        logged_in.get(reverse("employers:position_create")).context["form"]
    )
    data = position_form_data(location=location, country="SY" if location == "abroad" else "")
    del data["requires_work_permission"]
    data.update(untouched)

    response = logged_in.post(reverse("employers:position_create"), data)

    assert response.status_code == 302
    assert Position.objects.get().requires_work_permission is needed


@pytest.mark.parametrize(
    ("location", "choice", "needed"),
    [("abroad", "yes", True), ("germany", "no", False), ("germany", "on", True), ("abroad", "", False)],
)
def test_a_chosen_work_permission_wins_over_the_place_of_work(logged_in, location, choice, needed):
    response = create(
        logged_in, location=location, country="SY" if location == "abroad" else "", requires_work_permission=choice
    )

    assert response.status_code == 302
    assert Position.objects.get().requires_work_permission is needed


@pytest.mark.parametrize(
    ("location", "needed", "shown"),
    [("germany", True, ""), ("abroad", False, ""), ("abroad", True, "yes"), ("germany", False, "no")],
)
def test_editing_shows_the_work_permission_as_it_follows_the_place_of_work_or_as_chosen(
    logged_in, company_a, location, needed, shown
):
    position = PositionFactory(employer=company_a, requires_work_permission=needed, abroad=location == "abroad")

    form = logged_in.get(reverse("employers:position_edit", args=[position.pk])).context["form"]

    assert (form["requires_work_permission"].value() or "") == shown


def test_the_language_rows_of_the_edit_form_read_the_languages_once(logged_in, company_a):
    position = PositionFactory(employer=company_a)
    languages = [LanguageFactory(code=f"x{k}", name_en=f"Language {k}", name_de=f"Sprache {k}") for k in range(5)]
    url = reverse("employers:position_edit", args=[position.pk])

    def language_queries() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as queries:
            html = logged_in.get(url).text
        return sum('FROM "bridges_language"' in q["sql"] for q in queries.captured_queries), html

    one_row = language_queries()[0]
    for language in languages[:4]:
        LanguageRequirementFactory(position=position, language=language)
    four_rows, html = language_queries()

    assert four_rows == one_row
    # Every row (the four kept, the empty ones, the template for "add a row") offers every language.
    rows = re.findall(r'<select name="languages-(?:\d+|__prefix__)-language"', html)
    assert len(rows) >= 6
    assert html.count(f'<option value="{languages[4].pk}">') == len(rows)
    assert html.count(f'<option value="{languages[0].pk}" selected>') == 1


@pytest.mark.parametrize("language", ["de", "en", "ar"])
def test_the_language_options_are_in_the_alphabetical_order_of_the_names_shown(
    logged_in, client, case_worker, company_a, language
):
    """Not in the German order on an English page ("German" after "Dari")."""
    LanguageFactory(code="xa", name_en="Zulu-like", name_de="Abc-Sprache", name_ar="")
    LanguageFactory(code="xb", name_en="abc language", name_de="Zulu-artig", name_ar="ألف")
    logged_in.cookies["django_language"] = language
    position = PositionFactory(employer=company_a)
    LanguageRequirementFactory(
        position=position, language=LanguageFactory(code="xc", name_en="Middle", name_de="Mitte")
    )

    form = logged_in.get(reverse("employers:position_edit", args=[position.pk])).context["language_formset"].forms[0]
    client.force_login(case_worker)
    client.cookies["django_language"] = language
    search = client.get(reverse("employers:staff_positions")).context["filter"].form
    board = client.get(reverse("jobs:list")).context["filter"].form

    for field in (form.fields["language"], search.fields["language"], board.fields["language"]):
        labels = [str(label) for value, label in field.choices if value]
        assert labels == sorted(labels, key=str.casefold), labels
    # The two test languages swap places between German and English; in Arabic the one without an
    # Arabic name shows (and sorts) by its English name.
    earlier, later = {
        "de": ("Abc-Sprache", "Zulu-artig"),
        "en": ("abc language", "Zulu-like"),
        "ar": ("Zulu-like", "ألف"),
    }[language]
    labels = [str(label) for value, label in form.fields["language"].choices if value]
    assert labels.index(earlier) < labels.index(later)


# --- edit ----------------------------------------------------------------------------------


def test_edit_saves_and_marks_an_open_position_for_rescoring(logged_in, company_a):
    position = PositionFactory(employer=company_a)
    assert position.rescore_requested_at is None

    response = logged_in.post(
        reverse("employers:position_edit", args=[position.pk]),
        position_form_data(occupation=position.occupation, title="Schweißer/in Nachtschicht"),
    )

    assert response.status_code == 302
    position.refresh_from_db()
    assert position.title == "Schweißer/in Nachtschicht"
    assert position.status == Position.Status.OPEN
    assert position.rescore_requested_at is not None


def test_edit_keeps_a_start_date_that_has_passed_since(logged_in, company_a):
    start = TODAY + timedelta(days=3)
    position = PositionFactory(employer=company_a, start_date=start)

    with time_machine.travel(timezone.now() + timedelta(days=10)):
        response = logged_in.post(
            reverse("employers:position_edit", args=[position.pk]),
            position_form_data(occupation=position.occupation, start_date=str(start), title="Neuer Titel"),
        )

    assert response.status_code == 302
    position.refresh_from_db()
    assert (position.title, position.start_date) == ("Neuer Titel", start)


def test_edit_refuses_moving_the_start_date_into_the_past(logged_in, company_a):
    position = PositionFactory(employer=company_a, start_date=TODAY + timedelta(days=3))

    response = logged_in.post(
        reverse("employers:position_edit", args=[position.pk]),
        position_form_data(occupation=position.occupation, start_date=str(TODAY - timedelta(days=3))),
    )

    assert "start_date" in response.context["form"].errors
    position.refresh_from_db()
    assert position.start_date == TODAY + timedelta(days=3)


def test_edit_shows_the_current_skills_and_languages(logged_in, company_a, arabic):
    position = PositionFactory(employer=company_a)
    skill = SkillFactory()
    PositionSkill.objects.create(position=position, skill=skill, relation_type="essential")
    LanguageRequirementFactory(position=position, language=arabic, min_level=CEFRLevel.A2)

    response = logged_in.get(reverse("employers:position_edit", args=[position.pk]))

    assert response.context["form"].initial["essential_skills"] == [skill.pk]
    assert f'value="{skill.pk}" selected' in response.text
    assert response.context["language_formset"].initial_form_count() == 1


def test_edit_replaces_the_language_requirements(logged_in, company_a, german, arabic):
    position = PositionFactory(employer=company_a)
    requirement = LanguageRequirementFactory(position=position, language=german)
    data = {
        **position_form_data(occupation=position.occupation),
        **languages(
            {"id": str(requirement.pk), "language": str(german.pk), "min_level": "3", "DELETE": "on"},
            {"language": str(arabic.pk), "min_level": "7", "required": "on"},
            initial=1,
        ),
    }

    response = logged_in.post(reverse("employers:position_edit", args=[position.pk]), data)

    assert response.status_code == 302
    assert list(position.language_requirements.values_list("language__code", "min_level")) == [("ar", 7)]


# --- detail, duplicate, status --------------------------------------------------------------


def test_detail_shows_fields_languages_skills_and_status_buttons(logged_in, company_a, german):
    position = PositionFactory(employer=company_a, title="Koch/Köchin", driving_licence="forklift", openings=3)
    skill = SkillFactory(labels={"de": "Kochen", "en": "cooking"})
    PositionSkill.objects.create(position=position, skill=skill, relation_type="essential")
    LanguageRequirementFactory(position=position, language=german, min_level=CEFRLevel.B2)

    response = logged_in.get(reverse("employers:position_detail", args=[position.pk]))

    assert response.status_code == 200
    for text in ("Koch/Köchin", "cooking", "German", "B2", "forklift licence", "99084 Erfurt"):
        assert text in response.text
    statuses = re.findall(r'name="status" value="(\w+)"', response.text)
    assert statuses == ["paused", "filled", "closed"]


def test_the_detail_and_the_job_board_say_what_the_form_says(logged_in, client, company_a, german):
    """ "none" where the form said so (not "–"), the licence by its name on the job board too (not
    "forklift"), and a native language without "at least" (nothing is above it)."""
    needs_none = PositionFactory(employer=company_a, driving_licence="")
    forklift = PositionFactory(employer=company_a, driving_licence="forklift", status=Position.Status.OPEN)
    LanguageRequirementFactory(position=forklift, language=german, min_level=CEFRLevel.NATIVE)
    LanguageRequirementFactory(position=forklift, language=LanguageFactory(code="xe"), min_level=CEFRLevel.B1)
    logged_in.cookies["django_language"] = "de"
    client.cookies["django_language"] = "de"

    none_page = logged_in.get(reverse("employers:position_detail", args=[needs_none.pk])).text
    forklift_page = logged_in.get(reverse("employers:position_detail", args=[forklift.pk])).text
    board = client.get(forklift.get_absolute_url()).text

    assert re.search(r"Führerschein erforderlich</dt><dd[^>]*>keiner</dd>", none_page)
    assert "Staplerschein" in forklift_page
    assert "Staplerschein" in board
    assert ">forklift<" not in board
    assert "<strong>Muttersprache</strong>" in forklift_page
    assert "mindestens Muttersprache" not in forklift_page
    assert "<strong>mindestens B1</strong>" in forklift_page


def test_status_change_marks_the_position_for_rescoring(logged_in, company_a):
    position = PositionFactory(employer=company_a)

    response = logged_in.post(reverse("employers:position_status", args=[position.pk]), {"status": "paused"})

    assert response.status_code == 302
    position.refresh_from_db()
    assert position.status == Position.Status.PAUSED
    assert position.rescore_requested_at is not None


def test_draft_is_published_with_the_status_button(logged_in, company_a):
    position = PositionFactory(employer=company_a, status=Position.Status.DRAFT)

    logged_in.post(reverse("employers:position_status", args=[position.pk]), {"status": "open"})

    position.refresh_from_db()
    assert position.status == Position.Status.OPEN


def test_forbidden_status_change_is_refused_with_a_message(logged_in, company_a):
    position = PositionFactory(employer=company_a, status=Position.Status.DRAFT)

    response = logged_in.post(
        reverse("employers:position_status", args=[position.pk]), {"status": "filled"}, follow=True
    )

    position.refresh_from_db()
    assert position.status == Position.Status.DRAFT
    assert "cannot become" in response.text


def test_unknown_status_is_refused(logged_in, company_a):
    position = PositionFactory(employer=company_a)

    logged_in.post(reverse("employers:position_status", args=[position.pk]), {"status": "draft"})

    position.refresh_from_db()
    assert position.status == Position.Status.OPEN


def test_status_change_and_duplicate_need_post(logged_in, company_a):
    position = PositionFactory(employer=company_a)

    assert logged_in.get(reverse("employers:position_status", args=[position.pk])).status_code == 405
    assert logged_in.get(reverse("employers:position_duplicate", args=[position.pk])).status_code == 405


def test_duplicate_makes_a_draft_copy_and_opens_its_edit_page(logged_in, company_a, german):
    position = PositionFactory(employer=company_a, title="Lagerist/in")
    skill = SkillFactory()
    PositionSkill.objects.create(position=position, skill=skill, relation_type="optional")
    LanguageRequirementFactory(position=position, language=german)

    response = logged_in.post(reverse("employers:position_duplicate", args=[position.pk]))

    copy = Position.objects.exclude(pk=position.pk).get()
    assert response.status_code == 302
    assert response.url == reverse("employers:position_edit", args=[copy.pk])
    assert (copy.employer, copy.status) == (company_a, Position.Status.DRAFT)
    assert copy.title.startswith("Lagerist/in")
    assert list(copy.skill_requirements.values_list("skill_id", "relation_type")) == [(skill.pk, "optional")]
    assert copy.language_requirements.count() == 1


def test_the_error_summary_follows_the_page_from_top_to_bottom(logged_in):
    response = create(logged_in, title="", description="", position_type="", openings="0", postal_code="")

    summary = response.text.split('id="error-summary"', 1)[1].split("</div>", 1)[0]
    linked = re.findall(r'href="#id_(\w+)"', summary)
    page = response.text.split('id="error-summary"', 1)[1]  # the fields below the summary
    assert linked == sorted(linked, key=lambda name: page.index(f'id="id_{name}"'))
    assert {"title", "description", "position_type", "openings", "postal_code"} <= set(linked)
