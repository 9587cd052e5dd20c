"""The Django admin of matching: pages load, list filters (score band, decision) work,
bulk decisions go through the review service, and changing the active scoring
configuration queues a full rescore once the change has committed."""

import datetime
import html
import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridges.models import AuditEvent, Language
from candidates.models import Perspective
from matching import explain, review
from matching.engine import COMPONENTS
from matching.models import MatchDecision, MatchRun, ScoringConfig
from tests.candidates.factories import CandidateFactory
from tests.factories import SkillFactory
from tests.matching.factories import (
    MatchDecisionFactory,
    MatchFactory,
    MatchRunFactory,
    ScoringConfigFactory,
    explanation,
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
    "relevance_gate",
    "lateral_entry_factor",
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


def visible_text(response) -> str:
    """The page's text without tags (each tag a space), with runs of white space as one space."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", response.text)).split())


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


@pytest.fixture
def stored_explanations(monkeypatch):
    """Explain from the stored explanation (the pipeline's live explainer needs the engine's inputs)."""
    monkeypatch.setattr(explain, "live_explainer", lambda: None)


def test_match_list_shows_the_score_rounded(client, admin_user):
    MatchFactory(score=85.51724137931035)
    client.force_login(admin_user)

    response = client.get(reverse(MATCHES))

    assert response.status_code == 200
    assert "85,5" in response.text
    assert "85,517" not in response.text


def test_match_change_page_shows_a_component_table_in_words(client, admin_user, stored_explanations):
    config = ScoringConfigFactory(weight_occupation=3.0, weight_language=2.0)
    match = MatchFactory(
        score=85.51724137931035,
        components={**dict.fromkeys(COMPONENTS, 0.0), "occupation": 0.75, "language": 1.0},
        run=MatchRunFactory(config=config),
    )
    client.force_login(admin_user)

    response = client.get(reverse("admin:matching_match_change", args=[match.pk]))

    text = visible_text(response)
    assert response.status_code == 200
    assert "85,5" in text
    assert "85,517" not in response.text
    assert ": 86" not in text  # the title shows the same score as the field, not another rounding
    assert "Beruf 75 % 3,0" in text  # name in words, value, weight of the run's configuration
    assert "Sprachen 100 % 2,0" in text
    assert "occupation" not in text
    assert "&quot;" not in response.text
    assert "{" not in text


def test_match_change_page_explains_the_match_in_words_like_the_case_workers_page(
    client, admin_user, stored_explanations
):
    welding = SkillFactory(labels={"en": "welding", "de": "Schweißen"})
    reading = SkillFactory(labels={"en": "read technical drawings", "de": "technische Zeichnungen lesen"})
    german = Language.objects.get_or_create(code="de", defaults={"name_en": "German", "name_de": "Deutsch"})[0]
    match = MatchFactory(
        explanation=explanation(
            matched_skills=[welding.pk],
            missing_essential=[reading.pk],
            language_gaps=[{"language": german.code, "required": 4, "has": 3, "required_flag": True}],
            support=["language_course", "training"],
            notes=["work_permission_with_approval"],
        )
    )
    client.force_login(admin_user)

    admin_page = client.get(reverse("admin:matching_match_change", args=[match.pk]))
    case_worker_page = client.get(reverse("matching:explain", args=[match.candidate_id, match.position_id]))

    text = visible_text(admin_page)
    explained = case_worker_page.context["explanation"]
    for sentence in [
        *explained.matched_skills,
        *explained.missing_essential,
        *explained.language_gaps,
        *explained.support,
        *explained.notes,
    ]:
        assert sentence in text
    assert "Schweißen" in text
    assert "Deutsch B2 erforderlich, Kandidat/in hat B1" in text
    assert "work_permission_with_approval" not in text
    assert "language_course" not in text
    assert f"#{welding.pk}" not in text


def test_match_admin_links_to_the_candidate_the_position_and_the_explanation(client, admin_user, stored_explanations):
    match = MatchFactory()
    client.force_login(admin_user)
    links = [
        reverse("candidates:detail", args=[match.candidate_id]),
        reverse("employers:position_detail", args=[match.position_id]),
        reverse("matching:explain", args=[match.candidate_id, match.position_id]),
    ]

    listed = client.get(reverse(MATCHES))
    shown = client.get(reverse("admin:matching_match_change", args=[match.pk]))

    for link in links:
        assert f'href="{link}"' in listed.text
        assert f'href="{link}"' in shown.text
    assert f"{match.candidate.full_name} × {match.position.title}" in shown.text  # names, not ids


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
    assert listed({"position__employer__id__exact": open_match.position.employer_id}) == {open_match.pk}
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


def test_match_list_filters_by_employer_and_names_its_filters_in_german(client, admin_user):
    MatchFactory(run=MatchRunFactory())
    MatchFactory(run=MatchRunFactory())  # a filter shows when there are two to choose from
    client.force_login(admin_user)

    response = client.get(reverse(MATCHES))

    titles = {str(spec.title) for spec in response.context["cl"].filter_specs}
    assert {"Entscheidung", "Stelle", "Unternehmen", "Lauf", "Kandidat/in"} <= titles


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_match_and_run_lists_issue_the_same_queries_for_5_or_40_rows(client, admin_user):
    client.force_login(admin_user)
    counts = {"match": [], "run": []}
    for size in (5, 40):
        for _ in range(size):
            MatchFactory(run=MatchRunFactory(config=ScoringConfigFactory()))
        counts["match"].append(_queries(client, reverse(MATCHES)))
        counts["run"].append(_queries(client, reverse("admin:matching_matchrun_changelist")))

    assert counts["match"][0] == counts["match"][1]
    assert counts["run"][0] == counts["run"][1]


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0.011136493999970298, "11 ms"), (2.0871, "2,1 s"), (754.4, "12 min 34 s"), (None, "–")],
)
def test_run_durations_are_rounded(client, admin_user, seconds, shown):
    run = MatchRunFactory(duration_s=seconds)
    client.force_login(admin_user)

    listed = client.get(reverse("admin:matching_matchrun_changelist"))
    page = client.get(reverse("admin:matching_matchrun_change", args=[run.pk]))

    for response in (listed, page):
        text = visible_text(response)
        assert shown in text
        assert "0,0111" not in text
        assert "2,0871" not in text


def test_run_names_show_the_local_time(client, admin_user):
    started = datetime.datetime(2026, 7, 1, 22, 30, tzinfo=datetime.UTC)  # 0:30 on 2 July in Berlin
    run = MatchRunFactory()
    MatchRun.objects.filter(pk=run.pk).update(started_at=started)
    run.refresh_from_db()
    MatchFactory(run=run)
    client.force_login(admin_user)

    matches = visible_text(client.get(reverse(MATCHES)))

    assert "02.07.2026 00:30" in str(run)
    assert "02.07.2026 00:30" in matches
    assert "22:30" not in matches
