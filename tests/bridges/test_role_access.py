"""The permission matrix of the role pages: anonymous, employer A, employer B, case worker, admin,
candidate (a person in their own view)."""

import pytest
from django.urls import reverse

from tests.candidates.factories import CandidateFactory
from tests.factories import CandidateUserFactory
from tests.urlwalk import all_sample_urls

pytestmark = pytest.mark.django_db

# Expected status per page and persona (anonymous users are sent to the login page).
MATRIX = {
    "matching:dashboard": {"case_worker": 200, "admin": 200, "employer_a": 403, "employer_b": 403, "candidate": 403},
    "employers:dashboard": {"case_worker": 403, "admin": 403, "employer_a": 200, "employer_b": 200, "candidate": 403},
    "admin:index": {"case_worker": 403, "admin": 200, "employer_a": 403, "employer_b": 403, "candidate": 403},
    # the candidate's own view does not exist for anybody else
    "me:home": {"case_worker": 404, "admin": 404, "employer_a": 404, "employer_b": 404, "candidate": 200},
}


@pytest.fixture
def personas(personas):
    """The suite's personas and a candidate with their own login."""
    return {**personas, "candidate": CandidateFactory(user=CandidateUserFactory()).user}


@pytest.mark.parametrize("name", MATRIX)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name), follow=True)

    assert response.redirect_chain
    assert response.request["PATH_INFO"] == reverse("account_login")


@pytest.mark.parametrize(
    ("name", "persona", "status"),
    [(name, persona, status) for name, row in MATRIX.items() for persona, status in row.items()],
)
def test_role_page_access(client, personas, name, persona, status):
    client.force_login(personas[persona])

    assert client.get(reverse(name)).status_code == status


STAFF_NAMESPACES = ("admin:", "matching:", "candidates:", "employers:staff_")
STAFF_URLS = [u for u in all_sample_urls() if u.name.startswith(STAFF_NAMESPACES)]
# Everything a candidate must not open: the staff's pages, the employers' and the API's resources
# (the public job board aside).
NOT_FOR_CANDIDATES = [
    u
    for u in all_sample_urls()
    if u.name.startswith((*STAFF_NAMESPACES, "employers:", "proposals:", "api:"))
    and u.name not in {"api:schema", "api:docs", "api:job-list", "api:job-detail"}
]
# The own view's pages but the invitation (public: it sends a logged-in user to their start page).
OWN_VIEW_URLS = [u for u in all_sample_urls() if u.name.startswith("me:") and not u.name.startswith("me:welcome")]


@pytest.mark.parametrize("url", STAFF_URLS, ids=lambda u: u.name)
def test_employer_cannot_reach_admin_or_case_worker_pages(client, employer_a, url):
    client.force_login(employer_a)

    response = client.get(url.path)

    assert response.status_code in (403, 404), f"{url.name} answered {response.status_code}"


@pytest.mark.parametrize("url", [u for u in STAFF_URLS if u.name.startswith("admin:")], ids=lambda u: u.name)
def test_case_worker_cannot_reach_the_admin(client, case_worker, url):
    client.force_login(case_worker)

    assert client.get(url.path).status_code in (403, 404)


@pytest.mark.parametrize("url", NOT_FOR_CANDIDATES, ids=lambda u: u.name)
def test_candidate_cannot_reach_staff_employer_or_api_pages(client, personas, url):
    """Refused on GET; a URL that takes only POST (405) refuses the POST."""
    client.force_login(personas["candidate"])

    response = client.get(url.path)
    if response.status_code == 405:
        response = client.post(url.path)

    assert response.status_code in (403, 404), f"{url.name} answered {response.status_code}"


def test_the_walk_finds_the_own_view():
    assert {"me:home", "me:introduction", "me:consent_withdraw", "me:export"} <= {u.name for u in OWN_VIEW_URLS}


@pytest.mark.parametrize("persona", ["employer_a", "employer_b", "case_worker", "admin"])
@pytest.mark.parametrize("url", OWN_VIEW_URLS, ids=lambda u: u.name)
def test_the_own_view_does_not_exist_for_other_roles(client, personas, persona, url):
    client.force_login(personas[persona])

    assert client.get(url.path).status_code == 404
    assert client.post(url.path).status_code == 404
