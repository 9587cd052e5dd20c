"""Browser tests: pytest-playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, BrowserContext, Page
from pytest_django.live_server_helper import LiveServer

from tests.e2e.checks import watch
from tests.e2e.pages_site import EMAILS, PAGES, Site, build_site
from tests.e2e.session import log_in

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    assert shutil.which(CHROMIUM), f"{CHROMIUM} is missing: `make test` installs Debian's chromium package"
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "headless": True,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session", autouse=True)
def _allow_orm_beside_playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls made
    # beside it (creating users, flushing and dropping the test database) are still
    # synchronous and safe. The browser tests run last (tests/conftest.py), so this
    # never relaxes the check for other tests.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "de-DE"}


@pytest.fixture(scope="module")
def module_server(django_db_setup, django_db_blocker):
    """A live server over data that a module builds once, for browser tests that only read.

    pytest-django's `live_server` makes every test transactional, which empties the database
    after each test; a module that checks dozens of pages would rebuild its data for each one.
    This server keeps the database open for the whole module and empties it at the end, so the
    tests that follow start from an empty database as usual.
    """
    with django_db_blocker.unblock():
        server = LiveServer("localhost:0")
        try:
            yield server
        finally:
            server.stop()
            call_command("flush", interactive=False, verbosity=0)


@pytest.fixture(scope="module")
def role_context(browser: Browser, module_server):
    """role_context(email): one German browser context per account, logged in once through the form."""
    contexts: dict[str, BrowserContext] = {}

    def get(email: str | None) -> BrowserContext:
        if email not in contexts:
            context = browser.new_context(locale="de-DE", base_url=module_server.url)
            if email:
                page = context.new_page()
                log_in(page, module_server.url, email, start=None)
                page.close()
            contexts[email] = context
        return contexts[email]

    yield get
    for context in contexts.values():
        context.close()


# --- the page checks' world (tests/e2e/test_pages.py, test_pages_arabic.py) ---------------------------


@pytest.fixture(scope="module")
def site(module_server) -> Site:
    """The page checks' data, built once per module."""
    return build_site()


@pytest.fixture
def open_page(role_context, site):
    """open_page(role, name, width): the page in the role's logged-in context at that window width,
    watched from before it loads (`checks.script_problems`)."""
    pages: list[Page] = []

    def open_(role: str, name: str, width: int) -> Page:
        page = role_context(EMAILS[role]).new_page()
        pages.append(page)
        watch(page)
        page.set_viewport_size({"width": width, "height": 900})
        response = page.goto(PAGES[role][name].format(s=site))
        assert response.ok, f"{role}: {name} answered {response.status}"
        return page

    yield open_
    for page in pages:
        page.close()
