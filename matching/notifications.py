"""The e-mails of the way from a match to a placement, written to the outbox (`bridges.notifications`).

Events (called by `matching.introductions` inside the transaction of the change, so a rolled-back
change sends nothing):

- a new introduction → the employer users of the position's organisation;
- an interview date confirmed → those employer users;
- the employer's answer (interested, declined, offer, interview dates proposed) → the responsible
  case worker; answers that arrive before the first mail went out are told in that one mail.

Scheduled (Celery beat, `matching.tasks`), each idempotent (a second run sends nothing again):

- interview reminders: confirmed interviews in the next 24 hours, once (`Interview.reminder_sent_at`),
  to the case worker and the employer users;
- next-step reminders: open introductions whose next step is due or overdue, at most once a day
  (`Introduction.next_step_reminded_on`), one mail per case worker;
- follow-up reminders: follow-ups due without an outcome, once and again every 14 days
  (`FollowUp.reminded_on`), one mail per case worker;
- the daily digest: new strong matches for each case worker's candidates, unless switched off
  (`User.digest_enabled`); a pair is listed once, nothing is sent on a day without new pairs.

Employers' mails name the position and never the candidate: the candidate's data is on the page
behind the link, as far as the candidate consented to share it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from bridges.models import Notification, Role, User
from bridges.notifications import absolute_url, encode, notify, requeue
from employers.models import Position
from matching import pipeline
from matching.models import FollowUp, Interview, Introduction, Match, MatchDecision

INTRODUCTION_NEW = "matching/email/introduction_new"
INTERVIEW_CONFIRMED = "matching/email/interview_confirmed"
EMPLOYER_ANSWERED = "matching/email/employer_answered"
INTERVIEW_REMINDER = "matching/email/interview_reminder"
NEXT_STEP_REMINDER = "matching/email/next_step_reminder"
FOLLOW_UP_REMINDER = "matching/email/follow_up_reminder"
DIGEST = "matching/email/digest"

INTERVIEW_REMINDER_AHEAD = datetime.timedelta(hours=24)
FOLLOW_UP_REMIND_AGAIN = datetime.timedelta(days=14)
# The digest lists this many pairs (the best); it counts the others and links the match lists.
DIGEST_ITEMS = 20


# --- links and recipients -----------------------------------------------------------------------


def employer_introduction_url(introduction_id: int) -> str:
    """The employer's page of an introduction."""
    return absolute_url(reverse("proposals:detail", kwargs={"pk": introduction_id}))


def staff_introduction_url(introduction_id: int) -> str:
    """The case workers' page of an introduction."""
    return absolute_url(reverse("matching:introduction", kwargs={"pk": introduction_id}))


def employer_users(employer_id: int) -> QuerySet[User]:
    """The active users of an employer organisation."""
    return User.objects.filter(role=Role.EMPLOYER, is_active=True, membership__employer_id=employer_id)


def responsible_case_worker(introduction: Introduction) -> User | None:
    """Who hears about an introduction: its case worker, else the candidate's, else who introduced."""
    for user in (introduction.case_worker, introduction.candidate.case_worker, introduction.created_by):
        if user is not None and user.is_active and user.works_cases:
            return user
    return None


def _about(introduction: Introduction) -> dict:
    """What every mail about an introduction says: position and organisation (no candidate)."""
    return {
        "introduction_id": introduction.pk,
        "position": introduction.position.title,
        "employer": introduction.position.employer.name,
    }


def _for_staff(introduction: Introduction) -> dict:
    return {
        **_about(introduction),
        "candidate": introduction.candidate.full_name,
        "url": staff_introduction_url(introduction.pk),
    }


def _slot(interview: Interview) -> dict:
    return {"starts_at": interview.starts_at, "place": interview.place, "online_link": interview.online_link}


# --- events -------------------------------------------------------------------------------------


def introduction_created(introduction: Introduction) -> None:
    """Tell the employer users that a candidate was proposed for their position."""
    case_worker = responsible_case_worker(introduction)
    notify(
        users=employer_users(introduction.position.employer_id),
        template=INTRODUCTION_NEW,
        context={
            **_about(introduction),
            "url": employer_introduction_url(introduction.pk),
            "case_worker": case_worker.get_full_name() if case_worker else "",
            "case_worker_email": case_worker.email if case_worker else "",
        },
    )


def interview_confirmed(interview: Interview) -> None:
    """Tell the employer users which interview date the case worker confirmed."""
    introduction = interview.introduction
    notify(
        users=employer_users(introduction.position.employer_id),
        template=INTERVIEW_CONFIRMED,
        context={**_about(introduction), **_slot(interview), "url": employer_introduction_url(introduction.pk)},
    )


def introduction_moved(*, introduction: Introduction, actor: User, comment: str = "") -> None:
    """Tell the responsible case worker what the employer answered (a move made by an employer)."""
    if not actor.is_authenticated or not actor.is_employer:
        return
    stage = introduction.stage
    answer = {"stage": stage, "stage_label": pipeline.Stage(stage).label, "comment": comment.strip()}
    if introduction.close_reason and stage in pipeline.CLOSING_STAGES:
        answer["reason_code"] = introduction.close_reason
        answer["reason"] = pipeline.Reason(introduction.close_reason).label
    _employer_answered(introduction, answer)


def interviews_proposed(
    *, introduction: Introduction, interviews: Sequence[Interview], actor: User, comment: str = ""
) -> None:
    """Tell the responsible case worker the interview dates an employer proposed."""
    if not actor.is_authenticated or not actor.is_employer:
        return
    answer = {"stage": "", "interviews": [_slot(interview) for interview in interviews], "comment": comment.strip()}
    _employer_answered(introduction, answer)


def _employer_answered(introduction: Introduction, answer: dict) -> None:
    case_worker = responsible_case_worker(introduction)
    if case_worker is None:
        return
    # An answer that is not sent yet (the same request, or a worker that has not got to it) takes
    # this one too: "interested, and here are dates" is one mail.
    pending = (
        Notification.objects.select_for_update(skip_locked=True)
        .filter(
            recipient=case_worker,
            template=EMPLOYER_ANSWERED,
            sent_at__isnull=True,
            attempts=0,
            context__introduction_id=introduction.pk,
        )
        .order_by("-created_at")
        .first()
    )
    if pending is not None:
        answers = pending.context.get("answers", [])
        if answer["comment"] and any(earlier.get("comment") == answer["comment"] for earlier in answers):
            answer["comment"] = ""
        pending.context = {**pending.context, "answers": [*answers, encode(answer)]}
        pending.save(update_fields=["context"])
        requeue(pending)
        return
    notify(users=[case_worker], template=EMPLOYER_ANSWERED, context={**_for_staff(introduction), "answers": [answer]})


# --- reminders ----------------------------------------------------------------------------------


@transaction.atomic
def interview_reminders_send(*, now: datetime.datetime | None = None) -> int:
    """Remind the case worker and the employer users of each confirmed interview in the next
    24 hours, once. Returns how many interviews were reminded."""
    now = now or timezone.now()
    interviews = list(
        Interview.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related(
            "introduction__candidate__case_worker",
            "introduction__case_worker",
            "introduction__created_by",
            "introduction__position__employer",
        )
        .filter(
            status=Interview.Status.CONFIRMED,
            reminder_sent_at__isnull=True,
            starts_at__gt=now,
            starts_at__lte=now + INTERVIEW_REMINDER_AHEAD,
            introduction__stage__in=pipeline.OPEN_STAGES,
        )
    )
    for interview in interviews:
        introduction = interview.introduction
        interview.reminder_sent_at = now
        interview.save(update_fields=["reminder_sent_at"])
        notify(
            users=employer_users(introduction.position.employer_id),
            template=INTERVIEW_REMINDER,
            context={
                **_about(introduction),
                **_slot(interview),
                "for_employer": True,
                "url": employer_introduction_url(introduction.pk),
            },
        )
        case_worker = responsible_case_worker(introduction)
        if case_worker is not None:
            notify(
                users=[case_worker],
                template=INTERVIEW_REMINDER,
                context={**_for_staff(introduction), **_slot(interview), "for_employer": False},
            )
    return len(interviews)


def _per_case_worker(rows: Iterable, introduction_of) -> dict[User, list]:
    grouped: dict[User, list] = defaultdict(list)
    for row in rows:
        case_worker = responsible_case_worker(introduction_of(row))
        if case_worker is not None:
            grouped[case_worker].append(row)
    return grouped


@transaction.atomic
def next_step_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind each responsible case worker of the next steps due or overdue, in one mail, at most
    once a day per introduction. Returns how many introductions were reminded."""
    today = today or timezone.localdate()
    introductions = list(
        Introduction.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("candidate__case_worker", "case_worker", "created_by", "position__employer")
        .filter(stage__in=pipeline.OPEN_STAGES, next_step_due__lte=today)
        .filter(Q(next_step_reminded_on__isnull=True) | Q(next_step_reminded_on__lt=today))
        .order_by("next_step_due", "pk")
    )
    Introduction.objects.filter(pk__in=[i.pk for i in introductions]).update(next_step_reminded_on=today)
    for case_worker, rows in _per_case_worker(introductions, lambda row: row).items():
        items = [
            {
                **_for_staff(introduction),
                "next_step": introduction.next_step,
                "due": introduction.next_step_due,
                "overdue": introduction.next_step_due < today,
            }
            for introduction in rows
        ]
        notify(users=[case_worker], template=NEXT_STEP_REMINDER, context={"items": items})
    return len(introductions)


@transaction.atomic
def follow_up_reminders_send(*, today: datetime.date | None = None) -> int:
    """Remind the responsible case worker of each follow-up that is due without an outcome, once
    and again every 14 days, one mail per case worker. Returns how many follow-ups were reminded."""
    today = today or timezone.localdate()
    follow_ups = list(
        FollowUp.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related(
            "placement__introduction__candidate__case_worker",
            "placement__introduction__case_worker",
            "placement__introduction__created_by",
            "placement__introduction__position__employer",
        )
        .filter(outcome="", due_on__lte=today)
        .filter(Q(reminded_on__isnull=True) | Q(reminded_on__lte=today - FOLLOW_UP_REMIND_AGAIN))
        .order_by("due_on", "pk")
    )
    FollowUp.objects.filter(pk__in=[f.pk for f in follow_ups]).update(reminded_on=today)
    for case_worker, rows in _per_case_worker(follow_ups, lambda row: row.placement.introduction).items():
        items = [
            {
                **_for_staff(follow_up.placement.introduction),
                "months": follow_up.months,
                "due": follow_up.due_on,
                "start_date": follow_up.placement.start_date,
            }
            for follow_up in rows
        ]
        notify(users=[case_worker], template=FOLLOW_UP_REMINDER, context={"items": items})
    return len(follow_ups)


# --- the daily digest ---------------------------------------------------------------------------


def digest_recipients() -> QuerySet[User]:
    """Case workers (and admins) who keep the daily digest on."""
    return User.objects.filter(
        role__in=[Role.CASE_WORKER, Role.ADMIN], is_active=True, digest_enabled=True, candidates__isnull=False
    ).distinct()


def digest_matches(user: User) -> list[Match]:
    """The user's candidates' strong matches that nobody has decided on or introduced and that no
    digest still kept has listed to this user; best first."""
    decided = MatchDecision.objects.filter(candidate_id=OuterRef("candidate_id"), position_id=OuterRef("position_id"))
    introduced = Introduction.objects.filter(candidate_id=OuterRef("candidate_id"), position_id=OuterRef("position_id"))
    listed = {
        tuple(pair)
        for context in Notification.objects.filter(recipient=user, template=DIGEST).values_list("context", flat=True)
        for pair in context.get("pairs", [])
    }
    matches = (
        Match.objects.filter(
            candidate__case_worker=user, score__gte=settings.DIGEST_MIN_SCORE, position__status=Position.Status.OPEN
        )
        .exclude(Exists(decided))
        .exclude(Exists(introduced))
        .select_related("candidate", "position__employer")
        .order_by("-score", "candidate_id", "position_id")
    )
    return [match for match in matches if (match.candidate_id, match.position_id) not in listed]


def digest_send(*, user: User, now: datetime.datetime | None = None) -> bool:
    """Send `user` today's digest if it has anything new and was not sent today; True if written."""
    now = now or timezone.now()
    start_of_day = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        # Two runs at once: the second waits here and then finds today's digest.
        locked = User.objects.select_for_update().filter(pk=user.pk, digest_enabled=True, is_active=True).first()
        if locked is None:
            return False
        if Notification.objects.filter(recipient=locked, template=DIGEST, created_at__gte=start_of_day).exists():
            return False
        matches = digest_matches(locked)
        if not matches:
            return False
        items = [
            {
                "candidate": match.candidate.full_name,
                "position": match.position.title,
                "employer": match.position.employer.name,
                "score": round(match.score, 1),
                "url": absolute_url(
                    reverse("matching:explain", kwargs={"candidate": match.candidate_id, "position": match.position_id})
                ),
            }
            for match in matches[:DIGEST_ITEMS]
        ]
        notify(
            users=[locked],
            template=DIGEST,
            context={
                "items": items,
                "total": len(matches),
                "more": max(len(matches) - DIGEST_ITEMS, 0),
                "min_score": settings.DIGEST_MIN_SCORE,
                "matches_url": absolute_url(reverse("matching:overview")),
                "pairs": [[match.candidate_id, match.position_id] for match in matches],
            },
        )
        return True


def digests_send(*, now: datetime.datetime | None = None) -> int:
    """The daily digest for every case worker who keeps it on; returns how many were written."""
    return sum(digest_send(user=user, now=now) for user in digest_recipients())
