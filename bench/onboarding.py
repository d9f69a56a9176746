"""Time to create one organisation: from a spare schema, by replaying the template snapshot, by
django-tenants' clone function, and by django-tenants' migrate path.

Run with `make bench` (or `python bench/onboarding.py [runs]`). Each run creates real
organisations through `organisation_create` (the first two paths, with domain, invitation and
audit) and bare schemas for the other two, then drops them. Tasks the runs send (spare refill,
invitation e-mails) go to a queue nobody reads, deleted at the end, so the timings hold the
request's work only, as in production where a worker does the rest. Medians go to
docs/benchmarks.md.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django_tenants.clone import CloneSchema  # noqa: E402

from bench.broker import discarded_tasks_drop, tasks_discarded  # noqa: E402
from bench.report import write_section  # noqa: E402
from config.celery_app import app  # noqa: E402
from tenants.models import Organisation, SpareSchema  # noqa: E402
from tenants.schema_template import spare_schemas_refill, template_schema_name  # noqa: E402
from tenants.services import OrganisationInput, organisation_create  # noqa: E402


def _drop(slug: str) -> None:
    schema = slug.replace("-", "_")
    Organisation.objects.filter(slug=slug).delete()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def time_clone(slug: str) -> float:
    data = OrganisationInput(
        name="Banc d'essai",
        slug=slug,
        kind="other",
        identity_scheme="siret",
        allowed_modules=["questions", "health", "purchasing", "billing"],
        admin_email="admin@example.org",
    )
    start = time.perf_counter()
    organisation_create(actor=None, data=data)
    return time.perf_counter() - start


def time_clone_function(schema: str) -> float:
    CloneSchema()._create_clone_schema_function()  # installed once, as it would be in production
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT clone_schema(%s, %s, 'DATA')", [template_schema_name(), schema])
    return time.perf_counter() - start


def time_migrate(schema: str) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
    return time.perf_counter() - start


def _timed_runs(runs: int, name: str, timed) -> list[float]:
    timings = []
    for run in range(runs):
        target = f"bench-{name}-{run}"
        _drop(target)
        timings.append(timed(target))
        _drop(target)
    return timings


def main(runs: int) -> None:
    call_command("migrate_schemas", interactive=False, verbosity=0)
    app.conf.task_always_eager = False
    tasks_discarded()

    def from_spare(slug: str) -> float:
        spare_schemas_refill(target=1)
        return time_clone(slug)

    def from_snapshot(slug: str) -> float:
        spare_schemas_refill(target=0)
        for spare in SpareSchema.objects.all():
            _drop(spare.schema_name)
            spare.delete()
        return time_clone(slug)

    results = {
        "spare": _timed_runs(runs, "spare", from_spare),
        "replay": _timed_runs(runs, "replay", from_snapshot),
        "function": _timed_runs(runs, "function", lambda name: time_clone_function(name.replace("-", "_"))),
        "migrate": _timed_runs(runs, "migrate", lambda name: time_migrate(name.replace("-", "_"))),
    }
    spare_schemas_refill()
    discarded_tasks_drop()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", [template_schema_name()]
        )
        tables = cursor.fetchone()[0]
    medians = {name: statistics.median(values) for name, values in results.items()}
    labels = {
        "spare": "`organisation_create`, a spare schema ready (the usual case)",
        "replay": "`organisation_create`, no spare: replay of the template snapshot",
        "function": "schema only: django-tenants' `clone_schema` function",
        "migrate": "schema only: `CREATE SCHEMA` + `migrate_schemas` (django-tenants' default)",
    }
    lines = [
        f"Median of {runs} runs on this machine ({os.cpu_count()} cores), embedded PostgreSQL, "
        f"template of {tables} tables. The two `organisation_create` rows include validation, "
        "domain, invitation (outbox) and audit rows and the commit.",
        "",
        "| path | median | fastest | slowest |",
        "|---|---|---|---|",
        *(
            f"| {labels[name]} | {medians[name]:.3f} s | {min(values):.3f} s | {max(values):.3f} s |"
            for name, values in results.items()
        ),
        "",
        f"Onboarding with a spare is **{medians['migrate'] / medians['spare']:.1f}x** faster than the migrate path; "
        f"without a spare, **{medians['migrate'] / medians['replay']:.1f}x**.",
    ]
    write_section("Onboarding an organisation", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
