"""Configuration from the environment: the embedded SQLite default and production checks."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
CONFIG_VARS = (
    "DATABASE_URL",
    "REDIS_URL",
    "CACHE_URL",
    "SECRET_KEY",
    "DEBUG",
    "ALLOWED_HOSTS",
    "EMAIL_URL",
    "CSRF_TRUSTED_ORIGINS",
    "SITE_URL",
    "DIGEST_MIN_SCORE",
    "BEHIND_TLS_PROXY",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "DJANGO_SETTINGS_MODULE",
)


def run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in CONFIG_VARS}
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env={**clean, **env}, capture_output=True, text=True, timeout=300
    )


def test_with_nothing_configured_it_uses_sqlite_and_eager_tasks():
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'bridges.settings'; django.setup();"
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CACHES['default']['BACKEND'])"
    )

    result = run(["-c", code], DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.cache.backends.locmem.LocMemCache",
    ]


def test_sqlite_default_migrates_seeds_and_serves_the_login_page(tmp_path):
    env = {"DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    assert run(["manage.py", "migrate", "--noinput"], **env).returncode == 0
    seeded = run(["manage.py", "seed_demo"], **env)
    assert seeded.returncode == 0, seeded.stderr
    assert "berater@bridges.example" in seeded.stdout
    # The rescoring tasks ran eagerly on SQLite; a failure would only be logged.
    assert "Traceback" not in seeded.stdout + seeded.stderr, seeded.stderr[-3000:]
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='localhost');"
        "r = c.get('/accounts/login/'); print(r.status_code);"
        "r = c.post('/accounts/login/', {'login': 'berater@bridges.example', 'password': 'demo-berater-2026'});"
        "print(r.url)"
    )
    served = run(["manage.py", "shell", "-c", code], **env)
    assert served.returncode == 0, served.stderr
    # The demo case worker has an authenticator app (the printed demo key); without the requirement
    # a second seeding removes it and the password alone logs in (in the test process, on
    # PostgreSQL: tests/bridges/test_accounts_security.py, which is cheaper than two more processes).
    assert "BRIDGESDEMOTOTPSECRETFORSTAFFXYZ" in seeded.stdout
    assert served.stdout.split()[-2:] == ["200", "/accounts/2fa/authenticate/"]


def test_mfa_for_staff_cannot_be_switched_off_in_production():
    result = run(["manage.py", "check"], DEBUG="false", SECRET_KEY="x" * 50, MFA_REQUIRED_FOR_STAFF="false")

    assert result.returncode != 0
    assert "MFA_REQUIRED_FOR_STAFF=false" in result.stderr


# A production host behind the recommended TLS proxy, with PostgreSQL, Redis and mail.
PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "bridges.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://bridges.example.org",
    "SITE_URL": "https://bridges.example.org",
    "BEHIND_TLS_PROXY": "true",
    "DATABASE_URL": "postgres://bridges:secret@127.0.0.1:5432/bridges",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EMAIL_URL": "smtp+tls://bridges:secret@mail.example.org:587",
}


@pytest.mark.parametrize(
    "env",
    [{"DEBUG": "false", "ALLOWED_HOSTS": "bridges.example.org"}, PRODUCTION],
    ids=["the least production needs", "behind a TLS proxy with every service"],
)
def test_production_settings_pass_the_deploy_check(env):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], SECRET_KEY=secrets.token_urlsafe(50), **env
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_sends_the_hardening_headers():
    """What the deploy check does not look at: the CSP, the Permissions-Policy, HSTS's reach. (The
    language switch answers without the database, the cache or collected static files.)"""
    code = (
        "import json; from django.test import Client;"
        "c = Client(HTTP_HOST='bridges.example.org', HTTP_X_FORWARDED_PROTO='https');"
        "r = c.get('/i18n/setlang/'); print(json.dumps({'status': r.status_code, **r.headers}))"
    )

    result = run(["manage.py", "shell", "-c", code], SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION)

    assert result.returncode == 0, result.stderr
    headers = json.loads(result.stdout.splitlines()[-1])
    assert headers["status"] == 302
    csp = {words[0]: words[1:] for words in (part.split() for part in headers["Content-Security-Policy"].split(";"))}
    assert csp["script-src"] == csp["style-src"] == csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "camera=()" in headers["Permissions-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_production_without_secret_key_refuses_to_start():
    result = run(["manage.py", "check"], DEBUG="false", ALLOWED_HOSTS="bridges.example.org")

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_site_url_with_a_path_or_another_scheme_refuses_to_start():
    for value in ("bridges.example.org", "ftp://bridges.example.org", "https://bridges.example.org/portal"):
        result = run(["manage.py", "check"], DEBUG="true", SITE_URL=value)

        assert result.returncode != 0, value
        assert "SITE_URL must be" in result.stderr


@pytest.mark.django_db
def test_postgresql_compiles_no_query_just_in_time():
    """The report's aggregates spent a second compiling each query (benchmarks/report.py)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
