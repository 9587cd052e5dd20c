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
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import translation

from bridges.celery import app as celery_app
from candidates.models import Document
from matching import inputs_cache
from tests.employers.factories import EmployerFactory, MembershipFactory
from tests.factories import AdminFactory, CaseWorkerFactory, UserFactory

BASE_DIR = Path(__file__).resolve().parent.parent


def pytest_collection_modifyitems(items):
    """Run the browser tests last: their Playwright event loop stays up until the session ends.

    Under pytest-xdist (`make test`) this order is the order in which the test modules are handed
    out (`--dist loadscope --no-loadscope-reorder`), so a process that has started the browser tests
    gets no other tests after them."""
    items.sort(key=lambda item: ("e2e" in item.path.parts, item.path.name not in LONG_BROWSER_MODULES))


# The longest browser modules go out first, so that the short ones fill up the processes at the end
# (one module runs in one process: a long one handed out last would run alone).
LONG_BROWSER_MODULES = ("test_pages.py", "test_pages_arabic.py", "test_own_view.py", "test_keyboard.py")


@pytest.fixture(autouse=True)
def _clean_cache():
    # allauth's rate limits live in the cache; each test starts with none; nor with the inputs
    # a matching run kept in this process for the next one.
    cache.clear()
    inputs_cache.clear()
    # Each test starts in the portal's language: a request through the test client leaves the
    # language it was served in active in this thread, and what a test runs next (a task writing
    # a message into a record, say) would otherwise depend on which test ran before it in this
    # process, which under pytest-xdist changes from run to run.
    translation.activate(settings.LANGUAGE_CODE)


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


# Database tests run as the portal's application role (docs/database-roles.md: no TRUNCATE, no
# UPDATE/DELETE of audit rows, owns nothing), as the portal does in production; the test database
# is created, migrated and flushed by the connecting (owner) role. A test that needs the owner
# (roles, triggers, migrations) is marked `owner_role`. TEST_DATABASE_ROLE=owner runs all as owner.
DB_FIXTURES = {"db", "transactional_db", "django_db_reset_sequences", "django_db_serialized_rollback", "live_server"}


def _app_role_name() -> str:
    from django.db import connection

    return f"{connection.settings_dict['NAME']}_app"[:63]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as pytest-django makes it, plus the application role (outside any test's
    transaction: the role and its grants are committed)."""
    from bridges.management.commands.create_app_role import create_app_role

    with django_db_blocker.unblock():
        create_app_role(role=_app_role_name())


@pytest.fixture(autouse=True)
def _as_application_role(request):
    wants_db = request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)
    if (
        not wants_db
        or request.node.get_closest_marker("owner_role")
        or os.environ.get("TEST_DATABASE_ROLE", "app") == "owner"
    ):
        yield
        return
    from django.db import DatabaseError, connection

    # The test's database first (pytest-django's marker fixture may have set it up already): its
    # teardown (rollback, or a flush with TRUNCATE) then runs after ours.
    request.getfixturevalue("_django_db_helper")
    role = _app_role_name()
    with connection.cursor() as cursor:
        cursor.execute(f'SET ROLE "{role}"')
    yield
    if not connection.in_atomic_block:  # inside the test's transaction, its rollback resets the role
        try:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
        except DatabaseError:
            connection.close()  # the next connection is the owner's


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


@pytest.fixture
def eager_celery():
    """Tasks run in the test's own process, as without a broker (a worker started by another test
    sees none of them)."""
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield celery_app
    celery_app.conf.task_always_eager = previous


@pytest.fixture(scope="session")
def celery_worker_session(django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the Redis broker, using the test database; it starts
    consuming the portal's queue only inside a test that asks for it (`celery_worker_process`)."""
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
                "--queues",
                f"idle-{hostname}",
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
        proc.hostname = hostname
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def celery_worker_process(celery_worker_session):
    """The real worker, consuming the portal's queue for this test only.

    Between these tests it takes nothing: a task queued by another test (a test in a rolled-back
    transaction running its on-commit callbacks by hand, say) would otherwise run in the worker
    against this process's test database and commit rows no rollback removes, which a later test
    then finds. After the test the worker stops consuming and finishes what it holds before the
    test's database is emptied, and what is left in the queue is dropped."""
    queue = celery_app.conf.task_default_queue
    hostname = celery_worker_session.hostname
    celery_app.control.purge()
    replies = celery_app.control.add_consumer(queue, destination=[hostname], reply=True, timeout=10)
    assert replies, f"the worker {hostname} did not start consuming {queue}"
    yield celery_worker_session
    celery_app.control.cancel_consumer(queue, destination=[hostname], reply=True, timeout=10)
    inspect = celery_app.control.inspect(destination=[hostname], timeout=2)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        consuming = inspect.active_queues() or {}
        busy = (inspect.active() or {}).get(hostname, []) + (inspect.reserved() or {}).get(hostname, [])
        if consuming and not busy and all(q["name"] != queue for q in consuming.get(hostname, [])):
            break
        time.sleep(0.2)
    else:
        pytest.fail(f"the worker {hostname} did not become idle within 120 s")
    celery_app.control.purge()


@pytest.fixture
def keep_the_test_connection():
    """As Django's test client does: the handler's signals must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
