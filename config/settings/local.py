"""Development: embedded PostgreSQL and Redis unless URLs are given, SMTP sink on port 1025."""

import os

from config import embedded

if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = embedded.postgres_url()
if not os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = embedded.redis_url()

from .base import *  # noqa: E402,F403

DEBUG = True
ALLOWED_HOSTS = ["localhost", ".localhost", "127.0.0.1"]
# `make run` serves the platform over plain HTTP on port 8000; links in e-mails must say so.
PLATFORM_SCHEME = env("PLATFORM_SCHEME", "http")  # noqa: F405
PLATFORM_PORT = env("PLATFORM_PORT", "8000")  # noqa: F405
# `make run` starts `localpay`, a local server speaking Stripe's API, on port 8420.
STRIPE_API_BASE = env("STRIPE_API_BASE", "http://127.0.0.1:8420")  # noqa: F405
