"""The Django admin for employers and positions: pages load, and the review actions
go through the service (e-mail to the company, rejection only with a note)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from employers.admin import DEFAULT_REJECTION_NOTE
from employers.models import Employer
from tests.employers.factories import (
    ContactPersonFactory,
    EmployerFactory,
    EngagementRegionFactory,
    LanguageRequirementFactory,
    MembershipFactory,
    PositionFactory,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:employers_employer_changelist"


@pytest.fixture
def pending(db):
    employer = EmployerFactory(name="Neue Firma GmbH", verification=Employer.Verification.PENDING)
    MembershipFactory(employer=employer, user__email="inhaber@neue-firma.example")
    return employer


def test_admin_approves_selected_companies(client, admin_user, pending, django_capture_on_commit_callbacks):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST), {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk]}, follow=True
        )

    assert response.status_code == 200
    pending.refresh_from_db()
    assert pending.verification == Employer.Verification.APPROVED
    assert pending.reviewed_by == admin_user
    assert [message.to for message in mail.outbox] == [["inhaber@neue-firma.example"]]
    assert "http://testserver" + reverse("employers:dashboard") in mail.outbox[0].body


def test_approving_an_approved_company_sends_no_second_mail(client, admin_user, django_capture_on_commit_callbacks):
    employer = EmployerFactory()
    MembershipFactory(employer=employer)
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse(CHANGELIST), {"action": "approve_selected", ACTION_CHECKBOX_NAME: [employer.pk]})

    assert mail.outbox == []


def test_admin_approval_says_whom_it_was_mailed_to_and_which_company_has_no_users(
    client, admin_user, pending, settings, django_capture_on_commit_callbacks
):
    MembershipFactory(employer=pending)
    empty = EmployerFactory(name="Leere Firma GmbH", verification=Employer.Verification.PENDING)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk, empty.pk]},
            follow=True,
        )

    assert [str(message) for message in response.context["messages"]] == [
        "2 companies were approved. 2 users were informed by e-mail.",
        "No e-mail was sent to Leere Firma GmbH: it has no users yet.",
    ]
    assert len(mail.outbox) == 2


def test_admin_rejection_of_a_company_without_users_says_no_mail_was_sent(
    client, admin_user, settings, django_capture_on_commit_callbacks
):
    empty = EmployerFactory(name="Leere Firma GmbH", verification=Employer.Verification.PENDING)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "reject_selected", ACTION_CHECKBOX_NAME: [empty.pk], "apply": "yes", "note": "Nein."},
            follow=True,
        )

    assert [str(message) for message in response.context["messages"]] == [
        "1 company was rejected. No user was informed by e-mail.",
        "No e-mail was sent to Leere Firma GmbH: it has no users yet.",
    ]
    assert mail.outbox == []


def test_reject_action_asks_for_a_note_first(client, admin_user, pending):
    client.force_login(admin_user)

    response = client.post(reverse(CHANGELIST), {"action": "reject_selected", ACTION_CHECKBOX_NAME: [pending.pk]})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Neue Firma GmbH" in content
    assert str(DEFAULT_REJECTION_NOTE) in content
    pending.refresh_from_db()
    assert pending.verification == Employer.Verification.PENDING


def test_admin_rejects_with_the_note_given(client, admin_user, pending, django_capture_on_commit_callbacks):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {
                "action": "reject_selected",
                ACTION_CHECKBOX_NAME: [pending.pk],
                "apply": "yes",
                "note": "Bitte melden Sie sich telefonisch beim Programm.",
            },
        )

    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.verification == Employer.Verification.REJECTED
    assert pending.review_note == "Bitte melden Sie sich telefonisch beim Programm."
    assert len(mail.outbox) == 1
    assert "Bitte melden Sie sich telefonisch beim Programm." in mail.outbox[0].body


def test_admin_rejection_without_a_note_is_refused(client, admin_user, pending, django_capture_on_commit_callbacks):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "reject_selected", ACTION_CHECKBOX_NAME: [pending.pk], "apply": "yes", "note": ""},
        )

    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    pending.refresh_from_db()
    assert pending.verification == Employer.Verification.PENDING
    assert mail.outbox == []


def test_case_workers_and_employers_cannot_use_the_admin(client, case_worker, employer_a, pending):
    for user in [case_worker, employer_a]:
        client.force_login(user)
        response = client.post(reverse(CHANGELIST), {"action": "approve_selected", ACTION_CHECKBOX_NAME: [pending.pk]})
        assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.verification == Employer.Verification.PENDING


def test_every_employer_admin_page_loads(client, admin_user, pending):
    position = PositionFactory(employer=pending)
    LanguageRequirementFactory(position=position)
    contact = ContactPersonFactory(employer=pending)
    region = EngagementRegionFactory(employer=pending)
    membership = pending.members.get()
    invitation = pending.invitations.create(email="kollege@neue-firma.example")
    client.force_login(admin_user)

    for model, obj in [
        ("employer", pending),
        ("position", position),
        ("contactperson", contact),
        ("engagementregion", region),
        ("membership", membership),
        ("invitation", invitation),
    ]:
        for url in [
            reverse(f"admin:employers_{model}_changelist"),
            reverse(f"admin:employers_{model}_changelist") + "?q=neue",
            reverse(f"admin:employers_{model}_add"),
            reverse(f"admin:employers_{model}_change", args=[obj.pk]),
        ]:
            assert client.get(url).status_code == 200, url


def test_position_changelist_filters_by_employer_verification(client, admin_user, pending):
    PositionFactory(employer=pending, title="Wartet auf Freigabe")
    PositionFactory(title="Freigegeben")
    client.force_login(admin_user)

    response = client.get(reverse("admin:employers_position_changelist"), {"employer__verification": "pending"})

    assert [position.title for position in response.context["cl"].result_list] == ["Wartet auf Freigabe"]
