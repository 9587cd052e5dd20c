"""A case worker logs in through the real login form in a real browser."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.session import enter_totp_code
from tests.factories import DEFAULT_PASSWORD, CaseWorkerFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_case_worker_logs_in_and_sees_the_dashboard(live_server, page: Page):
    user = CaseWorkerFactory(email="beraterin@bridges.example", first_name="Clara")

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    enter_totp_code(page, user)

    expect(page).to_have_url(f"{live_server.url}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Berater-Übersicht")
    expect(page.get_by_text("Willkommen, Clara.")).to_be_visible()


def test_wrong_password_in_the_browser_shows_an_error(live_server, page: Page):
    user = CaseWorkerFactory(email="beraterin@bridges.example")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill("falsch-falsch-falsch")
    page.get_by_role("button", name="Anmelden").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".alert-danger, .invalid-feedback").first).to_be_visible()
