"""Which migration state each organisation's schema is in, compared with the code's.

`migrate_schemas` records every organisation's state (`Organisation.schema_version`) after it
runs, even when a migration failed half-way; the middleware refuses to serve an organisation whose
schema is not in the state the running code expects, and `manage.py schema_status` reports them.
"""

import functools
import hashlib

from django.db import connection
from django.db.migrations.loader import MigrationLoader


def migration_state_hash(applied: set[tuple[str, str]], known: set[tuple[str, str]]) -> str:
    """One hash for a set of applied migrations (those the code no longer has are ignored)."""
    return hashlib.sha256(repr(sorted(applied & known)).encode()).hexdigest()


@functools.cache
def known_migrations() -> frozenset[tuple[str, str]]:
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


@functools.cache
def expected_schema_version() -> str:
    """The state of a fully migrated schema for the code this process runs."""
    return migration_state_hash(set(known_migrations()), set(known_migrations()))


def schema_version_of(schema_name: str) -> str:
    """The migration state a schema is actually in."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{schema_name}".django_migrations')
        applied = set(cursor.fetchall())
    return migration_state_hash(applied, set(known_migrations()))


def schema_versions_record() -> dict[str, bool]:
    """Store every organisation's state; return schema → whether it is up to date."""
    from django_tenants.utils import get_public_schema_name

    from .models import Organisation

    report = {}
    for organisation in Organisation.objects.exclude(schema_name=get_public_schema_name()):
        version = schema_version_of(organisation.schema_name)
        if version != organisation.schema_version:
            Organisation.objects.filter(pk=organisation.pk).update(schema_version=version)
        report[organisation.schema_name] = version == expected_schema_version()
    return report
