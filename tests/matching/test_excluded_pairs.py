"""A pair that the matching rules exclude cannot be shortlisted or pinned, however the decision is
taken (the service, the case workers' pages, the admin); it can still be dismissed. The rules are
checked live, with the pipeline's explainer, on pairs built with the factories."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from bridges.models import AuditEvent, CEFRLevel
from candidates.models import Perspective
from matching import explain, review, services
from matching.models import MatchDecision
from tests.candidates.factories import CandidateFactory, CandidateLanguageFactory, LanguageFactory
from tests.employers.factories import LanguageRequirementFactory, PositionFactory
from tests.matching.factories import MatchDecisionFactory, MatchFactory

pytestmark = pytest.mark.django_db

STAYS = "Excluded: the position is abroad and the candidate wants to stay in Germany."


@pytest.fixture(autouse=True)
def live_explanations(monkeypatch):
    """The explanation page explains with the pipeline, as in production (other tests may replace it)."""
    monkeypatch.setattr(explain, "live_explainer", lambda: services.pair_explain)


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def excluded(company_a):
    """A stored match that the rules now exclude: the position is abroad, the candidate stays in Germany."""
    candidate = CandidateFactory(first_name="Samira", last_name="Al-Masri", perspective=Perspective.STAY)
    position = PositionFactory(employer=company_a, title="Projektleitung Aleppo", abroad=True)
    return MatchFactory(candidate=candidate, position=position, score=70.0)


@pytest.fixture
def eligible(company_a):
    candidate = CandidateFactory(first_name="Omar", perspective=Perspective.STAY)
    return MatchFactory(candidate=candidate, position=PositionFactory(employer=company_a), score=65.0)


def ids(match) -> dict:
    return {"candidate_id": match.candidate_id, "position_id": match.position_id}


def decide_url(match) -> str:
    return reverse("matching:decide", args=[match.candidate_id, match.position_id])


def explain_url(match) -> str:
    return reverse("matching:explain", args=[match.candidate_id, match.position_id])


def pair_events():
    return AuditEvent.objects.filter(target_type=review.PAIR_AUDIT_TYPE)


# --- the service ------------------------------------------------------------------------------


def test_the_factories_pairs_are_excluded_and_eligible_as_named(excluded, eligible):
    assert review.pair_exclusion(**ids(excluded)) == explain.EXCLUSION_STAYS
    assert review.pair_exclusion(**ids(eligible)) == explain.EXCLUSION_NONE


@pytest.mark.parametrize(
    ("status", "refusal"),
    [
        (MatchDecision.Status.SHORTLISTED, "This pair cannot be shortlisted."),
        (MatchDecision.Status.PINNED, "This pair cannot be pinned for the allocation."),
    ],
)
def test_service_refuses_to_put_forward_an_excluded_pair_and_writes_nothing(case_worker, excluded, status, refusal):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        review.match_decide(**ids(excluded), status=status, actor=case_worker)

    assert refused.value.messages == [f"{refusal} {STAYS}"]
    assert refused.value.code == "excluded"
    assert not MatchDecision.objects.exists()
    assert not pair_events().exists()


def test_refusal_names_the_language_rule_in_german(case_worker, company_a):
    german = LanguageFactory()
    position = PositionFactory(employer=company_a)
    LanguageRequirementFactory(position=position, language=german, min_level=CEFRLevel.B2, required=True)
    candidate = CandidateFactory()
    CandidateLanguageFactory(candidate=candidate, language=german, level=CEFRLevel.A1)

    with translation.override("de"), pytest.raises(ValidationError) as refused:
        review.match_decide(candidate_id=candidate.pk, position_id=position.pk, status="shortlisted", actor=case_worker)

    assert refused.value.messages == [
        "Dieses Paar kann nicht vorgemerkt werden. Ausgeschlossen: Eine geforderte Sprache liegt zu weit "
        "unter dem Niveau, das die Stelle verlangt."
    ]


def test_refusal_of_a_rule_without_a_text_says_so_in_general(case_worker, excluded, monkeypatch):
    monkeypatch.setattr(services, "pair_explain", lambda **pair: {"exclusion": 99})

    with translation.override("en"), pytest.raises(ValidationError) as refused:
        review.match_decide(**ids(excluded), status="shortlisted", actor=case_worker)

    assert refused.value.messages == ["This pair cannot be shortlisted. Excluded by the matching rules."]


def test_an_excluded_pair_can_be_dismissed(case_worker, excluded):
    decision = review.match_decide(**ids(excluded), status="dismissed", reason="place", actor=case_worker)

    assert decision.status == MatchDecision.Status.DISMISSED
    assert pair_events().count() == 1


def test_a_dismissed_excluded_pair_stays_dismissed_when_shortlisting_is_refused(case_worker, excluded):
    review.match_decide(**ids(excluded), status="dismissed", reason="place", actor=case_worker)

    with pytest.raises(ValidationError):
        review.match_decide(**ids(excluded), status="shortlisted", actor=case_worker)

    assert MatchDecision.objects.get().status == MatchDecision.Status.DISMISSED
    assert pair_events().count() == 1


def test_a_pair_becomes_shortlistable_when_the_candidate_changes_perspective(case_worker, excluded):
    excluded.candidate.perspective = Perspective.OPEN
    excluded.candidate.save()

    decision = review.match_decide(**ids(excluded), status="shortlisted", actor=case_worker)

    assert decision.status == MatchDecision.Status.SHORTLISTED


# --- the case workers' pages ------------------------------------------------------------------


def test_anonymous_cannot_try_to_shortlist_an_excluded_pair(client, excluded):
    response = client.post(decide_url(excluded), {"action": "shortlist"})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    assert not MatchDecision.objects.exists()


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employers_cannot_decide_on_an_excluded_pair(client, personas, excluded, persona):
    client.force_login(personas[persona])

    assert client.post(decide_url(excluded), {"action": "shortlist"}).status_code == 403
    assert client.get(explain_url(excluded)).status_code == 403
    assert not MatchDecision.objects.exists()


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_shortlisting_an_excluded_pair_from_a_list_shows_the_reason(client, personas, excluded, persona, english):
    client.force_login(personas[persona])
    back = reverse("matching:position_matches", args=[excluded.position_id])

    response = client.post(decide_url(excluded), {"action": "shortlist", "next": back})
    shown = client.get(response.url)

    assert response.status_code == 302
    assert response.url == back
    assert shown.status_code == 200
    assert f"This pair cannot be shortlisted. {STAYS}" in shown.text
    assert not MatchDecision.objects.exists()
    assert not pair_events().exists()


def test_shortlisting_an_excluded_pair_from_its_explanation_shows_the_reason(client, case_worker, excluded, english):
    client.force_login(case_worker)

    response = client.post(decide_url(excluded), {"action": "shortlist"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [(explain_url(excluded), 302)]
    assert "This pair cannot be shortlisted." in response.text
    assert not MatchDecision.objects.exists()


def test_explanation_of_an_excluded_pair_offers_dismiss_but_no_shortlist(client, case_worker, excluded, english):
    client.force_login(case_worker)

    response = client.get(explain_url(excluded))

    assert response.status_code == 200
    assert response.context["explanation"].exclusion == explain.EXCLUSION_STAYS
    assert 'value="shortlist"' not in response.text
    assert "it cannot be shortlisted. You can still dismiss it." in response.text
    assert 'value="dismiss"' in response.text


def test_explanation_of_an_eligible_pair_offers_shortlist(client, case_worker, eligible):
    client.force_login(case_worker)

    response = client.get(explain_url(eligible))

    assert response.status_code == 200
    assert response.context["explanation"].exclusion == explain.EXCLUSION_NONE
    assert 'value="shortlist"' in response.text
    assert 'data-testid="no-shortlist"' not in response.text


def test_case_worker_dismisses_an_excluded_pair_from_its_explanation(client, case_worker, excluded, english):
    client.force_login(case_worker)

    response = client.post(decide_url(excluded), {"action": "dismiss", "reason": "place"}, follow=True)

    assert response.status_code == 200
    assert "was dismissed" in response.text
    decision = MatchDecision.objects.get()
    assert (decision.status, decision.reason, decision.decided_by) == ("dismissed", "place", case_worker)


# --- the admin --------------------------------------------------------------------------------


def test_admin_bulk_shortlist_skips_an_excluded_pair_and_names_it(client, admin_user, excluded, eligible, english):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:matching_match_changelist"),
        {"action": "shortlist_selected", ACTION_CHECKBOX_NAME: [excluded.pk, eligible.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert set(MatchDecision.objects.values_list("candidate_id", "status")) == {(eligible.candidate_id, "shortlisted")}
    assert f"Samira Al-Masri × Projektleitung Aleppo: This pair cannot be shortlisted. {STAYS}" in response.text
    assert "1 match was shortlisted." in response.text


@pytest.mark.parametrize("status", ["shortlisted", "pinned"])
def test_admin_cannot_change_a_decision_on_an_excluded_pair_into_putting_it_forward(
    client, admin_user, excluded, status, english
):
    decision = MatchDecisionFactory(
        candidate=excluded.candidate, position=excluded.position, status="dismissed", reason="place"
    )
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:matching_matchdecision_change", args=[decision.pk]),
        {"status": status, "reason": "", "note": ""},
    )

    assert response.status_code == 200
    assert "This pair cannot be" in response.text
    assert STAYS in response.text
    decision.refresh_from_db()
    assert (decision.status, decision.reason) == ("dismissed", "place")
    assert not pair_events().exists()


def test_admin_pins_an_eligible_pair(client, admin_user, eligible):
    decision = MatchDecisionFactory(candidate=eligible.candidate, position=eligible.position, status="shortlisted")
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:matching_matchdecision_change", args=[decision.pk]),
        {"status": "pinned", "reason": "", "note": ""},
    )

    assert response.status_code == 302
    decision.refresh_from_db()
    assert decision.status == MatchDecision.Status.PINNED
