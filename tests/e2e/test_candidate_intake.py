"""A case worker takes a candidate in through the browser and finds them again by filters."""

import re

import pytest
from playwright.sync_api import Page, expect

from bridges.models import Language
from tests.e2e.session import log_in
from tests.factories import CaseWorkerFactory, OccupationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_case_worker_takes_in_a_candidate_and_finds_them_by_filters(live_server, page: Page):
    user = CaseWorkerFactory(email="beraterin@bridges.example")
    german = Language.objects.create(code="de", name_en="German", name_de="Deutsch")
    arabic = Language.objects.create(code="ar", name_en="Arabic", name_de="Arabisch")
    OccupationFactory(labels={"de": "Schweißer/in", "en": "welder"})
    OccupationFactory(labels={"de": "Koch/Köchin", "en": "cook"})
    log_in(page, live_server.url, user.email)

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Kandidat/innen").click()
    page.get_by_role("link", name="Neue/r Kandidat/in").click()
    page.get_by_label("Vorname").fill("Samira")
    page.get_by_label("Nachname").fill("Al-Masri")
    page.get_by_label("Geburtsdatum").fill("1994-07-12")
    page.get_by_role("combobox", name="Herkunftsland").select_option("SY")
    page.get_by_role("combobox", name="Aufenthaltsstatus").select_option("aufenthaltserlaubnis")
    page.get_by_role("combobox", name="Beschäftigungserlaubnis").select_option("allowed")
    page.get_by_role("combobox", name="Berufliche Perspektive").select_option("stay")
    page.locator("#id_languages-0-language").select_option(str(german.pk))
    page.locator("#id_languages-0-level").select_option("3")
    page.locator("#id_languages-1-language").select_option(str(arabic.pk))
    page.locator("#id_languages-1-level").select_option("7")
    page.get_by_role("button", name="Profil anlegen").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Samira Al-Masri")
    expect(page.get_by_text("Deutsch: B1")).to_be_visible()
    expect(page.get_by_text("Arabisch: Muttersprache")).to_be_visible()

    page.get_by_role("link", name="Bearbeiten Fähigkeiten und Wünsche").click()
    page.get_by_role("combobox", name="Wunschberufe").fill("schweiß")
    page.get_by_role("listbox", name="Wunschberufe").get_by_role("option", name="Schweißer/in").click()
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_text("Schweißer/in")).to_be_visible()

    page.get_by_role("navigation", name="Hauptnavigation").get_by_role("link", name="Kandidat/innen").click()
    page.get_by_label("Beruf", exact=True).fill("Schweiß")
    page.get_by_role("main").get_by_role("combobox", name="Sprache").fill("Deutsch")
    page.get_by_role("main").get_by_role("listbox", name="Sprache").get_by_role("option", name="Deutsch").click()
    page.get_by_label("Mindestniveau").select_option("3")
    page.get_by_role("button", name="Anwenden").click()

    expect(page).to_have_url(re.compile(r"occupation=Schwei"))
    expect(page.get_by_role("link", name="Al-Masri, Samira")).to_be_visible()

    page.get_by_label("Mindestniveau").select_option("4")
    page.get_by_role("button", name="Anwenden").click()
    expect(page.get_by_text("Keine Kandidat/innen passen zu diesen Filtern.")).to_be_visible()
