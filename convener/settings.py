"""Convener's one settings module. Every value comes from the environment, through small
typed helpers that fail loudly on a bad value; the defaults are safe for the embedded demo."""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from convener.core.roles import Role

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("CONVENER_VAR_DIR", BASE_DIR / "var"))

_KNOWN = {
    "CONVENER_DATABASE_URL",
    "CONVENER_TEST_DATABASE_URL",
    "CONVENER_SECRET_KEY",
    "CONVENER_CACHE_URL",
    "CONVENER_DEBUG",
    "CONVENER_ALLOWED_HOSTS",
    "CONVENER_VAR_DIR",
    "CONVENER_EMAIL_URL",
    "CONVENER_DEFAULT_FROM_EMAIL",
    "CONVENER_TIME_ZONE",
    "CONVENER_SECURE",
    "CONVENER_DEMOGRAPHICS_KEYS",
    "CONVENER_OIDC_CLIENT_ID",
    "CONVENER_OIDC_CLIENT_SECRET",
    "CONVENER_OIDC_AUTHORIZATION_ENDPOINT",
    "CONVENER_OIDC_TOKEN_ENDPOINT",
    "CONVENER_OIDC_USERINFO_ENDPOINT",
    "CONVENER_OIDC_JWKS_ENDPOINT",
    "CONVENER_OIDC_SIGN_ALGO",
    "CONVENER_OIDC_SCOPES",
    "CONVENER_OIDC_GROUPS_CLAIM",
    "CONVENER_OIDC_ROLES",
    "CONVENER_OIDC_PROVIDER_NAME",
    "CONVENER_TERM_REMINDER_MONTHS",
    "CONVENER_TRUSTED_PROXIES",
    "CONVENER_BACKUP_RECIPIENTS",
    "CONVENER_END_DATES",
    "CONVENER_IMPORT_MAX_MB",
    "CONVENER_IMPORT_MAX_ROWS",
    "CONVENER_IMPORT_JOB_TIMEOUT_MINUTES",
    "CONVENER_WORKER_PROCESSES",
}
_unknown = sorted(k for k in os.environ if k.startswith("CONVENER_") and k not in _KNOWN)
if _unknown:
    raise ImproperlyConfigured(f"Unknown configuration variable(s): {', '.join(_unknown)}")


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: int, lo: int, hi: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None
    if not lo <= number <= hi:
        raise ImproperlyConfigured(f"{name} must be between {lo} and {hi}, not {number}")
    return number


def envlist(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = envbool("CONVENER_DEBUG", False)
TESTING = bool(os.environ.get("PYTEST_VERSION"))
# HTTPS-only cookies, redirects and HSTS, except in the local demo and the test client.
SECURE = envbool("CONVENER_SECURE", not DEBUG and not TESTING)

SECRET_KEY = os.environ.get("CONVENER_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG and not TESTING:
        raise ImproperlyConfigured(
            "CONVENER_SECRET_KEY is required when CONVENER_DEBUG is off "
            "(use `make demo` for the embedded demo, which sets CONVENER_DEBUG=1)"
        )
    SECRET_KEY = "convener-insecure-demo-key-never-use-in-production-" + "x" * 20

ALLOWED_HOSTS = envlist("CONVENER_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_countries",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    "mozilla_django_oidc",
    "convener.core",
    "convener.accounts",
    "convener.people",
    "convener.org",
    "convener.mail",
    "convener.nominations",
    "convener.training",
    "convener.api",
    "convener.exchange",
    "convener.review",
    "convener.site",
    "convener.synth",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "convener.core.middleware.RegistryPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "convener.core.middleware.QueryTextMiddleware",
    "convener.core.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "csp.middleware.CSPMiddleware",
    "convener.core.middleware.DatabaseUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "convener.urls"
WSGI_APPLICATION = "convener.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "convener.core.menu.header",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'convener.sqlite3'}"
_db_url = os.environ.get("CONVENER_DATABASE_URL") or _default_db
try:
    DATABASES = {"default": dj_database_url.parse(_db_url, conn_max_age=60)}
except ValueError as exc:
    raise ImproperlyConfigured(f"CONVENER_DATABASE_URL is not a database URL: {exc}") from exc
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}

_cache_url = os.environ.get("CONVENER_CACHE_URL", "")
if _cache_url:
    if not _cache_url.startswith(("redis://", "rediss://", "unix://")):
        raise ImproperlyConfigured("CONVENER_CACHE_URL must be a redis:// URL")
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            "KEY_PREFIX": "convener",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = os.environ.get("CONVENER_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# What an appointment's end date means when a form, the API or a file does not say: the last
# day in office ("last_day", as most minutes and bulletins write it) or the day the holder left
# ("left"). Each appointment and seat period keeps its own; this is the default offered for
# new ones. Most sources write the last day ("to 31 August"), so that is the default.
CONVENER_END_DATES = os.environ.get("CONVENER_END_DATES", "last_day")
if CONVENER_END_DATES not in {"last_day", "left"}:
    raise ImproperlyConfigured(
        f"CONVENER_END_DATES must be last_day or left, not {CONVENER_END_DATES!r}"
    )

# Limits of one import (a file uploaded or named on the command line): its size, and the rows
# of each kind (a CSV, a sheet, a Popolo list). A workbook may not declare more either.
IMPORT_MAX_BYTES = envint("CONVENER_IMPORT_MAX_MB", 25, 1, 2_000) * 2**20
IMPORT_MAX_ROWS = envint("CONVENER_IMPORT_MAX_ROWS", 100_000, 1, 10_000_000)
# processes a long computation (preparing a review) may spread over: the cores this process
# may use (at most 8), unless told otherwise; 1 computes everything in the process itself
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
WORKER_PROCESSES = envint("CONVENER_WORKER_PROCESSES", min(_CORES or 1, 8), 1, 64)
# A background import that shows no sign of life for this long was left by a worker that
# stopped (killed, out of memory, the machine restarted): the next worker marks it failed.
IMPORT_JOB_TIMEOUT = dt.timedelta(
    minutes=envint("CONVENER_IMPORT_JOB_TIMEOUT_MINUTES", 15, 1, 24 * 60)
)

STATIC_URL = "static/"
# the vendored scripts (panzoom, accessible-autocomplete) are copied from npm by `make vendor`
STATICFILES_DIRS = [BASE_DIR / "static", BASE_DIR / "var" / "vendor" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# The demo and the tests serve static files straight from the source tree.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or TESTING

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# Security: secure cookies and HSTS whenever we are not the local demo.
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

EMAIL_BACKEND = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("CONVENER_DEFAULT_FROM_EMAIL", "convener@localhost")
# how many months before a term ends its holder and their manager are told (the worker's job)
TERM_REMINDER_MONTHS = envint("CONVENER_TERM_REMINDER_MONTHS", 6, 1, 36)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["convener.api.permissions.PublicReadManagerWrite"],
    "DEFAULT_PARSER_CLASSES": [
        "convener.api.parsers.JSONParser",  # a deeply nested body gets a 400, not a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Convener API",
    "DESCRIPTION": "The collaboration's leadership registry: people, institutions, units, "
    "positions, appointments and calls for nominations. Dates may be partial "
    "(YYYY, YYYY-MM or YYYY-MM-DD). Reading is public; writing needs a manager's token.",
    "VERSION": "1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {"CallStateEnum": "convener.nominations.models.Call.State"},
}

# Self-identification answers are encrypted with these Fernet keys (comma-separated, newest
# first; older ones still decrypt, so keys can be rotated with `convener rotate_keys`). They
# live in the environment, never in the database. The demo and the tests use a key file.
DEMOGRAPHICS_KEYS = envlist("CONVENER_DEMOGRAPHICS_KEYS", [])
if not DEMOGRAPHICS_KEYS and not DEBUG and not TESTING:
    raise ImproperlyConfigured(
        "CONVENER_DEMOGRAPHICS_KEYS is required when CONVENER_DEBUG is off; create a key "
        "with cryptography's Fernet.generate_key()"
    )
DEMOGRAPHICS_KEY_FILE = VAR_DIR / "demographics.key"

# `convener backup` encrypts to these age public keys (age1..., comma-separated); the private
# key that reads a backup is kept off the server and given to `convener restore --identity`.
BACKUP_RECIPIENTS = envlist("CONVENER_BACKUP_RECIPIENTS", [])

# Failed sign-ins: five in a row for one account from one address lock it for 15 minutes.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Single sign-on with the collaboration's OpenID Connect provider (Keycloak and the like),
# on when CONVENER_OIDC_CLIENT_ID is set; local accounts keep working beside it.
OIDC_RP_CLIENT_ID = os.environ.get("CONVENER_OIDC_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
OIDC_RP_CLIENT_SECRET = os.environ.get("CONVENER_OIDC_CLIENT_SECRET", "")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("CONVENER_OIDC_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("CONVENER_OIDC_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("CONVENER_OIDC_USERINFO_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("CONVENER_OIDC_JWKS_ENDPOINT", "")
OIDC_RP_SIGN_ALGO = os.environ.get("CONVENER_OIDC_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("CONVENER_OIDC_SCOPES", "openid email profile")
OIDC_GROUPS_CLAIM = os.environ.get("CONVENER_OIDC_GROUPS_CLAIM", "groups")
OIDC_PROVIDER_NAME = os.environ.get("CONVENER_OIDC_PROVIDER_NAME", "single sign-on")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = 10
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"


def _role_groups(value: str) -> dict[str, str]:
    """`role=group,...`: which provider group grants which Convener role (by default the
    group named like the role)."""
    roles = set(Role.values)
    mapping = {role: role for role in roles}
    for item in filter(None, (i.strip() for i in value.split(","))):
        role, sep, group = item.partition("=")
        if not sep or role.strip() not in roles or not group.strip():
            raise ImproperlyConfigured(
                f"CONVENER_OIDC_ROLES: {item!r} is not role=group with a role among "
                f"{', '.join(sorted(roles))}"
            )
        mapping[role.strip()] = group.strip()
    return mapping


OIDC_ROLE_GROUPS = _role_groups(os.environ.get("CONVENER_OIDC_ROLES", ""))
if OIDC_ENABLED:
    _missing = [
        name
        for name, value in [
            ("CONVENER_OIDC_CLIENT_SECRET", OIDC_RP_CLIENT_SECRET),
            ("CONVENER_OIDC_AUTHORIZATION_ENDPOINT", OIDC_OP_AUTHORIZATION_ENDPOINT),
            ("CONVENER_OIDC_TOKEN_ENDPOINT", OIDC_OP_TOKEN_ENDPOINT),
            ("CONVENER_OIDC_USERINFO_ENDPOINT", OIDC_OP_USER_ENDPOINT),
            (
                "CONVENER_OIDC_JWKS_ENDPOINT",
                OIDC_OP_JWKS_ENDPOINT or OIDC_RP_SIGN_ALGO.startswith("HS"),
            ),
        ]
        if not value
    ]
    if _missing:
        raise ImproperlyConfigured(
            f"Single sign-on (CONVENER_OIDC_CLIENT_ID) also needs {', '.join(_missing)}"
        )
    AUTHENTICATION_BACKENDS.append("convener.accounts.backends.ConvenerOIDCBackend")

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# ...and 20 failures from one address within the cool-off, whatever the usernames, lock that
# address (spraying one password across many accounts).
AXES_HANDLER = "convener.accounts.throttle.ThrottleHandler"
LOGIN_FAILURES_PER_ADDRESS = 20


def _proxies(value: str) -> list[str]:
    """`CONVENER_TRUSTED_PROXIES`: addresses or networks of the reverse proxies in front."""
    import ipaddress

    items = [item.strip() for item in value.split(",") if item.strip()]
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"CONVENER_TRUSTED_PROXIES: {item!r} is not an IP address or network"
            ) from None
    return items


# The client's address is read from X-Forwarded-For only when the connection comes from one
# of these proxies (see convener.core.net); otherwise it is the connection's own address.
TRUSTED_PROXIES = _proxies(os.environ.get("CONVENER_TRUSTED_PROXIES", ""))
AXES_CLIENT_IP_CALLABLE = "convener.core.net.client_address"
RATELIMIT_IP_META_KEY = "convener.core.net.client_address"

# No inline script anywhere; inline style attributes are allowed for the admin's sake.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Convener's own knobs.
CONVENER_SITE_NAME = "Convener"

if TESTING:
    # hashing test passwords slowly proves nothing and costs minutes
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
