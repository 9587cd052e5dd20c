"""The case workers' introduction pages: introduce (from a match or directly), an introduction
with its forms, the list with bulk actions, the board, a candidate's introductions and timeline."""

import datetime
import re
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from candidates.services import consent_withdraw
from matching import allocation_service
from matching import introductions as svc
from matching.models import FollowUp, Interview, Introduction, IntroductionEvent, Placement
from matching.pipeline import Reason, Stage
from tests.candidates.factories import CandidateFactory, ConsentFactory, pdf_document
from tests.employers.factories import EmployerFactory, PositionFactory
from tests.matching.factories import MatchFactory, introduce

pytestmark = pytest.mark.django_db


@pytest.fixture
def position(company_a):
    return PositionFactory(employer=company_a)


@pytest.fixture
def candidate(case_worker):
    return CandidateFactory(case_worker=case_worker)


@pytest.fixture
def introduction(candidate, position, case_worker):
    return introduce(candidate=candidate, position=position, actor=case_worker)


def _advance(introduction, actor, *stages):
    for to in stages:
        introduction = svc.introduction_move(introduction=introduction, to=to, actor=actor)
    return introduction


def _in_days(days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


# --- permissions: every new URL for the five personas -------------------------------------------


def _urls(introduction) -> list[tuple[str, str, str]]:
    """(name, method, url) of every page of this module's views."""
    interview = Interview.objects.create(
        introduction=introduction, starts_at=_in_days(3), place="Erfurt", proposed_by=introduction.created_by
    )
    c, p, i = introduction.candidate_id, introduction.position_id, introduction.pk
    return [
        ("introduce", "get", reverse("matching:introduce", args=[c, p])),
        ("candidate_introduce", "get", reverse("matching:candidate_introduce", args=[c])),
        ("candidate_introductions", "get", reverse("matching:candidate_introductions", args=[c])),
        ("introductions", "get", reverse("matching:introductions")),
        ("board", "get", reverse("matching:board")),
        ("introduction", "get", reverse("matching:introduction", args=[i])),
        ("introductions_bulk", "post", reverse("matching:introductions_bulk")),
        ("introduction_move", "post", reverse("matching:introduction_move", args=[i])),
        ("board_move", "post", reverse("matching:board_move", args=[i])),
        ("introduction_sharing", "post", reverse("matching:introduction_sharing", args=[i])),
        ("introduction_next_step", "post", reverse("matching:introduction_next_step", args=[i])),
        ("introduction_interviews", "post", reverse("matching:introduction_interviews", args=[i])),
        ("interview_confirm", "post", reverse("matching:interview_confirm", args=[i, interview.pk])),
        ("introduction_placement", "post", reverse("matching:introduction_placement", args=[i])),
        ("follow_up_record", "post", reverse("matching:follow_up_record", args=[i, 1])),
    ]


def test_anonymous_users_are_sent_to_login(client, introduction):
    for name, method, url in _urls(introduction):
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("account_login")), name


@pytest.mark.parametrize("persona", ["employer_a", "employer_b"])
def test_employer_users_get_403_everywhere(client, personas, introduction, persona):
    client.force_login(personas[persona])
    for name, method, url in _urls(introduction):
        assert getattr(client, method)(url).status_code == 403, name
    assert not IntroductionEvent.objects.exclude(to_stage=Stage.PROPOSED).exists()


@pytest.mark.parametrize("persona", ["case_worker", "admin"])
def test_case_workers_and_admins_open_every_page(client, personas, introduction, persona):
    client.force_login(personas[persona])
    for name, method, url in _urls(introduction):
        if method == "get":
            assert client.get(url).status_code == 200, name
        else:
            assert client.get(url).status_code == 405, name


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("introduction", {"pk": 999999}),
        ("candidate_introductions", {"pk": 999999}),
        ("candidate_introduce", {"pk": 999999}),
        ("introduce", {"candidate": 999999, "position": 999999}),
    ],
)
def test_a_missing_record_is_404(client, case_worker, name, kwargs):
    client.force_login(case_worker)

    assert client.get(reverse(f"matching:{name}", kwargs=kwargs)).status_code == 404


def test_posting_to_a_missing_introduction_is_404(client, case_worker):
    client.force_login(case_worker)

    response = client.post(reverse("matching:introduction_move", args=[999999]), {"to": "closed"})

    assert response.status_code == 404


# --- introducing ---------------------------------------------------------------------------------


def test_without_consent_the_refusal_and_the_link_come_before_the_form(client, case_worker, candidate, position):
    client.force_login(case_worker)

    response = client.get(reverse("matching:introduce", args=[candidate.pk, position.pk]))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="no-consent"' in content
    back = quote(reverse("matching:introduce", args=[candidate.pk, position.pk]), safe="")
    link = (
        reverse("candidates:detail", args=[candidate.pk])
        + f"?purpose=sharing&amp;employer={position.employer_id}&amp;next={back}#consents"
    )
    assert link in content
    assert 'name="sections"' not in content


def test_posting_without_consent_is_refused_and_writes_nothing(client, case_worker, candidate, position):
    client.force_login(case_worker)

    response = client.post(reverse("matching:introduce", args=[candidate.pk, position.pk]), {"sections": ["contact"]})

    assert response.status_code == 400
    assert "Firma A GmbH" in response.content.decode()
    assert f"employer={position.employer_id}&amp;next=" in response.content.decode()
    assert not Introduction.objects.exists()


def test_consent_for_another_employer_does_not_allow_the_introduction(
    client, case_worker, candidate, position, company_b
):
    ConsentFactory(candidate=candidate, employer=company_b)
    client.force_login(case_worker)

    response = client.get(reverse("matching:introduce", args=[candidate.pk, position.pk]))

    assert 'data-testid="no-consent"' in response.content.decode()


def test_introduce_with_consent_makes_the_row_and_redirects(
    client, case_worker, admin_user, candidate, position, private_media
):
    ConsentFactory(candidate=candidate, employer=position.employer)
    candidate.desired_occupations.add(position.occupation_id)
    MatchFactory(candidate=candidate, position=position, score=81.0, rank_for_position=1)
    document = pdf_document(candidate, case_worker)
    pdf_document(candidate, case_worker, title="Ausweis", kind="id")
    client.force_login(case_worker)
    url = reverse("matching:introduce", args=[candidate.pk, position.pk])

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="sections"' in page.content.decode()
    assert page.context["form"]["next_step_due"].value() == timezone.localdate() + datetime.timedelta(days=7)

    response = client.post(
        url,
        {
            "sections": ["languages", "experience"],
            "documents": [document.pk],
            "message": "Herr Beispiel passt gut zu Ihrer Stelle.",
            "next_step": "Rückmeldung abwarten",
            "next_step_due": "2030-01-15",
            "case_worker": admin_user.pk,
        },
    )

    introduction = Introduction.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("matching:introduction", args=[introduction.pk])
    assert introduction.shared_sections == ["languages", "experience"]
    assert list(introduction.shared_documents.all()) == [document]
    assert introduction.case_worker == admin_user
    assert introduction.next_step_due == datetime.date(2030, 1, 15)
    assert introduction.score == 81.0
    assert introduction.created_by == case_worker


def test_an_introduced_pair_links_to_its_introduction_instead_of_the_form(client, case_worker, introduction):
    client.force_login(case_worker)

    response = client.get(reverse("matching:introduce", args=[introduction.candidate_id, introduction.position_id]))

    content = response.content.decode()
    assert 'data-testid="already-introduced"' in content
    assert reverse("matching:introduction", args=[introduction.pk]) in content


def test_a_second_introduction_of_the_pair_is_refused_with_a_message(client, case_worker, introduction):
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:introduce", args=[introduction.candidate_id, introduction.position_id]), {}
    )

    assert response.status_code == 400
    assert Introduction.objects.count() == 1


def test_introduce_directly_chooses_an_open_position_first(client, case_worker, candidate, position):
    ConsentFactory(candidate=candidate, employer=position.employer)
    closed = PositionFactory(status="filled")
    client.force_login(case_worker)
    url = reverse("matching:candidate_introduce", args=[candidate.pk])

    page = client.get(url)
    choices = [value for value, _label in page.context["form"].fields["position"].choices if value]
    assert [int(str(value)) for value in choices] == [position.pk]
    assert "Firma A GmbH" in page.content.decode()

    response = client.get(url, {"position": position.pk})
    assert response.status_code == 302
    assert response.url == reverse("matching:introduce", args=[candidate.pk, position.pk])

    assert client.get(url, {"position": closed.pk}).status_code == 400


# --- the introduce buttons in the lists ----------------------------------------------------------


def test_ranked_lists_offer_introduce_or_show_the_open_introduction(client, case_worker, candidate, position):
    other = CandidateFactory()
    MatchFactory(candidate=candidate, position=position)
    MatchFactory(candidate=other, position=position, score=40)
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    client.force_login(case_worker)

    for url in (
        reverse("matching:position_matches", args=[position.pk]),
        reverse("matching:overview"),
    ):
        content = client.get(url).content.decode()
        assert reverse("matching:introduction", args=[introduction.pk]) in content
        assert 'data-testid="introduced"' in content
        assert reverse("matching:introduce", args=[other.pk, position.pk]) in content
        assert reverse("matching:introduce", args=[candidate.pk, position.pk]) not in content

    content = client.get(reverse("matching:candidate_matches", args=[other.pk])).content.decode()
    assert reverse("matching:introduce", args=[other.pk, position.pk]) in content


def test_the_explanation_page_offers_introduce_until_introduced(client, case_worker, candidate, position):
    MatchFactory(candidate=candidate, position=position)
    client.force_login(case_worker)
    url = reverse("matching:explain", args=[candidate.pk, position.pk])

    assert 'data-testid="introduce"' in client.get(url).content.decode()

    introduce(candidate=candidate, position=position, actor=case_worker)
    content = client.get(url).content.decode()
    assert 'data-testid="introduce"' not in content
    assert 'data-testid="introduced"' in content


def test_the_position_list_shows_its_introductions(client, case_worker, introduction):
    client.force_login(case_worker)

    response = client.get(reverse("matching:position_matches", args=[introduction.position_id]))

    assert 'data-testid="position-introduction"' in response.content.decode()


def test_the_candidate_page_links_to_the_introductions(client, case_worker, candidate):
    client.force_login(case_worker)

    response = client.get(reverse("candidates:detail", args=[candidate.pk]))

    assert reverse("matching:candidate_introductions", args=[candidate.pk]) in response.content.decode()


# --- one introduction ----------------------------------------------------------------------------


def test_the_page_shows_recommendation_sharing_consent_and_timeline(client, case_worker, candidate, position):
    MatchFactory(candidate=candidate, position=position, score=66.0, rank_for_position=3, rank_for_candidate=2)
    introduction = introduce(candidate=candidate, position=position, actor=case_worker, sections=["languages"])
    client.force_login(case_worker)

    response = client.get(reverse("matching:introduction", args=[introduction.pk]))

    content = response.content.decode()
    assert 'data-testid="recommendation"' in content
    assert introduction.scoring_snapshot["name"] in content
    assert len(response.context["events"]) == 1
    assert 'data-testid="consent-withdrawn"' not in content


def test_a_withdrawn_consent_is_warned_about(client, case_worker, introduction):
    consent_withdraw(consent=introduction.candidate.consents.get(), actor=case_worker)
    client.force_login(case_worker)

    response = client.get(reverse("matching:introduction", args=[introduction.pk]))

    assert 'data-testid="consent-withdrawn"' in response.content.decode()


def test_the_move_form_offers_only_the_allowed_stages(client, case_worker, introduction):
    client.force_login(case_worker)

    response = client.get(reverse("matching:introduction", args=[introduction.pk]))

    offered = [value for value, _label in response.context["move_form"].fields["to"].choices]
    assert offered == [Stage.INTERESTED, Stage.INTERVIEW, Stage.DECLINED, Stage.WITHDRAWN, Stage.CLOSED]


def test_a_valid_move_is_recorded(client, case_worker, introduction):
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:introduction_move", args=[introduction.pk]),
        {"to": Stage.DECLINED, "reason": Reason.LANGUAGE, "comment": "Deutsch noch zu schwach"},
    )

    assert response.status_code == 302
    introduction.refresh_from_db()
    assert (introduction.stage, introduction.close_reason) == (Stage.DECLINED, Reason.LANGUAGE)
    event = introduction.events.last()
    assert (event.from_stage, event.to_stage, event.actor, event.comment) == (
        Stage.PROPOSED,
        Stage.DECLINED,
        case_worker,
        "Deutsch noch zu schwach",
    )


@pytest.mark.parametrize(
    "data",
    [
        {"to": Stage.OFFER},  # not from "proposed"
        {"to": Stage.PLACED},  # only with the placement
        {"to": Stage.CLOSED},  # needs a reason
        {"to": Stage.CLOSED, "reason": Reason.LANGUAGE},  # a reason of another stage
        {"to": "nowhere"},
    ],
)
def test_an_invalid_move_is_400_and_writes_nothing(client, case_worker, introduction, data):
    client.force_login(case_worker)

    response = client.post(reverse("matching:introduction_move", args=[introduction.pk]), data)

    assert response.status_code == 400
    assert response.context["move_form"].errors
    introduction.refresh_from_db()
    assert introduction.stage == Stage.PROPOSED
    assert introduction.events.count() == 1


def test_a_closed_introduction_cannot_move(client, case_worker, introduction):
    svc.introduction_move(introduction=introduction, to=Stage.CLOSED, actor=case_worker, reason=Reason.OTHER)
    client.force_login(case_worker)

    response = client.post(reverse("matching:introduction_move", args=[introduction.pk]), {"to": Stage.INTERESTED})

    assert response.status_code == 400
    assert introduction.events.count() == 2


def test_sharing_can_be_changed(client, case_worker, introduction, private_media):
    document = pdf_document(introduction.candidate, case_worker)
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:introduction_sharing", args=[introduction.pk]),
        {"sections": ["contact", "skills"], "documents": [document.pk]},
    )

    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.shared_sections == ["contact", "skills"]
    assert list(introduction.shared_documents.all()) == [document]


def test_another_candidates_document_cannot_be_shared(client, case_worker, introduction, private_media):
    foreign = pdf_document(CandidateFactory(), case_worker)
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:introduction_sharing", args=[introduction.pk]), {"documents": [foreign.pk]}
    )

    assert response.status_code == 400
    assert not introduction.shared_documents.exists()


def test_the_next_step_is_set(client, case_worker, admin_user, introduction):
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:introduction_next_step", args=[introduction.pk]),
        {"next_step": "Anrufen", "due": "2030-02-01", "case_worker": admin_user.pk},
    )

    assert response.status_code == 302
    introduction.refresh_from_db()
    assert (introduction.next_step, introduction.next_step_due, introduction.case_worker) == (
        "Anrufen",
        datetime.date(2030, 2, 1),
        admin_user,
    )


def test_a_next_step_without_a_date_is_refused(client, case_worker, introduction):
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:introduction_next_step", args=[introduction.pk]), {"next_step": "Anrufen", "due": ""}
    )

    assert response.status_code == 400
    assert response.context["next_step_form"].errors["due"]


def test_case_worker_proposes_dates_and_confirms_one(client, case_worker, introduction):
    client.force_login(case_worker)
    start = timezone.localtime(_in_days(5)).replace(second=0, microsecond=0)

    response = client.post(
        reverse("matching:introduction_interviews", args=[introduction.pk]),
        {
            "starts_at_1": start.strftime("%Y-%m-%dT%H:%M"),
            "starts_at_2": (start + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
            "place": "Erfurt, Anger 1",
        },
    )
    assert response.status_code == 302
    first, second = introduction.interviews.order_by("starts_at")

    response = client.post(reverse("matching:interview_confirm", args=[introduction.pk, second.pk]))

    assert response.status_code == 302
    second.refresh_from_db()
    first.refresh_from_db()
    introduction.refresh_from_db()
    assert (first.status, second.status) == (Interview.Status.LAPSED, Interview.Status.CONFIRMED)
    assert introduction.stage == Stage.INTERVIEW


def test_an_interview_in_the_past_or_without_a_place_is_refused(client, case_worker, introduction):
    client.force_login(case_worker)
    url = reverse("matching:introduction_interviews", args=[introduction.pk])

    past = client.post(url, {"starts_at_1": "2020-01-01T10:00", "place": "Erfurt"})
    nowhere = client.post(url, {"starts_at_1": _in_days(3).strftime("%Y-%m-%dT%H:%M")})

    assert (past.status_code, nowhere.status_code) == (400, 400)
    assert not introduction.interviews.exists()


def test_the_placement_form_is_prefilled_and_records_the_placement(client, case_worker, introduction):
    introduction = _advance(introduction, case_worker, Stage.INTERESTED, Stage.OFFER)
    client.force_login(case_worker)
    page = client.get(reverse("matching:introduction", args=[introduction.pk]))
    form = page.context["placement_form"]
    assert form["kind"].value() == Placement.Kind.EMPLOYMENT
    assert form["place"].value() == introduction.position.where

    response = client.post(
        reverse("matching:introduction_placement", args=[introduction.pk]),
        {"kind": "employment", "start_date": "2030-03-01", "place": "Erfurt", "fixed_term": "on", "end_date": ""},
    )
    assert response.status_code == 400
    assert not Placement.objects.exists()

    response = client.post(
        reverse("matching:introduction_placement", args=[introduction.pk]),
        {"kind": "employment", "start_date": "2030-03-01", "place": "Erfurt"},
    )

    assert response.status_code == 302
    introduction.refresh_from_db()
    assert introduction.stage == Stage.PLACED
    assert introduction.placement.start_date == datetime.date(2030, 3, 1)
    assert introduction.placement.follow_ups.count() == 2


def test_a_placement_before_the_offer_is_refused(client, case_worker, introduction):
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:introduction_placement", args=[introduction.pk]),
        {"kind": "employment", "start_date": "2030-03-01", "place": "Erfurt"},
    )

    assert response.status_code == 400
    assert not Placement.objects.exists()


def _placed(introduction, actor, start: datetime.date) -> Placement:
    introduction = _advance(introduction, actor, Stage.INTERESTED, Stage.OFFER)
    return svc.placement_record(
        introduction=introduction, actor=actor, kind="employment", start_date=start, place="Erfurt"
    )


def test_a_follow_up_is_recorded_on_the_introduction_page(client, case_worker, introduction):
    placement = _placed(introduction, case_worker, timezone.localdate() - datetime.timedelta(days=200))
    follow_up = placement.follow_ups.get(months=6)
    client.force_login(case_worker)
    url = reverse("matching:follow_up_record", args=[introduction.pk, follow_up.pk])
    prefix = f"follow-up-{follow_up.pk}"

    assert client.post(url, {f"{prefix}-outcome": ""}).status_code == 400
    response = client.post(url, {f"{prefix}-outcome": "in_work", f"{prefix}-note": "Alles gut"})

    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.note, follow_up.recorded_by) == ("in_work", "Alles gut", case_worker)


def test_a_follow_up_of_another_introduction_is_404(client, case_worker, introduction, company_a):
    other = introduce(candidate=CandidateFactory(), position=PositionFactory(employer=company_a), actor=case_worker)
    follow_up = _placed(other, case_worker, timezone.localdate()).follow_ups.first()
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:follow_up_record", args=[introduction.pk, follow_up.pk]),
        {f"follow-up-{follow_up.pk}-outcome": "in_work"},
    )

    assert response.status_code == 404


# --- the list and its bulk actions ---------------------------------------------------------------


def _introductions(case_worker, company, count: int, **position_kwargs) -> list[Introduction]:
    return [
        introduce(
            candidate=CandidateFactory(case_worker=case_worker),
            position=PositionFactory(employer=company, **position_kwargs),
            actor=case_worker,
        )
        for _ in range(count)
    ]


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["matching:introductions", "matching:board", "matching:dashboard"])
def test_list_board_and_dashboard_issue_the_same_queries_for_3_or_10_rows(
    client, case_worker, company_a, django_assert_max_num_queries, name
):
    client.force_login(case_worker)
    _introductions(case_worker, company_a, 3)
    few = _count_queries(client, reverse(name))
    for introduction in _introductions(case_worker, company_a, 7):
        Introduction.objects.filter(pk=introduction.pk).update(next_step_due=timezone.localdate())

    with django_assert_max_num_queries(few):
        assert client.get(reverse(name)).status_code == 200


def test_candidate_page_issues_the_same_queries_for_1_or_4_introductions(
    client, case_worker, candidate, company_a, django_assert_max_num_queries
):
    client.force_login(case_worker)
    url = reverse("matching:candidate_introductions", args=[candidate.pk])
    first = introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)
    _placed(first, case_worker, timezone.localdate())
    few = _count_queries(client, url)
    for _ in range(3):
        other = introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)
        _placed(other, case_worker, timezone.localdate())

    with django_assert_max_num_queries(few):
        assert client.get(url).status_code == 200


def test_the_list_filters(client, case_worker, admin_user, company_a):
    mine = _introductions(case_worker, company_a, 3)
    abroad = introduce(
        candidate=CandidateFactory(perspective="return", return_country="SY"),
        position=PositionFactory(employer=company_a, abroad=True),
        actor=admin_user,
    )
    Introduction.objects.filter(pk=mine[0].pk).update(next_step_due=timezone.localdate() - datetime.timedelta(days=1))
    svc.introduction_move(introduction=mine[1], to=Stage.CLOSED, actor=case_worker, reason=Reason.OTHER)
    svc.introduction_move(introduction=mine[2], to=Stage.DECLINED, actor=case_worker, reason=Reason.LANGUAGE)
    client.force_login(case_worker)
    url = reverse("matching:introductions")

    def listed(**params) -> set[int]:
        return {row.pk for row in client.get(url, params).context["page"].object_list}

    assert listed() == {*(row.pk for row in mine), abroad.pk}
    assert listed(case_worker="mine") == {row.pk for row in mine}
    assert listed(stage="open") == {mine[0].pk, abroad.pk}
    # Every ended one, or the one stage "closed" (its value is no group's).
    assert listed(stage="ended") == {mine[1].pk, mine[2].pk}
    assert listed(stage="closed") == {mine[1].pk}
    assert listed(stage="declined") == {mine[2].pk}
    assert listed(due="overdue") == {mine[0].pk}
    assert listed(location="abroad") == {abroad.pk}
    assert listed(position=abroad.position_id) == {abroad.pk}
    assert listed(employer=company_a.pk) == {*(row.pk for row in mine), abroad.pk}
    options = [value for value, _label in client.get(url).context["filter"].form.fields["stage"].choices]
    assert len(options) == len(set(options))


def test_the_list_offers_the_employers_with_introductions_by_name(client, case_worker, company_a, company_b):
    (at_a,) = _introductions(case_worker, company_a, 1)
    (at_b,) = _introductions(case_worker, company_b, 1)
    PositionFactory(employer=EmployerFactory(name="Ohne Vorstellung AG"))
    client.force_login(case_worker)
    url = reverse("matching:introductions")

    html = client.get(url).content.decode()
    listed = client.get(url, {"employer": company_b.pk}).context["page"].object_list
    refused = client.get(url, {"employer": "0"}).context["filter"].form.errors

    select = html.split('name="employer"')[1].split("</select>")[0]
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', select)
    assert options == [("", "---------"), (str(company_a.pk), "Firma A GmbH"), (str(company_b.pk), "Firma B GmbH")]
    assert [row.pk for row in listed] == [at_b.pk]
    assert at_a.pk not in [row.pk for row in listed]
    assert "employer" in refused


def test_bulk_close_says_how_many_and_why_some_were_refused(client, case_worker, company_a):
    first, second, done = _introductions(case_worker, company_a, 3)
    svc.introduction_move(introduction=done, to=Stage.CLOSED, actor=case_worker, reason=Reason.OTHER)
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:introductions_bulk"),
        {"action": "close", "reason": Reason.POSITION_FILLED, "introductions": [first.pk, second.pk, done.pk]},
        follow=True,
    )

    assert Introduction.objects.filter(stage=Stage.CLOSED, close_reason=Reason.POSITION_FILLED).count() == 2
    text = str(next(iter(response.context["messages"])))
    assert "2" in text
    assert done.candidate.full_name in text


def test_bulk_close_needs_a_reason(client, case_worker, company_a):
    first, second = _introductions(case_worker, company_a, 2)
    client.force_login(case_worker)

    client.post(reverse("matching:introductions_bulk"), {"action": "close", "introductions": [first.pk, second.pk]})

    assert not Introduction.objects.exclude(stage=Stage.PROPOSED).exists()


def test_bulk_withdrawal_moves_to_withdrawn(client, case_worker, company_a):
    (first,) = _introductions(case_worker, company_a, 1)
    client.force_login(case_worker)

    client.post(
        reverse("matching:introductions_bulk"),
        {"action": "close", "reason": Reason.CANDIDATE_WITHDREW, "introductions": [first.pk]},
    )

    first.refresh_from_db()
    assert first.stage == Stage.WITHDRAWN


def test_bulk_assign(client, case_worker, admin_user, company_a):
    first, second, done = _introductions(case_worker, company_a, 3)
    svc.introduction_move(introduction=done, to=Stage.CLOSED, actor=case_worker, reason=Reason.OTHER)
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:introductions_bulk"),
        {"action": "assign", "case_worker": admin_user.pk, "introductions": [first.pk, second.pk, done.pk]},
        follow=True,
    )

    assert set(Introduction.objects.filter(case_worker=admin_user).values_list("pk", flat=True)) == {
        first.pk,
        second.pk,
    }
    assert done.candidate.full_name in str(next(iter(response.context["messages"])))


# --- the board -----------------------------------------------------------------------------------


def test_the_board_has_a_column_per_open_stage_and_highlights_overdue(client, case_worker, company_a):
    first, second = _introductions(case_worker, company_a, 2)
    _advance(second, case_worker, Stage.INTERESTED)
    Introduction.objects.filter(pk=first.pk).update(next_step_due=timezone.localdate() - datetime.timedelta(days=2))
    client.force_login(case_worker)

    response = client.get(reverse("matching:board"))

    columns = {column.stage: [card.pk for card in column.cards] for column in response.context["columns"]}
    assert list(columns) == [Stage.PROPOSED, Stage.INTERESTED, Stage.INTERVIEW, Stage.TRIAL, Stage.OFFER]
    assert columns[Stage.PROPOSED] == [first.pk]
    assert columns[Stage.INTERESTED] == [second.pk]
    assert response.content.decode().count('data-testid="overdue"') == 1


def test_the_board_filters_by_case_worker_and_location(client, case_worker, admin_user, company_a):
    (mine,) = _introductions(case_worker, company_a, 1)
    abroad = introduce(
        candidate=CandidateFactory(perspective="return", return_country="SY"),
        position=PositionFactory(employer=company_a, abroad=True),
        actor=admin_user,
    )
    client.force_login(case_worker)

    def cards(**params) -> set[int]:
        columns = client.get(reverse("matching:board"), params).context["columns"]
        return {card.pk for column in columns for card in column.cards}

    assert cards() == {mine.pk, abroad.pk}
    assert cards(case_worker="mine") == {mine.pk}
    assert cards(location="abroad") == {abroad.pk}


def test_a_board_move_with_htmx_calls_the_service_and_returns_the_board(client, case_worker, introduction):
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:board_move", args=[introduction.pk]),
        {"to": Stage.INTERESTED, "filters": "case_worker=mine"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    assert response.templates[0].name == "matching/introductions/_board.html"
    introduction.refresh_from_db()
    assert introduction.stage == Stage.INTERESTED
    event = introduction.events.last()
    assert (event.from_stage, event.to_stage, event.actor) == (Stage.PROPOSED, Stage.INTERESTED, case_worker)
    columns = {column.stage: [card.pk for card in column.cards] for column in response.context["columns"]}
    assert columns[Stage.INTERESTED] == [introduction.pk]


def test_a_board_move_without_js_redirects_to_the_board_with_its_filters(client, case_worker, introduction):
    client.force_login(case_worker)

    response = client.post(
        reverse("matching:board_move", args=[introduction.pk]),
        {"to": Stage.CLOSED, "reason": Reason.NOT_REACHED, "filters": "location=germany&evil=1"},
    )

    assert response.status_code == 302
    assert response.url == reverse("matching:board") + "?location=germany"
    introduction.refresh_from_db()
    assert (introduction.stage, introduction.close_reason) == (Stage.CLOSED, Reason.NOT_REACHED)


def test_an_invalid_board_move_writes_nothing(client, case_worker, introduction):
    client.force_login(case_worker)
    url = reverse("matching:board_move", args=[introduction.pk])

    htmx = client.post(url, {"to": Stage.CLOSED}, HTTP_HX_REQUEST="true")
    plain = client.post(url, {"to": Stage.OFFER})

    assert htmx.status_code == 200
    assert 'data-testid="board-error"' in htmx.content.decode()
    assert plain.status_code == 400
    introduction.refresh_from_db()
    assert introduction.stage == Stage.PROPOSED
    assert introduction.events.count() == 1


# --- a candidate's introductions and timeline ----------------------------------------------------


def test_the_candidate_timeline_has_every_step_in_order(client, case_worker, candidate, company_a):
    first = introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)
    second = introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)
    svc.introduction_move(introduction=second, to=Stage.DECLINED, actor=case_worker, reason=Reason.TIMING)
    svc.interviews_propose(
        introduction=first, actor=case_worker, slots=[svc.Slot(starts_at=_in_days(2), place="Erfurt")]
    )
    svc.interview_confirm(interview=first.interviews.get(), actor=case_worker)
    first = _advance(Introduction.objects.get(pk=first.pk), case_worker, Stage.OFFER)
    svc.placement_record(
        introduction=first, actor=case_worker, kind="employment", start_date=timezone.localdate(), place="Erfurt"
    )
    client.force_login(case_worker)

    response = client.get(reverse("matching:candidate_introductions", args=[candidate.pk]))

    timeline = response.context["timeline"]
    kinds = [entry.kind for entry in timeline]
    assert {"stage", "interview_proposed", "interview_confirmed", "interview", "placement", "follow_up"} <= set(kinds)
    assert [entry.at for entry in timeline] == sorted(entry.at for entry in timeline)
    assert len([k for k in kinds if k == "stage"]) == IntroductionEvent.objects.filter(kind="stage").count()
    assert len(response.context["placed"]) == 1
    assert response.content.decode().count('data-testid="introduction-row"') == 2


# --- the start page ------------------------------------------------------------------------------


def test_the_dashboard_shows_what_is_due(client, case_worker, admin_user, company_a, django_assert_max_num_queries):
    client.force_login(case_worker)
    client.get(reverse("matching:dashboard"))
    empty = _count_queries(client, reverse("matching:dashboard"))
    overdue, later, others = (
        *_introductions(case_worker, company_a, 2),
        introduce(candidate=CandidateFactory(), position=PositionFactory(employer=company_a), actor=admin_user),
    )
    Introduction.objects.filter(pk=overdue.pk).update(next_step_due=timezone.localdate() - datetime.timedelta(days=3))
    Introduction.objects.filter(pk=later.pk).update(next_step_due=timezone.localdate() + datetime.timedelta(days=30))
    Introduction.objects.filter(pk=others.pk).update(next_step_due=timezone.localdate())
    svc.interviews_propose(
        introduction=later, actor=case_worker, slots=[svc.Slot(starts_at=_in_days(2), place="Erfurt")]
    )
    svc.interview_confirm(interview=later.interviews.get(), actor=case_worker)
    placed = introduce(
        candidate=CandidateFactory(case_worker=case_worker),
        position=PositionFactory(employer=company_a),
        actor=case_worker,
    )
    _placed(placed, case_worker, timezone.localdate() - datetime.timedelta(days=200))

    # Each card's rows come with what the card shows: no query per row.
    with django_assert_max_num_queries(empty):
        response = client.get(reverse("matching:dashboard"))

    assert [row.pk for row in response.context["due_introductions"]] == [overdue.pk]
    assert [row.introduction_id for row in response.context["upcoming_interviews"]] == [later.pk]
    assert [row.months for row in response.context["due_follow_ups"]] == [6]
    content = response.content.decode()
    assert 'data-testid="due-introduction"' in content
    assert 'data-testid="due-follow-up"' in content
    assert FollowUp.objects.count() == 2


def test_the_allocation_offers_introduce_or_shows_the_open_introduction(client, case_worker, company_a):
    position = PositionFactory(employer=company_a, openings=2)
    first, second = CandidateFactory(), CandidateFactory()
    MatchFactory(candidate=first, position=position, score=80)
    MatchFactory(candidate=second, position=position, score=70)
    introduction = introduce(candidate=first, position=position, actor=case_worker)
    run, _new = allocation_service.request_allocation()
    allocation_service.run_allocation(run.pk)
    client.force_login(case_worker)

    content = client.get(reverse("matching:allocation")).content.decode()

    assert reverse("matching:introduction", args=[introduction.pk]) in content
    assert reverse("matching:introduce", args=[second.pk, position.pk]) in content
    assert reverse("matching:introduce", args=[first.pk, position.pk]) not in content
