"""Long filter lists (languages, countries of origin) can be searched by typing a few letters."""

import pytest
from playwright.sync_api import Page, expect

from bridges.models import CEFRLevel
from tests.candidates.factories import CandidateFactory, CandidateLanguageFactory, LanguageFactory
from tests.e2e.checks import axe_violations
from tests.e2e.session import log_in
from tests.factories import CaseWorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_case_worker_finds_a_rare_language_in_the_filter_by_typing(live_server, page: Page):
    user = CaseWorkerFactory(email="beraterin@bridges.example")
    german = LanguageFactory(code="de", name_en="German", name_de="Deutsch")
    tigrinya = LanguageFactory(code="ti", name_en="Tigrinya", name_de="Tigrinya")
    for code, english, german_name in [("vo", "Volapük", "Volapük"), ("ae", "Avestan", "Avestisch")]:
        LanguageFactory(code=code, name_en=english, name_de=german_name)
    speaker = CandidateFactory(first_name="Filmon", last_name="Haile")
    CandidateLanguageFactory(candidate=speaker, language=tigrinya, level=CEFRLevel.NATIVE)
    CandidateLanguageFactory(candidate=CandidateFactory(first_name="Lina", last_name="Darwish"), language=german)
    log_in(page, live_server.url, user.email)
    page.goto(f"{live_server.url}/candidates/")

    field = page.get_by_role("main").get_by_role("combobox", name="Sprache")
    field.focus()
    page.keyboard.type("tigr")
    options = page.get_by_role("main").get_by_role("listbox", name="Sprache").get_by_role("option")
    expect(options).to_have_text(["Tigrinya"])
    assert not (violations := axe_violations(page)), "\n".join(violations)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Anwenden").click()

    expect(page.get_by_role("link", name="Haile, Filmon")).to_be_visible()
    expect(page.get_by_role("link", name="Darwish, Lina")).to_have_count(0)
    assert f"language={tigrinya.pk}" in page.url
