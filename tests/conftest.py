"""Suite-wide fixtures: personas, a clean cache, and the real Celery worker process."""

import os
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from bridges.celery import app as celery_app
from candidates.models import Document
from matching import inputs_cache
from tests.employers.factories import EmployerFactory, MembershipFactory
from tests.factories import AdminFactory, CaseWorkerFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items):
    """Run the browser tests last: their Playwright event loop stays up until the session ends."""
    items.sort(key=lambda item: "e2e" in item.path.parts)


@pytest.fixture(autouse=True)
def _clean_cache():
    # allauth's rate limits live in the cache; each test starts with none; nor with the inputs
    # a matching run kept in this process for the next one.
    cache.clear()
    inputs_cache.clear()


@contextmanager
def module_data(django_db_blocker):
    """Data a module-scoped fixture makes once for all the module's tests.

    It lives in a transaction that is rolled back after the module's last test; each test
    runs in a savepoint inside it, so what one test changes the next does not see.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        yield
        transaction.set_rollback(True)
    inputs_cache.clear()


@pytest.fixture
def private_media(settings, tmp_path):
    """Point the documents' private storage (and staged imports) at a temporary directory.

    The storage is built at import time with the setting's value, and Django resets
    its cached location only when MEDIA_ROOT changes, so the location is swapped here.
    """
    storage = Document._meta.get_field("file").storage
    saved = storage._location
    storage._location = str(tmp_path)
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    yield tmp_path
    storage._location = saved
    for cached in ("base_location", "location"):
        storage.__dict__.pop(cached, None)


@pytest.fixture
def case_worker(db):
    return CaseWorkerFactory(email="berater@bridges.example")


@pytest.fixture
def employer_a(db):
    return UserFactory(email="a@firma-a.example")


@pytest.fixture
def employer_b(db):
    return UserFactory(email="b@firma-b.example")


@pytest.fixture
def admin_user(db):
    return AdminFactory(email="admin@bridges.example")


@pytest.fixture
def company_a(employer_a):
    """An approved company with employer A as its one user."""
    company = EmployerFactory(name="Firma A GmbH")
    MembershipFactory(user=employer_a, employer=company)
    return company


@pytest.fixture
def company_b(employer_b):
    """An approved company with employer B as its one user."""
    company = EmployerFactory(name="Firma B GmbH")
    MembershipFactory(user=employer_b, employer=company)
    return company


@pytest.fixture
def personas(case_worker, employer_a, employer_b, admin_user):
    """All logged-in personas of the permission matrix, by name."""
    return {"case_worker": case_worker, "employer_a": employer_a, "employer_b": employer_b, "admin": admin_user}


def _database_url(db_settings: dict) -> str:
    user = db_settings.get("USER") or ""
    password = db_settings.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db_settings.get("HOST") or "127.0.0.1"
    port = db_settings.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{db_settings['NAME']}"


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the Redis broker, using the test database."""
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "the worker tests need a real broker (REDIS_URL)"
    from django.db import connection

    with django_db_blocker.unblock():
        db_url = _database_url(connection.settings_dict)
    celery_app.control.purge()
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "bridges.settings_test"}
    hostname = f"test-{uuid.uuid4().hex[:8]}@{socket.gethostname()}"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "bridges",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--hostname",
                hostname,
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"celery worker exited with {proc.returncode}:\n{log.read_text()}")
            if celery_app.control.ping(destination=[hostname], timeout=0.5):
                break
        else:
            pytest.fail(f"celery worker did not answer within 60 s:\n{log.read_text()}")
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
