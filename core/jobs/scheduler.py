"""Beat scheduler: one schedule, sent to each organisation that should run it.

Jobs of a module (from the registry) go to the active organisations that have it switched on, so
switching a module off stops its jobs; core jobs go to the public schema and every active one.
A lock in Redis lets only one beat run: a second one refuses to start, since jobs would run twice.
"""

import logging

from celery.beat import PersistentScheduler
from celery.schedules import crontab
from django_tenants.utils import get_public_schema_name, schema_context
from tenant_schemas_celery.scheduler import TenantAwareScheduleEntry

from core.modules.registry import registry

logger = logging.getLogger(__name__)

# Core jobs: (task, schedule, where) with where "all" (public and every organisation) or "tenants".
CORE_JOBS = {
    "mail.relay_pending": ("mail.relay_pending", 60.0, "all"),
    "accounts.purge_spent_invitations": ("accounts.purge_spent_invitations", crontab(hour=3, minute=15), "tenants"),
    # On the 20th, people whose account ends next month are reminded (core.accounts.expiry).
    "accounts.remind_expiring": ("accounts.remind_expiring", crontab(day_of_month=20, hour=8, minute=0), "tenants"),
}


def beat_schedule() -> dict[str, dict]:
    """Core jobs plus every module's jobs, each tagged with the module it belongs to."""
    schedule = {
        name: {"task": task, "schedule": when, "options": {"headers": {"_module": None, "_where": where}}}
        for name, (task, when, where) in CORE_JOBS.items()
    }
    for spec in registry.all():
        for job in spec.scheduled_jobs:
            schedule[f"{spec.key}.{job.name}"] = {
                "task": job.task,
                "schedule": job.schedule,
                "options": {"headers": {"_module": spec.key}},
            }
    return schedule


def schemas_for_job(module_key: str | None, where: str = "tenants") -> list[str]:
    """Schemas a job is sent to: the active organisations that have its module switched on (or
    all of them for a core job), plus the public schema when `where` is "all"."""
    from tenants.models import Organisation, OrganisationStatus

    organisations = Organisation.objects.filter(status=OrganisationStatus.ACTIVE).exclude(
        schema_name=get_public_schema_name()
    )
    if module_key is not None:
        organisations = organisations.filter(enabled_modules__contains=[module_key])
    schemas = list(organisations.values_list("schema_name", flat=True))
    return [get_public_schema_name(), *schemas] if where == "all" else schemas


class BeatAlreadyRunning(RuntimeError):
    """Another beat holds the lock."""


BEAT_LOCK_SECONDS = 600  # renewed at every tick (at least each minute, CELERY_BEAT_MAX_INTERVAL)


def _beat_lock():
    import redis
    from django.conf import settings

    name = f"{settings.CACHES['default']['KEY_PREFIX']}:beat-lock"
    return redis.Redis.from_url(settings.REDIS_URL).lock(name, timeout=BEAT_LOCK_SECONDS)


class ModuleAwareScheduler(PersistentScheduler):
    Entry = TenantAwareScheduleEntry
    _lock = None

    def setup_schedule(self):
        self._lock = _beat_lock()
        if not self._lock.acquire(blocking=False):
            raise BeatAlreadyRunning("Another celery beat is running for this platform: refusing to start a second.")
        super().setup_schedule()
        self.merge_inplace(beat_schedule())
        self.install_default_entries(self.data)

    def tick(self, *args, **kwargs):
        self._lock.reacquire()  # raises if the lock was lost: better stop than run jobs twice
        return super().tick(*args, **kwargs)

    def close(self):
        if self._lock is not None and self._lock.owned():
            self._lock.release()
        super().close()

    def apply_entry(self, entry, producer=None):
        headers = entry.options.get("headers", {})
        for schema_name in schemas_for_job(headers.get("_module"), headers.get("_where", "tenants")):
            with schema_context(schema_name):
                try:
                    self.apply_async(entry, producer=producer, advance=False)
                except Exception:  # one organisation's failure must not stop the others'
                    logger.exception("Could not send %s to %s", entry.task, schema_name)
