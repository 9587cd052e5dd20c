"""Settings for bridges, read from the environment (django-environ).

With nothing configured the portal runs on an SQLite file and executes Celery
tasks eagerly (the embedded default behind `make run`). With `DATABASE_URL` and
`REDIS_URL` it runs on PostgreSQL with a Redis broker and real workers. Bad or
missing values that production needs fail loudly at start-up.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.log import DEFAULT_LOGGING
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
env.smart_cast = False

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (DEBUG is off, so there is no development fallback)."
        )
    SECRET_KEY = "insecure-development-key-only-used-with-DEBUG-on"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "bridges.apps.BridgesAdminConfig",
    "csp",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_celery_beat",
    "django_countries",
    "django_filters",
    "django_htmx",
    "import_export",
    "health_check",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "bridges.apps.BridgesConfig",
    "candidates",
    "employers",
    "matching",
    "selfservice",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # ETag / 304 on the API's reads, from the final body.
    "bridges.api.middleware.ApiConditionalGetMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "bridges.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After WhiteNoise (static files stay cacheable), after the user is known.
    "bridges.middleware.NoStoreMiddleware",
    # The client's IP for every audit entry of the request; refused personal-data pages are recorded.
    "bridges.audit.AuditMiddleware",
    "bridges.middleware.RejectNulMiddleware",
    # Every page needs a login unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After authentication and messages: staff sessions end after idle time or at most hours;
    # staff without a second factor are sent to set one up (bridges/account_security.py).
    "bridges.account_security.StaffSessionMiddleware",
    "bridges.account_security.StaffMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last: the page it writes for an address that only receives forms passes every middleware above.
    "bridges.middleware.FormAddressPageMiddleware",
]

ROOT_URLCONF = "bridges.urls"
WSGI_APPLICATION = "bridges.wsgi.application"
ASGI_APPLICATION = "bridges.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "bridges.context_processors.navigation",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Production keeps each process's connection for a minute: opening one (a PostgreSQL backend, the
# authentication, the session settings) costs 4-10 ms, as much as a fifth of a page (benchmarks/README.md).
# In development (DEBUG) every request opens its own.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0 if DEBUG else 60)
# With persistent connections (CONN_MAX_AGE > 0), a connection the server dropped (a restart, a
# failover) is noticed before a request uses it, and replaced, instead of failing that request.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("CONN_HEALTH_CHECKS", default=True)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # No just-in-time compilation: the report's per-candidate EXISTS make the planner's estimate high,
    # and above `jit_above_cost` PostgreSQL spent 1.0 s compiling a query that runs in 60 ms
    # (benchmarks/report.py). A portal's queries are short; JIT only costs them.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker, results, cache -------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CACHE_URL = env.str("CACHE_URL", default=REDIS_URL)

if CACHE_URL:
    CACHES = {
        "default": {
            # Redis, and this process's memory while Redis is down: logins never need Redis (bridges/cache.py).
            "BACKEND": "bridges.cache.FallbackRedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": "bridges",
            # A page must not hang on a Redis that went away; the cache holds only small keys.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery (the CELERY_ namespace is read by bridges/celery.py) -----------
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
# Embedded default: no broker configured, so tasks run in-process at once.
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=5 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=10 * 60)
# A task is acknowledged only when it has finished, and given back to the broker
# if the worker dies, so a killed worker loses no work.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A save queues its rescore after commit; with the broker down it must give up within
# seconds (the re-scoring mark stays for the sweep) instead of retrying for long.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_TASK_TIME_LIMIT * 2,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,  # a broker that vanished without closing the connection
    "max_retries": 1,
    "interval_start": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="bridges")
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat copies these into django-celery-beat's tables at start; admins can tune them there.
CELERY_BEAT_SCHEDULE = {
    "close-expired-positions": {"task": "employers.close_expired_positions", "schedule": 60 * 60},
    # Rescores whatever is still marked (a lost message or a broker outage only delays).
    "matching-sweep": {"task": "matching.sweep", "schedule": 60},
    "matching-nightly": {"task": "matching.rescore_all", "schedule": crontab(hour=2, minute=30), "args": ["nightly"]},
    # Match runs older than MATCHING_RUNS_KEPT_DAYS go (the decisions people took stay).
    "matching-prune-runs": {"task": "matching.prune_runs", "schedule": crontab(hour=3, minute=15)},
    # E-mail: what the after-commit task could not send (a lost message, a mail server down) goes here.
    "notifications-send-pending": {"task": "bridges.send_pending_notifications", "schedule": 5 * 60},
    "notifications-prune": {"task": "bridges.prune_notifications", "schedule": crontab(hour=3, minute=45)},
    # Reminders go once per item (interviews) or per item and day; a later run only catches up.
    "matching-interview-reminders": {"task": "matching.interview_reminders", "schedule": 15 * 60},
    "matching-next-step-reminders": {
        "task": "matching.next_step_reminders",
        "schedule": crontab(hour="7-18", minute=5),
    },
    "matching-follow-up-reminders": {
        "task": "matching.follow_up_reminders",
        "schedule": crontab(hour="7-18", minute=10),
    },
    "matching-digest": {"task": "matching.digest", "schedule": crontab(hour=7, minute=0)},
    # Data protection: flags inactive candidates, anonymises those flagged long enough (idempotent).
    "candidates-retention-sweep": {"task": "candidates.retention_sweep", "schedule": crontab(hour=4, minute=15)},
}
MATCHING_RUNS_KEPT_DAYS = env.int("MATCHING_RUNS_KEPT_DAYS", default=90)
# A full rescore of more active candidates than this is cut into blocks of this many, scored by
# block tasks across the workers (with a broker on PostgreSQL; matching/blocks.py).
MATCHING_BLOCK_CANDIDATES = env.int("MATCHING_BLOCK_CANDIDATES", default=5000)
# Threads that score one block. The blocks spread a run over the worker processes, one per core
# (Celery's default concurrency): with one thread each, every core scores a block of its own
# instead of two processes' threads competing for the same cores. A single worker process on
# several cores may raise it (benchmarks/README.md, session 34).
MATCHING_BLOCK_THREADS = env.int("MATCHING_BLOCK_THREADS", default=1)
if MATCHING_BLOCK_THREADS < 1:
    raise ImproperlyConfigured("MATCHING_BLOCK_THREADS must be at least 1.")
# The daily digest lists a case worker's new matches with at least this score (0–100).
DIGEST_MIN_SCORE = env.float("DIGEST_MIN_SCORE", default=70.0)
# Support measures above this planned cost (EUR) need an admin's approval; below it any other case worker.
MEASURE_APPROVAL_LIMIT_EUR = env.int("MEASURE_APPROVAL_LIMIT_EUR", default=500)
if not 0 <= DIGEST_MIN_SCORE <= 100:
    raise ImproperlyConfigured("DIGEST_MIN_SCORE must be between 0 and 100.")
# Retention: candidates without activity for this many days are flagged to their case worker, and
# anonymised when still inactive this many days after the flag.
RETENTION_FLAG_AFTER_DAYS = env.int("RETENTION_FLAG_AFTER_DAYS", default=730)
RETENTION_ERASE_AFTER_DAYS = env.int("RETENTION_ERASE_AFTER_DAYS", default=90)
if RETENTION_FLAG_AFTER_DAYS < 1 or RETENTION_ERASE_AFTER_DAYS < 0:
    raise ImproperlyConfigured("RETENTION_FLAG_AFTER_DAYS must be at least 1, RETENTION_ERASE_AFTER_DAYS at least 0.")
# Audit entries are kept this many days, then deleted by bridges.audit_retention.purge_audit_events
# (the database refuses any other deletion; see docs/database-roles.md).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=730)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured("AUDIT_RETENTION_DAYS must be at least 1.")
# Sent e-mail notifications (and given-up ones) are deleted after this many days.
NOTIFICATIONS_KEPT_DAYS = env.int("NOTIFICATIONS_KEPT_DAYS", default=90)
CELERY_TIMEZONE = "Europe/Berlin"

# --- Users and authentication ----------------------------------------------
AUTH_USER_MODEL = "bridges.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "start"

# The employers app extends the adapter: an invited colleague joins the inviting company at sign-up.
ACCOUNT_ADAPTER = "employers.adapters.EmployerAccountAdapter"
ACCOUNT_FORMS = {"signup": "employers.forms_signup.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
# The portal's name in mails (allauth would name the site after the request's host without
# django.contrib.sites; bridges.adapters gives it this name).
SITE_NAME = env.str("SITE_NAME", default="bridges")
# The portal's address as people reach it: the links in e-mails that a worker sends (no request there).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")) or "/" in SITE_URL.split("://", 1)[1]:
    raise ImproperlyConfigured(f"SITE_URL must be http(s)://host[:port] without a path, not {SITE_URL!r}.")
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# allauth's rate limits are on by default; they are stated here so that they are
# visible and tunable (they need a shared cache across processes: Redis).
# "login_failed" per key counts failures per account *and* client IP (bridges.adapters): someone
# guessing from one address cannot lock the owner out of another; each address also has its own limit.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    # wrong codes typed on the candidate's invitation page (selfservice.views.welcome)
    "portal_code": "10/m/ip",
}

# Changing the password ends every session of the user, the one it was changed in too.
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
# Behind a reverse proxy the client's address is in its header (else every visitor would share the
# proxy's address, and 10 failed logins a minute would lock everyone out): the number of proxies in
# front of the portal that append to X-Forwarded-For, or the name of a header one of them sets.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = env.str("TRUSTED_CLIENT_IP_HEADER", default="") or None

# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) and recovery codes. Case
# workers and admins must set it up before they see any page; employers may.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_ADAPTER = "bridges.adapters.MFAAdapter"
MFA_TOTP_ISSUER = SITE_NAME
MFA_REQUIRED_FOR_STAFF = env.bool("MFA_REQUIRED_FOR_STAFF", default=True)
if not MFA_REQUIRED_FOR_STAFF and not DEBUG:
    raise ImproperlyConfigured("MFA_REQUIRED_FOR_STAFF=false is for demonstrations with DEBUG on, never production.")
# Staff sessions end after this much idle time and at the latest this long after the login;
# employers keep Django's default (two weeks, the browser's cookie).
STAFF_SESSION_IDLE_MINUTES = env.int("STAFF_SESSION_IDLE_MINUTES", default=30)
STAFF_SESSION_MAX_HOURS = env.int("STAFF_SESSION_MAX_HOURS", default=12)

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English")), ("ar", _("Arabic"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
# Formats Django's locales lack (bridges/formats/<language>/formats.py); the rest stay Django's.
FORMAT_MODULE_PATH = "bridges.formats"
USE_TZ = True

# --- Static files -----------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Candidate documents: outside static/ and MEDIA_URL, served only through a view that checks permission.
PRIVATE_MEDIA_ROOT = env.path("PRIVATE_MEDIA_ROOT", default=BASE_DIR / "private-media")
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Fields per request (a repeated name counts each time). The largest forms: the case workers'
# company form with all 20 contacts and 50 regions (~530 fields), a position with its 10
# language rows and the ESCO skills of its occupation (~100 + skills), and in the admin an
# occupation or position with every ESCO skill relation inline (5 fields each). Formsets are
# capped on their own (`absolute_max`); this refuses anything bigger with 400.
DATA_UPLOAD_MAX_NUMBER_FIELDS = 2_000
FILE_UPLOAD_PERMISSIONS = 0o600
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- The REST API (/api/v1/) -------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "bridges.api.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the documentation page, logged in
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "bridges.api.pagination.Pages",
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["bridges.api.throttling.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env.str("API_RATE_LIMIT", default="600/minute")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "bridges.api.errors.problem_details",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "bridges API",
    "DESCRIPTION": "Positions, employers, candidates, matches, introductions, placements, support measures and "
    "report figures of the building bridges programme. Authenticate with a personal token from "
    "/settings/api-tokens/ (Authorization: Bearer …). Errors are problem details (RFC 9457).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Choices as their codes only: the labels are the pages' business (and in one language).
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    "ENUM_NAME_OVERRIDES": {
        "PositionStatusEnum": "employers.models.Position.Status",
        "CandidateStatusEnum": "candidates.models.Status",
        "IntroductionStageEnum": "matching.pipeline.Stage",
        "CloseReasonEnum": "matching.pipeline.Reason",
    },
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "bridges.api.schema.problem_responses"],
}

# Widget templates may be overridden in templates/ (e.g. widgets/autocomplete.html).
FORM_RENDERER = "bridges.form_renderer.FormRenderer"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail -----------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="bridges <noreply@bridges.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No page may be framed: the CSP's frame-ancestors below, and this for browsers without it.
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles only from the portal's own static files,
# so an injected script element, event handler (onclick=…) or style attribute does not run. Templates hold
# no inline script or style; data for scripts travels in data- attributes or json_script
# (type="application/json", which is not executed). Bootstrap's CSS draws its icons from data: URIs.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (django-permissions-policy): the portal uses none of these browser features,
# so no script (nor a frame, were one ever embedded) may ask for them.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
if env.bool("BEHIND_TLS_PROXY", default=False):
    # Only trust X-Forwarded-Proto when a proxy that sets it sits in front.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_traceback_below_error": {"()": "bridges.logging_filters.NoTracebackBelowError"}},
    "formatters": {"django.server": DEFAULT_LOGGING["formatters"]["django.server"]},
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": DEFAULT_LOGGING["handlers"]["django.server"],
    },
    "loggers": {
        # Everything is printed once, by the root's handler: Django's own console handler
        # (with DEBUG on) printed every request error a second time.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # A 403 or 404 is one line at WARNING; Django attaches the traceback of PermissionDenied.
        "django.request": {"filters": ["no_traceback_below_error"]},
        # /healthz answers what failed; monitors ask every few seconds, so one line each time.
        "health_check": {"filters": ["no_traceback_below_error"]},
        # Configuring "django" resets its children: runserver's request lines keep their own format.
        "django.server": DEFAULT_LOGGING["loggers"]["django.server"],
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}
