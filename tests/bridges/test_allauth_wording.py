"""allauth's pages and mails speak the portal's German: "Sie", never "du"; mails name the
portal by SITE_NAME ("bridges"), not by the request's host; the confirmation reads naturally."""

import html
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from bridges.models import User
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# Pronouns and verb forms of "du" that allauth's German catalogue uses.
INFORMAL = re.compile(
    r"\b(du|dich|dir|dein|deine|deinen|deinem|deiner|deines|bist|hast|kannst|musst|möchtest|erhältst|sendest|"
    r"bestätige|gib|klicke?|lass|kontaktiere|wähle|versuche|folge|verwende|erstelle|rufe|überprüfe)\b",
    re.IGNORECASE,
)
NEW_EMAIL = "neu@firma.example"


def visible_text(response) -> str:
    content = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.DOTALL)
    return " ".join(html.unescape(re.sub(r"<[^>]*>", " ", content)).split())


def assert_formal(text: str, where: str) -> None:
    found = INFORMAL.findall(text)
    assert not found, f"{where} says {found!r}: {text[:2000]}"


def mail_link(message) -> str:
    match = re.search(r"https?://testserver(/\S+)", message.body)
    assert match, message.body
    return match.group(1)


def sign_up(client, email: str = NEW_EMAIL, password2: str = DEFAULT_PASSWORD):
    return client.post(
        reverse("account_signup"), {"email": email, "password1": DEFAULT_PASSWORD, "password2": password2}
    )


@pytest.fixture
def pages(client, case_worker):
    """(name, response) of every allauth page the portal uses, as a visitor and as a user sees them."""
    seen = []

    def get(name, url, **kwargs):
        response = client.get(url, **kwargs)
        assert response.status_code == 200, (name, response.status_code)
        seen.append((name, response))

    get("login", reverse("account_login"))
    get("signup", reverse("account_signup"))
    get("password reset", reverse("account_reset_password"))
    client.post(reverse("account_reset_password"), {"email": case_worker.email})
    get("password reset sent", reverse("account_reset_password_done"))
    key_url = mail_link(mail.outbox[-1])
    get("password reset from key", key_url, follow=True)
    get("password reset, bad key", reverse("account_reset_password_from_key", args=["1", "bad-key"]))
    get("password reset done", reverse("account_reset_password_from_key_done"))
    get("inactive account", reverse("account_inactive"))

    sign_up(client)
    get("verification sent", reverse("account_email_verification_sent"))
    get("confirm e-mail", mail_link(mail.outbox[-1]))
    get("confirm e-mail, bad key", reverse("account_confirm_email", args=["bad-key"]))
    seen.append(("signup, passwords differ", sign_up(client, "zwei@firma.example", "another-password-2026")))

    client.force_login(case_worker)
    get("logout", reverse("account_logout"))
    get("e-mail addresses", reverse("account_email"))
    get("password change", reverse("account_change_password"))
    get("reauthenticate", reverse("account_reauthenticate"))
    client.post(reverse("account_logout"))
    get("after logout", reverse("account_login"))
    without_password = UserFactory(email="ohne.passwort@firma.example")
    without_password.set_unusable_password()
    without_password.save()
    client.force_login(without_password)
    get("password set", reverse("account_set_password"))
    return seen


def test_every_allauth_page_says_sie(pages):
    for name, response in pages:
        assert_formal(visible_text(response), name)


def test_the_pages_use_the_overridden_formal_german(pages):
    texts = {name: visible_text(response) for name, response in pages}

    assert "Sie haben sich abgemeldet." in texts["after logout"]
    assert "Möchten Sie sich wirklich abmelden?" in texts["logout"]
    assert "Bitte geben Sie beide Male dasselbe Passwort ein." in texts["signup, passwords differ"]


def test_too_many_failed_logins_are_refused_formally(client, case_worker):
    for _attempt in range(6):
        response = client.post(reverse("account_login"), {"login": case_worker.email, "password": "falsch"})

    text = visible_text(response)
    assert "Bitte versuchen Sie es später erneut." in text
    assert_formal(text, "rate-limited login")


def test_the_confirmation_page_reads_naturally(client):
    sign_up(client)

    text = visible_text(client.get(mail_link(mail.outbox[-1])))

    assert f"Bitte bestätigen Sie, dass {NEW_EMAIL} Ihre E-Mail-Adresse ist." in text
    assert "eine E-Mail-Adresse von" not in text


def all_mails(client, case_worker) -> list:
    """Every mail of the account flows: confirmation, reset, unknown address, existing account."""
    sign_up(client)  # confirmation
    client.post(reverse("account_reset_password"), {"email": case_worker.email})  # reset link
    client.post(reverse("account_reset_password"), {"email": "niemand@firma.example"})  # unknown account
    client.post(
        reverse("account_signup"),
        {"email": case_worker.email, "password1": DEFAULT_PASSWORD, "password2": DEFAULT_PASSWORD},
    )  # the address has an account already
    return list(mail.outbox)


def test_every_account_mail_says_sie_and_names_the_portal_bridges(client, case_worker):
    messages = all_mails(client, case_worker)

    assert len(messages) == 4
    for message in messages:
        text = f"{message.subject}\n{message.body}"
        assert_formal(text, message.subject)
        assert message.subject.startswith("[bridges] ")
        assert "Hallo von bridges!" in message.body
        assert "Vielen Dank, dass Sie bridges nutzen!" in message.body
        assert "testserver!" not in message.body  # the host is the address, not the name
        assert "von testserver" not in message.body


def test_the_confirmation_mail_reads_naturally(client):
    sign_up(client)

    body = mail.outbox[-1].body

    assert "Ihre E-Mail-Adresse für ein Konto bei bridges (testserver) angegeben wurde" in body
    assert f"Benutzer {NEW_EMAIL}" not in body


def test_the_site_name_is_configurable(client, settings):
    settings.SITE_NAME = "Brückenportal"

    sign_up(client)

    assert "Hallo von Brückenportal!" in mail.outbox[-1].body


def test_an_invited_colleague_gets_the_formal_staff_mail(client, admin_user, django_capture_on_commit_callbacks):
    client.force_login(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:bridges_user_add"),
            {"email": "nora@bridges.example", "first_name": "Nora", "last_name": "Neu", "role": "case_worker"}
            | {"language": "de"},
        )

    message = mail.outbox[-1]
    assert message.to == ["nora@bridges.example"]
    assert_formal(f"{message.subject}\n{message.body}", "staff invitation")
    assert User.objects.filter(email="nora@bridges.example").exists()
    assert EmailAddress.objects.filter(email="nora@bridges.example", verified=True).exists()
