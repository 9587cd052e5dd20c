"""Configuration from the environment: the embedded SQLite default and production checks."""

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
    code = (
        "from django.test import Client; c = Client(HTTP_HOST='localhost');"
        "r = c.get('/accounts/login/'); print(r.status_code);"
        "r = c.post('/accounts/login/', {'login': 'berater@bridges.example', 'password': 'demo-berater-2026'});"
        "print(r.url)"
    )
    served = run(["manage.py", "shell", "-c", code], **env)
    assert served.returncode == 0, served.stderr
    # The demo case worker has an authenticator app (the printed demo key) ...
    assert "BRIDGESDEMOTOTPSECRETFORSTAFFXYZ" in seeded.stdout
    assert served.stdout.split()[-2:] == ["200", "/accounts/2fa/authenticate/"]
    # ... none when a demo turns the requirement off, and the password alone logs in.
    again = run(["manage.py", "seed_demo"], **env, MFA_REQUIRED_FOR_STAFF="false")
    assert "0 created, 3 updated" in again.stdout
    served = run(["manage.py", "shell", "-c", code], **env, MFA_REQUIRED_FOR_STAFF="false")
    assert served.stdout.split()[-2:] == ["200", "/dashboard/"]


def test_mfa_for_staff_cannot_be_switched_off_in_production():
    result = run(["manage.py", "check"], DEBUG="false", SECRET_KEY="x" * 50, MFA_REQUIRED_FOR_STAFF="false")

    assert result.returncode != 0
    assert "MFA_REQUIRED_FOR_STAFF=false" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="bridges.example.org",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


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
