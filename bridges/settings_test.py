"""Test settings: the real settings, with a fast password hasher and a test mailbox.

The suite runs against PostgreSQL and Redis; `make test` sets DATABASE_URL and
REDIS_URL, and the defaults below point at the local services.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DATABASE_URL", "postgres://127.0.0.1:5432/bridges_test")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")


def _own_redis_databases() -> None:
    """Under pytest-xdist each test process (gw0, gw1, …) gets its own test database (pytest-django
    adds the suffix) and here its own pair of Redis databases: the tests flush the cache, purge
    the broker's queue and start a Celery worker of their own. The worker process it starts inherits
    the shifted URLs and the marker, so it does not shift them again. gw0 keeps the given numbers,
    gw1 takes the two below them (the defaults 14/15 become 12/13), and so on."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw") or os.environ.get("BRIDGES_TEST_REDIS_SHIFTED") == worker:
        return
    offset = 2 * int(worker[2:])
    for key in ("REDIS_URL", "CACHE_URL"):
        head, _, number = os.environ[key].rpartition("/")
        if head.startswith("redis") and number.isdigit():
            os.environ[key] = f"{head}/{(int(number) - offset) % 16}"
    os.environ["BRIDGES_TEST_REDIS_SHIFTED"] = worker


_own_redis_databases()

from bridges.settings import *  # noqa: E402, F403 (test settings extend the real ones)

# A connection per request, as in development: the live server's request threads end without closing
# theirs, and a kept one would hold the test database open when it is dropped.
DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("TEST_CONN_MAX_AGE", "0"))  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = os.environ.get("BRIDGES_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The tests set their own HTTPS expectations; the test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
