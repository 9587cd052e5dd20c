"""Accounts and sessions (#13): the second factor staff must have, one login for the portal and the
admin, brute-force limits per account and address, staff session limits, ending every session of
a user, and no hint which e-mail addresses have an account."""

import datetime as dt
import io
import logging
import re

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridges.account_security import user_totp_activate
from bridges.management.commands import seed_demo
from bridges.models import User
from tests.factories import (
    DEFAULT_PASSWORD,
    TOTP_SECRET,
    AdminFactory,
    CaseWorkerFactory,
    UserFactory,
    totp_code,
    totp_counter,
)
from tests.login import login

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
PROXY = "10.0.0.1"


def password_login(client, email, password=DEFAULT_PASSWORD, next_url=None, **meta):
    data = {"login": email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("account_login"), data, **meta)


def full_login(client, user, next_url=None, **meta):
    """Password, then the authenticator app's code: what a case worker or admin does."""
    response = password_login(client, user.email, next_url=next_url, **meta)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert response.url == reverse("mfa_authenticate")
    return client.post(response.url, {"code": totp_code(user)}, **meta)


def logged_in_as(client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def form_errors(response) -> str:
    return " ".join(str(e) for e in response.context["form"].non_field_errors())


# --- the second factor -----------------------------------------------------------------------


@pytest.mark.parametrize("factory", [CaseWorkerFactory, AdminFactory], ids=["case_worker", "admin"])
def test_staff_without_a_second_factor_are_sent_to_set_it_up_from_every_page(client, factory):
    user = factory(totp=False)
    client.force_login(user)

    for url in ["/", reverse("matching:dashboard"), reverse("candidates:list"), "/admin/", reverse("jobs:list")]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url == reverse("mfa_activate_totp"), url


def test_htmx_requests_of_staff_without_a_second_factor_are_redirected_by_htmx(client):
    client.force_login(CaseWorkerFactory(totp=False))

    response = client.get(reverse("candidates:list"), HTTP_HX_REQUEST="true")

    assert response.headers["HX-Redirect"] == reverse("mfa_activate_totp")


def test_setup_logout_language_static_and_healthz_stay_open_without_a_second_factor(client):
    client.force_login(CaseWorkerFactory(totp=False))

    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get(reverse("healthz")).status_code in (200, 503)
    assert client.get("/static/css/bridges.css").status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("account_logout")).url == reverse("account_login")
    assert logged_in_as(client) is None


def test_a_new_case_worker_sets_up_the_app_at_first_login_and_then_sees_the_portal(client):
    user = CaseWorkerFactory(totp=False)

    response = password_login(client, user.email)
    assert response.url == reverse("matching:dashboard")
    assert client.get(response.url).url == reverse("mfa_activate_totp")

    # Adding a second factor asks for the password once more (allauth's re-authentication).
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))
    response = client.post(response.url, {"password": DEFAULT_PASSWORD})
    assert response.url == reverse("mfa_activate_totp")
    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    assert secret in page.text
    assert "<svg" in page.text
    code = format_hotp_value(hotp_value(secret, totp_counter()))
    response = client.post(reverse("mfa_activate_totp"), {"code": code})

    assert response.url == reverse("mfa_view_recovery_codes")
    codes = client.get(response.url)
    assert len(re.findall(r"<li>\d{8}</li>", codes.text)) == 10
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("matching:dashboard")).status_code == 200


def test_staff_log_in_with_password_and_the_apps_code(client, case_worker):
    response = password_login(client, case_worker.email)
    assert response.url == reverse("mfa_authenticate")
    assert logged_in_as(client) is None

    wrong = client.post(reverse("mfa_authenticate"), {"code": "000000" if totp_code(case_worker) != "000000" else "1"})
    assert wrong.status_code == 200
    assert logged_in_as(client) is None

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(case_worker)})
    assert response.url == reverse("matching:dashboard")
    assert logged_in_as(client) == case_worker.pk
    assert client.get(response.url).status_code == 200


def test_a_recovery_code_logs_in_once_in_place_of_the_app(client):
    user = CaseWorkerFactory(totp=False)
    user_totp_activate(user=user, secret=TOTP_SECRET)
    recovery_code = RecoveryCodes.activate(user).get_unused_codes()[0]

    password_login(client, user.email)
    assert client.post(reverse("mfa_authenticate"), {"code": recovery_code}).url == reverse("matching:dashboard")
    client.logout()
    password_login(client, user.email)
    assert client.post(reverse("mfa_authenticate"), {"code": recovery_code}).status_code == 200
    assert logged_in_as(client) is None


def test_staff_cannot_switch_the_second_factor_off(client, case_worker):
    full_login(client, case_worker)

    assert reverse("mfa_deactivate_totp") not in client.get(reverse("mfa_index")).text
    response = client.post(reverse("mfa_deactivate_totp"), {})
    # After the password is confirmed, allauth carries out the switch-off, which is refused.
    response = client.post(response.url, {"password": DEFAULT_PASSWORD})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert Authenticator.objects.filter(user=case_worker, type=Authenticator.Type.TOTP).exists()


def test_employers_need_no_second_factor_but_may_set_it_up_and_switch_it_off(client, employer_a, company_a):
    password_login(client, employer_a.email)
    assert client.get(reverse("employers:dashboard")).status_code == 200
    settings_page = client.get(reverse("notification_settings"))
    assert reverse("mfa_index") in settings_page.text

    client.post(client.get(reverse("mfa_activate_totp")).url, {"password": DEFAULT_PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    code = format_hotp_value(hotp_value(secret, totp_counter()))
    client.post(reverse("mfa_activate_totp"), {"code": code})
    assert Authenticator.objects.filter(user=employer_a, type=Authenticator.Type.TOTP).exists()
    client.logout()

    assert password_login(client, employer_a.email).url == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code(employer_a)}).status_code == 302
    response = client.post(reverse("mfa_deactivate_totp"), {})
    client.post(response.url, {"password": DEFAULT_PASSWORD})
    client.post(reverse("mfa_deactivate_totp"), {})
    assert not Authenticator.objects.filter(user=employer_a, type=Authenticator.Type.TOTP).exists()


def test_the_second_factor_costs_a_staff_page_no_query(client, case_worker):
    client.force_login(case_worker)
    client.get(reverse("matching:dashboard"))

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("matching:dashboard")).status_code == 200

    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "mfa_authenticator" not in sql
    assert 'UPDATE "django_session"' not in sql


def test_the_demo_staff_get_the_documented_demo_key_and_none_without_the_requirement(settings):
    settings.MFA_REQUIRED_FOR_STAFF = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert seed_demo.DEMO_TOTP_SECRET in out.getvalue()
    for email in ("admin@bridges.example", "berater@bridges.example"):
        assert Authenticator.objects.filter(user__email=email, type=Authenticator.Type.TOTP).exists()
    assert not Authenticator.objects.filter(user__email="arbeitgeber@bridges.example").exists()

    settings.MFA_REQUIRED_FOR_STAFF = False
    again = io.StringIO()
    call_command("seed_demo", stdout=again)
    assert "0 created, 4 updated" in again.getvalue()  # admin, case worker, employer, candidate
    assert not Authenticator.objects.exists()
    client = Client()
    assert password_login(client, "berater@bridges.example", "demo-berater-2026").url == reverse("matching:dashboard")
    assert client.get(reverse("matching:dashboard")).status_code == 200


# --- one login for the portal and the admin --------------------------------------------------


def test_the_admin_login_leads_to_the_portals_login_with_next(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"

    response = client.get("/admin/login/?next=/admin/bridges/user/")
    assert response.url == f"{reverse('account_login')}?next=%2Fadmin%2Fbridges%2Fuser%2F"


def test_the_admin_login_form_accepts_no_password_not_even_the_right_one(client, admin_user):
    for _ in range(30):
        response = client.post("/admin/login/", {"username": admin_user.email, "password": "wrong-password"})
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))

    client.post("/admin/login/", {"username": admin_user.email, "password": DEFAULT_PASSWORD})
    assert logged_in_as(client) is None


def test_an_admin_reaches_the_admin_through_the_portals_login_and_second_factor(client, admin_user):
    response = full_login(client, admin_user, next_url="/admin/bridges/user/")

    assert response.url == "/admin/bridges/user/"
    assert client.get(response.url).status_code == 200


# --- brute force -----------------------------------------------------------------------------


def _thirty_wrong_passwords(client, email, next_url=None, **meta):
    failed = refused = 0
    for _ in range(30):
        response = password_login(client, email, "wrong-password", next_url=next_url, **meta)
        assert response.status_code == 200
        errors = form_errors(response)
        if "zu viele" in errors.lower() or "too many" in errors.lower():
            refused += 1
        else:
            failed += 1
    return failed, refused


@pytest.mark.parametrize("next_url", [None, "/admin/"], ids=["portal", "admin"])
def test_thirty_wrong_passwords_are_refused_after_five_and_logged(client, admin_user, caplog, next_url):
    with caplog.at_level(logging.WARNING, logger="bridges.security"):
        failed, refused = _thirty_wrong_passwords(client, admin_user.email, next_url, REMOTE_ADDR=ATTACKER)

    assert (failed, refused) == (5, 25)
    lines = [r.getMessage() for r in caplog.records if r.name == "bridges.security"]
    assert sum("Login failed" in line for line in lines) == 5
    assert sum("Login refused" in line for line in lines) == 25
    assert all(ATTACKER in line for line in lines)
    assert all(admin_user.email not in line for line in lines)
    # The right password from the attacker's address is refused too ...
    password_login(client, admin_user.email, next_url=next_url, REMOTE_ADDR=ATTACKER)
    assert logged_in_as(client) is None
    # ... but the owner, from their own address, logs in.
    owner = Client()
    response = full_login(owner, admin_user, next_url=next_url, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert logged_in_as(owner) == admin_user.pk


def test_one_address_trying_many_accounts_is_refused_after_ten_a_minute(client):
    users = [UserFactory() for _ in range(12)]

    results = [form_errors(password_login(client, user.email, "wrong", REMOTE_ADDR=ATTACKER)) for user in users]

    assert not any("viele" in error for error in results[:10])
    assert all("viele" in error for error in results[10:])
    # Another address is not affected.
    assert "viele" not in form_errors(password_login(Client(), users[0].email, "wrong", REMOTE_ADDR=OWNER))


def test_an_ipv6_guesser_changing_addresses_within_the_network_is_still_refused(client, case_worker):
    for n in range(6):
        response = password_login(client, case_worker.email, "wrong", REMOTE_ADDR=f"2001:db8:1:2::{n + 1}")

    assert "viele" in form_errors(response)


def test_directly_connected_a_forged_forwarded_for_header_changes_nothing(client, case_worker, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    for n in range(6):
        response = password_login(
            client, case_worker.email, "wrong", REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )

    assert "viele" in form_errors(response)


def test_behind_the_proxy_the_limit_follows_the_forwarded_client_address(client, case_worker, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    for _ in range(6):
        response = password_login(
            client, case_worker.email, "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.9, {ATTACKER}"
        )
    assert "viele" in form_errors(response)

    # Everybody comes from the proxy's address, but the owner's forwarded address is their own.
    owner = Client()
    response = full_login(owner, case_worker, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=OWNER)
    assert logged_in_as(owner) == case_worker.pk


def test_behind_a_proxy_that_names_the_client_in_its_own_header_the_limit_follows_that(client, case_worker, settings):
    settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    for _ in range(6):
        response = password_login(client, case_worker.email, "wrong", REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=ATTACKER)
    assert "viele" in form_errors(response)

    owner = Client()
    full_login(owner, case_worker, REMOTE_ADDR=PROXY, HTTP_X_REAL_IP=OWNER)
    assert logged_in_as(owner) == case_worker.pk


def test_a_wrong_second_factor_code_is_logged(client, case_worker, caplog):
    password_login(client, case_worker.email, REMOTE_ADDR=ATTACKER)
    with caplog.at_level(logging.WARNING, logger="bridges.security"):
        client.post(reverse("mfa_authenticate"), {"code": "12345"}, REMOTE_ADDR=ATTACKER)

    assert any("Second factor failed" in r.getMessage() and ATTACKER in r.getMessage() for r in caplog.records)


# --- sessions --------------------------------------------------------------------------------


def test_session_cookie_is_secure_httponly_and_samesite(client, employer_a, company_a, settings):
    assert settings.DEBUG is False
    response = password_login(client, employer_a.email)

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize("factory", [CaseWorkerFactory, AdminFactory], ids=["case_worker", "admin"])
def test_a_staff_session_ends_after_thirty_idle_minutes(client, factory):
    user = factory()
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(user)
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(user.get_start_url()).status_code == 200
        clock.shift(dt.timedelta(minutes=29))
        assert client.get(user.get_start_url()).status_code == 200
        clock.shift(dt.timedelta(minutes=31))
        response = client.get(user.get_start_url())

    assert response.status_code == 302
    assert logged_in_as(client) is None


def test_a_staff_session_ends_twelve_hours_after_login_however_busy(client, case_worker):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(case_worker)
        for _ in range(12 * 3):
            clock.shift(dt.timedelta(minutes=20))
            assert client.get(reverse("matching:dashboard")).status_code == 200
        clock.shift(dt.timedelta(minutes=1))
        response = client.get(reverse("matching:dashboard"))

    assert response.url.startswith(reverse("account_login"))


def test_an_employer_session_outlasts_an_idle_hour(client, employer_a, company_a):
    with time_machine.travel(START, tick=False) as clock:
        client.force_login(employer_a)
        clock.shift(dt.timedelta(hours=13))
        assert client.get(reverse("employers:dashboard")).status_code == 200


def _two_devices(user):
    first, second = Client(), Client()
    for device in (first, second):
        device.force_login(user)
        assert device.get(user.get_start_url()).status_code == 200
    return first, second


def _is_logged_out(device, user) -> bool:
    response = device.get(user.get_start_url(), follow=True)
    return bool(response.redirect_chain) and response.redirect_chain[-1][0].startswith(reverse("account_login"))


def test_logging_out_ends_the_users_sessions_on_every_device(case_worker, employer_a, company_a):
    for user in (case_worker, employer_a):
        first, second = _two_devices(user)

        first.post(reverse("account_logout"))

        assert _is_logged_out(first, user)
        assert _is_logged_out(second, user)


def test_changing_the_password_ends_every_session_this_one_too(employer_a, company_a):
    first, second = Client(), Client()
    password_login(first, employer_a.email)
    second.force_login(employer_a)

    response = first.post(
        reverse("account_change_password"),
        {"oldpassword": DEFAULT_PASSWORD, "password1": "a-new-long-passphrase", "password2": "a-new-long-passphrase"},
    )

    assert response.status_code == 302
    assert _is_logged_out(first, employer_a)
    assert _is_logged_out(second, employer_a)
    assert password_login(Client(), employer_a.email, "a-new-long-passphrase").status_code == 302


def test_deactivating_a_user_in_the_admin_ends_their_sessions_for_good(client, admin_user, case_worker):
    first, second = _two_devices(case_worker)
    client.force_login(admin_user)

    response = client.post(
        reverse("admin:bridges_user_change", args=[case_worker.pk]),
        {
            "email": case_worker.email,
            "first_name": case_worker.first_name,
            "last_name": case_worker.last_name,
            "language": "de",
            "role": "case_worker",
            "digest_enabled": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    case_worker.refresh_from_db()
    assert not case_worker.is_active

    assert _is_logged_out(first, case_worker)
    # Activated again, the account's old sessions stay ended.
    User.objects.filter(pk=case_worker.pk).update(is_active=True)
    assert _is_logged_out(second, case_worker)


# --- no hint which addresses exist -----------------------------------------------------------


def _page_text(response, email: str) -> str:
    """The page without its CSRF tokens and the address the visitor typed themselves."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.text)
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
    return text.replace(email, "ADDRESS")


def test_password_reset_answers_alike_for_a_known_and_an_unknown_address(case_worker):
    answers = {}
    for email in (case_worker.email, "niemand@example.org"):
        client = Client()
        mail.outbox.clear()
        response = client.post(reverse("account_reset_password"), {"email": email})
        answers[email] = (
            response.status_code,
            response.url,
            _page_text(client.get(response.url), email),
            len(mail.outbox),
        )
        assert [m.to for m in mail.outbox] == [[email]]

    known, unknown = answers.values()
    assert known == unknown


def test_sign_up_answers_alike_for_a_taken_and_a_new_address(employer_a):
    answers = {}
    for email in (employer_a.email, "neu@firma.example"):
        client = Client()
        mail.outbox.clear()
        response = client.post(
            reverse("account_signup"),
            {"email": email, "password1": "a-long-enough-passphrase", "password2": "a-long-enough-passphrase"},
        )
        answers[email] = (
            response.status_code,
            response.url,
            _page_text(client.get(response.url), email),
            len(mail.outbox),
        )
        assert [m.to for m in mail.outbox] == [[email]]

    taken, new = answers.values()
    assert taken == new
    assert User.objects.filter(email__iexact=employer_a.email).count() == 1


def test_an_admin_deletes_a_colleagues_lost_second_factor_without_seeing_its_secret(client, admin_user, case_worker):
    authenticator = Authenticator.objects.get(user=case_worker)
    client.force_login(admin_user)

    page = client.get(reverse("admin:mfa_authenticator_change", args=[authenticator.pk]))
    assert page.status_code == 200
    assert case_worker.email in page.text
    assert TOTP_SECRET not in page.text
    assert "secret" not in page.text
    client.post(reverse("admin:mfa_authenticator_delete", args=[authenticator.pk]), {"post": "yes"})

    assert not Authenticator.objects.filter(user=case_worker).exists()
    colleague = Client()
    assert login(colleague, case_worker.email).url == reverse("matching:dashboard")
    assert colleague.get(reverse("matching:dashboard")).url == reverse("mfa_activate_totp")
