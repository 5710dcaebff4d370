"""smartsafe settings: one file, every value from the environment.

Embedded mode (``SMARTSAFE_DEMO=1``, what ``make run`` uses): SQLite in ``var/``, local files,
in-memory channel layer, database task queue, demo logins without MFA.
Production (``SMARTSAFE_DEMO`` unset): ``SMARTSAFE_SECRET_KEY`` and ``SMARTSAFE_ALLOWED_HOSTS`` are
required, MFA is mandatory for every staff and institution account, ``DATABASE_URL`` points at
PostgreSQL. Every setting read here is listed in ``docs/configuration.md``.
"""

from __future__ import annotations

import os
import re
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from smartsafe.core.env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
# pytest (8.2+) exports PYTEST_VERSION for the whole session; tests get the embedded defaults.
TESTING = "PYTEST_VERSION" in os.environ

DATA_DIR = Path(env_str("SMARTSAFE_DATA_DIR", str(Path.cwd() / "var"))).resolve()

DEMO = env_bool("SMARTSAFE_DEMO", TESTING)
DEBUG = env_bool("SMARTSAFE_DEBUG", False)


def _secret_key() -> str:
    key = env_str("SMARTSAFE_SECRET_KEY")
    if key:
        return key
    if TESTING:
        return "test-only-secret-key-" + "x" * 40
    if not DEMO:
        raise ImproperlyConfigured(
            "SMARTSAFE_SECRET_KEY is required outside demo mode (set SMARTSAFE_DEMO=1 for a demo)."
        )
    # Demo mode: one random key per data directory, so sessions survive restarts.
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = env_list("SMARTSAFE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEMO else [])
if not ALLOWED_HOSTS and not DEMO:
    raise ImproperlyConfigured("SMARTSAFE_ALLOWED_HOSTS is required outside demo mode.")
CSRF_TRUSTED_ORIGINS = env_list("SMARTSAFE_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "django_htmx",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_tasks",
    # Before django_tasks_db: its durable ``db_worker`` (leases, retries) replaces the library's.
    "smartsafe.jobs",
    "django_tasks_db",
    "channels",
    "smartsafe.core",
    "smartsafe.accounts",
    "smartsafe.audit",
    "smartsafe.taxonomy",
    "smartsafe.directory",
    "smartsafe.intake",
    "smartsafe.cases",
    "smartsafe.inbox",
    "smartsafe.evidence",
    "smartsafe.referrals",
    "smartsafe.prevention",
    "smartsafe.stats",
    "smartsafe.advice",
    "smartsafe.portal",
    "smartsafe.chat",
    "smartsafe.api",
    "smartsafe.site",
    "smartsafe.demo",
    # Last: its admin module replaces the libraries' admin pages (see accounts/admin_access.py).
    "smartsafe.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "smartsafe.core.middleware.RequestContextMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "smartsafe.accounts.middleware.MfaRequiredMiddleware",
    # Axes must come last: it reads the outcome of the authentication above.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "smartsafe.config.urls"
WSGI_APPLICATION = "smartsafe.config.wsgi.application"
ASGI_APPLICATION = "smartsafe.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "csp.context_processors.nonce",
                "smartsafe.site.context_processors.platform",
            ],
        },
    },
]

# --- database -----------------------------------------------------------------------------------
_default_db = f"sqlite:///{DATA_DIR / 'smartsafe.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no var/ yet
    # WAL lets the web process read while the task worker writes; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock between two writers; the platform's own backend makes
    # the writers of one process take turns instead of racing (core/db/sqlite3/base.py).
    DATABASES["default"]["ENGINE"] = "smartsafe.core.db.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too: an in-memory shared-cache database locks whole tables and ignores the
    # busy timeout, so concurrency would behave unlike production.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-smartsafe-{os.getpid()}.sqlite3")}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A bounded pool per process instead of one persistent connection per server thread: the
    # server's threads come and go with the requests, and each used to keep its own connection
    # until PostgreSQL ran out of them. A request that finds the pool busy waits for a free
    # connection (up to SMARTSAFE_DB_POOL_TIMEOUT seconds) instead of failing. Each connection is
    # checked before it is handed out, so a restarted database costs no request a stale one.
    # Budget: (web processes + task workers + 1 scheduler) × SMARTSAFE_DB_POOL_SIZE must stay
    # below the server's max_connections (docs/deploy.md).
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps the connections, not Django
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool checks each one it hands out
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env_int("SMARTSAFE_DB_POOL_SIZE", 8),
        "timeout": env_int("SMARTSAFE_DB_POOL_TIMEOUT", 10),
        "max_idle": 300,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts and security ----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    # Argon2 is deliberately slow; tests create many users.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# MFA is mandatory for every account outside demo mode (demo logins must work without a phone).
SMARTSAFE_REQUIRE_MFA = env_bool("SMARTSAFE_REQUIRE_MFA", not DEMO)

ACCOUNT_ADAPTER = "smartsafe.accounts.adapters.StaffAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username"}
ACCOUNT_SIGNUP_FIELDS = ["username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env_str("SMARTSAFE_MFA_ISSUER", "smartsafe")
# TOTP secrets and recovery-code seeds are encrypted in the database with a key derived from this.
MFA_ADAPTER = "smartsafe.accounts.adapters.StaffMfaAdapter"
SMARTSAFE_MFA_KEY = env_str("SMARTSAFE_MFA_KEY", SECRET_KEY)

AXES_FAILURE_LIMIT = env_int("SMARTSAFE_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("SMARTSAFE_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "login"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_ENABLED = env_bool("SMARTSAFE_AXES_ENABLED", True)
# allauth passes ``username=``, not the form's ``login``: resolve (and normalise) it ourselves.
AXES_USERNAME_CALLABLE = "smartsafe.accounts.lockout.username_from_credentials"
# The lockout page with the time to try again (renders AXES_LOCKOUT_TEMPLATE, status 429).
AXES_LOCKOUT_CALLABLE = "smartsafe.accounts.lockout.lockout_response"
# Axes owns the per-username limit (allauth's own would answer first, with a plain form error);
# allauth keeps a per-address limit against trying many usernames from one place.
ACCOUNT_RATE_LIMITS = {"login_failed": env_str("SMARTSAFE_LOGIN_FAILED_RATE_LIMIT", "20/m/ip")}
# W006 asks to lock by address too; the centre's staff share one office address (see accounts/lockout.py).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SESSION_COOKIE_AGE = env_int("SMARTSAFE_SESSION_SECONDS", 8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEMO and not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SMARTSAFE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SMARTSAFE_HSTS_SECONDS", 31536000)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}

# --- i18n ---------------------------------------------------------------------------------------
LANGUAGE_CODE = env_str("SMARTSAFE_LANGUAGE", "en" if TESTING else "sr")
LANGUAGES = [
    ("sr", _("Serbian (Cyrillic)")),
    ("sr-latn", _("Serbian (Latin)")),
    ("en", _("English")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# One way of writing dates per language (smartsafe/formats/): the long and short forms agree.
FORMAT_MODULE_PATH = ["smartsafe.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env_str("SMARTSAFE_TIME_ZONE", "Europe/Belgrade")

# --- files --------------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# The project-wide stylesheet and script (src/smartsafe/static) belong to no single app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if DEMO or DEBUG or TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    WHITENOISE_USE_FINDERS = True
    # Served straight from the apps' static folders; nothing is collected in embedded mode.
    STATIC_ROOT = None
MEDIA_ROOT = DATA_DIR / "media"
MEDIA_URL = "/media-not-served/"  # uploaded files are never served directly

# --- API ----------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "smartsafe.accounts.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "smartsafe.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "smartsafe.api.exceptions.exception_handler",
    # DRF's parsers with a 400 for JSON nested too deeply and a size ceiling for multipart.
    "DEFAULT_PARSER_CLASSES": [
        "smartsafe.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "smartsafe.api.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "smartsafe API",
    "DESCRIPTION": "Contacts, cases and audit of a child online safety contact centre.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "state" or "kind" with different choices: name each enum explicitly.
    "ENUM_NAME_OVERRIDES": {
        "ContactStateEnum": "smartsafe.intake.models.ContactState",
        "CaseStateEnum": "smartsafe.cases.models.CaseState",
        "CaseKindEnum": "smartsafe.cases.models.CaseKind",
        "ArtefactKindEnum": "smartsafe.cases.models.ArtefactKind",
        "ReferralStateEnum": "smartsafe.referrals.models.ReferralState",
        "ReferralKindEnum": "smartsafe.referrals.models.ReferralKind",
    },
}

# --- background work and real time --------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}
# Durable background work (jobs/durability.py): a claimed task whose worker stops stamping its
# heartbeat for a lease is run again; after the last attempt it waits on the "needs attention" page.
SMARTSAFE_TASK_LEASE_SECONDS = env_int("SMARTSAFE_TASK_LEASE_SECONDS", 60)
SMARTSAFE_TASK_MAX_ATTEMPTS = env_int("SMARTSAFE_TASK_MAX_ATTEMPTS", 5)
SMARTSAFE_TASK_RETRY_SECONDS = env_int("SMARTSAFE_TASK_RETRY_SECONDS", 10)
# Audit events are sealed into the hash chain by a background thread of each process right after
# their transaction commits (audit/sealing.py); tests seal in the committing thread, so that what
# a test reads never depends on a thread's timing.
SMARTSAFE_AUDIT_SEAL_IN_BACKGROUND = not TESTING
# Task workers run this much nicer than the web processes (0: the same priority).
SMARTSAFE_TASK_WORKER_NICENESS = env_int("SMARTSAFE_TASK_WORKER_NICENESS", 5)
# Signed checkpoints of the audit chain (audit/checkpoints.py): a folder the database cannot reach
# (in production a mount of another machine or write-once storage), the signing key (kept like
# the evidence key; default: derived from the secret key) and an optional DPO address for copies.
SMARTSAFE_AUDIT_CHECKPOINT_DIR = env_str(
    "SMARTSAFE_AUDIT_CHECKPOINT_DIR", str(DATA_DIR / "audit-checkpoints")
)
SMARTSAFE_AUDIT_CHECKPOINT_KEY = env_str("SMARTSAFE_AUDIT_CHECKPOINT_KEY")
SMARTSAFE_AUDIT_CHECKPOINT_EMAIL = env_str("SMARTSAFE_AUDIT_CHECKPOINT_EMAIL")
# Periodic jobs the scheduler enqueues (core/scheduler.py); the task worker runs them.
SMARTSAFE_SCHEDULE = [
    {
        # Retention rules (privacy app): anonymise, shred or delete what has outlived its policy.
        "name": "apply-retention",
        "task": "smartsafe.privacy.tasks.apply_retention",
        "every": timedelta(hours=24),
    },
    {
        # Statistics reads recount dirty days themselves; this keeps the queue short in between.
        "name": "drain-statistics",
        "task": "smartsafe.stats.tasks.drain_dirty_days",
        "every": timedelta(seconds=30),
    },
    {
        # Events are sealed right after their transaction commits; this catches a process that
        # died in between, so nothing stays pending for long.
        "name": "seal-audit-events",
        "task": "smartsafe.audit.tasks.seal_audit_events",
        "every": timedelta(seconds=30),
    },
    {
        "name": "write-audit-checkpoint",
        "task": "smartsafe.audit.tasks.write_audit_checkpoint",
        "every": timedelta(hours=1),
    },
    {
        "name": "abandon-unattended-chats",
        "task": "smartsafe.chat.tasks.abandon_unattended_chats",
        "every": timedelta(minutes=1),
    },
    {
        "name": "purge-expired-report-drafts",
        "task": "smartsafe.portal.tasks.purge_expired_drafts",
        "every": timedelta(minutes=15),
    },
    {
        "name": "verify-audit-chain",
        "task": "smartsafe.audit.tasks.verify_audit_chain",
        "every": timedelta(hours=24),
    },
    {
        "name": "link-evidence-duplicates",
        "task": "smartsafe.evidence.tasks.link_pending_duplicates",
        "every": timedelta(minutes=15),
    },
    {
        "name": "rescan-evidence",
        "task": "smartsafe.evidence.tasks.rescan_unscanned",
        "every": timedelta(hours=1),
    },
    {
        # Ciphertext left by rolled-back transactions (never referenced, older than a day).
        "name": "sweep-evidence-orphans",
        "task": "smartsafe.evidence.tasks.sweep_orphans",
        "every": timedelta(hours=6),
    },
    {
        "name": "check-overdue-referrals",
        "task": "smartsafe.referrals.tasks.check_overdue_referrals",
        "every": timedelta(hours=1),
    },
    {
        "name": "poll-email",
        "task": "smartsafe.inbox.tasks.poll_email_accounts",
        "every": timedelta(minutes=1),
    },
    {
        "name": "prune-finished-tasks",
        "task": "smartsafe.jobs.tasks.prune_finished_tasks",
        "every": timedelta(days=1),
    },
]
REDIS_URL = env_str("SMARTSAFE_REDIS_URL")
# The cache holds rate-limit counters, so every web process must share it in production.
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
elif DEMO or TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Created by ``manage.py createcachetable`` (docs/deploy.md).
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "smartsafe_cache"}
    }
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            # One Redis may serve several installations (or test runs): each its own prefix.
            "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("SMARTSAFE_CHANNELS_PREFIX", "asgi")},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- e-mail -------------------------------------------------------------------------------------
EMAIL_HOST = env_str("SMARTSAFE_EMAIL_HOST")
EMAIL_PORT = env_int("SMARTSAFE_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("SMARTSAFE_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("SMARTSAFE_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("SMARTSAFE_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = env_str("SMARTSAFE_EMAIL_FROM", "smartsafe@localhost")
if not EMAIL_HOST and not TESTING:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# --- the centre ---------------------------------------------------------------------------------
SMARTSAFE_CENTRE_NAME = env_str("SMARTSAFE_CENTRE_NAME", "Паметно и безбедно")
SMARTSAFE_HELPLINE = env_str("SMARTSAFE_HELPLINE", "19833")
SMARTSAFE_CASE_PREFIX = env_str("SMARTSAFE_CASE_PREFIX", "SS")
# Which country's reference data (taxonomy/data/<country>/, directory/data/<country>/) to load.
SMARTSAFE_COUNTRY = env_str("SMARTSAFE_COUNTRY", "rs")
# The centre's own days off beyond the country's public holidays (core/calendar.py): ISO dates.
SMARTSAFE_CLOSED_DAYS = env_list("SMARTSAFE_CLOSED_DAYS")
# When on, a counsellor's closure waits for a supervisor's approval.
SMARTSAFE_CLOSURE_NEEDS_APPROVAL = env_bool("SMARTSAFE_CLOSURE_NEEDS_APPROVAL", True)
# When on, a counsellor's referral waits for a supervisor's approval before it is sent.
SMARTSAFE_REFERRAL_NEEDS_APPROVAL = env_bool("SMARTSAFE_REFERRAL_NEEDS_APPROVAL", True)
# When on, the reporter's "check my report" page names the institutions a report was forwarded to.
SMARTSAFE_PUBLIC_STATUS_NAMES_INSTITUTION = env_bool("SMARTSAFE_PUBLIC_STATUS_NAMES_INSTITUTION", False)
# Key for pseudonymising identifiers (phone numbers, messenger ids): keyed hashes, never clear text.
SMARTSAFE_PSEUDONYM_KEY = env_str("SMARTSAFE_PSEUDONYM_KEY", SECRET_KEY)
# Key(s) that encrypt channel secrets (mailbox passwords, bot tokens); comma-separated, the first
# encrypts, all decrypt (docs/channels-email.md). Default: derived from the secret key.
SMARTSAFE_CHANNEL_SECRETS_KEY = env_str("SMARTSAFE_CHANNEL_SECRETS_KEY", SECRET_KEY)

# --- public portal (docs/portal.md) --------------------------------------------------------------
# Per client (hashed address) and hour; 0 turns a limit off. Several web processes need a shared cache.
# Reports per address are high enough for a class reporting together from a school's one address;
# the circuit breaker counts every address together (portal/ratelimit.py).
SMARTSAFE_PORTAL_REPORTS_PER_HOUR = env_int("SMARTSAFE_PORTAL_REPORTS_PER_HOUR", 40)
SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES = env_int("SMARTSAFE_PORTAL_REPORTS_ALL_PER_10_MINUTES", 300)
SMARTSAFE_PORTAL_CHECKS_PER_HOUR = env_int("SMARTSAFE_PORTAL_CHECKS_PER_HOUR", 20)
SMARTSAFE_PORTAL_DRAFT_HOURS = env_int("SMARTSAFE_PORTAL_DRAFT_HOURS", 24)
SMARTSAFE_PORTAL_MAX_FILES = env_int("SMARTSAFE_PORTAL_MAX_FILES", 10)
SMARTSAFE_EMERGENCY_NUMBER = env_str("SMARTSAFE_EMERGENCY_NUMBER", "192")
# The public site's identity (docs/portal.md): the centre's logo (a URL, or a path under the static
# files; empty: the neutral mark shipped with smartsafe) and its colours (#rrggbb): the brand colour
# of links and buttons, and the colour of text on it. The demo uses the neutral defaults.
SMARTSAFE_PORTAL_LOGO = env_str("SMARTSAFE_PORTAL_LOGO", "")
SMARTSAFE_PORTAL_COLOUR = env_str("SMARTSAFE_PORTAL_COLOUR", "#1d4e89")
SMARTSAFE_PORTAL_COLOUR_TEXT = env_str("SMARTSAFE_PORTAL_COLOUR_TEXT", "#ffffff")
for _name in ("SMARTSAFE_PORTAL_COLOUR", "SMARTSAFE_PORTAL_COLOUR_TEXT"):
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", globals()[_name]):
        raise ImproperlyConfigured(f"{_name} must be a colour written #rrggbb, not {globals()[_name]!r}.")

# --- live web chat (docs/chat.md) ----------------------------------------------------------------
# The hours counsellors answer chats (local time); outside them, and on public holidays and
# SMARTSAFE_CLOSED_DAYS, the chat page offers to leave a message instead. "24:00" closes at midnight.
SMARTSAFE_CHAT_DAYS = env_list("SMARTSAFE_CHAT_DAYS", ["mon", "tue", "wed", "thu", "fri"])
SMARTSAFE_CHAT_OPENS = env_str("SMARTSAFE_CHAT_OPENS", "08:00")
SMARTSAFE_CHAT_CLOSES = env_str("SMARTSAFE_CHAT_CLOSES", "20:00")
# Chats a client (hashed address) may start per hour; messages per minute on one connection.
SMARTSAFE_CHAT_STARTS_PER_HOUR = env_int("SMARTSAFE_CHAT_STARTS_PER_HOUR", 10)
SMARTSAFE_CHAT_MESSAGES_PER_MINUTE = env_int("SMARTSAFE_CHAT_MESSAGES_PER_MINUTE", 30)
# How long a counsellor's block of a client lasts.
SMARTSAFE_CHAT_BLOCK_HOURS = env_int("SMARTSAFE_CHAT_BLOCK_HOURS", 24)
# The expected wait shown before the centre has answered any chat.
SMARTSAFE_CHAT_DEFAULT_WAIT_SECONDS = env_int("SMARTSAFE_CHAT_DEFAULT_WAIT_SECONDS", 180)
# A waiting chat whose page has not been heard from for this long (the tab was closed, the phone
# went offline) leaves the queue as abandoned, so counsellors never pick up a chat nobody is in.
SMARTSAFE_CHAT_WAITING_TIMEOUT_MINUTES = env_int("SMARTSAFE_CHAT_WAITING_TIMEOUT_MINUTES", 5)

# --- evidence vault (docs/evidence.md) -----------------------------------------------------------
SMARTSAFE_EVIDENCE_MAX_FILE_MB = env_int("SMARTSAFE_EVIDENCE_MAX_FILE_MB", 20)
SMARTSAFE_EVIDENCE_MAX_REPORT_MB = env_int("SMARTSAFE_EVIDENCE_MAX_REPORT_MB", 100)
# Master key that wraps every file's own key: base64 of 32 bytes, or a file holding it. Required
# outside demo mode; demo mode generates ``DATA_DIR/evidence.key``. Previous keys stay readable
# during a rotation (comma-separated key files).
SMARTSAFE_EVIDENCE_KEY = env_str("SMARTSAFE_EVIDENCE_KEY")
SMARTSAFE_EVIDENCE_KEY_FILE = env_str("SMARTSAFE_EVIDENCE_KEY_FILE")
SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES = env_list("SMARTSAFE_EVIDENCE_PREVIOUS_KEY_FILES")
# Optional ClamAV (clamd): a Unix socket, or host and port.
SMARTSAFE_CLAMD_SOCKET = env_str("SMARTSAFE_CLAMD_SOCKET")
SMARTSAFE_CLAMD_HOST = env_str("SMARTSAFE_CLAMD_HOST")
SMARTSAFE_CLAMD_PORT = env_int("SMARTSAFE_CLAMD_PORT", 3310)
SMARTSAFE_CLAMD_TIMEOUT = env_int("SMARTSAFE_CLAMD_TIMEOUT", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SMARTSAFE_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Every periodic job's start and end would fill the console twice a minute; failures are
        # logged at warning level and above, and parked tasks at error level (jobs/durability.py).
        "django_tasks": {"level": env_str("SMARTSAFE_TASK_LOG_LEVEL", "WARNING")},
        "django_tasks_db": {"level": env_str("SMARTSAFE_TASK_LOG_LEVEL", "WARNING")},
        "smartsafe.scheduler": {"level": env_str("SMARTSAFE_TASK_LOG_LEVEL", "WARNING")},
    },
}
