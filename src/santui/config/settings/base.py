"""Settings shared by every environment. Everything an operator may change is an environment
variable, listed with its default in docs/configuration.md (a test keeps that list complete).
The settings that change published figures may also be kept in the instance's settings file,
``$SANTUI_HOME/santui.toml`` (santui.config.instance): ``environ`` below reads the environment
first, then that file."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext

from santui.config import instance
from santui.config.keys import AbsentKeys, Keys, load, load_or_create, office_key_pair
from santui.config.private import private_directory, private_file

django_stubs_ext.monkeypatch()  # ModelAdmin[Statement] and friends at run time

PACKAGE_DIR = Path(__file__).resolve().parent.parent.parent

# Where the instance lives (docs/configuration.md): $SANTUI_HOME, else var/ in the source
# checkout santui runs from, else ~/.local/share/santui; never the current folder by itself.
SANTUI_HOME = instance.home()
SANTUI_KEY_FILE = Path(
    os.environ.get("SANTUI_KEY_FILE", str(SANTUI_HOME / "keys" / "santui-keys.json"))
)
SANTUI_INSTANCE_EXISTS = instance.exists(SANTUI_HOME, SANTUI_KEY_FILE)
KEYS: Keys = AbsentKeys.at(SANTUI_KEY_FILE)  # help and `santui parse` need no keys
_NEW_INSTANCE = not SANTUI_KEY_FILE.exists()  # nothing of it here before this process
if instance.MODE == "prepare":  # santui setup / serve: make what is missing
    private_directory(SANTUI_HOME)  # mode 0700 when it is made (santui.config.private)
    KEYS = load_or_create(SANTUI_KEY_FILE)
elif SANTUI_INSTANCE_EXISTS:
    try:
        KEYS = load(SANTUI_KEY_FILE)
    except ValueError as exc:
        raise instance.InstanceError(str(exc)) from None
elif instance.MODE == "exist":  # nothing is made by another command (santui.cli says what to do)
    raise instance.NoInstance(instance.missing_message(SANTUI_HOME))
# The settings that change figures: the environment, then $SANTUI_HOME/santui.toml.
environ = instance.LayeredEnviron(instance.read_settings(SANTUI_HOME))

# --- the two servers (issue 12; docs/operations.md#the-public-server-and-the-office) ----------
# "public": the public site only (no /office/ route), no office private key: it encrypts
# names and contacts to the office's public key and never decrypts. "office": the back office
# (its own port and host name), which holds the private key. Unset: a command run by hand, which
# decrypts only where the office key file is. `santui serve` sets it before Django starts.
SANTUI_ROLE = os.environ.get("SANTUI_ROLE", "").strip().lower()
if SANTUI_ROLE not in ("", "public", "office"):
    raise instance.InstanceError(f"SANTUI_ROLE must be public or office, not {SANTUI_ROLE!r}")
# The office key pair (santui.statements.officekey): the public key encrypts, on every host;
# the private key (optionally passphrase-protected, SANTUI_OFFICE_PASSPHRASE) only on the office.
SANTUI_OFFICE_KEY_FILE = Path(
    os.environ.get("SANTUI_OFFICE_KEY_FILE", str(SANTUI_HOME / "keys" / "office.json"))
)
SANTUI_OFFICE_PUBLIC_KEY_FILE = Path(
    os.environ.get(
        "SANTUI_OFFICE_PUBLIC_KEY_FILE", str(SANTUI_HOME / "keys" / "office-public.json")
    )
)
if instance.MODE == "prepare" and (SANTUI_ROLE != "public" or _NEW_INSTANCE):
    # santui setup (and the test suite): the office key pair is made where the office is, the
    # first time, or with a whole new instance (`santui serve` in an empty folder: one machine).
    # A public host of two gets the key file and the public key copied before its first run,
    # and never makes a private key (docs/operations.md#the-public-server-and-the-office).
    office_key_pair(SANTUI_OFFICE_KEY_FILE, SANTUI_OFFICE_PUBLIC_KEY_FILE)

SECRET_KEY = "" if isinstance(KEYS, AbsentKeys) else KEYS.django_secret
DEBUG = False
_LOCAL_HOSTS = "127.0.0.1,localhost,[::1]"
ALLOWED_HOSTS = [
    h.strip()
    for h in (
        os.environ.get("SANTUI_OFFICE_ALLOWED_HOSTS", _LOCAL_HOSTS)
        if SANTUI_ROLE == "office"
        else os.environ.get("SANTUI_ALLOWED_HOSTS", _LOCAL_HOSTS)
    ).split(",")
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "santui.statements",
    "santui.tally",
    "santui.screening",
    "santui.intake",
    "santui.publish",
    "santui.backoffice",
    "santui.retention",
    "santui.ops",
]

MIDDLEWARE = [
    # A database or Redis that is away: 503 with Retry-After, not 500 (santui.config.unavailable)
    "santui.config.unavailable.UnavailableMiddleware",
    # Public responses again for a second without the rest of the stack (santui.publish.caching)
    "santui.publish.caching.FrontCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Slow links: public pages and JSON gzipped (about a tenth of /api/v1/stats); pages that
    # carry a secret are left alone (BREACH), and Django pads each compressed response anyway.
    "santui.publish.caching.PublicGZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Messages (the back office's) in the session: the default storage derives a cookie signing
# key on every request, about 5 % of serving a cached public page (docs/benchmarks.md).
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# The URL conf of the role: the public server's has no /office/ route, the office's no public
# form; santui.config.urls (both) is for a command run by hand, `runserver` and the tests.
ROOT_URLCONF = {
    "public": "santui.config.urls_public",
    "office": "santui.config.urls_office",
}.get(SANTUI_ROLE, "santui.config.urls")
WSGI_APPLICATION = "santui.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- database: embedded SQLite by default, PostgreSQL through DATABASE_URL -------------------
_SQLITE_PATH = SANTUI_HOME / "santui.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{_SQLITE_PATH}"), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if (
        (instance.MODE == "prepare" or SANTUI_INSTANCE_EXISTS)
        and str(DATABASES["default"]["NAME"]) not in ("", ":memory:")
        and not str(DATABASES["default"]["NAME"]).startswith("file:")
    ):
        private_file(Path(DATABASES["default"]["NAME"]))  # mode 0600 when it is made
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers run while the integrator writes; IMMEDIATE takes the write lock at
        # the start of a transaction so two writers queue instead of failing mid-way.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and SANTUI_ROLE:
    # Only in what `santui serve` starts (it sets SANTUI_ROLE before Django starts: the server
    # and its loops); a command run by hand or a test keeps no connection open after it.
    # `santui serve` runs Django's ASGI application (santui.config.asgi), where each request's
    # view runs in a thread of its own: a connection kept per thread (CONN_MAX_AGE) would be a
    # new one per request, left open until the server's limit. A pool per process lends them
    # instead (psycopg_pool), each checked before use, so that a restarted server's dead
    # connections are never handed out; a request that waits longer than ``timeout`` for one
    # is answered 503 (santui.config.unavailable). The pool retries a lost server for
    # ``reconnect_timeout`` seconds (backing off), then again at the next request: it finds a
    # restarted server within seconds however long it was away. ``max_size``: the threads that
    # run views in each process (santui.config.asgi.THREADS).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # the pool checks each one it lends
    DATABASES["default"]["OPTIONS"] = {
        "pool": {"min_size": 1, "max_size": 8, "timeout": 3, "reconnect_timeout": 3}
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache: local memory by default, Redis through REDIS_URL ---------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # Django's Redis cache, its redis-py client kept (santui.config.rediscache)
            "BACKEND": "santui.config.rediscache.KeptClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "santui",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]  # fmt: skip

# --- languages -------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("zh-hant", "繁體中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
# Numbers grouped by three in Chinese too (Django's zh formats have no thousands separator).
FORMAT_MODULE_PATH = ["santui.config.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # storage; reporting days use SANTUI_REPORTING_TZ

STATIC_URL = "static/"
STATIC_ROOT = SANTUI_HOME / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- security headers ------------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
# same-origin, not no-referrer: with no-referrer browsers POST with "Origin: null", which
# Django's CSRF check refuses. Other sites still get no referrer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
_HTTPS = os.environ.get("SANTUI_HTTPS", "0") == "1"
SESSION_COOKIE_SECURE = _HTTPS
CSRF_COOKIE_SECURE = _HTTPS
LANGUAGE_COOKIE_SECURE = _HTTPS
if _HTTPS:
    SECURE_HSTS_SECONDS = 31536000
    # The whole domain over HTTPS, and eligible for browsers' preload lists (docs/operations.md).
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # A plain-HTTP request that reaches santui anyway is sent to HTTPS (the proxy's own
    # redirect comes first; X-Forwarded-Proto tells which is which).
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No script on any page; the back office's admin site adds script-src 'self' for the Django
# admin's own static scripts, on its responses only (santui.backoffice.csp).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
    }
}

# --- logging: never the client address ------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SANTUI_LOG_LEVEL", "WARNING")},
}

# --- santui ----------------------------------------------------------------------------------
# The four that change published figures: environment, then santui.toml (santui.config.instance).
SANTUI_REPORTING_TZ = environ.get("SANTUI_REPORTING_TZ", "Asia/Shanghai")
SANTUI_MILESTONE_STEP = int(environ.get("SANTUI_MILESTONE_STEP", "1000000"))
SANTUI_SUPPRESS_BELOW = int(environ.get("SANTUI_SUPPRESS_BELOW", "10"))
# Breakdowns are released for closed months only, this many days after the month's end
# (docs/disclosure.md): time for moderators to decide what was held.
SANTUI_RELEASE_LAG_DAYS = int(environ.get("SANTUI_RELEASE_LAG_DAYS", "7"))
# Retention (docs/retention.md, santui.retention): how long personal data is kept, then deleted.
SANTUI_RETENTION_REJECTED_DAYS = int(os.environ.get("SANTUI_RETENTION_REJECTED_DAYS", "90"))
SANTUI_RETENTION_ACCEPTED_DAYS = int(os.environ.get("SANTUI_RETENTION_ACCEPTED_DAYS", "365"))
SANTUI_RETENTION_MAIL_DAYS = int(os.environ.get("SANTUI_RETENTION_MAIL_DAYS", "30"))
SANTUI_RETENTION_UNRESOLVED_MAIL_DAYS = int(
    os.environ.get("SANTUI_RETENTION_UNRESOLVED_MAIL_DAYS", "90")
)
SANTUI_RETENTION_REJECTS_MINUTES = int(os.environ.get("SANTUI_RETENTION_REJECTS_MINUTES", "10"))
SANTUI_MAX_TEXT = int(os.environ.get("SANTUI_MAX_TEXT", "5000"))
SANTUI_MAX_HEADCOUNT = int(os.environ.get("SANTUI_MAX_HEADCOUNT", "100000"))
# Hostile input (docs/import-format.md, docs/mail-intake.md): the longest line (CSV: record) an
# import reads, in bytes, and the largest message ingest-mail reads whole (the default of its
# --max-size), in bytes. Longer lines are rejected and larger messages quarantined unread, so
# memory stays bounded whatever arrives.
SANTUI_IMPORT_MAX_LINE = int(os.environ.get("SANTUI_IMPORT_MAX_LINE", str(64 * 1024)))
SANTUI_MAIL_MAX_BYTES = int(os.environ.get("SANTUI_MAIL_MAX_BYTES", str(25 * 1024 * 1024)))
SANTUI_INTEGRATE_BATCH = int(os.environ.get("SANTUI_INTEGRATE_BATCH", "20000"))
# PostgreSQL: ledger and statement ids per partition (santui.statements.partitions; about five
# months of entries or statements at today's volume, 44 partitions each for the whole history).
SANTUI_LEDGER_PARTITION_SPAN = int(os.environ.get("SANTUI_LEDGER_PARTITION_SPAN", "10000000"))
SANTUI_STATEMENT_PARTITION_SPAN = int(os.environ.get("SANTUI_STATEMENT_PARTITION_SPAN", "10000000"))
# How long a process may reuse the integrated size it read (public page caching, seconds).
SANTUI_STATE_MEMO_SECONDS = 1.0
# The public log: its Ed25519 signing key (made on first use, mode 0600), the origin (key name)
# a new key gets, and the witnesses whose cosignatures the log accepts (verifier keys).
SANTUI_LOG_KEY_FILE = Path(
    os.environ.get("SANTUI_LOG_KEY_FILE", str(SANTUI_HOME / "keys" / "log-signing.key"))
)
SANTUI_LOG_ORIGIN = os.environ.get("SANTUI_LOG_ORIGIN", "santui.localhost/log")
SANTUI_WITNESS_KEYS = [k for k in os.environ.get("SANTUI_WITNESS_KEYS", "").split(",") if k.strip()]

# --- screening (santui.screening; docs/screening.md) -----------------------------------------
# Statements are screened once they are this many seconds old, so that a burst around them is
# already visible to the flood rules (figures lag by this much; 0 screens at once).
SANTUI_SCREEN_DELAY = float(os.environ.get("SANTUI_SCREEN_DELAY", "60"))
SANTUI_SCREEN_BATCH = int(os.environ.get("SANTUI_SCREEN_BATCH", "1000"))

# --- the door (santui.intake.door; docs/screening.md#the-door) -------------------------------
# Requests per connection before the public form and the receipt look-up ask for a challenge
# (django-ratelimit syntax). Nobody is refused; the counter is keyed by a daily-rotating keyed
# hash, never by the address, and lives in the cache (Redis with REDIS_URL).
SANTUI_DECLARE_RATE = os.environ.get("SANTUI_DECLARE_RATE", "20/h")
SANTUI_RECEIPT_RATE = os.environ.get("SANTUI_RECEIPT_RATE", "60/h")
RATELIMIT_USE_CACHE = "default"
# The challenge: a small sum drawn in a PNG that this site serves (django-simple-captcha), no
# JavaScript, no other host. Its records hold the sum, its result, a random key and an expiry.
INSTALLED_APPS += ["captcha"]
CAPTCHA_CHALLENGE_FUNCT = "captcha.helpers.math_challenge"
CAPTCHA_MATH_CHALLENGE_OPERATOR = "×"
CAPTCHA_FONT_SIZE = 36
CAPTCHA_LETTER_ROTATION = (-20, 20)  # legible first: this slows floods, it cannot stop a bot
CAPTCHA_NOISE_FUNCTIONS = ("captcha.helpers.noise_dots",)
CAPTCHA_TIMEOUT = 60  # minutes a sum can be answered: time to write a statement on a slow link
CAPTCHA_2X_IMAGE = False  # one image size; only /captcha/image/<key>/ is routed
CAPTCHA_FLITE_PATH = None  # no audio challenge (it needs a speech synthesizer)
CAPTCHA_TEST_MODE = False  # never on: it accepts the answer "passed" for every challenge

# --- the blind re-review and the published error estimate (santui.screening.review, .quality;
# docs/methodology.md#how-accurate-are-the-totals) -----------------------------------------------
# Each day `santui review draw` draws this share of the statements the rules accepted that day
# (at least SANTUI_REVIEW_MIN, or all of them when fewer) for a moderator to judge blind.
SANTUI_REVIEW_SHARE = float(os.environ.get("SANTUI_REVIEW_SHARE", "0.01"))
SANTUI_REVIEW_MIN = int(os.environ.get("SANTUI_REVIEW_MIN", "200"))
# An estimate (month and channel) is published once at least this many drawn statements have
# been reviewed; below it the figure is null, with a note.
SANTUI_QUALITY_MIN_REVIEWED = int(os.environ.get("SANTUI_QUALITY_MIN_REVIEWED", "30"))

# --- the office's background jobs (santui.backoffice.jobs; docs/operations.md#background-jobs) -
# A workbench decision over more statements than this (count all, reject all, ticked) becomes a
# background job with a progress page; bulk invalidation always does. Smaller ones are decided
# in the request.
SANTUI_OFFICE_JOB_THRESHOLD = int(os.environ.get("SANTUI_OFFICE_JOB_THRESHOLD", "200"))
# Statements a job decides per transaction (its progress is saved after each).
SANTUI_OFFICE_JOB_CHUNK = int(os.environ.get("SANTUI_OFFICE_JOB_CHUNK", "500"))
# On SQLite (one write lock for the whole database) the runner rests after each chunk as long
# as the chunk took, at most this many seconds, so other writers are not kept waiting.
SANTUI_OFFICE_JOB_PAUSE = float(os.environ.get("SANTUI_OFFICE_JOB_PAUSE", "0.05"))

# --- staff sign-in (santui.backoffice.signin, .twofactor; docs/operations.md#staff-sign-in) ---
# Two steps for every staff account: the password, then a code from an authenticator app
# (TOTP, django-otp) or a single-use backup code. Off only for a development machine.
STAFF_SIGNIN_MIDDLEWARE = "santui.backoffice.signin.StaffSignInMiddleware"
SANTUI_STAFF_REQUIRE_2FA = os.environ.get("SANTUI_STAFF_REQUIRE_2FA", "1") == "1"
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "django_otp.plugins.otp_static"]
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
if SANTUI_ROLE != "public":  # the public server has no office page to guard (issue 12)
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
        STAFF_SIGNIN_MIDDLEWARE,
    )
OTP_TOTP_ISSUER = "santui"
# A staff session ends after this many minutes without a request, and this many hours after
# the sign-in whatever happens (the session cookie lives no longer either).
SANTUI_STAFF_IDLE_MINUTES = int(os.environ.get("SANTUI_STAFF_IDLE_MINUTES", "30"))
SANTUI_STAFF_SESSION_HOURS = int(os.environ.get("SANTUI_STAFF_SESSION_HOURS", "12"))
SESSION_COOKIE_AGE = SANTUI_STAFF_SESSION_HOURS * 3600
if SANTUI_ROLE == "office":
    # Browsers send a host's cookies to every port of it: on one machine (scripts/run) the
    # office's own names keep its session and CSRF cookies apart from the public site's.
    SESSION_COOKIE_NAME = "santui_office_session"
    CSRF_COOKIE_NAME = "santui_office_csrf"
# Bulk reads of personal data, bulk decisions, office jobs and user management ask for a code
# again once the last one is older than this many minutes.
SANTUI_STAFF_REAUTH_MINUTES = int(os.environ.get("SANTUI_STAFF_REAUTH_MINUTES", "15"))
# Lockout: this many failed sign-ins (passwords or codes) of one account within the period
# lock it for the period. Counted in the cache under a keyed hash of the account name, never
# by address (shared between processes with REDIS_URL).
SANTUI_SIGNIN_MAX_FAILURES = int(os.environ.get("SANTUI_SIGNIN_MAX_FAILURES", "5"))
SANTUI_SIGNIN_LOCKOUT_MINUTES = int(os.environ.get("SANTUI_SIGNIN_LOCKOUT_MINUTES", "15"))
