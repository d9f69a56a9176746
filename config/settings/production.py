"""Production: everything from the environment; refuses to start without real URLs and secrets."""

import os

from django.core.exceptions import ImproperlyConfigured

for required in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "PLATFORM_DOMAIN", "EMAIL_HOST"):
    if not os.environ.get(required):
        raise ImproperlyConfigured(f"{required} must be set in production.")

from .base import *  # noqa: E402,F403

if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-"):  # noqa: F405
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be a long random value in production.")

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)  # noqa: F405
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31_536_000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
