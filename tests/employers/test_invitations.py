"""Colleagues: invitations by e-mail, sign-up through the link, and who may accept what."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from bridges.models import Role, User
from employers.models import Invitation, Membership
from tests.factories import DEFAULT_PASSWORD, CaseWorkerFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NEW_PASSWORD = "Br1dges-are-built-slowly"


@pytest.fixture(autouse=True)
def _invitation_adapter(settings):
    settings.ACCOUNT_ADAPTER = "employers.adapters.EmployerAccountAdapter"


@pytest.fixture
def invitation(company_a, employer_a):
    return Invitation.objects.create(employer=company_a, email="neu@firma-a.example", invited_by=employer_a)


def accept_url(invitation) -> str:
    return reverse("employers:invitation_accept", kwargs={"token": invitation.token})


def sign_up(client, email: str):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )


# --- sending ------------------------------------------------------------------------------------


def test_invitation_mail_is_sent_after_commit_with_the_link(
    client, employer_a, company_a, django_capture_on_commit_callbacks
):
    client.force_login(employer_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("employers:colleagues"), {"email": "X@Y.example"})

    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.employer, invitation.email, invitation.invited_by) == (company_a, "x@y.example", employer_a)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["x@y.example"]
    assert "Firma A GmbH" in message.subject
    assert f"http://testserver{accept_url(invitation)}" in message.body


def test_invitation_mail_waits_for_the_commit(client, employer_a, company_a, django_capture_on_commit_callbacks):
    client.force_login(employer_a)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("employers:colleagues"), {"email": "x@y.example"})

    assert len(callbacks) == 1
    assert not mail.outbox


def test_colleagues_page_lists_members_and_open_invitations(client, employer_a, company_a, invitation, employer_b):
    client.force_login(employer_a)

    response = client.get(reverse("employers:colleagues"))

    assert response.status_code == 200
    assert employer_a.email in response.text
    assert invitation.email in response.text
    assert employer_b.email not in response.text


def test_a_member_of_another_company_cannot_be_invited(client, employer_a, company_a, company_b, employer_b):
    client.force_login(employer_a)

    response = client.post(reverse("employers:colleagues"), {"email": employer_b.email})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Invitation.objects.exists()


def test_a_programme_account_cannot_be_invited(client, employer_a, company_a, case_worker):
    client.force_login(employer_a)

    response = client.post(reverse("employers:colleagues"), {"email": case_worker.email})

    assert response.context["form"].errors
    assert not Invitation.objects.exists()


def test_only_employer_users_see_the_colleagues_page(client, case_worker):
    client.force_login(case_worker)

    assert client.get(reverse("employers:colleagues")).status_code == 403


# --- accepting through sign-up ------------------------------------------------------------------


def test_invited_colleague_signs_up_without_second_verification_and_joins_the_company(
    client, invitation, company_a, company_b
):
    response = client.get(accept_url(invitation))

    assert response.status_code == 302
    assert response.url == reverse("account_signup")
    signup_page = client.get(response.url)
    assert f'value="{invitation.email}"' in signup_page.text

    response = sign_up(client, invitation.email)

    user = User.objects.get(email=invitation.email)
    assert response.status_code == 302
    assert response.url == reverse("employers:dashboard")
    assert int(client.session["_auth_user_id"]) == user.pk
    assert user.role == Role.EMPLOYER
    assert EmailAddress.objects.get(user=user).verified
    assert list(Membership.objects.filter(user=user).values_list("employer", flat=True)) == [company_a.pk]
    assert not mail.outbox  # no verification mail
    invitation.refresh_from_db()
    assert (invitation.accepted_by, invitation.accepted_at is not None) == (user, True)
    assert client.get(reverse("employers:dashboard")).context["employer"] == company_a


def test_the_link_cannot_be_used_twice(client, invitation):
    client.get(accept_url(invitation))
    sign_up(client, invitation.email)
    client.post(reverse("account_logout"))

    again = client.get(accept_url(invitation))

    assert again.status_code == 400
    assert "used already" in again.text
    assert Membership.objects.filter(employer=invitation.employer).count() == 2


def test_signing_up_under_another_address_neither_joins_nor_skips_verification(client, invitation):
    client.get(accept_url(invitation))

    response = sign_up(client, "jemand@anders.example")

    user = User.objects.get(email="jemand@anders.example")
    assert "_auth_user_id" not in client.session
    assert response.url == reverse("account_email_verification_sent")
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("jemand@anders.example", False)
    ]
    assert not Membership.objects.filter(user=user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_unknown_token_is_a_404(client):
    assert client.get(reverse("employers:invitation_accept", kwargs={"token": "not-a-token"})).status_code == 404


def test_expired_invitation_is_refused(client, invitation):
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(accept_url(invitation))

    assert response.status_code == 400
    assert "expired" in response.text
    assert "employers_invitation" not in client.session


# --- accepting while logged in ---------------------------------------------------------------------


def test_logged_in_employer_without_company_accepts_at_once(client, invitation, company_a):
    colleague = UserFactory(email=invitation.email)
    client.force_login(colleague)

    response = client.get(accept_url(invitation))

    assert response.status_code == 302
    assert response.url == reverse("employers:dashboard")
    assert Membership.objects.get(user=colleague).employer == company_a


def test_existing_account_is_asked_to_log_in_first(client, invitation, company_a):
    colleague = UserFactory(email=invitation.email)

    response = client.get(accept_url(invitation))

    assert response.status_code == 302
    assert response.url == f"{reverse('account_login')}?next={accept_url(invitation).replace('/', '%2F')}"
    response = client.post(
        response.url, {"login": colleague.email, "password": DEFAULT_PASSWORD, "next": accept_url(invitation)}
    )
    assert response.url == accept_url(invitation)
    client.get(response.url)
    assert Membership.objects.get(user=colleague).employer == company_a


def test_invitation_for_another_address_cannot_be_accepted(client, invitation):
    someone = UserFactory(email="jemand@anders.example")
    client.force_login(someone)

    response = client.get(accept_url(invitation))

    assert response.status_code == 400
    assert "another e-mail address" in response.text
    assert not Membership.objects.filter(user=someone).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_member_of_another_company_cannot_accept(client, company_a, company_b, employer_a, employer_b):
    # invitation_send refuses such an address; an invitation may predate the membership.
    invitation = Invitation.objects.create(employer=company_a, email=employer_b.email, invited_by=employer_a)
    client.force_login(employer_b)

    response = client.get(accept_url(invitation))

    assert response.status_code == 400
    assert "belong to a company already" in response.text
    assert Membership.objects.get(user=employer_b).employer == company_b
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_programme_account_cannot_accept(client, company_a, employer_a):
    worker = CaseWorkerFactory(email="berater2@bridges.example")
    invitation = Invitation.objects.create(employer=company_a, email=worker.email, invited_by=employer_a)
    client.force_login(worker)

    response = client.get(accept_url(invitation))

    assert response.status_code == 403
    assert not Membership.objects.filter(user=worker).exists()
