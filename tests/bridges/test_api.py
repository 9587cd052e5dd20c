"""The API's shared parts: personal tokens (made and revoked on the settings page, shown once,
stored as a hash, with an expiry; staff need their second factor), problem-details errors, the
limit per token, the OpenAPI schema and its documentation page (vendored, within the CSP)."""

import hashlib
import re
from datetime import timedelta

import pytest
from allauth.mfa.models import Authenticator
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from bridges.api.throttling import TokenRateThrottle
from bridges.api_tokens import api_token_create
from bridges.models import ApiToken, AuditEvent
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.factories import CandidateUserFactory, CaseWorkerFactory
from tests.urlwalk import all_sample_urls

pytestmark = pytest.mark.django_db

POSITIONS = "/api/v1/positions/"


def bearer(text: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {text}"}


def make_token(user, name="ATS", days="90") -> str:
    """Through the settings page, in a browser of the user's own."""
    browser = Client()
    browser.force_login(user)
    response = browser.post(reverse("api_tokens"), {"name": name, "days": days})
    assert response.status_code == 200
    match = re.search(r'id="new-token-text" type="text" value="(brg_[^"]+)"', response.text)
    assert match, "the new token is shown once"
    return match.group(1)


def test_a_token_made_on_the_settings_page_opens_the_api_and_is_stored_only_as_a_hash(client, employer_a, company_a):
    text = make_token(employer_a)

    token = ApiToken.objects.get(user=employer_a)
    assert text not in str(list(ApiToken.objects.values_list()))  # only the hash and the beginning
    assert text.startswith(f"brg_{token.prefix}_")
    assert token.expires_at - timezone.now() > timedelta(days=89)
    assert AuditEvent.objects.filter(target_type="bridges.apitoken", action=AuditEvent.Action.CREATE).exists()
    response = client.get(POSITIONS, **bearer(text))
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    browser = Client()
    browser.force_login(employer_a)
    page = browser.get(reverse("api_tokens")).text
    assert text not in page  # shown once, never again
    assert f"brg_{token.prefix}…" in page


def test_a_revoked_token_stops_at_once(client, employer_a, company_a):
    text = make_token(employer_a)
    token = ApiToken.objects.get(user=employer_a)
    browser = Client()
    browser.force_login(employer_a)

    response = browser.post(reverse("api_token_revoke", args=[token.pk]))

    assert response.status_code == 302
    assert response.url == reverse("api_tokens")
    response = client.get(POSITIONS, **bearer(text))
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["title"] == "Unauthorized"


def test_another_users_token_cannot_be_revoked(client, employer_a, employer_b, company_a):
    token, _text = api_token_create(user=employer_a, name="ATS", days=30)
    client.force_login(employer_b)

    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize(
    "header",
    ["Bearer brg_000000000000_unknown", "Bearer not-a-token", "Bearer", "Bearer a b"],
)
def test_unknown_or_malformed_tokens_get_401_with_problem_details(client, header):
    response = client.get(POSITIONS, HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"type", "title", "status", "detail"}
    assert body["status"] == 401


def test_an_expired_token_is_refused(client, employer_a, company_a):
    token, text = api_token_create(user=employer_a, name="ATS", days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert client.get(POSITIONS, **bearer(text)).status_code == 401


def test_a_tampered_token_with_a_known_beginning_is_refused(client, employer_a, company_a):
    _token, text = api_token_create(user=employer_a, name="ATS", days=30)

    assert client.get(POSITIONS, **bearer(text[:-2] + "xx")).status_code == 401


def test_staff_need_their_second_factor_for_a_token_and_it_stops_without_it(client):
    without = CaseWorkerFactory(email="ohne@bridges.example")
    Authenticator.objects.filter(user=without).delete()
    browser = Client()
    browser.force_login(without)
    response = browser.post(reverse("api_tokens"), {"name": "Bericht", "days": "30"})
    assert response.status_code == 302  # to setting up the authenticator app first, as every page
    with pytest.raises(ValidationError) as refused:
        api_token_create(user=without, name="Bericht", days=30)
    assert refused.value.code == "mfa_required"
    assert not ApiToken.objects.filter(user=without).exists()

    staff = CaseWorkerFactory(email="mit@bridges.example")
    assert Authenticator.objects.filter(user=staff).exists()
    _token, text = api_token_create(user=staff, name="Bericht", days=30)
    assert client.get(POSITIONS, **bearer(text)).status_code == 200
    Authenticator.objects.filter(user=staff).delete()
    assert client.get(POSITIONS, **bearer(text)).status_code == 401


def test_each_token_has_its_own_limit(client, employer_a, company_a, monkeypatch, settings):
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", {"api": "3/minute"})
    # The counts in this process's memory: the test is about the limit, not about the cache server.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    _one, first = api_token_create(user=employer_a, name="eins", days=30)
    _two, second = api_token_create(user=employer_a, name="zwei", days=30)

    statuses = [client.get(POSITIONS, **bearer(first)).status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]
    limited = client.get(POSITIONS, **bearer(first))
    assert limited["Content-Type"] == "application/problem+json"
    assert int(limited["Retry-After"]) > 0
    assert client.get(POSITIONS, **bearer(second)).status_code == 200


def test_the_schema_describes_the_api_with_bearer_tokens(client):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert {"/api/v1/jobs/", "/api/v1/positions/{id}/status/", "/api/v1/employers/", "/api/v1/candidates/"} <= set(
        schema["paths"]
    )
    assert schema["components"]["securitySchemes"]["token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from /settings/api-tokens/.",
    }


def test_the_documentation_page_loads_only_the_portals_own_files(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    html = response.text
    assert '<html lang="de" dir="ltr">' in html
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "no inline script (the CSP allows none)"
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert all(source.startswith("/") for source in sources), sources
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    script = client.get("/api/docs/", {"script": ""})
    assert script.status_code == 200
    assert "/api/schema/" in script.text


def test_reads_carry_an_etag_and_an_unchanged_one_is_answered_with_304(client, employer_a, company_a):
    position = PositionFactory(employer=company_a)
    _token, text = api_token_create(user=employer_a, name="ATS", days=30)
    first = client.get(POSITIONS, **bearer(text))
    etag = first["ETag"]

    again = client.get(POSITIONS, HTTP_IF_NONE_MATCH=etag, **bearer(text))
    position.title = "Geändert"
    position.save()
    changed = client.get(POSITIONS, HTTP_IF_NONE_MATCH=etag, **bearer(text))

    assert again.status_code == 304
    assert again.content == b""
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert first["Cache-Control"] == "private, no-cache"  # personal: no shared cache keeps it
    assert "ETag" not in client.get(reverse("healthz"))  # only the API's reads


def test_the_schema_is_generated_without_a_warning(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/v1/candidates/{id}/" in (tmp_path / "schema.yaml").read_text()


# --- the candidate's own login: the API is not for them ------------------------------------------

PUBLIC_API = {"api:schema", "api:docs", "api:job-list", "api:job-detail"}


def test_a_candidate_makes_no_api_token(client):
    candidate = CandidateFactory(user=CandidateUserFactory())
    client.force_login(candidate.user)

    with pytest.raises(ValidationError) as refused:
        api_token_create(user=candidate.user, name="ATS", days=30)
    page = client.get(reverse("api_tokens"))
    made = client.post(reverse("api_tokens"), {"name": "ATS", "days": "30"})

    assert refused.value.code == "role"
    assert (page.status_code, made.status_code) == (404, 404)
    assert not ApiToken.objects.exists()


def test_the_api_refuses_a_candidate_by_session_and_by_token(client):
    """A candidate's login (the own view) reads and writes nothing through the API, not even their
    own record: 403 with problem details on every resource, from the session of the portal and from
    a token (one stored for the login, say before its role changed); the public job board answers
    as to anybody."""
    candidate = CandidateFactory(user=CandidateUserFactory())
    position = PositionFactory()
    text = f"brg_{'c' * 12}_candidates-have-no-tokens"
    ApiToken.objects.create(
        user=candidate.user,
        name="ATS",
        prefix="c" * 12,
        key_hash=hashlib.sha256(text.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(days=30),
    )
    session = Client()
    session.force_login(candidate.user)
    samples = [url for url in all_sample_urls() if url.name.startswith("api:") and url.name not in PUBLIC_API]
    answers = {}

    for url in samples:
        pk = candidate.pk if url.name.startswith("api:candidate-") else position.pk
        path = url.path.replace("/1/", f"/{pk}/")
        for way, browser, headers in [("token", client, bearer(text)), ("session", session, {})]:
            response = browser.get(path, **headers)
            if response.status_code == 405:  # a POST-only action
                response = browser.post(path, {}, content_type="application/json", **headers)
            answers[url.name, way] = (response.status_code, response["Content-Type"])

    assert len(samples) >= 15
    assert set(answers.values()) == {(403, "application/problem+json")}, answers
    assert client.get("/api/v1/jobs/", **bearer(text)).status_code == 200
