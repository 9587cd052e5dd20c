"""From sign-up to a published position abroad, in the browser: the employer's whole way."""

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, Page, expect

from bridges.models import Language, Place, Region
from employers.models import Employer, Position
from tests.e2e.session import log_in
from tests.factories import DEFAULT_PASSWORD, AdminFactory, OccupationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def reference_data(db):
    thuringia = Region.objects.create(code="DE-TH", country="DE", name_en="Thuringia", name_de="Thüringen")
    Place.objects.create(
        geonameid=2929670,
        name="Erfurt",
        country="DE",
        region=thuringia,
        latitude=50.98,
        longitude=11.03,
        population=213000,
    )
    Region.objects.create(code="SY-HL", country="SY", name_en="Aleppo", name_de="Aleppo", aliases="Ḩalab · Halab")
    for code, en, de in [("de", "German", "Deutsch"), ("ar", "Arabic", "Arabisch"), ("en", "English", "Englisch")]:
        Language.objects.create(code=code, name_en=en, name_de=de)
    OccupationFactory(labels={"de": "Schweißer/in", "en": "welder"})


def choose(page: Page, field_id: str, search: str, option: str) -> None:
    """Use an autocomplete field: type into its search box, then pick the option."""
    page.locator(f"#{field_id}_search").fill(search)
    select = page.locator(f"#{field_id}")
    expect(select.locator("option", has_text=option)).to_have_count(1)
    select.select_option(label=option)


def test_employer_signs_up_is_approved_and_publishes_a_position_abroad(
    live_server, page: Page, browser: Browser, reference_data
):
    base = live_server.url

    # Sign up and verify the address from the mailbox.
    page.goto(f"{base}/accounts/signup/")
    page.locator("#id_email").fill("personal@solarwerk-erfurt.example")
    page.locator("#id_password1").fill(DEFAULT_PASSWORD)
    page.locator("#id_password2").fill(DEFAULT_PASSWORD)
    page.locator("form button[type=submit]").last.click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/"))
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    page.goto(f"{base}{link}")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(f"{base}/employer/")

    # Register the company: pending until the programme approves it.
    page.locator("main a[href$='/employer/register/']").first.click()
    page.locator("#id_name").fill("Solarwerk Erfurt GmbH")
    page.locator("#id_sector").select_option("F")
    page.locator("#id_postal_code").fill("99084")
    choose(page, "id_place", "Erf", "Erfurt (Thüringen)")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".alert").first).to_be_visible()
    company = Employer.objects.get(name="Solarwerk Erfurt GmbH")
    assert company.verification == Employer.Verification.PENDING

    # An admin approves it.
    admin = AdminFactory(email="admin@bridges.example")
    admin_context = browser.new_context(locale="de-DE")
    admin_page = admin_context.new_page()
    log_in(admin_page, base, admin.email, start="/admin/")
    admin_page.goto(f"{base}/employer/companies/{company.pk}/")
    admin_page.locator("input[name=decision][value=approve]").check()
    admin_page.locator("form[action$='/review/'] button[type=submit]").click()
    expect(admin_page.locator(".alert-success")).to_be_visible()
    admin_context.close()
    company.refresh_from_db()
    assert company.is_approved

    # The employer posts a return position in Aleppo with two language requirements.
    page.goto(f"{base}/employer/positions/new/")
    page.locator("#id_title").fill("Solarteur/in für unser Projekt in Aleppo")
    page.locator("#id_description").fill("Aufbau von Solaranlagen mit unserem Partner vor Ort.")
    choose(page, "id_occupation", "Schweiß", "Schweißer/in")
    page.locator("#id_position_type").select_option("return_abroad")
    page.locator("#id_location").select_option("abroad")
    page.locator("#id_country").select_option("SY")
    choose(page, "id_region", "Alep", "Aleppo (SY)")
    page.locator("#id_openings").fill("2")
    page.locator("#id_languages-0-language").select_option(label="Arabisch")
    page.locator("#id_languages-0-min_level").select_option("7")
    page.locator("#id_languages-1-language").select_option(label="Englisch")
    page.locator("#id_languages-1-min_level").select_option("3")
    page.get_by_role("button", name="Speichern").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Solarteur/in")
    position = Position.objects.get(title__startswith="Solarteur/in")
    assert position.language_requirements.count() == 2
    page.get_by_role("button", name=re.compile("Veröffentlichen")).click()
    expect(page.locator(".alert-success")).to_be_visible()

    # Anyone sees it on the public job board.
    public = browser.new_context(locale="de-DE").new_page()
    public.goto(f"{base}/jobs/")
    expect(public.get_by_role("link", name="Solarteur/in für unser Projekt in Aleppo")).to_be_visible()
    public.get_by_role("link", name="Solarteur/in für unser Projekt in Aleppo").click()
    expect(public.get_by_text("Solarwerk Erfurt GmbH").first).to_be_visible()
    expect(public.get_by_text("Arabisch").first).to_be_visible()
