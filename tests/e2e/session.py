"""Logging in through the portal's own login page, as a person does."""

from playwright.sync_api import Page, expect

from tests.factories import DEFAULT_PASSWORD


def log_in(page: Page, base_url: str, email: str, start: str | None = "/dashboard/") -> None:
    """Log in as `email` (password: the factories' default) and land on the role's `start` page
    (with `start=None`, on whatever page the login leads to)."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    if start is None:
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
    else:
        expect(page).to_have_url(f"{base_url}{start}")
