"""The multi-value autocomplete (skills, occupations): chosen values are chips, everything works
by keyboard, and the form still posts the ids of the chosen values; without JavaScript it is the
plain list box with its chosen values."""

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.candidates.factories import CandidateFactory
from tests.e2e.checks import axe_violations
from tests.e2e.session import log_in
from tests.factories import CaseWorkerFactory, SkillFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def skills(db):
    return {
        name: SkillFactory(labels={"de": name, "en": english})
        for name, english in [
            ("Schweißtechniken anwenden", "apply welding techniques"),
            ("Schweißgeräte bedienen", "operate welding equipment"),
            ("Bauzeichnungen lesen", "read construction drawings"),
        ]
    }


def test_case_worker_chooses_two_skills_and_removes_one_by_keyboard(live_server, page: Page, skills):
    user = CaseWorkerFactory(email="beraterin@bridges.example")
    candidate = CandidateFactory(first_name="Samira", last_name="Al-Masri")
    log_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/candidates/{candidate.pk}/edit/profile/")

    field = page.get_by_role("combobox", name="Fertigkeiten")
    field.focus()
    page.keyboard.type("schweiß")
    expect(page.get_by_role("listbox", name="Fertigkeiten").get_by_role("option")).to_have_count(2)
    assert not (violations := axe_violations(page)), "\n".join(violations)
    page.keyboard.press("Enter")  # the first option is the active one
    page.keyboard.press("ArrowDown")  # what is left of the answer: the other welding skill
    page.keyboard.press("Enter")
    chips = page.locator(".ts-control .item")
    expect(chips).to_have_text(["Schweißgeräte bedienen×", "Schweißtechniken anwenden×"])
    expect(page.get_by_role("status").filter(has_text="hinzugefügt")).to_have_text(
        "Schweißtechniken anwenden hinzugefügt"
    )
    assert not (violations := axe_violations(page)), "\n".join(violations)

    page.keyboard.press("Shift+Tab")  # from the search box back to the last chip's button
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("button", name="Schweißgeräte bedienen entfernen")).to_be_focused()
    page.keyboard.press("Enter")
    expect(chips).to_have_text(["Schweißtechniken anwenden×"])
    expect(page.get_by_role("status").filter(has_text="entfernt")).to_have_text("Schweißgeräte bedienen entfernt")
    expect(page.get_by_role("button", name="Schweißtechniken anwenden entfernen")).to_be_focused()

    page.get_by_role("button", name="Speichern").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Samira Al-Masri")
    assert list(candidate.skills.all()) == [skills["Schweißtechniken anwenden"]]


def test_without_javascript_the_field_is_a_list_box_that_keeps_the_chosen_values(live_server, browser: Browser, skills):
    user = CaseWorkerFactory(email="beraterin@bridges.example")
    candidate = CandidateFactory(first_name="Samira", last_name="Al-Masri")
    candidate.skills.set([skills["Bauzeichnungen lesen"], skills["Schweißgeräte bedienen"]])
    context = browser.new_context(locale="de-DE", java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/candidates/{candidate.pk}/edit/profile/")

    listbox = page.get_by_role("listbox", name="Fertigkeiten")
    expect(listbox.get_by_role("option", selected=True)).to_have_text(
        ["Schweißgeräte bedienen", "Bauzeichnungen lesen"]
    )
    expect(page.get_by_text("Halten Sie Strg").first).to_be_visible()
    listbox.select_option(label="Schweißgeräte bedienen")  # a plain click keeps only this one
    page.get_by_role("button", name="Speichern").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Samira Al-Masri")
    assert list(candidate.skills.all()) == [skills["Schweißgeräte bedienen"]]
    context.close()
