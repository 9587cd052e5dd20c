"""The Django admin of matching: pages load, list filters (score band, decision) work,
bulk decisions go through the review service, and changing the active scoring
configuration queues a full rescore once the change has committed."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from bridges.models import AuditEvent
from candidates.models import Perspective
from matching import review
from matching.models import MatchDecision, ScoringConfig
from tests.candidates.factories import CandidateFactory
from tests.matching.factories import (
    MatchDecisionFactory,
    MatchFactory,
    MatchRunFactory,
    ScoringConfigFactory,
)

pytestmark = pytest.mark.django_db

MATCHES = "admin:matching_match_changelist"
CONFIGS = "admin:matching_scoringconfig_changelist"
DECISIONS = "admin:matching_matchdecision_changelist"

CONFIG_FIELDS = [
    "name",
    "employers_see_summaries",
    "weight_occupation",
    "weight_essential_skills",
    "weight_optional_skills",
    "weight_language",
    "weight_experience",
    "weight_place",
    "weight_perspective",
    "weight_availability",
    "weight_freshness",
    "max_language_gap",
    "experience_full_years",
    "default_commute_km",
    "min_score",
    "top_k_per_position",
    "top_k_per_candidate",
]


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(review, "_enqueue", lambda name, *args: calls.append((name, args)))
    return calls


def config_form_data(config: ScoringConfig, **overrides) -> dict:
    data = {}
    for name in CONFIG_FIELDS:
        value = getattr(config, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = str(value)
    data.update(overrides)
    return data


def test_admin_pages_load(client, admin_user):
    match = MatchFactory(run=MatchRunFactory())
    decision = MatchDecisionFactory(candidate=match.candidate, position=match.position)
    config = ScoringConfig.active()
    client.force_login(admin_user)

    urls = [
        reverse("admin:app_list", args=["matching"]),
        reverse(MATCHES),
        reverse("admin:matching_match_change", args=[match.pk]),
        reverse("admin:matching_matchrun_changelist"),
        reverse("admin:matching_matchrun_change", args=[match.run_id]),
        reverse(CONFIGS),
        reverse("admin:matching_scoringconfig_change", args=[config.pk]),
        reverse("admin:matching_scoringconfig_add"),
        reverse(DECISIONS),
        reverse("admin:matching_matchdecision_change", args=[decision.pk]),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_match_change_page_shows_components_read_only(client, admin_user):
    match = MatchFactory(components={"occupation": 0.75}, explanation={"support": ["language_course"]})
    client.force_login(admin_user)

    response = client.get(reverse("admin:matching_match_change", args=[match.pk]))

    assert "&quot;occupation&quot;: 0.75" in response.text
    assert "language_course" in response.text
    assert 'name="components"' not in response.text


def test_case_worker_cannot_open_the_matching_admin(client, case_worker):
    client.force_login(case_worker)

    assert client.get(reverse(MATCHES)).status_code == 403


@pytest.mark.parametrize(
    ("band", "expected"),
    [("0-40", {35.0}), ("40-60", {40.0, 55.0}), ("60-80", {75.0}), ("80-100", {80.0, 100.0})],
)
def test_score_band_filter(client, admin_user, band, expected):
    for score in (35.0, 40.0, 55.0, 75.0, 80.0, 100.0):
        MatchFactory(score=score)
    client.force_login(admin_user)

    response = client.get(reverse(MATCHES), {"score_band": band})

    assert response.status_code == 200
    assert {m.score for m in response.context["cl"].result_list} == expected


def test_decision_filter_and_other_list_filters(client, admin_user):
    run = MatchRunFactory()
    shortlisted = MatchFactory(run=run, candidate=CandidateFactory(perspective=Perspective.OPEN))
    MatchDecisionFactory(candidate=shortlisted.candidate, position=shortlisted.position, status="shortlisted")
    open_match = MatchFactory()
    client.force_login(admin_user)

    def listed(params) -> set[int]:
        response = client.get(reverse(MATCHES), params)
        assert response.status_code == 200, params
        return {m.pk for m in response.context["cl"].result_list}

    assert listed({"decision": "shortlisted"}) == {shortlisted.pk}
    assert listed({"decision": "open"}) == {open_match.pk}
    assert listed({"run__id__exact": run.pk}) == {shortlisted.pk}
    assert listed({"candidate__perspective": "open"}) == {shortlisted.pk}
    assert listed({"position__id__exact": open_match.position_id}) == {open_match.pk}
    assert listed({"candidate__id__exact": open_match.candidate_id}) == {open_match.pk}
    assert listed({"q": shortlisted.candidate.last_name}) >= {shortlisted.pk}


def test_bulk_shortlist_and_dismiss(client, admin_user):
    first, second, third = MatchFactory(), MatchFactory(), MatchFactory()
    client.force_login(admin_user)

    client.post(reverse(MATCHES), {"action": "shortlist_selected", ACTION_CHECKBOX_NAME: [first.pk, second.pk]})
    client.post(reverse(MATCHES), {"action": "dismiss_selected", ACTION_CHECKBOX_NAME: [second.pk, third.pk]})

    decisions = {(d.candidate_id, d.position_id): d for d in MatchDecision.objects.all()}
    assert decisions[(first.candidate_id, first.position_id)].status == "shortlisted"
    for match in (second, third):
        decision = decisions[(match.candidate_id, match.position_id)]
        assert (decision.status, decision.reason, decision.decided_by) == ("dismissed", "other", admin_user)
    assert AuditEvent.objects.filter(target_type="matching.pair").count() == 4


def test_saving_the_active_configuration_queues_a_full_rescore(
    client, admin_user, queued, django_capture_on_commit_callbacks
):
    config = ScoringConfig.active()
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:matching_scoringconfig_change", args=[config.pk]),
            config_form_data(config, weight_language="4.0"),
        )

    assert response.status_code == 302
    config.refresh_from_db()
    assert config.weight_language == 4.0
    assert queued == [("matching.rescore_all", ("config",))]
    assert AuditEvent.objects.filter(target_type="matching.scoringconfig", action="update").exists()


def test_saving_an_inactive_configuration_queues_nothing(
    client, admin_user, queued, django_capture_on_commit_callbacks
):
    ScoringConfig.active()
    draft = ScoringConfigFactory(name="Entwurf")
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:matching_scoringconfig_change", args=[draft.pk]), config_form_data(draft, min_score="30")
        )

    assert response.status_code == 302
    assert queued == []


def test_activating_another_configuration_queues_a_full_rescore(
    client, admin_user, queued, django_capture_on_commit_callbacks
):
    old = ScoringConfig.active()
    new = ScoringConfigFactory(name="Mehr Gewicht auf Sprache", weight_language=5.0)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CONFIGS), {"action": "activate_selected", ACTION_CHECKBOX_NAME: [new.pk]})

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.is_active, new.is_active) == (False, True)
    assert ScoringConfig.active() == new
    assert queued == [("matching.rescore_all", ("config",))]


def test_activation_needs_exactly_one_configuration(client, admin_user, queued, django_capture_on_commit_callbacks):
    active = ScoringConfig.active()
    first, second = ScoringConfigFactory(), ScoringConfigFactory()
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CONFIGS), {"action": "activate_selected", ACTION_CHECKBOX_NAME: [first.pk, second.pk]})

    assert ScoringConfig.active() == active
    assert queued == []


def test_rescore_everything_now_action(client, admin_user, queued, django_capture_on_commit_callbacks):
    config = ScoringConfig.active()
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CONFIGS), {"action": "rescore_now", ACTION_CHECKBOX_NAME: [config.pk]})

    assert queued == [("matching.rescore_all", ("full",))]


def test_the_active_configuration_cannot_be_deleted(client, admin_user):
    config = ScoringConfig.active()
    client.force_login(admin_user)

    assert client.get(reverse("admin:matching_scoringconfig_delete", args=[config.pk])).status_code == 403
    assert ScoringConfig.objects.filter(pk=config.pk).exists()


def test_changing_a_decision_in_the_admin_needs_a_reason_for_a_dismissal(client, admin_user):
    decision = MatchDecisionFactory(status="shortlisted")
    client.force_login(admin_user)
    url = reverse("admin:matching_matchdecision_change", args=[decision.pk])

    refused = client.post(url, {"status": "dismissed", "reason": "", "note": ""})
    accepted = client.post(url, {"status": "dismissed", "reason": "place", "note": "zu weit"})

    assert refused.status_code == 200
    assert accepted.status_code == 302
    decision.refresh_from_db()
    assert (decision.status, decision.reason, decision.note) == ("dismissed", "place", "zu weit")
    assert AuditEvent.objects.filter(target_type="matching.pair", action="update").count() == 1


def test_deleting_a_decision_in_the_admin_is_an_audited_undo(client, admin_user):
    decision = MatchDecisionFactory(status="shortlisted")
    client.force_login(admin_user)

    client.post(reverse("admin:matching_matchdecision_delete", args=[decision.pk]), {"post": "yes"})

    assert not MatchDecision.objects.exists()
    event = AuditEvent.objects.get(target_type="matching.pair")
    assert event.action == AuditEvent.Action.DELETE
    assert event.target_id == f"{decision.candidate_id}-{decision.position_id}"
