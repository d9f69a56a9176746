"""Tests: the same real PostgreSQL and Redis as development (embedded unless URLs are given)."""

import os

from config import embedded

if not os.environ.get("DATABASE_URL"):
    os.environ["DATABASE_URL"] = embedded.postgres_url()
if not os.environ.get("REDIS_URL"):
    # Database 1 of the embedded Redis: tests never share a queue or a key with `make run`.
    os.environ["REDIS_URL"] = embedded.redis_url() + "?db=1"

from .base import *  # noqa: E402,F403

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
ALLOWED_HOSTS = ["localhost", ".localhost", "testserver", "127.0.0.1"]
# Tests build organisations by replaying the snapshot; the spare pool has tests of its own.
TENANT_SPARE_SCHEMAS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Each pytest-xdist worker gets its own key space in the shared Redis and its own media folder;
# ADHERA_TEST_TAG separates test runs made at the same time on one machine.
_RUN = "-".join(filter(None, [os.environ.get("ADHERA_TEST_TAG"), os.environ.get("PYTEST_XDIST_WORKER", "main")]))
CACHES["default"]["KEY_PREFIX"] = f"test-{_RUN}"  # noqa: F405
MEDIA_ROOT = BASE_DIR / ".local" / f"test-media-{_RUN}"  # noqa: F405
CELERY_BEAT_SCHEDULE_FILENAME = str(BASE_DIR / ".local" / "test-celerybeat-schedule")  # noqa: F405
# Unit tests run tasks in-process (Celery's eager mode, same signals and schema switch); the
# worker tests start a real worker process with ADHERA_CELERY_EAGER=0.
CELERY_TASK_ALWAYS_EAGER = os.environ.get("ADHERA_CELERY_EAGER", "1") == "1"
CELERY_TASK_EAGER_PROPAGATES = True
