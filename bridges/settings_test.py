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

from bridges.settings import *  # noqa: F403 (test settings extend the real ones)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The tests set their own HTTPS expectations; the test client speaks plain HTTP.
SECURE_SSL_REDIRECT = False
