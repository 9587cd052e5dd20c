"""Admins create case workers and admins in the Django admin; the new user sets a password by e-mail."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from bridges.models import Role, User

pytestmark = pytest.mark.django_db


def test_admin_creates_a_case_worker_who_sets_a_password_by_email(
    client, admin_user, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:bridges_user_add"),
            {
                "email": "Neue.Beraterin@bridges.example",
                "first_name": "Nora",
                "last_name": "Neu",
                "role": Role.CASE_WORKER,
                "language": "de",
            },
        )

    assert response.status_code == 302
    user = User.objects.get(email="neue.beraterin@bridges.example")
    assert user.role == Role.CASE_WORKER
    assert not user.is_staff
    assert not user.has_usable_password()
    assert EmailAddress.objects.get(user=user).verified
    assert mail.outbox[-1].to == ["neue.beraterin@bridges.example"]
    assert "bridges" in mail.outbox[-1].subject

    client.logout()
    link = re.search(r"https?://testserver(/\S+)", mail.outbox[-1].body).group(1)
    set_password_url = client.get(link).url
    client.post(set_password_url, {"password1": "her-own-passphrase", "password2": "her-own-passphrase"})
    response = client.post(reverse("account_login"), {"login": user.email, "password": "her-own-passphrase"})
    assert response.url == reverse("matching:dashboard")
    # Her first page is the setup of her second factor.
    assert client.get(response.url).url == reverse("mfa_activate_totp")


def test_admin_cannot_create_a_duplicate_email(client, admin_user, case_worker):
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:bridges_user_add"),
        {"email": case_worker.email.upper(), "role": Role.CASE_WORKER, "language": "de"},
    )

    assert response.status_code == 200
    assert User.objects.filter(email__iexact=case_worker.email).count() == 1


def test_employer_user_cannot_be_made_staff_in_the_admin(client, admin_user, employer_a):
    client.force_login(admin_user)
    url = reverse("admin:bridges_user_change", args=[employer_a.pk])

    response = client.post(
        url,
        {
            "email": employer_a.email,
            "role": Role.EMPLOYER,
            "language": "de",
            "is_active": "on",
            "is_staff": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
        },
    )

    assert response.status_code == 200
    employer_a.refresh_from_db()
    assert not employer_a.is_staff


def test_database_refuses_a_staff_employer(employer_a):
    from django.db import IntegrityError, transaction

    employer_a.is_staff = True
    with pytest.raises(IntegrityError), transaction.atomic():
        employer_a.save(update_fields=["is_staff"])


def test_user_change_page_does_not_expose_the_password_hash_for_editing(client, admin_user, case_worker):
    client.force_login(admin_user)

    response = client.get(reverse("admin:bridges_user_change", args=[case_worker.pk]))

    assert response.status_code == 200
    assert 'name="password"' not in response.text
