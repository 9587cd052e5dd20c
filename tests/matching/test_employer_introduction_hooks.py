"""The employer's introductions on the other employer pages: the dashboard's card, a position's
introductions, the navigation, and the German wording."""

import pytest
from django.urls import reverse

from candidates.services import consent_withdraw
from matching import introductions as svc
from matching.pipeline import Stage
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import PositionFactory
from tests.matching.factories import introduce

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    # The assertions read the English source strings; German is the default language.
    client.cookies["django_language"] = "en"


@pytest.fixture
def introduction(company_a, case_worker):
    position = PositionFactory(employer=company_a, title="Schweißer/in Erfurt")
    candidate = CandidateFactory(first_name="Amina", last_name="Al-Hassan")
    return introduce(candidate=candidate, position=position, actor=case_worker)


def _html(response) -> str:
    return response.content.decode()


def test_the_dashboard_counts_the_introductions_waiting_for_an_answer(
    client, employer_a, introduction, company_a, case_worker
):
    answered = introduce(candidate=CandidateFactory(), position=introduction.position, actor=case_worker)
    svc.introduction_move(introduction=answered, to=Stage.INTERESTED, actor=employer_a)
    withdrawn = introduce(candidate=CandidateFactory(), position=introduction.position, actor=case_worker)
    consent_withdraw(consent=withdrawn.candidate.consents.get(), actor=case_worker)
    client.force_login(employer_a)

    response = client.get(reverse("employers:dashboard"))

    card = _html(response).split('data-testid="introductions-card"')[1].split("</section>")[0]
    assert "<strong>1</strong> proposed candidate waits for your answer." in card
    assert "3 open introductions in all." in card
    assert reverse("proposals:list") + "?stage=waiting" in card


def test_the_position_page_lists_its_introductions(client, employer_a, introduction, case_worker):
    hidden = introduce(
        candidate=CandidateFactory(first_name="Zahra", last_name="Haidari"),
        position=introduction.position,
        actor=case_worker,
    )
    consent_withdraw(consent=hidden.candidate.consents.get(), actor=case_worker)
    client.force_login(employer_a)

    html = _html(client.get(reverse("employers:position_detail", kwargs={"pk": introduction.position_id})))

    section = html.split('data-testid="position-introductions"')[1].split("</section>")[0]
    assert reverse("proposals:detail", kwargs={"pk": introduction.pk}) in section
    assert "Amina Al-Hassan" in section
    assert "Zahra Haidari" not in section
    assert "no longer shared" in section
    assert f"?position={introduction.position_id}&amp;stage=all" in section


def test_case_workers_see_no_employer_section_on_the_position_page(client, case_worker, introduction):
    client.force_login(case_worker)

    html = _html(client.get(reverse("employers:position_detail", kwargs={"pk": introduction.position_id})))

    assert 'data-testid="position-introductions"' not in html


def test_the_employer_navigation_links_the_introductions(client, employer_a, company_a):
    client.force_login(employer_a)

    html = _html(client.get(reverse("proposals:list")))

    assert f'href="{reverse("proposals:list")}" aria-current="page"' in html


def test_the_pages_speak_german_by_default(client, employer_a, introduction):
    client.cookies.pop("django_language")
    client.force_login(employer_a)

    assert "Vorgeschlagene Kandidatinnen und Kandidaten" in _html(client.get(reverse("proposals:list")))
    assert "Vermittlungsvorschläge" in _html(client.get(reverse("employers:dashboard")))
