"""The review of matches: permissions of every page, ranked lists in both directions,
filters, decisions (shortlist, dismiss with a reason, undo) with their audit trail,
explanations in sentences, the rescore progress, and the employers' anonymised
summaries. Match rows are written directly with MatchFactory, not by the engine."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from bridges.models import AuditEvent, CEFRLevel, Language, Region
from candidates.models import Perspective, ResidenceStatus
from employers.models import Position
from matching import explain, review, selectors, services
from matching.models import MatchDecision, MatchRun, ScoringConfig
from tests.candidates.factories import (
    CandidateFactory,
    CandidateLanguageFactory,
    PlaceFactory,
    ProfilingConsentFactory,
)
from tests.employers.factories import (
    EmployerFactory,
    LanguageRequirementFactory,
    PositionFactory,
)
from tests.factories import SkillFactory
from tests.matching.factories import (
    MatchDecisionFactory,
    MatchFactory,
    MatchRunFactory,
    ScoringConfigFactory,
    explanation,
)

pytestmark = pytest.mark.django_db


# The explanation page: session and user, candidate, position, match, decision, audit entry,
# configuration, taxonomy check, the pair's records for the engine (candidate and position 2 each:
# the row and its related rows), skill names, history, open introduction.
EXPLANATION_QUERIES = 16


@pytest.fixture(autouse=True)
def stored_explanations(monkeypatch):
    """Explain from the stored explanation unless a test installs a live explainer."""
    monkeypatch.setattr(explain, "live_explainer", lambda: None)


@pytest.fixture
def queued(monkeypatch):
    """Tasks queued through matching.review, as (name, args), instead of the broker."""
    calls = []
    monkeypatch.setattr(review, "_enqueue", lambda name, *args: calls.append((name, args)))
    return calls


@pytest.fixture
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def german(db):
    return Language.objects.get_or_create(code="de", defaults={"name_en": "German", "name_de": "Deutsch"})[0]


@pytest.fixture
def position(company_a):
    return PositionFactory(employer=company_a, title="Schweißer/in")


@pytest.fixture
def match(position):
    """A match of a candidate who consented to anonymised profiles (so employers may see its summary)."""
    candidate = CandidateFactory(first_name="Samira", last_name="Al-Masri")
    ProfilingConsentFactory(candidate=candidate)
    return MatchFactory(candidate=candidate, position=position, score=72.0)


def enable_summaries(enabled: bool = True) -> ScoringConfig:
    config = ScoringConfig.active()
    config.employers_see_summaries = enabled
    config.save()
    return config


def case_worker_get_urls(match) -> list[str]:
    return [
        reverse("matching:dashboard"),
        reverse("matching:overview"),
        reverse("matching:position_matches", args=[match.position_id]),
        reverse("matching:candidate_matches", args=[match.candidate_id]),
        reverse("matching:explain", args=[match.candidate_id, match.position_id]),
        reverse("matching:run_progress", args=[MatchRunFactory().pk]),
    ]


def decide_url(match) -> str:
    return reverse("matching:decide", args=[match.candidate_id, match.position_id])


# --- permissions ------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login_from_every_review_page(client, match):
    urls = [
        *case_worker_get_urls(match),
        reverse("matching:employer_position_matches", args=[match.position_id]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login"))
    for url in [decide_url(match), reverse("matching:rescore_all")]:
        response = client.post(url, {"action": "shortlist"})
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login"))
    assert not MatchDecision.objects.exists()


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employer_users_get_403_on_every_case_worker_page(client, personas, match, persona, queued):
    client.force_login(personas[persona])

    for url in case_worker_get_urls(match):
        assert client.get(url).status_code == 403, url
    assert client.post(decide_url(match), {"action": "shortlist"}).status_code == 403
    assert client.post(reverse("matching:rescore_all")).status_code == 403

    assert not MatchDecision.objects.exists()
    assert queued == []


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_open_every_review_page(client, personas, match, persona):
    client.force_login(personas[persona])

    for url in case_worker_get_urls(match):
        assert client.get(url).status_code == 200, url


def test_case_worker_cannot_queue_a_full_rescore(client, case_worker, queued, django_capture_on_commit_callbacks):
    client.force_login(case_worker)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("matching:rescore_all"))

    assert response.status_code == 403
    assert queued == []


def test_admin_queues_a_full_rescore_from_the_dashboard(client, admin_user, queued, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    assert 'action="{}"'.format(reverse("matching:rescore_all")) in client.get(reverse("matching:dashboard")).text

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("matching:rescore_all"))

    assert response.status_code == 302
    assert len(callbacks) == 1
    assert queued == [("matching.rescore_all", ("full",))]


def test_case_worker_sees_no_rescore_button(client, case_worker):
    client.force_login(case_worker)

    assert reverse("matching:rescore_all") not in client.get(reverse("matching:dashboard")).text


# --- employers: anonymised summaries ----------------------------------------------------------


def test_employer_sees_summaries_of_own_open_position_when_enabled(client, employer_a, match, english):
    enable_summaries()
    client.force_login(employer_a)

    response = client.get(reverse("matching:employer_position_matches", args=[match.position_id]))

    reference = selectors.employer_references(position=match.position)[match.candidate_id]
    assert response.status_code == 200
    assert f"Candidate no. {reference}" in response.text
    assert f'id="summary-{reference}"' in response.text
    assert "Score 72" in response.text


def test_employer_summaries_are_a_404_when_the_programme_has_not_enabled_them(client, employer_a, match, english):
    enable_summaries(False)
    client.force_login(employer_a)

    response = client.get(reverse("matching:employer_position_matches", args=[match.position_id]))

    assert response.status_code == 404
    assert "does not show summaries of matching candidates" in response.text
    assert "Samira" not in response.text


def test_employer_cannot_open_summaries_of_another_employers_position(client, employer_b, company_b, match):
    enable_summaries()
    client.force_login(employer_b)

    response = client.get(reverse("matching:employer_position_matches", args=[match.position_id]))

    assert response.status_code == 404


def test_employer_without_company_gets_404(client, employer_b, match):
    enable_summaries()
    client.force_login(employer_b)

    assert client.get(reverse("matching:employer_position_matches", args=[match.position_id])).status_code == 404


def test_employer_sees_no_summaries_of_a_closed_position(client, employer_a, match):
    enable_summaries()
    Position.objects.filter(pk=match.position_id).update(status=Position.Status.CLOSED)
    client.force_login(employer_a)

    assert client.get(reverse("matching:employer_position_matches", args=[match.position_id])).status_code == 404


def test_employer_summary_reveals_no_personal_data(client, employer_a, position, german, english):
    enable_summaries()
    thuringia = Region.objects.create(code="DE-TH", country="DE", name_en="Thuringia", name_de="Thüringen")
    place = PlaceFactory(geonameid=2812482, name="Weimar", region=thuringia, latitude=50.98, longitude=11.33)
    welding = SkillFactory(labels={"en": "welding", "de": "Schweißen"})
    position.skill_requirements.create(skill=welding, relation_type="essential")
    candidate = CandidateFactory(
        first_name="Samira",
        last_name="Al-Masri",
        email="samira.almasri@example.org",
        phone="+49 361 555 0123",
        street="Anger 12",
        date_of_birth=datetime.date(1994, 7, 12),
        residence_status=ResidenceStatus.TOLERATION,
        place=place,
        perspective=Perspective.STAY,
    )
    candidate.skills.add(welding)
    CandidateLanguageFactory(candidate=candidate, language=german, level=CEFRLevel.B2)
    candidate.experience.create(job_title="Schweißer", employer_name="Stahlbau Aleppo", years=4)
    ProfilingConsentFactory(candidate=candidate)
    MatchFactory(candidate=candidate, position=position, score=81.0)
    client.force_login(employer_a)

    response = client.get(reverse("matching:employer_position_matches", args=[position.pk]))

    content = response.text
    assert response.status_code == 200
    for secret in [
        "Samira",
        "Al-Masri",
        "samira.almasri",
        "555 0123",
        "Anger 12",
        "1994",
        "Duldung",
        "Toleration",
        "Weimar",
        "Stahlbau Aleppo",
        reverse("candidates:detail", args=[candidate.pk]),
        reverse("matching:candidate_matches", args=[candidate.pk]),
        f"/{candidate.pk}/{position.pk}/",
    ]:
        assert secret not in content, secret
    reference = selectors.employer_references(position=position)[candidate.pk]
    for shown in [
        f"Candidate no. {reference}",
        "Score 81",
        "welding",
        "German B2",
        "4 years",
        "stay in Germany",
    ]:
        assert shown in content, shown
    # The only active candidate in Thuringia: the region is coarsened to the country.
    assert response.context["summaries"][0].region == "Germany"


def test_employer_summaries_leave_out_dismissed_pairs(client, employer_a, match, english):
    enable_summaries()
    MatchDecisionFactory(candidate=match.candidate, position=match.position, status="dismissed", reason="skills")
    client.force_login(employer_a)

    response = client.get(reverse("matching:employer_position_matches", args=[match.position_id]))

    assert "Candidate no." not in response.text
    assert "No matching candidates yet." in response.text


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_preview_employer_summaries_even_when_disabled(client, personas, match, persona, english):
    enable_summaries(False)
    client.force_login(personas[persona])

    response = client.get(reverse("matching:employer_position_matches", args=[match.position_id]))

    assert response.status_code == 200
    assert "Preview" in response.text


# --- ranked lists ------------------------------------------------------------------------------


def test_position_shortlist_ranks_candidates_by_score(client, case_worker, position):
    for first_name, score in [("Lena", 40.0), ("Omar", 90.0), ("Yara", 65.0)]:
        MatchFactory(position=position, candidate=CandidateFactory(first_name=first_name), score=score)
    client.force_login(case_worker)

    response = client.get(reverse("matching:position_matches", args=[position.pk]))

    rows = list(response.context["page"].object_list)
    assert [m.candidate.first_name for m in rows] == ["Omar", "Yara", "Lena"]
    assert [m.rank for m in rows] == [1, 2, 3]
    content = response.text
    assert content.index("Omar") < content.index("Yara") < content.index("Lena")


def test_rank_stays_the_rank_of_the_whole_list_when_filtered(client, case_worker, position):
    MatchFactory(position=position, score=90.0)
    MatchFactory(position=position, score=40.0)
    client.force_login(case_worker)

    response = client.get(reverse("matching:position_matches", args=[position.pk]), {"min_score": "30"})
    low = [m for m in response.context["page"].object_list if m.score == 40.0]

    assert [m.rank for m in low] == [2]


def test_candidate_list_ranks_positions_by_score(client, case_worker):
    candidate = CandidateFactory()
    for title, score in [("Koch", 55.0), ("Elektriker", 88.0), ("Lagerist", 30.0)]:
        MatchFactory(candidate=candidate, position=PositionFactory(title=title), score=score)
    client.force_login(case_worker)

    response = client.get(reverse("matching:candidate_matches", args=[candidate.pk]))

    rows = list(response.context["page"].object_list)
    assert [m.position.title for m in rows] == ["Elektriker", "Koch", "Lagerist"]
    assert [m.rank for m in rows] == [1, 2, 3]


def test_list_rows_show_component_bars_and_decision(client, case_worker, match, english):
    MatchDecisionFactory(candidate=match.candidate, position=match.position, status="shortlisted")
    client.force_login(case_worker)

    response = client.get(reverse("matching:position_matches", args=[match.position_id]))

    assert response.text.count('role="progressbar"') == 9
    assert 'aria-label="Essential skills"' in response.text
    assert 'data-testid="decision">shortlisted<' in response.text


# --- filters -----------------------------------------------------------------------------------


def _names(response) -> set[str]:
    return {m.candidate.first_name for m in response.context["page"].object_list}


def test_position_shortlist_filters(client, case_worker, position):
    erfurt = PlaceFactory()
    gera = PlaceFactory(geonameid=2921232, name="Gera", latitude=50.88, longitude=12.08)
    stays = CandidateFactory(first_name="Lena", perspective=Perspective.STAY, place=erfurt)
    returns = CandidateFactory(first_name="Omar", perspective=Perspective.RETURN, return_country="SY", place=gera)
    low = CandidateFactory(first_name="Yara", perspective=Perspective.STAY, place=gera)
    MatchFactory(position=position, candidate=stays, score=80.0)
    MatchFactory(position=position, candidate=returns, score=70.0)
    MatchFactory(position=position, candidate=low, score=25.0)
    MatchDecisionFactory(candidate=stays, position=position, status="shortlisted")
    client.force_login(case_worker)
    url = reverse("matching:position_matches", args=[position.pk])

    assert _names(client.get(url, {"min_score": "50"})) == {"Lena", "Omar"}
    assert _names(client.get(url, {"perspective": "return"})) == {"Omar"}
    assert _names(client.get(url, {"place": "gera"})) == {"Omar", "Yara"}
    assert _names(client.get(url, {"decision": "shortlisted"})) == {"Lena"}
    assert _names(client.get(url, {"decision": "open"})) == {"Omar", "Yara"}
    assert _names(client.get(url, {"min_score": "50", "place": "Gera"})) == {"Omar"}


def test_candidate_list_filters(client, case_worker):
    candidate = CandidateFactory(perspective=Perspective.OPEN)
    here = PositionFactory(title="Elektriker", position_type=Position.PositionType.EMPLOYMENT)
    training = PositionFactory(title="Azubi", position_type=Position.PositionType.APPRENTICESHIP)
    abroad = PositionFactory(
        title="Projektleitung Aleppo",
        position_type=Position.PositionType.RETURN_ABROAD,
        location=Position.Location.ABROAD,
        country="SY",
        postal_code="",
        place=None,
    )
    MatchFactory(candidate=candidate, position=here, score=85.0)
    MatchFactory(candidate=candidate, position=training, score=45.0)
    MatchFactory(candidate=candidate, position=abroad, score=60.0)
    client.force_login(case_worker)
    url = reverse("matching:candidate_matches", args=[candidate.pk])

    def titles(params) -> set[str]:
        return {m.position.title for m in client.get(url, params).context["page"].object_list}

    assert titles({"min_score": "50"}) == {"Elektriker", "Projektleitung Aleppo"}
    assert titles({"position_type": "apprenticeship"}) == {"Azubi"}
    assert titles({"location": "abroad"}) == {"Projektleitung Aleppo"}
    assert titles({"place": "Erfurt"}) == {"Elektriker", "Azubi"}


def test_overview_searches_and_filters(client, case_worker, position):
    MatchFactory(position=position, candidate=CandidateFactory(first_name="Samira", last_name="Haddad"), score=77)
    MatchFactory(candidate=CandidateFactory(first_name="Omar", perspective=Perspective.OPEN), score=52)
    client.force_login(case_worker)
    url = reverse("matching:overview")

    assert _names(client.get(url)) == {"Samira", "Omar"}
    assert _names(client.get(url, {"q": "haddad"})) == {"Samira"}
    assert _names(client.get(url, {"q": "Schweißer"})) == {"Samira"}
    assert _names(client.get(url, {"perspective": "open"})) == {"Omar"}
    assert _names(client.get(url, {"min_score": "60"})) == {"Samira"}


def test_overview_pages_keep_the_order_and_the_filters(client, case_worker, position):
    """The overview reads a page's ids first, then their rows: the pages still follow the score
    (ties by id), the rank and the decision come with each row, and the search finds words in a
    name, a title or the employer's name."""
    from matching.views import PAGE_SIZE

    matches = [MatchFactory(position=position, score=90 - k % 7) for k in range(PAGE_SIZE + 5)]
    other = MatchFactory(
        position=PositionFactory(title="Gabelstaplerfahrer", employer=EmployerFactory(name="Logistik Nord")), score=50
    )
    decided = matches[3]
    MatchDecisionFactory(candidate=decided.candidate, position=decided.position, status="shortlisted")
    client.force_login(case_worker)
    url = reverse("matching:overview")
    expected = sorted([*matches, other], key=lambda m: (-m.score, m.pk))

    first, second = client.get(url), client.get(url, {"page": 2})

    rows = [*first.context["page"].object_list, *second.context["page"].object_list]
    assert [m.pk for m in rows] == [m.pk for m in expected]
    assert first.context["page"].paginator.count == PAGE_SIZE + 6
    by_pk = {m.pk: m for m in rows}
    assert by_pk[decided.pk].decision_status == "shortlisted"
    assert by_pk[expected[0].pk].rank == 1
    assert [m.pk for m in client.get(url, {"decision": "shortlisted"}).context["page"]] == [decided.pk]
    assert decided.pk not in {m.pk for m in client.get(url, {"decision": "open"}).context["page"]}
    assert [m.pk for m in client.get(url, {"q": "logistik"}).context["page"]] == [other.pk]
    assert [m.pk for m in client.get(url, {"q": "gabelstapler nord"}).context["page"]] == [other.pk]
    assert list(client.get(url, {"q": "gabelstapler süd"}).context["page"]) == []


def test_the_overview_counts_up_to_a_cap_and_then_says_more_than(client, case_worker, position, monkeypatch):
    """Counting every stored match on every page is what made the overview slow at 10,000
    candidates; past the cap the page says "more than" and its pages end there."""
    from matching import views

    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    for k in range(6):
        MatchFactory(position=position, score=90 - k)
    client.force_login(case_worker)
    url = reverse("matching:overview")

    monkeypatch.setattr(views, "OVERVIEW_COUNT_CAP", 6)
    exact = client.get(url)
    assert (exact.context["page"].paginator.count, exact.context["page"].paginator.capped) == (6, False)
    assert "6 Treffer" in exact.text
    assert "Seite 1 von 3" in exact.text

    monkeypatch.setattr(views, "OVERVIEW_COUNT_CAP", 4)
    capped = client.get(url)
    assert (capped.context["page"].paginator.count, capped.context["page"].paginator.capped) == (4, True)
    assert "Mehr als 4 Treffer: die Filter grenzen sie ein" in capped.text
    assert "Seite 1 von mehr als 2" in capped.text
    last = client.get(url, {"page": 2})
    assert [m.score for m in last.context["page"]] == [88, 87]
    assert not last.context["page"].has_next()
    # A filter that leaves fewer than the cap is counted exactly.
    narrowed = client.get(url, {"min_score": "88"})
    assert (narrowed.context["page"].paginator.count, narrowed.context["page"].paginator.capped) == (3, False)


# --- decisions ---------------------------------------------------------------------------------


def test_case_worker_shortlists_a_match(client, case_worker, match):
    client.force_login(case_worker)
    back = reverse("matching:position_matches", args=[match.position_id])

    response = client.post(decide_url(match), {"action": "shortlist", "next": back})

    assert response.status_code == 302
    assert response.url == back
    decision = MatchDecision.objects.get()
    assert (decision.candidate_id, decision.position_id) == (match.candidate_id, match.position_id)
    assert decision.status == MatchDecision.Status.SHORTLISTED
    assert decision.decided_by == case_worker
    event = AuditEvent.objects.get(target_type="matching.pair")
    assert event.action == AuditEvent.Action.CREATE
    assert event.target_id == f"{match.candidate_id}-{match.position_id}"
    assert event.actor == case_worker


def test_dismissal_without_reason_is_refused(client, case_worker, match, english):
    client.force_login(case_worker)

    response = client.post(decide_url(match), {"action": "dismiss", "reason": "", "note": "passt nicht"})

    assert response.status_code == 400
    assert "a dismissal needs a reason" in response.text
    assert "a dismissal is recorded only with its reason" in response.text
    assert not MatchDecision.objects.exists()
    assert not AuditEvent.objects.filter(target_type="matching.pair").exists()


def test_service_refuses_a_dismissal_without_reason(case_worker, match):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        review.match_decide(
            candidate_id=match.candidate_id, position_id=match.position_id, status="dismissed", actor=case_worker
        )
    assert not MatchDecision.objects.exists()


def test_case_worker_dismisses_with_a_reason_and_the_history_shows_it(client, case_worker, match, english):
    client.force_login(case_worker)

    response = client.post(
        decide_url(match), {"action": "dismiss", "reason": "language", "note": "Deutschkurs erst 2027"}, follow=True
    )

    assert response.status_code == 200
    decision = MatchDecision.objects.get()
    assert decision.status == MatchDecision.Status.DISMISSED
    assert decision.reason == MatchDecision.Reason.LANGUAGE
    assert decision.note == "Deutschkurs erst 2027"
    assert "was dismissed" in response.text
    history = response.context["history"]
    assert history[0]["text"] == "dismissed (language level too low)"
    assert history[0]["note"] == "Deutschkurs erst 2027"


def test_shortlisting_a_dismissed_match_changes_the_decision(client, case_worker, match):
    client.force_login(case_worker)
    client.post(decide_url(match), {"action": "dismiss", "reason": "timing"})

    client.post(decide_url(match), {"action": "shortlist"})

    decision = MatchDecision.objects.get()
    assert decision.status == MatchDecision.Status.SHORTLISTED
    assert decision.reason == ""
    actions = list(AuditEvent.objects.filter(target_type="matching.pair").values_list("action", flat=True))
    assert sorted(actions) == ["create", "update"]


def test_undo_takes_the_decision_back_and_keeps_the_history(client, case_worker, match, english):
    client.force_login(case_worker)
    client.post(decide_url(match), {"action": "dismiss", "reason": "skills"})

    response = client.post(decide_url(match), {"action": "undo"}, follow=True)

    assert not MatchDecision.objects.exists()
    texts = [row["text"] for row in response.context["history"]]
    assert texts == ["decision undone", "dismissed (skills do not fit)"]
    assert "Nobody has decided on this match yet." in response.text


def test_decision_on_an_unknown_candidate_is_a_404(client, case_worker, position):
    client.force_login(case_worker)

    response = client.post(reverse("matching:decide", args=[999999, position.pk]), {"action": "shortlist"})

    assert response.status_code == 404
    assert not MatchDecision.objects.exists()


def test_decision_ignores_a_next_url_on_another_site(client, case_worker, match):
    client.force_login(case_worker)

    response = client.post(decide_url(match), {"action": "shortlist", "next": "https://evil.example/"})

    assert response.url == reverse("matching:explain", args=[match.candidate_id, match.position_id])


def test_decisions_survive_in_the_list_after_a_rescore_replaced_the_match(client, case_worker, match):
    client.force_login(case_worker)
    client.post(decide_url(match), {"action": "shortlist"})
    candidate, position = match.candidate, match.position
    match.delete()
    MatchFactory(candidate=candidate, position=position, score=60.0)

    response = client.get(reverse("matching:position_matches", args=[position.pk]))

    assert [m.decision_status for m in response.context["page"].object_list] == ["shortlisted"]


# --- explanations ------------------------------------------------------------------------------


def test_language_gap_sentence_in_english(german):
    gap = {"language": "de", "required": 4, "has": 3, "required_flag": True}

    with translation.override("en"):
        sentence = explain.language_gap_sentence(gap, explain.language_names(["de"]))

    assert sentence == "German B2 required, candidate has B1"


def test_language_gap_sentence_in_german(german):
    msgid = "%(language)s %(level)s required, candidate has %(has)s"
    gap = {"language": "de", "required": 4, "has": 3, "required_flag": True}

    with translation.override("de"):
        assert translation.gettext(msgid) != msgid, "the German catalogue lacks the explanation sentence"
        sentence = explain.language_gap_sentence(gap, explain.language_names(["de"]))

    assert sentence == "Deutsch B2 erforderlich, Kandidat/in hat B1"


def test_language_gap_sentences_name_nice_to_have_and_no_knowledge(german):
    with translation.override("en"):
        names = explain.language_names(["de"])
        desirable = explain.language_gap_sentence(
            {"language": "de", "required": 5, "has": 4, "required_flag": False}, names
        )
        none = explain.language_gap_sentence({"language": "de", "required": 2, "has": 0, "required_flag": True}, names)

    assert desirable == "German C1 desirable, candidate has B2"
    assert none == "German A2 required, candidate does not speak it"


def test_explanation_page_shows_components_skills_gaps_and_support(client, case_worker, position, german, english):
    welding = SkillFactory(labels={"en": "welding", "de": "Schweißen"})
    reading = SkillFactory(labels={"en": "read technical drawings", "de": "technische Zeichnungen lesen"})
    forklift = SkillFactory(labels={"en": "drive a forklift", "de": "Gabelstapler fahren"})
    match = MatchFactory(
        position=position,
        score=64.0,
        components={
            **dict.fromkeys(ScoringConfig().weights(), 0.0),
            "occupation": 1.0,
            "essential_skills": 0.5,
            "language": 0.67,
            "optional_skills": None,  # the position names no optional skill: not compared
        },
        explanation=explanation(
            matched_skills=[welding.pk],
            missing_essential=[reading.pk],
            missing_optional=[forklift.pk],
            language_gaps=[{"language": "de", "required": 4, "has": 3, "required_flag": True}],
            support=["language_course", "training"],
            notes=["work_permission_with_approval"],
        ),
    )
    client.force_login(case_worker)

    response = client.get(reverse("matching:explain", args=[match.candidate_id, match.position_id]))

    content = response.text
    assert response.status_code == 200
    assert "64 of 100" in content
    assert "German B2 required, candidate has B1" in content
    assert "Language course: German up to B2" in content
    assert "Training in the missing skills: read technical drawings" in content
    assert "approval of the immigration office" in content
    assert "welding" in content
    assert "drive a forklift" in content
    rows = {row.name: row for row in response.context["explanation"].components}
    assert rows["occupation"].weight == 3.0
    assert rows["occupation"].percent == 100
    assert rows["essential_skills"].percent == 50
    assert rows["freshness"].percent == 0
    assert not rows["optional_skills"].compared
    assert "The position asks for none: not counted." in content
    weights = ScoringConfig.active().weights()
    total = sum(weights.values()) - weights["optional_skills"]  # the mean is over the compared components
    assert rows["occupation"].points == pytest.approx(100 * 3.0 / total)
    assert AuditEvent.objects.filter(action="view", target_type="candidates.candidate").exists()


def test_stored_explanation_uses_the_weights_of_the_run_that_scored_it(client, case_worker, position):
    ScoringConfig.active()
    earlier = ScoringConfigFactory(name="Früher", weight_occupation=9.0)
    match = MatchFactory(position=position, run=MatchRunFactory(config=earlier))
    client.force_login(case_worker)

    response = client.get(reverse("matching:explain", args=[match.candidate_id, match.position_id]))

    rows = {row.name: row for row in response.context["explanation"].components}
    assert rows["occupation"].weight == 9.0


def test_explanation_uses_the_live_explainer_with_hint_and_exclusion(
    client, case_worker, position, german, english, monkeypatch
):
    reading = SkillFactory(labels={"en": "read technical drawings", "de": "technische Zeichnungen lesen"})
    candidate = CandidateFactory()
    calls = []

    def pair_explain(*, candidate_id, position_id, scoring):
        calls.append((candidate_id, position_id, scoring))
        return {
            "score": 0.0,
            "exclusion": 2,
            "components": {"occupation": 1.0},
            "matched_skills": [],
            "missing_essential": [reading.pk],
            "missing_optional": [],
            "language_gaps": [{"language": "de", "required": 4, "has": 2, "required_flag": True}],
            "hint": {
                "changes": [{"kind": "language", "language": "de", "level": 3}],
                "delta": 42.4,
                "becomes_eligible": True,
            },
        }

    monkeypatch.setattr(explain, "live_explainer", lambda: pair_explain)
    client.force_login(case_worker)

    response = client.get(reverse("matching:explain", args=[candidate.pk, position.pk]))

    content = response.text
    assert calls == [(candidate.pk, position.pk, ScoringConfig.active())]
    assert "With German B1 this pair becomes eligible: about 42 points." in content
    assert "a required language is too far below the level" in content
    assert "German B2 required, candidate has A2" in content
    # an excluded pair names only the measure that makes it eligible
    assert "Language course: German up to B2" in content
    assert "Training in the missing skills" not in content


def test_explanation_page_works_with_the_pipelines_live_explainer(
    client, case_worker, position, german, english, monkeypatch
):
    monkeypatch.setattr(explain, "live_explainer", lambda: services.pair_explain)
    LanguageRequirementFactory(position=position, language=german, min_level=CEFRLevel.B2)
    candidate = CandidateFactory()
    CandidateLanguageFactory(candidate=candidate, language=german, level=CEFRLevel.B1)
    client.force_login(case_worker)

    response = client.get(reverse("matching:explain", args=[candidate.pk, position.pk]))

    assert response.status_code == 200
    assert response.context["explanation"].live
    assert "German B2 required, candidate has B1" in response.text


def test_explanation_page_reads_the_taxonomy_once_per_process(
    client, case_worker, position, german, monkeypatch, django_assert_max_num_queries
):
    """The live explanation keeps the vocabulary between requests (`inputs_cache.taxonomy`): a
    second view of a pair is a handful of queries, however large the taxonomy is."""
    monkeypatch.setattr(explain, "live_explainer", lambda: services.pair_explain)
    LanguageRequirementFactory(position=position, language=german, min_level=CEFRLevel.B2)
    SkillFactory.create_batch(5)
    match = MatchFactory(position=position)
    client.force_login(case_worker)
    url = reverse("matching:explain", args=[match.candidate_id, match.position_id])
    first = client.get(url)

    with django_assert_max_num_queries(EXPLANATION_QUERIES):
        second = client.get(url)

    assert second.status_code == 200
    assert second.context["explanation"].live
    assert second.context["explanation"].components == first.context["explanation"].components


def test_an_excluded_pair_names_every_rule_and_no_futile_measure(
    client, case_worker, position, german, english, monkeypatch
):
    monkeypatch.setattr(explain, "live_explainer", lambda: services.pair_explain)
    LanguageRequirementFactory(position=position, language=german, min_level=CEFRLevel.B2)
    candidate = CandidateFactory()  # no occupation, no skill: not from the position's line of work
    CandidateLanguageFactory(candidate=candidate, language=german, level=CEFRLevel.A1)
    client.force_login(case_worker)

    response = client.get(reverse("matching:explain", args=[candidate.pk, position.pk]))

    text = response.text
    assert "a required language is too far below the level" in text
    assert "nor any specific essential skill of the position" in text
    assert "No support measure the programme can pay for makes this pair eligible." in text
    assert "Language course" not in text  # a course would not make the pair eligible
    assert 'data-testid="hint"' not in text


def test_hint_sentences(german):
    with translation.override("en"):
        names = explain.language_names(["de"])
        language = {"kind": "language", "language": "de", "level": 5}
        rises = explain.hint_sentence({"changes": [language], "delta": 7.6, "becomes_eligible": False}, names)
        skills = explain.hint_sentence({"changes": [{"kind": "skills"}], "delta": 9.2}, names)
        both = explain.hint_sentence(
            {"changes": [language, {"kind": "relocation"}], "delta": 30, "becomes_eligible": True}, names
        )
        nothing = explain.hint_sentence({"changes": [], "delta": 0.0, "becomes_eligible": False}, names)

    assert rises == "With German C1 the score rises by about 8 points."
    assert skills == "With the missing essential skills the score rises by about 9 points."
    assert both == "With German C1 and a move closer to the place of work this pair becomes eligible: about 30 points."
    assert nothing == ""


def test_explanation_of_a_pair_without_stored_match(client, case_worker, position, english):
    candidate = CandidateFactory()
    client.force_login(case_worker)

    response = client.get(reverse("matching:explain", args=[candidate.pk, position.pk]))

    assert response.status_code == 200
    assert "No score is stored for this pair" in response.text


def test_component_labels_cover_the_engine_and_the_configuration():
    from matching.engine import COMPONENTS

    assert set(explain.COMPONENT_LABELS) == set(COMPONENTS) == set(ScoringConfig().weights())


# --- the rescore's progress and the dashboard ---------------------------------------------------


def test_progress_of_a_running_rescore_polls_every_two_seconds(client, case_worker):
    run = MatchRunFactory(status=MatchRun.Status.RUNNING, progress=40, pairs_scored=1200)
    client.force_login(case_worker)

    response = client.get(reverse("matching:run_progress", args=[run.pk]), headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert 'hx-trigger="every 2s"' in response.text
    assert 'hx-get="{}"'.format(reverse("matching:run_progress", args=[run.pk])) in response.text
    assert 'aria-valuenow="40"' in response.text
    assert "<html" not in response.text


def test_progress_of_a_finished_rescore_stops_polling(client, case_worker):
    run = MatchRunFactory(status=MatchRun.Status.SUCCEEDED, progress=100)
    client.force_login(case_worker)

    response = client.get(reverse("matching:run_progress", args=[run.pk]))

    assert "hx-trigger" not in response.text
    assert 'aria-valuenow="100"' in response.text


def test_dashboard_shows_the_latest_full_run_and_recent_matches(client, case_worker, match, english):
    MatchRunFactory(status=MatchRun.Status.SUCCEEDED)
    running = MatchRunFactory(status=MatchRun.Status.RUNNING, progress=10)
    MatchRunFactory(trigger=MatchRun.Trigger.CANDIDATE)  # one candidate: not a full run
    dismissed = MatchFactory(score=99.0)
    MatchDecisionFactory(candidate=dismissed.candidate, position=dismissed.position, status="dismissed", reason="other")
    client.force_login(case_worker)

    response = client.get(reverse("matching:dashboard"))

    assert response.context["run"] == running
    assert 'hx-trigger="every 2s"' in response.text
    assert "Recent matches" in response.text
    assert [m.pk for m in response.context["recent_matches"]] == [match.pk]
    assert reverse("matching:explain", args=[match.candidate_id, match.position_id]) in response.text


# --- queries ------------------------------------------------------------------------------------


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("page", ["position", "overview", "employer"])
def test_list_pages_issue_the_same_queries_for_10_or_50_matches(client, personas, company_a, german, page):
    enable_summaries()
    client.force_login(personas["employer_a" if page == "employer" else "case_worker"])
    counts = []
    for size in (10, 50):
        position = PositionFactory(employer=company_a)
        for _ in range(size):
            candidate = CandidateFactory()
            CandidateLanguageFactory(candidate=candidate, language=german)
            candidate.experience.create(job_title="Helfer", years=2)
            ProfilingConsentFactory(candidate=candidate)
            MatchFactory(candidate=candidate, position=position)
        url = {
            "position": reverse("matching:position_matches", args=[position.pk]),
            "overview": reverse("matching:overview"),
            "employer": reverse("matching:employer_position_matches", args=[position.pk]),
        }[page]
        counts.append(_count_queries(client, url))

    assert counts[0] == counts[1]


def test_candidate_list_issues_the_same_queries_for_10_or_50_positions(client, case_worker):
    client.force_login(case_worker)
    counts = []
    for size in (10, 50):
        candidate = CandidateFactory()
        for _ in range(size):
            MatchFactory(candidate=candidate)
        url = reverse("matching:candidate_matches", args=[candidate.pk])
        counts.append(_count_queries(client, url))

    assert counts[0] == counts[1]


def test_an_empty_list_says_whether_the_filters_or_the_data_are_why(client, case_worker):
    """Says "for these filters" only where filters are set; without any, there are no matches yet."""
    candidate = CandidateFactory(case_worker=case_worker)
    client.force_login(case_worker)
    url = reverse("matching:candidate_matches", args=[candidate.pk])

    unfiltered = client.get(url).content.decode()
    filtered = client.get(url, {"min_score": "50"}).content.decode()
    candidates = client.get(reverse("candidates:list"), {"q": "Niemand-Mit-Diesem-Namen"}).content.decode()

    assert "Noch keine Treffer." in unfiltered
    assert "Keine Treffer für diese Filter." not in unfiltered
    assert "Keine Treffer für diese Filter." in filtered
    assert "Keine Kandidat/innen passen zu diesen Filtern." in candidates
