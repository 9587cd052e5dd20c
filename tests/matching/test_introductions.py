"""The way from a match to a placement, through the services: consent, the transition table,
interviews, the placement and its follow-ups."""

import datetime
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone, translation

from candidates.models import Status
from candidates.services import consent_withdraw
from employers.models import Position
from matching import introductions as svc
from matching import pipeline
from matching.introduction_selectors import employer_may_see_profile, introductions_for_user
from matching.models import FollowUp, Interview, Introduction, IntroductionEvent, Placement, SharedSection
from matching.pipeline import Reason, Stage
from tests.candidates.factories import CandidateFactory, ConsentFactory, pdf_document
from tests.employers.factories import PositionFactory
from tests.matching.factories import MatchFactory, introduce

pytestmark = pytest.mark.django_db


@pytest.fixture
def position(company_a):
    return PositionFactory(employer=company_a)


@pytest.fixture
def candidate(case_worker):
    return CandidateFactory(case_worker=case_worker)


def _in_a_week() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=7)


# --- consent ------------------------------------------------------------------------------------


def test_the_default_next_step_is_written_in_the_working_language_whoever_asks(candidate, position, case_worker):
    """A record everyone reads does not take the language of the request that created it (an
    English API call or test left "Wait for the employer's answer" on German pages)."""
    with translation.override("en"):
        introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    typed = introduce(
        candidate=CandidateFactory(),
        position=PositionFactory(employer=position.employer),
        actor=case_worker,
        next_step="Call Mr Schulz",
    )

    assert introduction.next_step == "Antwort des Arbeitgebers abwarten"
    assert typed.next_step == "Call Mr Schulz"  # what a person types stays as typed


def test_without_consent_the_introduction_is_refused(candidate, position, case_worker):
    with pytest.raises(ValidationError) as error:
        introduce(candidate=candidate, position=position, actor=case_worker, consent=False)

    assert error.value.code == "no_consent"
    assert "Firma A GmbH" in error.value.messages[0]
    assert not Introduction.objects.exists()


def test_consent_for_one_employer_does_not_allow_another(candidate, position, case_worker, company_b):
    ConsentFactory(candidate=candidate, employer=company_b)
    candidate.desired_occupations.add(position.occupation_id)

    with pytest.raises(ValidationError):
        svc.introduction_create(candidate=candidate, position=position, actor=case_worker)

    assert not Introduction.objects.exists()


def test_a_withdrawn_consent_no_longer_allows_an_introduction(candidate, position, case_worker):
    consent = ConsentFactory(candidate=candidate, employer=position.employer)
    consent_withdraw(consent=consent, actor=case_worker)
    candidate.desired_occupations.add(position.occupation_id)

    with pytest.raises(ValidationError):
        svc.introduction_create(candidate=candidate, position=position, actor=case_worker)


def test_withdrawing_consent_hides_the_profile_of_an_open_introduction(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    listed = introductions_for_user(user=employer_a).get()
    assert employer_may_see_profile(listed)

    consent_withdraw(consent=candidate.consents.get(), actor=case_worker)

    listed = introductions_for_user(user=employer_a).get()
    assert listed.pk == introduction.pk
    assert not employer_may_see_profile(listed)


def test_an_employer_cannot_introduce(candidate, position, employer_a):
    with pytest.raises(PermissionDenied):
        introduce(candidate=candidate, position=position, actor=employer_a)


def test_only_an_open_position_receives_introductions(candidate, position, case_worker):
    Position.objects.filter(pk=position.pk).update(status=Position.Status.PAUSED)
    position.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        introduce(candidate=candidate, position=position, actor=case_worker)

    assert error.value.code == "position_not_open"


# --- what the machine proposed is kept ----------------------------------------------------------


def test_the_recommendation_is_kept_with_the_introduction(candidate, position, case_worker):
    MatchFactory(candidate=candidate, position=position, score=73.5, rank_for_position=2, rank_for_candidate=1)

    introduction = introduce(candidate=candidate, position=position, actor=case_worker)

    assert (introduction.score, introduction.rank_for_position, introduction.rank_for_candidate) == (73.5, 2, 1)
    assert introduction.scoring_config is not None
    assert introduction.scoring_snapshot["weights"]["occupation"] == introduction.scoring_config.weight_occupation


def test_sharing_is_checked(candidate, position, case_worker, private_media):
    foreign = pdf_document(CandidateFactory(), case_worker)

    with pytest.raises(ValidationError):
        introduce(candidate=candidate, position=position, actor=case_worker, documents=[foreign])
    with pytest.raises(ValidationError):
        introduce(candidate=candidate, position=position, actor=case_worker, sections=["secret"])

    introduction = introduce(
        candidate=candidate,
        position=position,
        actor=case_worker,
        sections=[SharedSection.LANGUAGES, SharedSection.CONTACT],
    )
    assert introduction.shared_sections == [SharedSection.CONTACT, SharedSection.LANGUAGES]


# --- one open introduction per pair -------------------------------------------------------------


def test_a_second_open_introduction_of_the_pair_is_refused(candidate, position, case_worker):
    introduce(candidate=candidate, position=position, actor=case_worker)

    with pytest.raises(ValidationError) as error:
        svc.introduction_create(candidate=candidate, position=position, actor=case_worker)

    assert error.value.code == "duplicate"
    assert Introduction.objects.count() == 1


def test_after_closing_the_pair_may_be_introduced_again(candidate, position, case_worker):
    first = introduce(candidate=candidate, position=position, actor=case_worker)
    svc.introduction_move(introduction=first, to=Stage.CLOSED, actor=case_worker, reason=Reason.NOT_REACHED)

    svc.introduction_create(candidate=candidate, position=position, actor=case_worker)

    assert Introduction.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_case_workers_at_the_same_moment_make_one_row(candidate, position, case_worker, admin_user):
    ConsentFactory(candidate=candidate, employer=position.employer)
    candidate.desired_occupations.add(position.occupation_id)
    barrier = threading.Barrier(2)
    outcomes = []

    def act(user):
        try:
            barrier.wait()
            svc.introduction_create(candidate=candidate, position=position, actor=user)
            outcomes.append("created")
        except ValidationError as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(user,)) for user in (case_worker, admin_user)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created", "duplicate"]
    assert Introduction.objects.count() == 1


# --- the transition table -----------------------------------------------------------------------


def _at_stage(introduction, stage, actor):
    """Walk an introduction to `stage` along the shortest allowed path."""
    path = {
        Stage.PROPOSED: [],
        Stage.INTERESTED: [Stage.INTERESTED],
        Stage.INTERVIEW: [Stage.INTERVIEW],
        Stage.TRIAL: [Stage.INTERVIEW, Stage.TRIAL],
        Stage.OFFER: [Stage.INTERESTED, Stage.OFFER],
    }[stage]
    for step in path:
        introduction = svc.introduction_move(introduction=introduction, to=step, actor=actor)
    return introduction


def _reason(to):
    reasons = pipeline.reasons_for(to)
    return reasons[0] if reasons else ""


INVALID_STAFF_MOVES = [
    (stage, to)
    for stage in pipeline.OPEN_STAGES
    for to in Stage.values
    if not pipeline.may_move(stage, to, actor=pipeline.STAFF) and to != Stage.PLACED
]


@pytest.mark.parametrize(("stage", "to"), INVALID_STAFF_MOVES)
def test_every_move_outside_the_table_is_refused(candidate, position, case_worker, stage, to):
    introduction = _at_stage(introduce(candidate=candidate, position=position, actor=case_worker), stage, case_worker)
    events = IntroductionEvent.objects.count()

    with pytest.raises(ValidationError):
        svc.introduction_move(introduction=introduction, to=to, actor=case_worker, reason=_reason(to))

    introduction.refresh_from_db()
    assert introduction.stage == stage
    assert IntroductionEvent.objects.count() == events


@pytest.mark.parametrize("final", pipeline.CLOSING_STAGES)
def test_a_closed_introduction_moves_nowhere(candidate, position, case_worker, final):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    introduction = svc.introduction_move(introduction=introduction, to=final, actor=case_worker, reason=_reason(final))

    for to in Stage.values:
        with pytest.raises(ValidationError):
            svc.introduction_move(introduction=introduction, to=to, actor=case_worker, reason=_reason(to))


@pytest.mark.parametrize(
    ("stage", "to"),
    [(stage, to) for stage, moves in pipeline.TRANSITIONS.items() for to in moves if to != Stage.PLACED],
)
def test_every_move_in_the_table_is_recorded(candidate, position, case_worker, stage, to):
    introduction = _at_stage(introduce(candidate=candidate, position=position, actor=case_worker), stage, case_worker)

    moved = svc.introduction_move(
        introduction=introduction, to=to, actor=case_worker, reason=_reason(to), comment="telefoniert"
    )

    assert moved.stage == to
    event = moved.events.filter(kind=IntroductionEvent.Kind.STAGE).last()
    assert (event.from_stage, event.to_stage, event.reason, event.comment, event.actor) == (
        stage,
        to,
        _reason(to),
        "telefoniert",
        case_worker,
    )
    if to in pipeline.FINAL_STAGES:
        assert moved.closed_at is not None
        assert moved.reached_stage == stage  # the last stage reached is kept
        assert (moved.next_step, moved.next_step_due) == ("", None)  # nothing is due any more


@pytest.mark.parametrize("to", pipeline.CLOSING_STAGES)
def test_a_closing_stage_needs_one_of_its_reasons(candidate, position, case_worker, to):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    foreign = next(code for code in Reason.values if code not in pipeline.reasons_for(to))

    for reason in ("", foreign):
        with pytest.raises(ValidationError):
            svc.introduction_move(introduction=introduction, to=to, actor=case_worker, reason=reason)

    assert Introduction.objects.get().stage == Stage.PROPOSED


def test_the_employer_may_answer_but_not_move_on_by_themselves(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)

    for to in (Stage.INTERVIEW, Stage.WITHDRAWN, Stage.CLOSED):
        with pytest.raises(ValidationError):
            svc.introduction_move(introduction=introduction, to=to, actor=employer_a, reason=_reason(to))
    moved = svc.introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=employer_a)

    assert moved.stage == Stage.INTERESTED
    assert moved.events.last().actor == employer_a


def test_placed_is_reached_only_by_recording_the_placement(candidate, position, case_worker):
    introduction = _at_stage(
        introduce(candidate=candidate, position=position, actor=case_worker), Stage.OFFER, case_worker
    )

    with pytest.raises(ValidationError) as error:
        svc.introduction_move(introduction=introduction, to=Stage.PLACED, actor=case_worker)

    assert error.value.code == "placement"


def test_close_several_at_once_records_each(candidate, case_worker, company_a):
    introductions = [
        introduce(candidate=candidate, position=PositionFactory(employer=company_a), actor=case_worker)
        for _ in range(3)
    ]
    svc.introduction_move(introduction=introductions[0], to=Stage.DECLINED, actor=case_worker, reason=Reason.TIMING)

    result = svc.introductions_close(introductions=introductions, actor=case_worker, reason=Reason.POSITION_FILLED)

    assert len(result.moved) == 2
    assert [i.pk for i, _message in result.refused] == [introductions[0].pk]
    assert IntroductionEvent.objects.filter(to_stage=Stage.CLOSED, reason=Reason.POSITION_FILLED).count() == 2


# --- interviews ---------------------------------------------------------------------------------


def test_employer_proposes_dates_and_the_case_worker_confirms_one(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)

    first, second = svc.interviews_propose(
        introduction=introduction,
        actor=employer_a,
        slots=[
            svc.Slot(_in_a_week(), place="Werkhalle 2"),
            svc.Slot(_in_a_week(), online_link="https://meet.example/x"),
        ],
    )
    introduction.refresh_from_db()
    assert introduction.stage == Stage.INTERESTED  # proposing dates says they are interested

    svc.interview_confirm(interview=second, actor=case_worker)

    introduction.refresh_from_db()
    assert introduction.stage == Stage.INTERVIEW
    assert dict(Interview.objects.values_list("pk", "status")) == {
        first.pk: Interview.Status.LAPSED,
        second.pk: Interview.Status.CONFIRMED,
    }
    kinds = list(introduction.events.values_list("kind", flat=True))
    assert kinds == ["stage", "stage", "interview_proposed", "stage", "interview_confirmed"]


def test_an_interview_needs_a_future_date_and_a_place_or_link(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)

    with pytest.raises(ValidationError):
        svc.interviews_propose(introduction=introduction, actor=employer_a, slots=[svc.Slot(_in_a_week())])
    past = timezone.now() - datetime.timedelta(hours=1)
    with pytest.raises(ValidationError):
        svc.interviews_propose(introduction=introduction, actor=employer_a, slots=[svc.Slot(past, place="Büro")])

    assert not Interview.objects.exists()
    assert Introduction.objects.get().stage == Stage.PROPOSED


def test_the_employer_cannot_confirm_an_interview(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    (interview,) = svc.interviews_propose(
        introduction=introduction, actor=employer_a, slots=[svc.Slot(_in_a_week(), place="Büro")]
    )

    with pytest.raises(PermissionDenied):
        svc.interview_confirm(interview=interview, actor=employer_a)


# --- placement and follow-up --------------------------------------------------------------------


def test_a_placement_updates_candidate_and_position(candidate, position, case_worker):
    introduction = _at_stage(
        introduce(candidate=candidate, position=position, actor=case_worker), Stage.OFFER, case_worker
    )
    start = datetime.date(2027, 1, 4)

    placement = svc.placement_record(
        introduction=introduction,
        actor=case_worker,
        kind=Placement.Kind.EMPLOYMENT,
        start_date=start,
        place="Erfurt",
    )

    introduction.refresh_from_db()
    candidate.refresh_from_db()
    position.refresh_from_db()
    assert (introduction.stage, introduction.reached_stage) == (Stage.PLACED, Stage.PLACED)
    assert candidate.status == Status.PLACED
    assert position.status == Position.Status.FILLED  # one opening, now taken
    assert position.rescore_requested_at is not None
    assert list(placement.follow_ups.values_list("months", "due_on")) == [
        (6, datetime.date(2027, 7, 4)),
        (12, datetime.date(2028, 1, 4)),
    ]


def test_a_return_placement_marks_the_candidate_returned_and_leaves_openings(case_worker, company_a):
    position = PositionFactory(employer=company_a, abroad=True, openings=2)
    candidate = CandidateFactory(perspective="return", return_country="SY")
    introduction = _at_stage(
        introduce(candidate=candidate, position=position, actor=case_worker), Stage.OFFER, case_worker
    )

    svc.placement_record(
        introduction=introduction,
        actor=case_worker,
        kind=svc.placement_kind_for(position),
        start_date=datetime.date(2027, 3, 1),
        place="Aleppo",
        fixed_term=True,
        end_date=datetime.date(2028, 2, 28),
    )

    candidate.refresh_from_db()
    position.refresh_from_db()
    assert candidate.status == Status.RETURNED
    assert position.status == Position.Status.OPEN
    assert svc.openings_left(position) == 1


def test_a_placement_before_the_offer_or_with_bad_dates_is_refused(candidate, position, case_worker):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    with pytest.raises(ValidationError):
        svc.placement_record(
            introduction=introduction,
            actor=case_worker,
            kind="employment",
            start_date=datetime.date(2027, 1, 1),
            place="Erfurt",
        )
    introduction = _at_stage(introduction, Stage.OFFER, case_worker)
    with pytest.raises(ValidationError):
        svc.placement_record(
            introduction=introduction,
            actor=case_worker,
            kind="employment",
            start_date=datetime.date(2027, 1, 1),
            place="Erfurt",
            fixed_term=True,
        )

    assert not Placement.objects.exists()
    assert Introduction.objects.get().stage == Stage.OFFER
    candidate.refresh_from_db()
    assert candidate.status == Status.ACTIVE


def test_a_follow_up_is_recorded(candidate, position, case_worker):
    introduction = _at_stage(
        introduce(candidate=candidate, position=position, actor=case_worker), Stage.OFFER, case_worker
    )
    placement = svc.placement_record(
        introduction=introduction,
        actor=case_worker,
        kind="employment",
        start_date=datetime.date(2026, 1, 5),
        place="Erfurt",
    )
    follow_up = placement.follow_ups.get(months=6)

    with pytest.raises(ValidationError):
        svc.follow_up_record(follow_up=follow_up, actor=case_worker, outcome="maybe")
    svc.follow_up_record(follow_up=follow_up, actor=case_worker, outcome=FollowUp.Outcome.IN_WORK, note="zufrieden")

    follow_up.refresh_from_db()
    assert (follow_up.outcome, follow_up.recorded_by) == (FollowUp.Outcome.IN_WORK, case_worker)
    assert follow_up.recorded_at is not None


def test_an_employer_acts_only_on_their_own_organisations_introductions(
    candidate, position, case_worker, employer_b, company_b
):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)

    with pytest.raises(PermissionDenied):
        svc.introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=employer_b)
    with pytest.raises(PermissionDenied):
        svc.interviews_propose(introduction=introduction, actor=employer_b, slots=[svc.Slot(_in_a_week(), place="B")])

    assert Introduction.objects.get().stage == Stage.PROPOSED
    assert not Interview.objects.exists()


def test_an_employer_cannot_answer_once_the_consent_is_withdrawn(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    consent_withdraw(consent=candidate.consents.get(), actor=case_worker)

    with pytest.raises(PermissionDenied):
        svc.introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=employer_a)

    assert Introduction.objects.get().stage == Stage.PROPOSED
