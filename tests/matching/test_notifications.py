"""The e-mails of the way from a match to a placement: who gets which mail, in which language and
with which content; none when the change rolls back; reminders and the digest once.

Sent in this process (`notification_send`) into Django's test mailbox; the real worker's part is in
test_notifications_worker.py.
"""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from bridges.models import Notification
from bridges.notifications import notification_send
from matching import introductions as svc
from matching import notifications
from matching.models import FollowUp, Interview, Introduction
from matching.pipeline import Reason, Stage
from tests.candidates.factories import CandidateFactory
from tests.employers.factories import MembershipFactory, PositionFactory
from tests.factories import CaseWorkerFactory, UserFactory
from tests.matching.factories import MatchDecisionFactory, MatchFactory, introduce

pytestmark = pytest.mark.django_db

SITE = "https://bridges.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


@pytest.fixture
def position(company_a):
    return PositionFactory(employer=company_a, title="Schweißer/in (m/w/d)")


@pytest.fixture
def candidate(case_worker):
    return CandidateFactory(case_worker=case_worker, first_name="Amina", last_name="Al-Hassan")


def send_all() -> list:
    """Send every unsent row here, as the task would after the commit; the mails sent."""
    mail.outbox.clear()
    for pk in Notification.objects.filter(sent_at__isnull=True).order_by("pk").values_list("pk", flat=True):
        notification_send(notification_id=pk)
    return list(mail.outbox)


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def _slots(*days: int) -> list[svc.Slot]:
    return [
        svc.Slot(starts_at=timezone.now() + datetime.timedelta(days=day), place="Erfurt, Juri-Gagarin-Ring 1")
        for day in days
    ]


# --- a new introduction → the employer's users --------------------------------------------------


def test_new_introduction_mails_every_user_of_the_positions_organisation_only(
    candidate, position, case_worker, employer_a, company_b, employer_b
):
    colleague = MembershipFactory(employer=position.employer, user=UserFactory(email="kollege@firma-a.example")).user

    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    sent = send_all()

    assert sorted(message.to[0] for message in sent) == sorted([employer_a.email, colleague.email])
    assert all(row.sent_at for row in Notification.objects.all())
    assert employer_b.email not in {message.to[0] for message in sent}
    message = sent[0]
    url = f"{SITE}/employer/introductions/{introduction.pk}/"
    assert "Schweißer/in (m/w/d)" in message.subject
    assert url in message.body
    assert f'href="{url}"' in html_of(message)


def test_employer_mail_names_the_position_but_never_the_candidate(candidate, position, case_worker, employer_a):
    introduce(candidate=candidate, position=position, actor=case_worker, message="Frau Al-Hassan ist toll")
    [message] = send_all()

    for text in (message.subject, message.body, html_of(message)):
        assert "Amina" not in text
        assert "Al-Hassan" not in text
        assert str(candidate.date_of_birth.year) not in text
    assert case_worker.email in message.body  # the contact person


def test_mail_is_in_the_recipients_language(candidate, position, case_worker, employer_a):
    colleague = MembershipFactory(
        employer=position.employer, user=UserFactory(email="colleague@firma-a.example", language="en")
    ).user

    introduce(candidate=candidate, position=position, actor=case_worker)
    by_address = {message.to[0]: message for message in send_all()}

    german, english = by_address[employer_a.email], by_address[colleague.email]
    assert "Vermittlungsvorschlag" in german.subject
    assert "Guten Tag" in german.body
    assert 'lang="de"' in html_of(german)
    assert "introduction" in english.subject.lower()
    assert "Hello" in english.body
    assert 'lang="en"' in html_of(english)
    assert "Vermittlungsvorschlag" not in english.body


def test_html_part_escapes_what_people_typed(candidate, case_worker, company_a, employer_a):
    position = PositionFactory(employer=company_a, title="<script>alert(1)</script> & Co")

    introduce(candidate=candidate, position=position, actor=case_worker)
    [message] = send_all()

    assert "<script>" not in html_of(message)
    assert "&lt;script&gt;" in html_of(message)
    assert "<script>alert(1)</script> & Co" in message.body  # plain text is not HTML-escaped
    assert "<script>alert(1)</script> & Co" in message.subject


def test_nothing_is_written_or_queued_when_the_transaction_rolls_back(
    candidate, position, case_worker, employer_a, django_capture_on_commit_callbacks
):
    written = []

    def request_that_fails() -> None:
        with transaction.atomic():
            introduce(candidate=candidate, position=position, actor=case_worker)
            written.append(Notification.objects.count())
            raise RuntimeError("the request failed later")

    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError):
        request_that_fails()

    assert written == [1]

    assert not Introduction.objects.exists()
    assert not Notification.objects.exists()
    assert callbacks == []
    assert send_all() == []


def test_a_refused_introduction_sends_nothing(candidate, position, case_worker, employer_a):
    with pytest.raises(ValidationError) as error:
        introduce(candidate=candidate, position=position, actor=case_worker, consent=False)

    assert error.value.code == "no_consent"

    assert not Notification.objects.exists()


def test_the_mail_is_queued_for_after_the_commit(
    candidate, position, case_worker, employer_a, django_capture_on_commit_callbacks, monkeypatch
):
    queued = []
    monkeypatch.setattr("bridges.tasks._send", lambda name, args: queued.append((name, args)))

    with django_capture_on_commit_callbacks(execute=True):
        introduce(candidate=candidate, position=position, actor=case_worker)
        assert queued == []

    row = Notification.objects.get()
    assert ("bridges.send_notification", (row.pk,)) in queued


# --- interviews and the employer's answer --------------------------------------------------------


def test_confirmed_interview_mails_the_employer_with_date_and_place(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    interviews = svc.interviews_propose(introduction=introduction, actor=employer_a, slots=_slots(3, 4))
    send_all()

    svc.interview_confirm(interview=interviews[1], actor=case_worker)
    [message] = send_all()

    assert message.to == [employer_a.email]
    when = timezone.localtime(interviews[1].starts_at)
    assert "bestätigt" in message.subject
    assert f"{when:%H:%M}" in message.body
    assert "Erfurt, Juri-Gagarin-Ring 1" in message.body
    assert f"{SITE}/employer/introductions/{introduction.pk}/" in message.body
    assert "Amina" not in message.body


def test_employers_answer_mails_the_responsible_case_worker(candidate, position, case_worker, employer_a):
    colleague = CaseWorkerFactory(language="en")
    introduction = introduce(candidate=candidate, position=position, actor=case_worker, case_worker=colleague)
    send_all()

    svc.introduction_move(
        introduction=introduction,
        to=Stage.DECLINED,
        actor=employer_a,
        reason=Reason.LANGUAGE,
        comment="Deutsch noch zu schwach",
    )
    [message] = send_all()

    assert message.to == [colleague.email]
    assert "Amina Al-Hassan" in message.subject
    assert "The employer declined: the language level is not enough." in message.body
    assert "Deutsch noch zu schwach" in message.body
    assert f"{SITE}/dashboard/introductions/{introduction.pk}/" in message.body
    assert f"{SITE}/dashboard/introductions/{introduction.pk}/" in html_of(message)


def test_interest_with_interview_dates_is_one_mail(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    send_all()

    interviews = svc.interviews_propose(
        introduction=introduction, actor=employer_a, slots=_slots(3, 5), comment="Gerne vor Ort"
    )
    [message] = send_all()

    assert message.to == [case_worker.email]
    assert "interessiert" in message.body
    for interview in interviews:
        assert f"{timezone.localtime(interview.starts_at):%H:%M}" in message.body
    assert message.body.count("Gerne vor Ort") == 1


def test_a_case_workers_own_moves_send_no_mail(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    send_all()

    svc.introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=case_worker)
    svc.interviews_propose(introduction=introduction, actor=case_worker, slots=_slots(2))

    assert send_all() == []


def test_without_any_case_worker_the_answer_sends_nothing(position, case_worker, employer_a):
    candidate = CandidateFactory(case_worker=None)
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    case_worker.is_active = False
    case_worker.save()
    send_all()

    svc.introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=employer_a)

    assert send_all() == []


# --- reminders ----------------------------------------------------------------------------------


def _confirmed_interview(introduction, employer, case_worker, *, hours: float) -> Interview:
    [interview] = svc.interviews_propose(introduction=introduction, actor=employer, slots=_slots(3))
    svc.interview_confirm(interview=interview, actor=case_worker)
    Interview.objects.filter(pk=interview.pk).update(starts_at=timezone.now() + datetime.timedelta(hours=hours))
    return Interview.objects.get(pk=interview.pk)


def test_interview_reminder_goes_once_to_case_worker_and_employer(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    interview = _confirmed_interview(introduction, employer_a, case_worker, hours=20)
    send_all()

    assert notifications.interview_reminders_send() == 1
    assert notifications.interview_reminders_send() == 0
    sent = send_all()

    assert sorted(message.to[0] for message in sent) == sorted([case_worker.email, employer_a.email])
    by_address = {message.to[0]: message for message in sent}
    assert "Amina Al-Hassan" in by_address[case_worker.email].body
    assert "Amina" not in by_address[employer_a.email].body
    assert "Erinnerung" in by_address[employer_a.email].subject
    assert Interview.objects.get(pk=interview.pk).reminder_sent_at is not None


def test_no_reminder_for_an_interview_more_than_a_day_ahead(candidate, position, case_worker, employer_a):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    _confirmed_interview(introduction, employer_a, case_worker, hours=30)
    send_all()

    assert notifications.interview_reminders_send() == 0
    assert send_all() == []


def test_next_step_reminder_once_a_day_in_one_mail_per_case_worker(company_a, case_worker, employer_a):
    today = timezone.localdate()
    intros = []
    for due in (today, today - datetime.timedelta(days=3), today + datetime.timedelta(days=1)):
        candidate = CandidateFactory(case_worker=case_worker)
        intros.append(
            introduce(
                candidate=candidate,
                position=PositionFactory(employer=company_a),
                actor=case_worker,
                next_step="Rückmeldung einholen",
                next_step_due=due,
            )
        )
    send_all()

    assert notifications.next_step_reminders_send(today=today) == 2
    assert notifications.next_step_reminders_send(today=today) == 0
    [message] = send_all()

    assert message.to == [case_worker.email]
    assert "2" in message.subject
    assert f"{SITE}/dashboard/introductions/{intros[0].pk}/" in message.body
    assert f"{SITE}/dashboard/introductions/{intros[1].pk}/" in message.body
    assert f"/dashboard/introductions/{intros[2].pk}/" not in message.body
    assert "überfällig" in message.body

    # The next day the overdue steps are due again; a closed introduction is not.
    svc.introduction_move(introduction=intros[0], to=Stage.CLOSED, actor=case_worker, reason=Reason.OTHER)
    assert notifications.next_step_reminders_send(today=today + datetime.timedelta(days=1)) == 2


def _placed(candidate, position, case_worker, employer):
    introduction = introduce(candidate=candidate, position=position, actor=case_worker)
    svc.introduction_move(introduction=introduction, to=Stage.INTERESTED, actor=employer)
    svc.introduction_move(introduction=introduction, to=Stage.OFFER, actor=employer)
    return svc.placement_record(
        introduction=introduction,
        actor=case_worker,
        kind="employment",
        start_date=timezone.localdate() - datetime.timedelta(days=200),
        place="Erfurt",
    )


def test_follow_up_reminder_once_and_again_after_two_weeks(candidate, position, case_worker, employer_a):
    placement = _placed(candidate, position, case_worker, employer_a)
    send_all()
    today = timezone.localdate()

    assert notifications.follow_up_reminders_send(today=today) == 1  # 6 months: due; 12 months: not yet
    assert notifications.follow_up_reminders_send(today=today) == 0
    assert notifications.follow_up_reminders_send(today=today + datetime.timedelta(days=13)) == 0
    [message] = send_all()
    assert message.to == [case_worker.email]
    assert "Amina Al-Hassan" in message.body
    assert "6 Monate" in message.body

    assert notifications.follow_up_reminders_send(today=today + datetime.timedelta(days=14)) == 1
    follow_up = placement.follow_ups.get(months=6)
    svc.follow_up_record(follow_up=follow_up, actor=case_worker, outcome=FollowUp.Outcome.IN_WORK)
    assert notifications.follow_up_reminders_send(today=today + datetime.timedelta(days=40)) == 0


# --- the daily digest ---------------------------------------------------------------------------


@pytest.fixture
def strong_match(candidate, position):
    return MatchFactory(candidate=candidate, position=position, score=84.25)


def test_digest_lists_new_strong_matches_of_the_case_workers_candidates(
    strong_match, candidate, case_worker, company_a
):
    weak = MatchFactory(candidate=candidate, position=PositionFactory(employer=company_a), score=50)
    decided = MatchFactory(candidate=candidate, position=PositionFactory(employer=company_a), score=90)
    MatchDecisionFactory(candidate=candidate, position=decided.position)
    # named apart from the fixture: the factory's names repeat every 72 candidates
    other = CandidateFactory(case_worker=CaseWorkerFactory(), first_name="Lena", last_name="Weber")
    others = MatchFactory(candidate=other, score=95)

    assert notifications.digest_send(user=case_worker) is True
    [message] = [m for m in send_all() if m.to == [case_worker.email]]

    assert "1 neuer" in message.subject
    assert "Amina Al-Hassan" in message.body
    assert strong_match.position.title in message.body
    assert "84,2" in message.body or "84,3" in message.body
    assert f"{SITE}/dashboard/explain/{candidate.pk}/{strong_match.position_id}/" in message.body
    assert weak.position.title not in message.body
    assert decided.position.title not in message.body
    assert others.candidate.full_name not in message.body
    assert "http" in html_of(message)


def test_digest_goes_once_a_day_and_never_repeats_a_pair(strong_match, candidate, case_worker, company_a):
    now = timezone.now()

    assert notifications.digests_send(now=now) == 1
    assert notifications.digests_send(now=now) == 0
    # Tomorrow: nothing new, nothing sent; a new strong match is.
    tomorrow = now + datetime.timedelta(days=1)
    assert notifications.digests_send(now=tomorrow) == 0
    new = MatchFactory(candidate=candidate, position=PositionFactory(employer=company_a), score=77)
    assert notifications.digests_send(now=tomorrow) == 1

    latest = Notification.objects.order_by("-pk").first()
    assert latest.context["pairs"] == [[candidate.pk, new.position_id]]


def test_digest_respects_the_opt_out(strong_match, case_worker):
    case_worker.digest_enabled = False
    case_worker.save()

    assert notifications.digests_send() == 0
    assert not Notification.objects.exists()


def test_no_digest_without_new_matches(case_worker, candidate):
    assert notifications.digests_send() == 0
    assert not Notification.objects.exists()


def test_digest_in_english_for_an_english_case_worker(position):
    english = CaseWorkerFactory(language="en")
    candidate = CandidateFactory(case_worker=english)
    MatchFactory(candidate=candidate, position=position, score=88)

    assert notifications.digests_send() == 1
    [message] = send_all()

    assert "1 new strong match" in message.subject
    assert "88.0" in message.body
