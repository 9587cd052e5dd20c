"""An address that only receives forms, opened in the browser, answers with a page that says so
(not the browser's blank error), and the language switch on a page shown in answer to a form leads
back to the page the form was sent from, not to the form's address."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.factories import CandidateUserFactory
from tests.login import token_client
from tests.matching.factories import introduce

pytestmark = pytest.mark.django_db

HEADING = "Diese Adresse nimmt ein Formular entgegen"


@pytest.fixture
def own_candidate(case_worker):
    candidate = CandidateFactory(case_worker=case_worker)
    candidate.user = CandidateUserFactory(email="ysolde@konto.bridges.example")
    candidate.save(update_fields=["user"])
    return candidate


def _language_next(response) -> str:
    html = response.content.decode()
    start = html.index('<input name="next" type="hidden" value="') + len('<input name="next" type="hidden" value="')
    return html[start : html.index('"', start)]


def test_each_role_gets_a_page_for_an_address_that_only_receives_forms(
    client, case_worker, employer_a, company_a, admin_user, own_candidate
):
    introduction = introduce(candidate=own_candidate, position=PositionFactory(employer=company_a), actor=case_worker)
    addresses = [
        (own_candidate.user, reverse("me:correction")),
        (case_worker, reverse("candidates:note_add", kwargs={"pk": own_candidate.pk})),
        (employer_a, reverse("proposals:interested", kwargs={"pk": introduction.pk})),
        (admin_user, reverse("matching:introduction_move", kwargs={"pk": introduction.pk})),
    ]
    for user, path in addresses:
        client.force_login(user)
        response = client.get(path)

        assert response.status_code == 405, path
        assert "POST" in response["Allow"]
        assert f"<h1>{HEADING}</h1>" in response.content.decode(), path
        assert response.templates[0].name == "405.html"


def test_a_visitor_is_sent_to_the_login_and_the_api_keeps_its_own_answer(client, case_worker, own_candidate):
    visitor = client.get(reverse("me:correction"))
    introduction = introduce(candidate=own_candidate, position=PositionFactory(), actor=case_worker)
    api = token_client(case_worker).get(f"/api/v1/introductions/{introduction.pk}/move/")

    assert visitor.status_code == 302
    assert visitor["Location"].startswith(reverse("account_login"))
    assert api.status_code == 405
    assert api["Content-Type"] == "application/problem+json"
    assert HEADING not in api.content.decode()


def test_a_form_with_errors_leaves_the_language_switch_pointing_at_the_page_with_the_form(client, own_candidate):
    client.force_login(own_candidate.user)
    home = reverse("me:home")

    page = client.get(home, {"tab": "1"})
    errors = client.post(reverse("me:correction"), {"text": " "}, HTTP_REFERER=f"http://testserver{home}?tab=1")
    no_referer = client.post(reverse("me:correction"), {"text": " "})
    elsewhere = client.post(reverse("me:correction"), {"text": " "}, HTTP_REFERER="https://elsewhere.example/me/")
    switched = client.post(reverse("set_language"), {"language": "en", "next": _language_next(errors)})

    assert _language_next(page) == f"{home}?tab=1"
    assert errors.status_code == 400
    assert _language_next(errors) == f"{home}?tab=1"
    assert _language_next(no_referer) == reverse("start")
    assert _language_next(elsewhere) == reverse("start")
    assert switched.status_code == 302
    assert client.get(switched["Location"]).status_code == 200
