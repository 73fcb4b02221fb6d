"""Lutetia settings, read from environment variables with safe defaults.

Development is the default mode. ``LUTETIA_MODE=production`` turns on the
secure cookies and HSTS and refuses to start with DEBUG on or an insecure key.
"""

import json
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from lutetia.settings.env import env_bool, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("LUTETIA_VAR_DIR", str(Path.cwd() / "var")))

MODE = env_str("LUTETIA_MODE", "development")
PRODUCTION = MODE == "production"
INSECURE_SECRET_KEY = "insecure-development-key-change-me"  # noqa: S105 (refused in production)
SECRET_KEY = env_str("LUTETIA_SECRET_KEY", INSECURE_SECRET_KEY)
DEBUG = env_bool("LUTETIA_DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("LUTETIA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("LUTETIA_CSRF_TRUSTED_ORIGINS", [])

if PRODUCTION:
    if DEBUG:
        raise ImproperlyConfigured("LUTETIA_DEBUG must be off in production mode.")
    if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5:
        raise ImproperlyConfigured(
            "LUTETIA_SECRET_KEY must be set to a random value of at least 50 characters "
            "in production mode."
        )

INSTALLED_APPS = [
    "lutetia.core",
    "lutetia.core.districts",
    "lutetia.core.notifications",
    "lutetia.core.api",
    "lutetia.core.workflow",
    "lutetia.accounts",
    "lutetia.pages",
    *env_list(
        "LUTETIA_SERVICES",
        [
            "lutetia.services.contact",
            "lutetia.services.budget",
            "lutetia.services.reports",
            "lutetia.services.procedures",
            "lutetia.services.appointments",
        ],
    ),
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "lutetia.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "lutetia.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lutetia.core.sites.SiteMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "lutetia.pages.cache.AnonymousPageCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "lutetia.core.api.middleware.ApiMiddleware",
    "lutetia.core.middleware.ServiceGateMiddleware",
]

ROOT_URLCONF = "lutetia.urls"
WSGI_APPLICATION = "lutetia.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "lutetia.core.context_processors.platform",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = os.environ.get("LUTETIA_DATABASE_URL") or os.environ.get("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {"ENGINE": "django.db.backends.sqlite3", "NAME": VAR_DIR / "lutetia.sqlite3"}
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the task worker read while the other writes.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (shared by rate limits; use Redis or the database with several servers) ---
CACHE_URL = env_str("LUTETIA_CACHE_URL", "locmem://")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL.startswith("db://"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_URL.removeprefix("db://") or "lutetia_cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Anonymous visitors get Wagtail pages from the cache for this long (0 turns it off).
LUTETIA_PAGE_CACHE_SECONDS = int(env_str("LUTETIA_PAGE_CACHE_SECONDS", "300"))

# --- Accounts ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:dashboard"
ACCOUNT_ADAPTER = "lutetia.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Lutetia] "
# Login throttling: allauth counts failed logins per account and per IP in the cache.
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
# OpenID Connect identity providers (FranceConnect, the city's own IdP) from a JSON list:
# [{"provider_id": "franceconnect", "name": "FranceConnect", "client_id": "...",
#   "secret": "...", "settings": {"server_url": "https://…/.well-known/openid-configuration"}}]
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {"APPS": json.loads(env_str("LUTETIA_OIDC_PROVIDERS", "[]"))},
}
# Key of the census digests; defaults to SECRET_KEY. Set it so rotating SECRET_KEY keeps
# the imported census valid.
LUTETIA_CENSUS_KEY = env_str("LUTETIA_CENSUS_KEY", "")

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAIL_I18N_ENABLED = True
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("LUTETIA_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True

# --- Static and media -----------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("LUTETIA_STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("LUTETIA_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# In development WhiteNoise serves straight from the apps' static folders (no collectstatic).
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "LUTETIA_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env_str("LUTETIA_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env_str("LUTETIA_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env_str("LUTETIA_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("LUTETIA_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("LUTETIA_EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env_str("LUTETIA_DEFAULT_FROM_EMAIL", "Lutetia <ne-pas-repondre@example.org>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Background tasks -----------------------------------------------------
TASKS = {
    "default": {"BACKEND": env_str("LUTETIA_TASKS_BACKEND", "django_tasks_db.DatabaseBackend")}
}

# --- Wagtail --------------------------------------------------------------
WAGTAIL_SITE_NAME = env_str("LUTETIA_SITE_NAME", "Lutetia")
WAGTAILADMIN_BASE_URL = env_str("LUTETIA_BASE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_LOGIN_URL = "account_login"
WAGTAIL_USER_EDIT_FORM = None
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["pdf", "odt", "ods", "docx", "xlsx", "csv", "txt"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAIL_ENABLE_UPDATE_CHECK = False

# --- Security -------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("LUTETIA_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = int(env_str("LUTETIA_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- API ------------------------------------------------------------------
# Requests per minute; a key's own limit, when set, wins over the default.
LUTETIA_API_RATE_LIMIT_PER_IP = int(env_str("LUTETIA_API_RATE_LIMIT_PER_IP", "120"))
LUTETIA_API_RATE_LIMIT_PER_KEY = int(env_str("LUTETIA_API_RATE_LIMIT_PER_KEY", "600"))
# Reverse proxies (addresses or networks) whose X-Forwarded-For is believed for client IPs.
LUTETIA_TRUSTED_PROXIES = env_list("LUTETIA_TRUSTED_PROXIES", [])

# --- Uploads --------------------------------------------------------------
LUTETIA_UPLOAD_MAX_IMAGE_BYTES = 10 * 1024 * 1024
LUTETIA_UPLOAD_MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
LUTETIA_UPLOAD_MAX_PIXELS = 40_000_000

# --- Dans ma rue (reports) ------------------------------------------------------
LUTETIA_REPORTS_DESCRIPTION_MAX_LENGTH = 4000
LUTETIA_REPORTS_MAX_PHOTOS = 3
# Open reports of the same category within this distance are offered before a new one is filed.
LUTETIA_REPORTS_NEARBY_RADIUS_M = int(env_str("LUTETIA_REPORTS_NEARBY_RADIUS_M", "50"))
# Address search: empty (off) or a dotted path to a geocoder (see docs/reports.md).
LUTETIA_REPORTS_GEOCODER = env_str("LUTETIA_REPORTS_GEOCODER", "")
# Open311 at /open311/v2/: the jurisdiction_id it answers to (empty: any is accepted) and the
# contact its discovery document gives to application developers.
LUTETIA_OPEN311_JURISDICTION = env_str("LUTETIA_OPEN311_JURISDICTION", "")
LUTETIA_OPEN311_CONTACT = env_str("LUTETIA_OPEN311_CONTACT", "")

# --- Logging: one JSON object per line on stderr ------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "lutetia.core.logging.JsonFormatter"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json"}},
    "root": {"handlers": ["stderr"], "level": env_str("LUTETIA_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # Wagtail logs every page edit at INFO; the audit trail in the database already has them.
        "wagtail": {"level": env_str("LUTETIA_WAGTAIL_LOG_LEVEL", "WARNING")},
    },
}
