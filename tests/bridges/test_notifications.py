"""The e-mail outbox: rows written with the change, sent once, failures kept and tried again by
the sweep, old rows pruned."""

import datetime
import threading
import time

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy, override

from bridges import notifications
from bridges.models import Notification
from bridges.notifications import decode, encode, notification_send, notifications_prune, notifications_send_pending
from tests.factories import CaseWorkerFactory, UserFactory

pytestmark = pytest.mark.django_db

TEMPLATE = "matching/email/introduction_new"
CONTEXT = {
    "introduction_id": 1,
    "position": "Lagerist/in",
    "employer": "Firma A GmbH",
    "url": "https://bridges.example.org/x/",
    "case_worker": "",
    "case_worker_email": "",
}


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")


class SlowBackend(EmailBackend):
    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


def _notify(*users) -> list[Notification]:
    return notifications.notify(users=users, template=TEMPLATE, context=CONTEXT)


def _age(row: Notification, minutes: int = 5) -> None:
    Notification.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=minutes))


# --- the stored context --------------------------------------------------------------------------


def test_context_keeps_message_ids_dates_and_times_for_the_recipients_language():
    moment = timezone.now().replace(microsecond=0)
    stored = encode({"stage": gettext_lazy("interview"), "at": moment, "on": moment.date(), "items": [{"n": 1}]})

    assert stored["stage"] == {"__msgid__": "interview"}
    with override("de"):
        assert decode(stored) == {
            "stage": "Vorstellungsgespräch",
            "at": moment,
            "on": moment.date(),
            "items": [{"n": 1}],
        }
    with override("en"):
        assert decode(stored)["stage"] == "interview"


def test_context_refuses_model_instances(case_worker):
    with pytest.raises(TypeError):
        encode({"user": case_worker})


# --- writing -------------------------------------------------------------------------------------


def test_notify_writes_one_row_per_active_recipient_with_an_address():
    active = UserFactory()
    inactive = UserFactory(is_active=False)

    rows = _notify(active, active, inactive)

    assert [row.recipient for row in rows] == [active]
    assert Notification.objects.get().context == CONTEXT
    assert Notification.objects.get().sent_at is None


def test_a_rolled_back_transaction_leaves_no_row_and_queues_nothing(django_capture_on_commit_callbacks):
    user = UserFactory()

    def change_that_fails() -> None:
        with transaction.atomic():
            _notify(user)
            raise RuntimeError("the change fails after the mail was written")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change_that_fails()

    assert callbacks == []
    assert not Notification.objects.exists()
    assert notifications_send_pending() == 0
    assert mail.outbox == []


# --- sending ------------------------------------------------------------------------------------


def test_a_row_is_sent_once():
    [row] = _notify(UserFactory(email="chefin@firma.example"))

    assert notification_send(notification_id=row.pk) is True
    assert notification_send(notification_id=row.pk) is False

    assert [message.to for message in mail.outbox] == [["chefin@firma.example"]]
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 1


def test_a_failure_is_recorded_and_the_sweep_tries_again_later(settings):
    [row] = _notify(UserFactory())
    _age(row)
    settings.EMAIL_BACKEND = "tests.bridges.test_notifications.FailingBackend"

    assert notification_send(notification_id=row.pk) is False

    row.refresh_from_db()
    assert row.sent_at is None
    assert row.attempts == 1
    assert "mail server down" in row.last_error
    assert row.next_attempt_at > timezone.now()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications_send_pending() == 0  # not yet
    Notification.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    assert notifications_send_pending() == 1
    assert len(mail.outbox) == 1
    row.refresh_from_db()
    assert row.sent_at is not None
    assert row.attempts == 2


def test_the_sweep_sends_what_a_lost_message_left_and_leaves_fresh_rows_to_their_task():
    [lost] = _notify(UserFactory(email="lost@firma.example"))
    _age(lost)
    _notify(UserFactory(email="fresh@firma.example"))

    assert notifications_send_pending() == 1

    assert [message.to for message in mail.outbox] == [["lost@firma.example"]]


def test_the_sweep_gives_up_after_the_last_attempt():
    [row] = _notify(UserFactory())
    _age(row)
    Notification.objects.filter(pk=row.pk).update(attempts=notifications.MAX_ATTEMPTS)

    assert notifications_send_pending() == 0
    assert mail.outbox == []


def test_a_deactivated_recipient_gets_nothing_and_the_row_is_not_tried_again():
    user = UserFactory()
    [row] = _notify(user)
    user.is_active = False
    user.save()

    assert notification_send(notification_id=row.pk) is False

    row.refresh_from_db()
    assert row.attempts >= notifications.MAX_ATTEMPTS
    assert mail.outbox == []


def test_old_sent_rows_are_pruned_unsent_ones_kept(settings):
    settings.NOTIFICATIONS_KEPT_DAYS = 30
    old, recent, unsent = (_notify(CaseWorkerFactory())[0] for _ in range(3))
    Notification.objects.filter(pk=old.pk).update(sent_at=timezone.now() - datetime.timedelta(days=31))
    Notification.objects.filter(pk=recent.pk).update(sent_at=timezone.now() - datetime.timedelta(days=29))
    Notification.objects.filter(pk=unsent.pk).update(created_at=timezone.now() - datetime.timedelta(days=60))

    assert notifications_prune() == 1

    assert set(Notification.objects.values_list("pk", flat=True)) == {recent.pk, unsent.pk}


@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_one_mail(settings):
    settings.EMAIL_BACKEND = "tests.bridges.test_notifications.SlowBackend"
    [row] = _notify(UserFactory())
    results = []

    def send() -> None:
        try:
            results.append(notification_send(notification_id=row.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False, False, True]
    assert len(mail.outbox) == 1
