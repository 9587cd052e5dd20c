"""A new case worker sets up the authenticator app in the browser before the portal opens."""

import re

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from playwright.sync_api import Page, expect

from tests.e2e.checks import axe_violations, layout_problems
from tests.factories import DEFAULT_PASSWORD, CaseWorkerFactory, totp_counter

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_new_case_worker_sets_up_the_app_then_logs_in_with_its_code(live_server, page: Page):
    user = CaseWorkerFactory(email="neu.beraterin@bridges.example", totp=False)
    base = live_server.url

    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    # Every page leads to the setup; adding a factor asks for the password once more.
    expect(page).to_have_url(re.compile(r"/accounts/reauthenticate/"))
    page.get_by_label("Passwort").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Bestätigen").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/totp/activate/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Authenticator-App einrichten")
    expect(page.get_by_role("img", name="QR-Code für die Authenticator-App")).to_be_visible()
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        assert layout_problems(page, tables_fit=True) == [], width
        assert axe_violations(page) == [], width
    page.set_viewport_size({"width": 1280, "height": 900})

    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.get_by_label("Authentifizierungscode").fill(format_hotp_value(hotp_value(secret, totp_counter())))
    page.get_by_role("button", name="Aktivieren").click()

    expect(page).to_have_url(f"{base}/accounts/2fa/recovery-codes/")
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    assert axe_violations(page) == []
    page.get_by_role("link", name="Weiter zum Portal").click()
    expect(page).to_have_url(f"{base}/dashboard/")

    # The next login asks for the app's code.
    page.get_by_role("button", name="Abmelden").click()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(user.email)
    page.get_by_label("Passwort").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    expect(page).to_have_url(f"{base}/accounts/2fa/authenticate/")
    assert axe_violations(page) == []
