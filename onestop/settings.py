"""OneStop settings, driven by environment variables with safe production defaults.

Production is the default: ``DEBUG`` is off, cookies are secure and HSTS is on.  ``ONESTOP_DEV=1``
switches on the conveniences a developer's machine needs (``make run`` sets it).  Organisation
policy (standards, hours, roles) is data in the database, never a setting.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from whitenoise.compress import Compressor

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ONESTOP_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    """Read a string, or the contents of the file named by ``NAME_FILE`` (for secrets)."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true or false), not {raw!r}.")


def env_int(name: str, *, default: int, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from error
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}.")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


DEV = env_bool("ONESTOP_DEV", default=False)
DEBUG = DEV and env_bool("ONESTOP_DEBUG", default=True)


SECRET_KEY_FILE = VAR_DIR / "secret_key"


def _secret_key() -> str:
    """``ONESTOP_SECRET_KEY`` (or ``_FILE``); else the key ``make run`` generated once into
    ``var/secret_key`` (read by the server and every command alike); a developer's machine
    generates that file itself."""
    key = env_str("ONESTOP_SECRET_KEY")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured("ONESTOP_SECRET_KEY must be at least 50 characters long.")
        return key
    if not SECRET_KEY_FILE.exists() and DEV:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        SECRET_KEY_FILE.write_text(secrets.token_urlsafe(64), encoding="utf-8")
        SECRET_KEY_FILE.chmod(0o600)
    if SECRET_KEY_FILE.exists():
        key = SECRET_KEY_FILE.read_text(encoding="utf-8").strip()
        if len(key) < 50:
            raise ImproperlyConfigured(
                f"{SECRET_KEY_FILE.name} in ONESTOP_VAR_DIR must hold a key of at least 50 "
                "characters: delete it and run make run again to generate one."
            )
        return key
    raise ImproperlyConfigured(
        "ONESTOP_SECRET_KEY (or ONESTOP_SECRET_KEY_FILE) must be set outside development: "
        "set it to a random string of 50 or more characters, or run make run once to "
        "generate one into var/secret_key."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ONESTOP_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEV else [])
CSRF_TRUSTED_ORIGINS = env_list("ONESTOP_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    # django-ninja's own copy of Swagger UI for /api/v1/docs, served from our static files (the
    # content security policy refuses the CDN its template falls back to without the app).
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "onestop.core",
    "onestop.directory",
    "onestop.standards",
    "onestop.trust",
    "onestop.documents",
    "onestop.customers",
    "onestop.contacts",
    "onestop.notify",
    "onestop.cases",
    "onestop.feedback",
    "onestop.channels",
    "onestop.telephony",
    "onestop.portal",
    "onestop.performance",
    "onestop.demo",  # the demo council: composes every capability, so it comes last
]

MIDDLEWARE = [
    # First: each request's frames in a chunk of the interpreter's stack of their own (core.stack).
    "onestop.core.stack.StackRoomMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Every error under /api/, whatever answered it, as problem details (outside the rest).
    "onestop.core.problems.ProblemDetailsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "onestop.core.middleware.SessionRenewalMiddleware",
    # Welsh or English on residents' pages, English on staff pages (core.language); it does
    # django.middleware.locale.LocaleMiddleware's work too, so the language is chosen once.
    "onestop.core.middleware.PublicLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "onestop.core.middleware.OrganisationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the policy's text built once (core.csp).
    "onestop.core.csp.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onestop.urls"
WSGI_APPLICATION = "onestop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "onestop.core.context_processors.shell",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default: WAL, synchronous=FULL, IMMEDIATE transactions and a busy
# timeout, so concurrent writers queue instead of failing.  DATABASE_URL selects PostgreSQL.
_SQLITE_OPTIONS: dict[str, Any] = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; "
        "PRAGMA busy_timeout=20000;"
    ),
}


def _database() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "onestop.sqlite3"),
            "OPTIONS": dict(_SQLITE_OPTIONS),
            "TEST": {"NAME": os.environ.get("ONESTOP_SQLITE_TEST_NAME") or None},
        }
    config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=60))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(_SQLITE_OPTIONS)
    elif config["ENGINE"] not in {
        "django.db.backends.postgresql",
        "django.contrib.gis.db.backends.postgis",
    }:
        raise ImproperlyConfigured("DATABASE_URL must name a postgresql:// or sqlite:// database.")
    else:
        config["CONN_HEALTH_CHECKS"] = True
        if config["ENGINE"] == "django.db.backends.postgresql":
            # Django's backend, its health check asking the socket before the server
            # (onestop.core.postgresql.base): no round trip on a request whose connection is idle.
            config["ENGINE"] = "onestop.core.postgresql"
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"


def cache_config(url: str) -> dict[str, Any]:
    """The default cache: Redis when ``ONESTOP_CACHE_URL`` names one (shared by every process,
    so limits such as the report forms' hold across them), else each process's own memory."""
    if not url:
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "onestop"}
    scheme, separator, _rest = url.partition("://")
    if not separator or scheme not in {"redis", "rediss", "unix"}:
        raise ImproperlyConfigured(
            "ONESTOP_CACHE_URL must name a Redis server (redis://, rediss:// or unix://)."
        )
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "onestop",
    }


CACHES = {"default": cache_config(env_str("ONESTOP_CACHE_URL"))}

# --- Background tasks: the database is the queue (and the outbox) ---------------------------
TASKS = {
    "default": {
        "BACKEND": os.environ.get("ONESTOP_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}
# The worker writes the monthly, quarterly and annual report files when they are due
# (``onestop report-files``, a step of ``onestop worker``); 0 turns the schedule off.
ONESTOP_SCHEDULED_REPORTS = env_bool("ONESTOP_SCHEDULED_REPORTS", default=True)

# --- Identity and sign-in --------------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "trust:sign-in"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "trust:sign-in"

# Lock out a username *from one address* after repeated failures: a shared front-office address
# must not lock out every advisor behind it, and one username cannot be locked from everywhere.
AXES_FAILURE_LIMIT = env_int("ONESTOP_SIGN_IN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = env_int("ONESTOP_SIGN_IN_LOCKOUT_MINUTES", default=30, minimum=1) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "onestop.trust.views.locked_out"
AXES_VERBOSE = False
# How many reverse proxies (TLS terminator, load balancer) stand in front of OneStop, each
# appending to X-Forwarded-For: the client's address is read through them (core.http).  0 trusts
# no header.  The sign-in lockout, the report forms' limit and the audit trail use it.
ONESTOP_TRUSTED_PROXIES = env_int("ONESTOP_TRUSTED_PROXIES", default=0)
AXES_CLIENT_IP_CALLABLE = "onestop.core.http.request_address"
CSRF_FAILURE_VIEW = "onestop.core.views.csrf_failure"

OTP_TOTP_ISSUER = env_str("ONESTOP_OTP_ISSUER", "OneStop")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Django's database sessions, the row read with its SQL built once (core.sessions).
SESSION_ENGINE = "onestop.core.sessions"
# Sessions end after a spell of inactivity and at the end of the browser session.
SESSION_COOKIE_AGE = env_int("ONESTOP_SESSION_IDLE_MINUTES", default=30, minimum=1) * 60
# Activity renews the idle limit, but an unchanged session is written at most once a minute
# (core.middleware.SessionRenewalMiddleware), not on every request: a page costs no write.  The
# limit is then between SESSION_COOKIE_AGE less a minute and SESSION_COOKIE_AGE, never more.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
# However active, a session ends this long after sign-in (then sign in again with both factors).
SESSION_MAXIMUM_SECONDS = env_int("ONESTOP_SESSION_MAXIMUM_HOURS", default=12, minimum=1) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Transport security (off only on a developer's machine, or for the plain-HTTP trial that
# ``make run`` serves on this machine: ONESTOP_HTTPS=0) ---------------------------------------
SECURE = not DEV and env_bool("ONESTOP_HTTPS", default=True)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("ONESTOP_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 63072000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"

# Where images may come from: the map's tile server is added below (``ONESTOP_MAP_TILES``).
CSP_IMAGE_SOURCES: list[str] = [SELF, "data:"]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": CSP_IMAGE_SOURCES,
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Upload limits (safe uploads, C15) -------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("ONESTOP_MAX_REQUEST_BYTES", default=2_621_440, minimum=1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

# --- Documents attached to cases and customers (``onestop.documents``) --------------------------
# Kept outside the web root, under unguessable names; served only through an access check.
ONESTOP_DOCUMENTS_DIR = Path(env_str("ONESTOP_DOCUMENTS_DIR") or VAR_DIR / "documents")
ONESTOP_DOCUMENT_MAX_BYTES = env_int(
    "ONESTOP_DOCUMENT_MAX_BYTES", default=10 * 1024 * 1024, minimum=1
)
ONESTOP_DOCUMENTS_PER_OWNER = env_int("ONESTOP_DOCUMENTS_PER_OWNER", default=20, minimum=1)
# Images larger than this many pixels are refused as decompression bombs.
ONESTOP_IMAGE_MAX_PIXELS = env_int("ONESTOP_IMAGE_MAX_PIXELS", default=50_000_000, minimum=1)
# ClamAV's clamd: a Unix socket path or host:port.  Set, every upload is scanned and refused
# when clamd finds something or cannot be reached (fail closed); unset, nothing is scanned.
ONESTOP_CLAMD_SOCKET = env_str("ONESTOP_CLAMD_SOCKET")
ONESTOP_CLAMD_TIMEOUT_SECONDS = env_int("ONESTOP_CLAMD_TIMEOUT_SECONDS", default=30, minimum=1)

# --- Call records (``onestop.telephony``, docs/calls.md) ---------------------------------------
# A folder of the operator's own mappings of telephone systems' exports (TOML, one a file); a
# folder named here that does not exist stops ``onestop calls import`` with one line.
ONESTOP_CALL_FORMATS_DIR = env_str("ONESTOP_CALL_FORMATS_DIR").strip()
# The largest file the upload page takes; larger files go through ``onestop calls import``.
ONESTOP_CALLS_UPLOAD_MAX_BYTES = env_int(
    "ONESTOP_CALLS_UPLOAD_MAX_BYTES", default=100 * 1024 * 1024, minimum=1
)

# --- Language and time -----------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English"), ("cy", "Cymraeg")]
LOCALE_PATHS = [BASE_DIR / "onestop" / "locale"]
# The residents' language choice (core.language): a functional cookie holding "cy" or "en-gb",
# kept a year, sent only to this site.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = SECURE
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files: GOV.UK Frontend, MOJ Frontend and htmx, built into var/assets ------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Built by scripts/build_assets.py from the npm packages (make install).
STATICFILES_DIRS = [Path(os.environ.get("ONESTOP_ASSETS_DIR", BASE_DIR / "var" / "assets"))]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("ONESTOP_STATIC_MANIFEST", default=not DEV)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Source maps are fetched only by a developer's browser tools, so they are served as they are:
# compressing them (Swagger UI's and ReDoc's are 5 MB, each stored twice) was most of
# collectstatic's time at every deployment.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
)

# --- E-mail ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "ONESTOP_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEV
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("ONESTOP_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("ONESTOP_EMAIL_PORT", default=25)
DEFAULT_FROM_EMAIL = env_str("ONESTOP_FROM_EMAIL", "onestop@localhost")
# Mail in (channels): the largest message either way in (the MTA pipe or the SMTP/LMTP server)
# takes; larger ones are refused before they are parsed.
ONESTOP_MAIL_MAX_BYTES = env_int("ONESTOP_MAIL_MAX_BYTES", default=10 * 1024 * 1024, minimum=1024)
# Shared mailboxes read over IMAP (channels, docs/operators/imap.md): seconds between two polls
# of a mailbox, an extra PEM file of certificate authorities to trust, and Microsoft Entra ID's
# sign-in address (another cloud's, such as https://login.microsoftonline.us).
ONESTOP_IMAP_INTERVAL = env_int("ONESTOP_IMAP_INTERVAL", default=60)
ONESTOP_IMAP_CA_FILE = env_str("ONESTOP_IMAP_CA_FILE", "")
# Each organisation's secret files for IMAP are in <this folder>/<organisation slug>/.
ONESTOP_IMAP_SECRETS_DIR = env_str("ONESTOP_IMAP_SECRETS_DIR", "/etc/onestop/imap")
ONESTOP_MICROSOFT_AUTHORITY = env_str(
    "ONESTOP_MICROSOFT_AUTHORITY", "https://login.microsoftonline.com"
)
# Mail domains (directory): the resolvers asked for an organisation's TXT proof, as "address" or
# "address:port", comma-separated; empty means the system's own resolvers (/etc/resolv.conf).
ONESTOP_DNS_NAMESERVERS = env_list("ONESTOP_DNS_NAMESERVERS", [])
ONESTOP_DNS_TIMEOUT_SECONDS = env_int("ONESTOP_DNS_TIMEOUT_SECONDS", default=5, minimum=1)

# The key that signs audit checkpoints (``onestop audit checkpoint``): a file the database
# never holds.  Read when a checkpoint is written or verified, so a missing file is that
# command's error, not every process's.
ONESTOP_AUDIT_CHECKPOINT_KEY_FILE = os.environ.get("ONESTOP_AUDIT_CHECKPOINT_KEY_FILE", "")
# The reports whose figures a quarterly return is pre-filled with, by code, comma-separated, in
# order; a code nobody registered is passed over (``performance.queries.returns``).
ONESTOP_QUARTERLY_RETURN_REPORTS = tuple(
    code.strip()
    for code in os.environ.get(
        "ONESTOP_QUARTERLY_RETURN_REPORTS",
        "standards-compliance,volumes,telephony,feedback-quarterly",
    ).split(",")
    if code.strip()
)

# --- Notifications (notifyletters) ------------------------------------------------------------
# The secret that signs each case's reply address (<mailbox>+<reference>.<signature>@<domain>):
# at least 32 characters; empty derives one from SECRET_KEY (so rotating SECRET_KEY changes every
# reply address already sent, and replies to old ones fall back to the reference in the subject).
ONESTOP_REPLY_ADDRESS_SECRET = env_str("ONESTOP_REPLY_ADDRESS_SECRET", "")
# "post-room": the council prints its own letters (the /letters/ page gathers them) even when
# e-mail and text messages go through GOV.UK Notify; "notify" (the default) sends letters the way
# ONESTOP_MESSAGE_SENDER sends everything else (the local sender also keeps them for /letters/).
ONESTOP_LETTERS = env_str("ONESTOP_LETTERS", "notify")
if ONESTOP_LETTERS not in {"notify", "post-room"}:
    raise ImproperlyConfigured("ONESTOP_LETTERS must be 'notify' or 'post-room'.")
if ONESTOP_REPLY_ADDRESS_SECRET and len(ONESTOP_REPLY_ADDRESS_SECRET) < 32:
    raise ImproperlyConfigured("ONESTOP_REPLY_ADDRESS_SECRET must be at least 32 characters long.")

# --- The residents' site (portal) ----------------------------------------------------------------
# The organisation whose start page "/" shows (its slug, like "demo-council"); empty: "/" lists
# every organisation's site, as it does (with one warning in the log) when the slug names no
# active organisation.  A value that cannot be a slug stops start-up with one plain line.
ONESTOP_PUBLIC_ORGANISATION = env_str("ONESTOP_PUBLIC_ORGANISATION", "").strip()
if ONESTOP_PUBLIC_ORGANISATION and not re.fullmatch(
    r"[a-z0-9-]{1,60}", ONESTOP_PUBLIC_ORGANISATION
):
    raise ImproperlyConfigured(
        "ONESTOP_PUBLIC_ORGANISATION must be an organisation's short name, like demo-council."
    )
# How long a process may keep an organisation's row for the residents' pages it shows (a GET
# of a page under ``/o/<organisation>/``, ``/report/...``): its name, whether it offers Welsh
# and the version of its public content.  A change made through OneStop is seen at once by the
# process that made it and, when ``ONESTOP_CACHE_URL`` names Redis, by every process; with each
# process's own memory (no Redis) other processes see it within this many seconds.  0 reads the
# row on every request.  Forms sent to the council (POST) always read it afresh.
ONESTOP_PUBLIC_CACHE_SECONDS = env_int("ONESTOP_PUBLIC_CACHE_SECONDS", default=30, minimum=0)

# The map on report forms whose case type asks for a location (progressive enhancement: the
# form works without it).  ``ONESTOP_MAP_TILES`` is the tile server's address, with {z}, {x} and
# {y} (and optionally {s} and {r}), https:// only; empty turns the map off (residents type the
# point, or leave it).  The tile server's origin is added to the content security policy's
# img-src.  ``ONESTOP_MAP_ATTRIBUTION`` is the plain-text credit the tile provider requires.
ONESTOP_MAP_TILES = env_str(
    "ONESTOP_MAP_TILES", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
).strip()
ONESTOP_MAP_ATTRIBUTION = env_str("ONESTOP_MAP_ATTRIBUTION", "© OpenStreetMap contributors").strip()


def map_tiles_origin(template: str) -> str:
    """The origin (``https://host[:port]``) of the tile address ``template``, refused loudly
    when it is not an https address with {z}, {x} and {y}."""
    match = re.fullmatch(r"(https://[A-Za-z0-9.{}-]+(?::\d{1,5})?)/[^\s\"'<>]*", template)
    if match is None or not all(part in template for part in ("{z}", "{x}", "{y}")):
        raise ImproperlyConfigured(
            "ONESTOP_MAP_TILES must be an https:// address with {z}, {x} and {y}, like "
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png, or empty to turn the map off."
        )
    return match[1].replace("{s}", "*")


if ONESTOP_MAP_TILES:
    CSP_IMAGE_SOURCES.append(map_tiles_origin(ONESTOP_MAP_TILES))

# Where the staff case page's link opens a case's point: a map site's address with {latitude}
# and {longitude} (https:// only; empty: no link), and the site's name as the link says it.
ONESTOP_MAP_LINK = env_str(
    "ONESTOP_MAP_LINK",
    "https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}#map=18/{latitude}/{longitude}",
).strip()
ONESTOP_MAP_LINK_NAME = env_str("ONESTOP_MAP_LINK_NAME", "OpenStreetMap").strip()


def check_map_link(template: str) -> str:
    """``template`` (an ``ONESTOP_MAP_LINK``), refused loudly unless empty or an https address
    with {latitude} and {longitude}."""
    if template and (
        not re.fullmatch(r"https://[A-Za-z0-9.-]+(?::\d{1,5})?/[^\s\"'<>]*", template)
        or "{latitude}" not in template
        or "{longitude}" not in template
    ):
        raise ImproperlyConfigured(
            "ONESTOP_MAP_LINK must be an https:// address with {latitude} and {longitude}, like "
            "https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}, or empty for no "
            "link."
        )
    return template


check_map_link(ONESTOP_MAP_LINK)

# --- Notifications (notifysend) ---------------------------------------------------------------
# Which sender the worker hands messages to: local (kept, shown at /outbox/), smtp, notify.  Each
# sender checks its own settings when it is made and names the one that is wrong.
ONESTOP_MESSAGE_SENDER = env_str("ONESTOP_MESSAGE_SENDER", "local")
# SMTP: Django's backend with EMAIL_HOST and EMAIL_PORT (above); the login and TLS here.
EMAIL_HOST_USER = env_str("ONESTOP_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("ONESTOP_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("ONESTOP_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env_int("ONESTOP_EMAIL_TIMEOUT_SECONDS", default=30, minimum=1)
# The From address is this local part at the organisation's first verified mail domain.
ONESTOP_MESSAGE_FROM_LOCAL_PART = env_str("ONESTOP_MESSAGE_FROM_LOCAL_PART", "notifications")
# The local sender's copy of each e-mail and text message as its recipient would get it (a
# folder; empty: none), so a demo's sign-in links can be read (notify.senders.local).
ONESTOP_LOCAL_MAIL_DIR = env_str("ONESTOP_LOCAL_MAIL_DIR")
# Where residents reach this OneStop: links in messages (the complaint satisfaction survey's).
ONESTOP_PUBLIC_URL = env_str("ONESTOP_PUBLIC_URL", "http://localhost:8000").rstrip("/")
# GOV.UK Notify.
ONESTOP_NOTIFY_API_KEY = env_str("ONESTOP_NOTIFY_API_KEY")
ONESTOP_NOTIFY_BASE_URL = env_str(
    "ONESTOP_NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk"
)
ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID = env_str("ONESTOP_NOTIFY_EMAIL_TEMPLATE_ID")
ONESTOP_NOTIFY_SMS_TEMPLATE_ID = env_str("ONESTOP_NOTIFY_SMS_TEMPLATE_ID")
ONESTOP_NOTIFY_LETTER_POSTAGE = env_str("ONESTOP_NOTIFY_LETTER_POSTAGE", "second")
ONESTOP_NOTIFY_TIMEOUT_SECONDS = env_int("ONESTOP_NOTIFY_TIMEOUT_SECONDS", default=30, minimum=1)
# Notify allows 3,000 requests a minute per API key: each worker process keeps under this.
# 0 turns the limit off (for a local test server only).
ONESTOP_NOTIFY_RATE_PER_MINUTE = env_int("ONESTOP_NOTIFY_RATE_PER_MINUTE", default=3000)
# The bearer token Notify sends with delivery receipts and received text messages.
ONESTOP_NOTIFY_CALLBACK_TOKEN = env_str("ONESTOP_NOTIFY_CALLBACK_TOKEN")
# A text message reply to no message OneStop sent goes to this organisation (slug), if set.
ONESTOP_NOTIFY_INBOUND_ORGANISATION = env_str("ONESTOP_NOTIFY_INBOUND_ORGANISATION")
# Messages still "sent" this many minutes after sending are looked up at Notify.
ONESTOP_NOTIFY_STATUS_AFTER_MINUTES = env_int(
    "ONESTOP_NOTIFY_STATUS_AFTER_MINUTES", default=60, minimum=1
)
# The worker: messages claimed at once, attempts before a temporary failure becomes a technical
# failure, the first retry's delay (doubled each time, with jitter, at most the cap), and how
# long a claimed message may stay "sending" before another worker treats it as crashed.
ONESTOP_MESSAGE_BATCH = env_int("ONESTOP_MESSAGE_BATCH", default=100, minimum=1)
ONESTOP_MESSAGE_MAX_ATTEMPTS = env_int("ONESTOP_MESSAGE_MAX_ATTEMPTS", default=8, minimum=1)
ONESTOP_MESSAGE_RETRY_SECONDS = env_int("ONESTOP_MESSAGE_RETRY_SECONDS", default=60)
ONESTOP_MESSAGE_RETRY_CAP_SECONDS = env_int(
    "ONESTOP_MESSAGE_RETRY_CAP_SECONDS", default=6 * 60 * 60
)
ONESTOP_MESSAGE_SENDING_LEASE_SECONDS = env_int(
    "ONESTOP_MESSAGE_SENDING_LEASE_SECONDS", default=300
)

# --- The residents' report forms (portal) -----------------------------------------------------
# Reports saved (and honeypot hits) from one address within the window before it is answered
# 429.  Counted in the cache: per process with the default local-memory cache.
ONESTOP_PORTAL_REPORTS_PER_HOUR = env_int("ONESTOP_PORTAL_REPORTS_PER_HOUR", default=10, minimum=1)
ONESTOP_PORTAL_REPORT_WINDOW_SECONDS = env_int(
    "ONESTOP_PORTAL_REPORT_WINDOW_SECONDS", default=3600, minimum=1
)
# The track page and "Your requests" (issue 18): lookups by reference, information added, and
# sign-in links asked for, from one client address; and sign-in links sent to one e-mail
# address, in the same window.
ONESTOP_PORTAL_TRACK_PER_HOUR = env_int("ONESTOP_PORTAL_TRACK_PER_HOUR", default=20, minimum=1)
ONESTOP_PORTAL_ADD_INFORMATION_PER_HOUR = env_int(
    "ONESTOP_PORTAL_ADD_INFORMATION_PER_HOUR", default=10, minimum=1
)
ONESTOP_PORTAL_SIGN_IN_LINKS_PER_HOUR = env_int(
    "ONESTOP_PORTAL_SIGN_IN_LINKS_PER_HOUR", default=10, minimum=1
)
ONESTOP_PORTAL_SIGN_IN_LINKS_PER_EMAIL_PER_HOUR = env_int(
    "ONESTOP_PORTAL_SIGN_IN_LINKS_PER_EMAIL_PER_HOUR", default=3, minimum=1
)

# --- Logging: one JSON object a line, for the council's log collector -----------------------
LOG_LEVEL = env_str("ONESTOP_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"ONESTOP_LOG_LEVEL must be a logging level, not {LOG_LEVEL!r}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # WeasyPrint (and fontTools, subsetting its fonts) log every step of every letter at INFO.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# --- API -------------------------------------------------------------------------------------
NINJA_PAGINATION_PER_PAGE = 50
