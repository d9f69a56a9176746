"""Production settings: refuse to start without real configuration, and pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "DJANGO_SECRET_KEY": "k" * 30 + "-production-secret-of-sufficient-length-0123456789",
    "DATABASE_URL": "postgresql://adhera@db.internal:5432/adhera",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "PLATFORM_DOMAIN": "adhera.fr",
    "EMAIL_HOST": "smtp.adhera.fr",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if key not in PRODUCTION_ENV}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_passes_check_deploy():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr


def test_production_refuses_to_start_without_each_required_setting():
    for missing in ("DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "PLATFORM_DOMAIN", "EMAIL_HOST"):
        env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
        result = manage("check", env=env)
        assert result.returncode != 0 and f"{missing} must be set" in result.stderr, missing


def test_production_refuses_a_weak_secret_key():
    result = manage("check", env={**PRODUCTION_ENV, "DJANGO_SECRET_KEY": "short"})
    assert result.returncode != 0 and "DJANGO_SECRET_KEY" in result.stderr
