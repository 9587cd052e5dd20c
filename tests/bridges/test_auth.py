"""Login, logout, wrong password, sign-up, e-mail verification, password reset, rate limits."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from bridges.models import Role, User
from tests.candidates.factories import CandidateFactory
from tests.factories import CandidateUserFactory
from tests.login import login

pytestmark = pytest.mark.django_db


def link_from_last_mail() -> str:
    match = re.search(r"https?://testserver(/\S+)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.mark.parametrize(
    ("persona", "start_page"),
    [
        ("case_worker", "matching:dashboard"),
        ("employer_a", "employers:dashboard"),
        ("admin", "admin:index"),
        ("candidate", "me:home"),
    ],
)
def test_each_role_lands_on_its_own_start_page(client, personas, persona, start_page):
    personas = {**personas, "candidate": CandidateFactory(user=CandidateUserFactory()).user}
    response = login(client, personas[persona].email)

    assert response.status_code == 302
    assert response.url == reverse(start_page)
    assert client.get(response.url).status_code == 200


def test_start_page_sends_a_logged_in_user_to_the_role_start_page(client, case_worker):
    client.force_login(case_worker)

    assert client.get(reverse("start")).url == reverse("matching:dashboard")


def test_logout_ends_the_session(client, case_worker):
    login(client, case_worker.email)

    response = client.post(reverse("account_logout"))

    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert client.get(reverse("matching:dashboard")).url.startswith(reverse("account_login"))


def test_wrong_password_shows_an_error_and_logs_nobody_in(client, case_worker):
    response = login(client, case_worker.email, "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


def test_login_page_is_german_by_default(client):
    response = client.get(reverse("account_login"))

    assert response.status_code == 200
    assert '<html lang="de" dir="ltr">' in response.text
    assert "Anmelden" in response.text
    assert "Passwort" in response.text


def test_an_english_browser_still_gets_german_until_the_user_switches(client):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")

    assert '<html lang="de" dir="ltr">' in response.text


def test_language_switch_to_english(client):
    client.post(reverse("set_language"), {"language": "en", "next": reverse("account_login")})

    response = client.get(reverse("account_login"))

    assert '<html lang="en" dir="ltr">' in response.text
    assert "Log in" in response.text
    assert "Register your company" in response.text


def test_repeated_failed_logins_are_rate_limited(client, case_worker):
    for _ in range(5):
        login(client, case_worker.email, "not-the-password")

    response = login(client, case_worker.email)

    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_signup_creates_an_employer_user_even_with_a_tampered_role(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "Neu@Firma.example",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "role": Role.ADMIN,
            "is_staff": "on",
            "is_superuser": "on",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email__iexact="neu@firma.example")
    assert user.role == Role.EMPLOYER
    assert not user.is_staff
    assert not user.is_superuser


@pytest.mark.parametrize("language", ["de", "en", "ar"])
def test_signup_keeps_the_language_of_the_page_for_the_mails(client, language):
    client.cookies["django_language"] = language
    client.post(
        reverse("account_signup"),
        {
            "email": "neu@firma.example",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )

    assert User.objects.get(email="neu@firma.example").language == language


def test_signup_requires_email_verification_before_login(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "neu@firma.example",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1

    confirm_url = link_from_last_mail()
    assert client.get(confirm_url).status_code == 200
    response = client.post(confirm_url)

    assert EmailAddress.objects.get(email="neu@firma.example").verified
    assert response.status_code == 302
    assert response.url == reverse("employers:dashboard")


def test_unverified_employer_cannot_log_in(client):
    client.post(
        reverse("account_signup"),
        {
            "email": "neu@firma.example",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    client.logout()

    response = login(client, "neu@firma.example", "a-long-enough-passphrase")

    assert response.url == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, case_worker):
    client.post(reverse("account_reset_password"), {"email": case_worker.email})
    assert len(mail.outbox) == 1

    response = client.get(link_from_last_mail())
    set_password_url = response.url
    response = client.post(set_password_url, {"password1": "brand-new-passphrase", "password2": "brand-new-passphrase"})

    assert response.status_code == 302
    assert login(client, case_worker.email, "brand-new-passphrase").url == reverse("matching:dashboard")


def test_password_reset_for_unknown_address_reveals_nothing(client, case_worker):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.org"})

    assert response.url == reverse("account_reset_password_done")
    assert all(case_worker.email not in m.to for m in mail.outbox)


def test_arabic_is_written_right_to_left_with_bootstraps_mirrored_stylesheet(client):
    client.post(reverse("set_language"), {"language": "ar", "next": reverse("jobs:list")})

    arabic = client.get(reverse("jobs:list")).text
    client.post(reverse("set_language"), {"language": "de", "next": reverse("jobs:list")})
    german = client.get(reverse("jobs:list")).text

    assert '<html lang="ar" dir="rtl">' in arabic
    assert "bootstrap.rtl.min.css" in arabic
    assert "لوحة الوظائف" in arabic  # "Job board" in the navigation
    assert '<option value="ar" lang="ar"' in arabic
    assert '<html lang="de" dir="ltr">' in german
    assert "bootstrap.rtl.min.css" not in german
    assert "bootstrap.min.css" in german
