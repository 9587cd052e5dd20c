"""Every URL needs a login unless it is on the short public list below.

The list of URLs comes from walking the URL configuration, so a new page is
covered the day it is added: it either redirects anonymous users to the login
page or it has to be added here, on purpose.
"""

import pytest
from django.urls import reverse

from tests.urlwalk import all_sample_urls

PUBLIC = {
    "healthz",
    "ping",
    "favicon",
    "set_language",
    "account_login",
    "account_signup",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_inactive",
    "jobs:list",
    "jobs:detail",
    "jobs:feed",
    "employers:invitation_accept",
    # a candidate accepts the invitation to their own view (the code from the e-mail or the paper)
    "me:welcome",
    "me:welcome_code",
    # the API's description and the public job board's positions
    "api:schema",
    "api:docs",
    "api:job-list",
    "api:job-detail",
}
# The API's own resources answer anonymous requests with 401 and problem details (a client is not
# a browser: no login page).
API = {
    "api:position-list",
    "api:position-detail",
    "api:position-status",
    "api:employer-list",
    "api:employer-detail",
    "api:candidate-list",
    "api:candidate-detail",
    "api:match-list",
    "api:match-detail",
    "api:report",
    "api:introduction-list",
    "api:introduction-detail",
    "api:introduction-move",
    "api:placement-list",
    "api:placement-detail",
    "api:measure-list",
    "api:measure-detail",
}

SAMPLES = all_sample_urls()


def test_the_walk_finds_the_project_urls():
    names = {url.name for url in SAMPLES}

    assert {"start", "matching:dashboard", "employers:dashboard", "admin:index", "account_login"} <= names


def test_public_list_names_only_existing_urls():
    assert {url.name for url in SAMPLES} >= PUBLIC


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in SAMPLES if u.name not in PUBLIC | API], ids=lambda u: u.name)
def test_anonymous_user_is_sent_to_login(client, url):
    response = client.get(url.path, follow=True)

    assert response.redirect_chain, f"{url.name} ({url.path}) answered {response.status_code} without login"
    assert response.request["PATH_INFO"] == reverse("account_login")
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in SAMPLES if u.name in PUBLIC], ids=lambda u: u.name)
def test_public_url_answers_without_login(client, url):
    response = client.get(url.path)

    assert response.status_code < 500
    if response.status_code == 302:
        assert response.url.split("?")[0] != reverse("account_login")


@pytest.mark.django_db
@pytest.mark.parametrize("url", [u for u in SAMPLES if u.name in API], ids=lambda u: u.name)
def test_the_api_refuses_anonymous_requests_with_401_and_problem_details(client, url):
    response = client.get(url.path)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["status"] == 401
