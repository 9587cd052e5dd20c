"""The permission matrix of the role pages: anonymous, employer A, employer B, case worker, admin."""

import pytest
from django.urls import reverse

from tests.urlwalk import all_sample_urls

pytestmark = pytest.mark.django_db

# Expected status per page and persona (anonymous users are sent to the login page).
MATRIX = {
    "matching:dashboard": {"case_worker": 200, "admin": 200, "employer_a": 403, "employer_b": 403},
    "employers:dashboard": {"case_worker": 403, "admin": 403, "employer_a": 200, "employer_b": 200},
    "admin:index": {"case_worker": 403, "admin": 200, "employer_a": 403, "employer_b": 403},
}


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


@pytest.mark.parametrize("url", STAFF_URLS, ids=lambda u: u.name)
def test_employer_cannot_reach_admin_or_case_worker_pages(client, employer_a, url):
    client.force_login(employer_a)

    response = client.get(url.path)

    assert response.status_code in (403, 404), f"{url.name} answered {response.status_code}"


@pytest.mark.parametrize("url", [u for u in STAFF_URLS if u.name.startswith("admin:")], ids=lambda u: u.name)
def test_case_worker_cannot_reach_the_admin(client, case_worker, url):
    client.force_login(case_worker)

    assert client.get(url.path).status_code in (403, 404)
