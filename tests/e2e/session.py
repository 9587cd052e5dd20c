"""Logging in through the portal's own login page, as a person does."""

import time

from allauth.mfa.models import Authenticator
from playwright.sync_api import Page, expect

from bridges.models import User
from tests.factories import DEFAULT_PASSWORD, totp_code


def log_in(page: Page, base_url: str, email: str, start: str | None = "/dashboard/") -> None:
    """Log in as `email` (password: the factories' default) and land on the role's `start` page
    (with `start=None`, on whatever page the login leads to). A user with an authenticator app
    (every case worker and admin) then enters the code the app shows, computed from its secret."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    user = User.objects.get(email=email)
    if Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        enter_totp_code(page, user)
    if start is None:
        page.wait_for_url(lambda url: "/accounts/login/" not in url and "/accounts/2fa/" not in url)
    else:
        expect(page).to_have_url(f"{base_url}{start}")


def enter_totp_code(page: Page, user: User) -> None:
    """Answer the second-factor step with the current code. A code counts once: if this user's
    code of this period was already used (two logins within 30 s), wait for the next one."""
    page.wait_for_url("**/accounts/2fa/authenticate/")
    used = None
    deadline = time.monotonic() + 45
    while time.monotonic() < deadline:
        code = totp_code(user)
        if code == used:
            time.sleep(0.5)
            continue
        page.get_by_label("Code").fill(code)
        with page.expect_navigation():
            page.get_by_role("button", name="Anmelden").click()
        if "/accounts/2fa/authenticate/" not in page.url:
            return
        used = code
    raise AssertionError(f"the second factor was refused for {user.email}")
