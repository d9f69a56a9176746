"""Time to create one organisation: cloning the template schema vs django-tenants' migrate path.

Run with `make bench` (or `python bench/onboarding.py [runs]`). Each run creates a real
organisation through `organisation_create` (clone) and another by `CREATE SCHEMA` plus
`migrate_schemas` for that schema (what django-tenants does without a template), then drops both.
The medians go to docs/benchmarks.md.
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

from bench.report import write_section  # noqa: E402
from tenants.models import Organisation  # noqa: E402
from tenants.services import OrganisationInput, organisation_create  # noqa: E402


def _drop(slug: str) -> None:
    schema = slug.replace("-", "_")
    Organisation.objects.filter(slug=slug).delete()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def time_clone(slug: str) -> float:
    data = OrganisationInput(name="Banc d'essai", slug=slug, kind="other", identity_scheme="siret",
                             allowed_modules=["questions", "health", "purchasing", "billing"],
                             admin_email="admin@example.org")
    start = time.perf_counter()
    organisation_create(actor=None, data=data)
    return time.perf_counter() - start


def time_migrate(schema: str) -> float:
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema}"')
    call_command("migrate_schemas", schema_name=schema, interactive=False, verbosity=0)
    return time.perf_counter() - start


def main(runs: int) -> None:
    call_command("migrate_schemas", interactive=False, verbosity=0)
    clone, migrate = [], []
    for run in range(runs):
        slug = f"bench-clone-{run}"
        _drop(slug)
        clone.append(time_clone(slug))
        _drop(slug)
        schema = f"bench_migrate_{run}"
        _drop(schema)
        migrate.append(time_migrate(schema))
        _drop(schema)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = %s", ["tenant_template"]
        )
        tables = cursor.fetchone()[0]
    clone_median, migrate_median = statistics.median(clone), statistics.median(migrate)
    lines = [
        f"Median of {runs} runs on this machine ({os.cpu_count()} cores), template of {tables} tables.",
        "",
        "| path | median | fastest | slowest |",
        "|---|---|---|---|",
        f"| `organisation_create` (clone of the template, with domain, invitation and audit) | {clone_median:.3f} s | {min(clone):.3f} s | {max(clone):.3f} s |",
        f"| `CREATE SCHEMA` + `migrate_schemas` (django-tenants' default) | {migrate_median:.3f} s | {min(migrate):.3f} s | {max(migrate):.3f} s |",
        "",
        f"Cloning is **{migrate_median / clone_median:.1f}x** faster than migrating.",
    ]
    write_section("Onboarding an organisation", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
