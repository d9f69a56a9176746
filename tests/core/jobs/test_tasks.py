"""Tasks run in the schema they were sent from, in a real worker process on Redis."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import chain, group
from django.db import connection
from django_tenants.utils import schema_context, tenant_context

from config.celery_app import app
from core.accounts.tasks import account_census, invitations_purge_spent
from core.jobs.base import TaskWithoutTenant
from core.jobs.scheduler import ModuleAwareScheduler, beat_schedule

ROOT = Path(__file__).resolve().parents[3]


def _database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgresql://{db['USER']}:{db['PASSWORD']}@{'' if db['HOST'].startswith('/') else db['HOST']}/{db['NAME']}"
        + (f"?host={db['HOST']}" if db["HOST"].startswith("/") else "")
    )


@pytest.fixture(scope="module")
def worker(organisations, django_db_blocker):
    """A real `celery worker` process on its own queue, reading the test database."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "ADHERA_CELERY_EAGER": "0",
        "DATABASE_URL": _database_url(),
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "--loglevel=WARNING",
        ],
        cwd=ROOT,
        env=env,
    )
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        process.wait(timeout=30)


def test_task_sent_from_each_organisation_runs_in_it(worker, organisations):
    results = {}
    for slug in ("alpha", "beta"):
        with tenant_context(organisations[slug]):
            results[slug] = account_census.apply_async(queue=worker)
    with schema_context("public"):
        results["public"] = account_census.apply_async(queue=worker)
    census = {slug: result.get(timeout=20) for slug, result in results.items()}
    assert census["alpha"]["schema"] == "alpha" and "admin@alpha.test" in census["alpha"]["emails"]
    assert not any(email.endswith("beta.test") for email in census["alpha"]["emails"])
    assert census["beta"]["schema"] == "beta" and "admin@beta.test" in census["beta"]["emails"]
    # A plain task run right after tenant tasks on the same worker is back in public.
    assert census["public"]["schema"] == "public" and census["public"]["emails"] == ["operator@adhera.test"]


def test_chain_and_group_keep_the_schema(worker, organisations):
    with tenant_context(organisations["beta"]):
        grouped = group(account_census.s().set(queue=worker), account_census.s().set(queue=worker)).apply_async()
    assert [result["schema"] for result in grouped.get(timeout=20)] == ["beta", "beta"]
    with tenant_context(organisations["alpha"]):
        chained = chain(
            invitations_purge_spent.si().set(queue=worker), account_census.si().set(queue=worker)
        ).apply_async()
    assert chained.get(timeout=20)["schema"] == "alpha"


def test_tenant_task_without_an_organisation_fails_closed_in_the_worker(worker):
    with schema_context("public"):
        result = invitations_purge_spent.apply_async(queue=worker)
    with pytest.raises(TaskWithoutTenant):
        result.get(timeout=20)


@pytest.mark.django_db
def test_tenant_task_refuses_public_in_process_too(organisations):
    with pytest.raises(TaskWithoutTenant):
        invitations_purge_spent.delay()
    with tenant_context(organisations["alpha"]):
        assert invitations_purge_spent.delay().get() >= 0


@pytest.mark.django_db
def test_beat_sends_module_jobs_only_where_the_module_is_on(organisations, alpha, beta, tmp_path, monkeypatch):
    """Drive the real scheduler's apply_entry; record the schema each send happens in."""
    scheduler = ModuleAwareScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=True)
    sent = []
    monkeypatch.setattr(
        scheduler, "apply_async", lambda entry, producer=None, advance=False: sent.append(connection.schema_name)
    )
    entry = scheduler.Entry(
        name="health.reminders",
        task="accounts.census",
        schedule=60.0,
        options={"headers": {"_module": "health"}},
        app=app,
    )
    scheduler.apply_entry(entry)
    assert sent == ["beta"]
    sent.clear()
    from tenants.services import organisation_change_status

    organisation_change_status(actor=None, organisation=beta, transition="suspend")
    scheduler.apply_entry(entry)
    assert sent == []


def test_core_jobs_are_in_the_beat_schedule():
    schedule = beat_schedule()
    assert schedule["mail.relay_pending"]["options"]["headers"]["_where"] == "all"
    assert schedule["accounts.purge_spent_invitations"]["options"]["headers"]["_where"] == "tenants"


def test_task_for_a_vanished_organisation_fails_closed_in_the_worker(worker):
    """The schema switch fails (no such organisation): the task must not run in public."""
    from core.jobs.base import TaskSchemaMismatch

    result = account_census.apply_async(queue=worker, headers={"_schema_name": "vanished"})
    with pytest.raises(TaskSchemaMismatch):
        result.get(timeout=20)


def test_every_task_of_the_app_is_schema_bound():
    from core.jobs.base import SchemaBoundTask

    app.loader.import_default_modules()
    ours = [task for name, task in app.tasks.items() if not name.startswith("celery.")]
    assert ours and all(isinstance(task, SchemaBoundTask) for task in ours)


def test_a_second_beat_refuses_to_start(tmp_path):
    from core.jobs.scheduler import BeatAlreadyRunning

    first = ModuleAwareScheduler(app=app, schedule_filename=str(tmp_path / "one"), lazy=True)
    second = ModuleAwareScheduler(app=app, schedule_filename=str(tmp_path / "two"), lazy=True)
    first.setup_schedule()
    try:
        with pytest.raises(BeatAlreadyRunning):
            second.setup_schedule()
    finally:
        first.close()
    second.setup_schedule()  # the lock is free again once the first beat stopped
    second.close()


def test_module_jobs_from_the_registry_are_scheduled_with_their_module(monkeypatch):
    from celery.schedules import crontab

    import core.jobs.scheduler as scheduler_module
    from core.modules.registry import ModuleRegistry, ModuleSpec, ScheduledJob

    registry = ModuleRegistry()
    registry.register(
        ModuleSpec(
            key="questions",
            label="Questions",
            description="",
            urls="modules.questions.urls",
            scheduled_jobs=(ScheduledJob("digest", "questions.digest", crontab(hour=7, minute=0)),),
        )
    )
    monkeypatch.setattr(scheduler_module, "registry", registry)
    entry = beat_schedule()["questions.digest"]
    assert entry["task"] == "questions.digest" and entry["options"]["headers"]["_module"] == "questions"
