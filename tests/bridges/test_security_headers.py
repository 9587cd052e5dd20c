"""The portal's security headers on every URL of the project, for every role: a Content-Security-Policy
that runs no inline or evaluated script, HSTS, no sniffing, no framing, a same-origin referrer, a
Permissions-Policy, and `Cache-Control: no-store` on whatever a logged-in user receives.

The URL list comes from walking the URL configuration (tests/urlwalk.py), so a new page is covered
the day it is added. The browser side (no page logs a CSP violation) is tests/e2e/test_csp.py.
"""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.test import RequestFactory
from django.urls import reverse

from bridges.middleware import NoStoreMiddleware
from employers.models import Invitation
from tests.candidates.factories import CandidateFactory
from tests.factories import DEFAULT_PASSWORD, CandidateUserFactory
from tests.urlwalk import all_sample_urls

BASE_DIR = Path(__file__).resolve().parents[2]
SAMPLES = all_sample_urls()
ROLES = ["anonymous", "employer_a", "case_worker", "admin", "candidate"]
UNSAFE = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'wasm-unsafe-eval'", "*", "data:", "http:", "https:"}


def policy(header: str) -> dict[str, set[str]]:
    """A Content-Security-Policy header as {directive: {sources}}."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = set(sources)
    return directives


def header_problems(response) -> list[str]:
    """What is missing from one answer's security headers."""
    problems = []
    csp = policy(response.get("Content-Security-Policy", "") or "none")
    script = csp.get("script-src", csp.get("default-src"))
    if script != {"'self'"}:
        problems.append(f"script-src is {script}")
    style = csp.get("style-src", csp.get("default-src"))
    if not style or style & UNSAFE:
        problems.append(f"style-src is {style}")
    for directive, sources in {
        "default-src": {"'self'"},
        "frame-ancestors": {"'none'"},
        "object-src": {"'none'"},
        "base-uri": {"'none'"},
        "form-action": {"'self'"},
    }.items():
        if csp.get(directive) != sources:
            problems.append(f"{directive} is {csp.get(directive)}")
    expected = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains; preload",
    }
    for name, value in expected.items():
        if response.get(name) != value:
            problems.append(f"{name} is {response.get(name)!r}")
    permissions = response.get("Permissions-Policy", "")
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        if f"{feature}=()" not in permissions:
            problems.append(f"Permissions-Policy allows {feature}: {permissions!r}")
    return problems


def no_store(response, path: str = "") -> bool:
    """Pages: private, no-store. The API (JSON for programs): private, no-cache, so that a client
    may keep its copy and check it with the ETag; no shared cache keeps either."""
    directives = {part.strip().split("=")[0] for part in response.get("Cache-Control", "").split(",")}
    if path.startswith("/api/v1/"):
        return {"no-cache", "private"} <= directives
    return {"no-store", "private"} <= directives


@pytest.fixture
def personas(personas):
    """The suite's personas and a candidate with their own login (their own view's pages answer)."""
    return {**personas, "candidate": CandidateFactory(user=CandidateUserFactory()).user}


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_with_the_security_headers(client, personas, role):
    if role != "anonymous":
        client.force_login(personas[role])
    problems = []

    for url in SAMPLES:
        # Over HTTPS, as in production (HSTS is only sent there).
        response = client.get(url.path, secure=True)
        problems += [f"{url.name} ({url.path}, {response.status_code}): {line}" for line in header_problems(response)]
        if role != "anonymous" and not no_store(response, url.path):
            problems.append(f"{url.name} ({url.path}): Cache-Control is {response.get('Cache-Control')!r}")

    assert len(SAMPLES) > 200
    assert not problems, "\n".join(problems)


def test_the_policy_lets_no_inline_or_evaluated_script_run(client, db):
    csp = policy(client.get(reverse("account_login"))["Content-Security-Policy"])

    assert csp["script-src"] == {"'self'"}
    assert csp["style-src"] == {"'self'"}
    # No nonce either: the templates need none (a nonce would let an injected script with it run).
    assert not any(source.startswith("'nonce-") for sources in csp.values() for source in sources)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["case_worker", "employer_a", "admin", "candidate"])
def test_static_files_stay_cacheable_for_logged_in_users(client, personas, role):
    client.force_login(personas[role])

    response = client.get("/static/css/bridges.css")

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_logging_in_and_out_are_not_stored(client, case_worker):
    """The answers to the login and the logout, where the user changes during the request."""
    login = client.post(reverse("account_login"), {"login": case_worker.email, "password": DEFAULT_PASSWORD})
    assert login.status_code == 302
    assert no_store(login)

    logout = client.post(reverse("account_logout"))
    assert logout.status_code == 302
    assert no_store(logout)


def test_a_visitor_with_a_session_is_not_stored(client, company_a, employer_a):
    """An invited colleague's sign-up form shows the invited address, kept in the session."""
    invitation = Invitation.objects.create(employer=company_a, email="neu@firma-a.example", invited_by=employer_a)

    accepted = client.get(reverse("employers:invitation_accept", kwargs={"token": invitation.token}))
    signup = client.get(accepted.url)

    assert signup.status_code == 200
    assert invitation.email in signup.text
    assert no_store(accepted)
    assert no_store(signup)


def test_a_visitor_without_a_session_may_keep_the_job_board(client, db):
    """The rule is about personal data, not every page: the public job board stays cacheable."""
    response = client.get(reverse("jobs:list"))

    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


def test_a_download_is_not_stored_whoever_asks():
    """Any attachment, even to a visitor: a download is a copy of a record."""
    request = RequestFactory().get("/anything/")
    request.user = AnonymousUser()

    def view(request):
        return FileResponse(ContentFile(b"%PDF-1.4", name="x.pdf"), as_attachment=True, filename="x.pdf")

    response = NoStoreMiddleware(view)(request)

    assert no_store(response)


# --- No inline script or style in the markup ----------------------------------------------------

APPS = ("bridges", "candidates", "employers", "matching", "selfservice")
TEMPLATE_DIRS = [BASE_DIR / "templates", *(BASE_DIR / app / "templates" for app in APPS)]
# E-mails are read in mail programs, which need inline styles and run no script.
EMAIL = re.compile(r"/email/")
INLINE = {
    "an inline <script>": re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
    "an event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "an htmx hx-on attribute": re.compile(r"\b(?:data-)?hx-on", re.I),
    "a style attribute": re.compile(r"\sstyle\s*=", re.I),
    "a <style> element": re.compile(r"<style\b", re.I),
    "a javascript: address": re.compile(r"javascript:", re.I),
}


def test_no_template_holds_inline_script_or_style():
    """The policy would block them: scripts live in static/js/, styles in static/css/."""
    templates = [path for folder in TEMPLATE_DIRS if folder.is_dir() for path in folder.rglob("*.html")]
    problems = [
        f"{path.relative_to(BASE_DIR)}: {what}"
        for path in templates
        if not EMAIL.search(str(path))
        for what, pattern in INLINE.items()
        if pattern.search(path.read_text())
    ]

    assert len(templates) > 50
    assert not problems, "\n".join(problems)


# In Python source only what sits in a string of HTML: `style="`, `onclick='` and the elements.
PYTHON_INLINE = {
    "an inline <script>": INLINE["an inline <script>"],
    "an event handler attribute": re.compile(r"\son[a-z]+=[\"']", re.I),
    "a style attribute": re.compile(r"\sstyle=[\"']", re.I),
    "a <style> element": INLINE["a <style> element"],
}


def test_no_python_code_writes_inline_script_or_style_into_pages():
    """HTML built in Python (format_html in widgets, charts, the admin) follows the same rule."""
    sources = [path for app in APPS for path in (BASE_DIR / app).rglob("*.py") if "migrations" not in path.parts]
    problems = [
        f"{path.relative_to(BASE_DIR)}: {what}"
        for path in sources
        for what, pattern in PYTHON_INLINE.items()
        if pattern.search(path.read_text())
    ]

    assert len(sources) > 50
    assert not problems, "\n".join(problems)
