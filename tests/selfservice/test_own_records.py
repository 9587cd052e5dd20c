"""The candidate's own view shows a candidate their own records only: another candidate's
introduction and consents do not exist for them (a 404, as for an id that names no record), and
nothing they send changes another candidate's records."""

from __future__ import annotations

import pytest
from django.urls import reverse

from candidates.models import CandidateRequest, Consent
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.factories import CandidateUserFactory
from tests.matching.factories import introduce

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(case_worker):
    """Candidate A with their own login, introduced to a position with their consent."""
    candidate = CandidateFactory(case_worker=case_worker, first_name="Ysolde", last_name="Quarrington")
    candidate.user = CandidateUserFactory(email="ysolde@konto.bridges.example")
    candidate.save(update_fields=["user"])
    introduction = introduce(candidate=candidate, position=PositionFactory(), actor=case_worker)
    consent = Consent.objects.get(candidate=candidate, employer=introduction.position.employer)
    return candidate, introduction, consent


@pytest.fixture
def second(case_worker):
    """Another candidate with their own login."""
    candidate = CandidateFactory(case_worker=case_worker, first_name="Brannoc", last_name="Wethersby")
    candidate.user = CandidateUserFactory(email="brannoc@konto.bridges.example")
    candidate.save(update_fields=["user"])
    return candidate


def test_another_candidates_introduction_does_not_exist_for_a_candidate(client, first, second):
    _candidate, introduction, _consent = first
    path = reverse("me:introduction", kwargs={"pk": introduction.pk})
    client.force_login(second.user)

    response = client.get(path)

    assert response.status_code == 404
    assert introduction.position.title not in response.text
    assert "Ysolde" not in response.text
    listed = client.get(reverse("me:introductions"))
    assert listed.status_code == 200
    assert introduction.position.title not in listed.text


def test_the_introduction_page_is_there_for_its_own_candidate(client, first):
    candidate, introduction, _consent = first
    client.force_login(candidate.user)

    response = client.get(reverse("me:introduction", kwargs={"pk": introduction.pk}))

    assert response.status_code == 200
    assert introduction.position.title in response.text


@pytest.mark.parametrize("name", ["me:consent_withdraw", "me:consent_request"])
def test_another_candidates_consent_cannot_be_withdrawn_or_asked_for_again(client, first, second, name):
    _candidate, _introduction, consent = first
    client.force_login(second.user)

    response = client.post(reverse(name, kwargs={"pk": consent.pk}))

    assert response.status_code == 404
    consent.refresh_from_db()
    assert consent.is_active  # the consent stands
    assert consent.withdrawn_by is None
    assert not CandidateRequest.objects.exists()  # nothing was asked in candidate A's name either


def test_a_candidate_withdraws_their_own_consent(client, first):
    """The control of the test above: the same request by the consent's own candidate works."""
    candidate, _introduction, consent = first
    client.force_login(candidate.user)

    response = client.post(reverse("me:consent_withdraw", kwargs={"pk": consent.pk}))

    assert response.status_code == 302
    assert response.url == reverse("me:consents")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == candidate.user
