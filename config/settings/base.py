"""Settings shared by every environment; each value that differs comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab  # noqa: F401  (used by modules' schedules through settings)

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str | None = None) -> str | None:
    """Read one setting from the environment."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in {"1", "true", "yes", "on"}


def database_config(url: str) -> dict:
    """Django database settings from a URL, with the django-tenants engine."""
    config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    config["ENGINE"] = "django_tenants.postgresql_backend"
    # pgserver URLs carry the socket directory as ?host=...: make it the real HOST.
    if "host" in config.get("OPTIONS", {}):
        config["HOST"] = config["OPTIONS"].pop("host")
    return config


SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = False

# Every organisation is served on <slug>.<PLATFORM_DOMAIN>; the bare domain is the operator console.
PLATFORM_DOMAIN = env("PLATFORM_DOMAIN", "localhost")
PLATFORM_SCHEME = env("PLATFORM_SCHEME", "https")  # of links in e-mails
PLATFORM_PORT = env("PLATFORM_PORT", "")  # only when not served on 80/443
ALLOWED_HOSTS = [PLATFORM_DOMAIN, f".{PLATFORM_DOMAIN}"]

SHARED_APPS = [
    # `tenants` first: its migrate/migrate_schemas commands (template schema) override django-tenants'.
    "tenants",
    "django_tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "core.web",
    "core.accounts",
    "core.audit",
    "core.mail",
    # Login attempts of the operator console (public schema).
    "axes",
]
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework.authtoken",
    # Login attempts are counted per organisation, in its schema.
    "axes",
    "core.accounts",
    "core.audit",
    "core.mail",
    "core.members",
    "core.access",
    "core.notifications",
    "core.documents",
    "core.privacy",
    "core.modules",
    "modules.questions",
    "modules.health",
    "modules.purchasing",
    "modules.billing",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Organisation"
TENANT_DOMAIN_MODEL = "tenants.Domain"
# Schema every new organisation is cloned from; `migrate_schemas` keeps it migrated.
TENANT_TEMPLATE_SCHEMA = "tenant_template"
# pg_dump used to snapshot the template (default: on PATH, else pgserver's; must be >= the server).
PG_DUMP_PATH = env("PG_DUMP_PATH")
# Schemas built ahead from the template, so that onboarding only renames one.
TENANT_SPARE_SCHEMAS = int(env("TENANT_SPARE_SCHEMAS", "2"))
TENANT_LIMIT_SET_CALLS = True
PUBLIC_SCHEMA_URLCONF = "config.urls_public"
ROOT_URLCONF = "config.urls_tenant"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]

MIDDLEWARE = [
    "tenants.middleware.OrganisationMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.web.security.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.accounts.middleware.SessionActivityMiddleware",
    # Turns a lockout into the French login page with status 429 (see core.accounts.throttling).
    "axes.middleware.AxesMiddleware",
    "core.access.acting.ActiveMemberMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.modules.middleware.ModuleGateMiddleware",
]

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
                "core.web.context_processors.organisation",
                "core.notifications.context_processors.unread_notifications",
            ],
        },
    }
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": database_config(env("DATABASE_URL", "postgresql://localhost/adhera"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "redis://127.0.0.1:6379/0")


def celery_redis_url(url: str) -> str:
    """Kombu spells a Unix-socket Redis `redis+socket://`, and its database `virtual_host`."""
    if not url.startswith("unix://"):
        return url
    return "redis+socket://" + url.removeprefix("unix://").replace("?db=", "?virtual_host=")


CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        # Every key starts with the schema of the current tenant (TRAPS: shared cache entries).
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": "adhera",
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses any attempt (password or e-mail code) while the account or the IP is locked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Password and e-mail code; both refuse expired accounts, also for sessions already open.
    "core.accounts.backends.PasswordBackend",
    "core.accounts.backends.EmailCodeBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "accounts:login"
# CNIL 2022-100 / ASVS 2.1: length and strength, no composition rules (hence no NumericPasswordValidator:
# an all-digit password is refused by zxcvbn when it is weak, like any other weak one).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "core.accounts.validators.MaximumLengthValidator", "OPTIONS": {"max_length": 256}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "core.accounts.validators.StrengthValidator", "OPTIONS": {"min_score": 3}},
]

# django-axes: 5 failures on one account, or from one IP address, lock that account or address
# for 15 minutes (CNIL: a 50-bit password is enough with such a limit). Unknown accounts are
# counted and locked the same way, so the answer never tells whether an account exists.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
# The client address is REMOTE_ADDR, or the one TRUSTED_PROXY_COUNT proxies put in X-Forwarded-For:
# a header sent by the client itself is never believed (core.accounts.throttling.client_ip).
AXES_CLIENT_IP_CALLABLE = "core.accounts.throttling.client_ip"
AXES_USERNAME_CALLABLE = "core.accounts.throttling.attempt_username"
AXES_LOCKOUT_CALLABLE = "core.accounts.throttling.lockout_response"
# A success does not wipe the IP counter: one valid account must not unlock guessing at others.
AXES_RESET_ON_SUCCESS = False
# Logins are recorded by core.accounts (UserSession); axes keeps only the failures.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # lockouts are still logged (warnings); no start-up banner, no user agents in logs
AXES_SENSITIVE_PARAMETERS = ["username", "email", "ip_address", "code", "password", "password_confirm"]
TRUSTED_PROXY_COUNT = int(env("TRUSTED_PROXY_COUNT", "0"))

# Sessions live in each tenant's schema; the cookie is host-only (no SESSION_COOKIE_DOMAIN).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "fr"
# French only until a catalogue exists; every string is already marked for translation.
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / ".local" / "static"
# Uploaded files: outside any web root, one folder per schema, served only by authorised views.
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(BASE_DIR / ".local" / "media")))
MEDIA_URL = "/media/"
MULTITENANT_RELATIVE_MEDIA_ROOT = "%s"
STORAGES = {
    "default": {"BACKEND": "django_tenants.files.storage.TenantFileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST", "127.0.0.1")
EMAIL_PORT = int(env("EMAIL_PORT", "1025"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Adhera <no-reply@adhera.localhost>")

CELERY_BROKER_URL = celery_redis_url(REDIS_URL)
CELERY_RESULT_BACKEND = celery_redis_url(REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# With acks_late, a task whose worker died is delivered again after this delay (Redis transport).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "core.jobs.scheduler:ModuleAwareScheduler"
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".local" / "celerybeat-schedule")
CELERY_BEAT_MAX_INTERVAL = 60

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with WWW-Authenticate, not 403.
        # Both bind the active member once the caller is known (core.access.api.authentication);
        # the token class refuses expired accounts (core.accounts.authentication).
        "core.access.api.authentication.MemberTokenAuthentication",
        "core.access.api.authentication.MemberSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.web.api_errors.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Adhera API",
    "DESCRIPTION": "API de l'espace adhérent, servie par organisation.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema tells which modules an organisation runs: only its signed-in people read it.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_GENERATOR_CLASS": "core.web.api_schema.OrganisationSchemaGenerator",
    # Several serializers have a "kind" field with different choices: name the access one.
    "ENUM_NAME_OVERRIDES": {"MembershipKindEnum": "core.access.models.MembershipKind"},
    # Swagger UI from our own static files: no CDN (the CSP allows only 'self').
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # WeasyPrint narrates every PDF at INFO level.
    "loggers": {"pgserver": {"level": "WARNING"}, "weasyprint.progress": {"level": "WARNING"}},
}

# --- Payments (modules/billing) ---
# Where the `stripe` client sends its calls: None is the real Stripe; tests and `make run` point it
# at `localpay` (a local server speaking Stripe's API). Each organisation stores its own keys,
# encrypted with ADHERA_SECRETS_KEY (any string; derived into a Fernet key).
STRIPE_API_BASE = env("STRIPE_API_BASE", None)
ADHERA_SECRETS_KEY = env("ADHERA_SECRETS_KEY", SECRET_KEY)
# Stripe's own tolerance for a webhook's timestamp: older deliveries are replays.
STRIPE_WEBHOOK_TOLERANCE = 300
