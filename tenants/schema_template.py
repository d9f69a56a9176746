"""The template schema that new organisations are cloned from.

`migrate_schemas` keeps the template migrated, then records a **snapshot**: the template's DDL
(from `pg_dump --schema-only`) rewritten for any schema name, plus the statements that copy its
reference rows (applied migrations, content types, permissions). Creating an organisation replays
that snapshot in one round trip inside the creating transaction. The snapshot is keyed by the
template's applied migrations, so a stale one is never used; without a usable `pg_dump` the
slower django-tenants clone function is used instead.
"""

import hashlib
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists

logger = logging.getLogger(__name__)

PLACEHOLDER = "__adhera_new_schema__"
SAFE_SCHEMA = re.compile(r"^[a-z][a-z0-9_]{0,62}$")


class TemplateDumpUnavailable(RuntimeError):
    """No pg_dump able to read this server was found."""


def template_schema_name() -> str:
    return settings.TENANT_TEMPLATE_SCHEMA


def template_schema_ensure() -> bool:
    """Create the empty template schema if missing; return True when it was created."""
    if schema_exists(template_schema_name()):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{template_schema_name()}"')
    return True


def template_fingerprint() -> str:
    """A hash of the migrations applied to the template: changes whenever its tables may have."""
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT app, name FROM "{template_schema_name()}".django_migrations ORDER BY app, name')
        rows = cursor.fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _pg_dump_candidates() -> list[str]:
    candidates = [getattr(settings, "PG_DUMP_PATH", None), shutil.which("pg_dump")]
    try:
        import pgserver

        candidates.append(str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"))
    except ImportError:
        pass
    return [path for path in candidates if path and Path(path).exists()]


def _server_major() -> int:
    return connection.cursor().connection.info.server_version // 10000


def _pg_dump_schema(schema: str) -> str:
    """`pg_dump --schema-only` of one schema, with the first pg_dump recent enough for the server."""
    db = connection.settings_dict
    env = {**os.environ, "PGHOST": db["HOST"] or "", "PGPORT": str(db["PORT"] or ""), "PGUSER": db["USER"] or "",
           "PGPASSWORD": db["PASSWORD"] or "", "PGDATABASE": db["NAME"]}
    server_major = _server_major()
    for pg_dump in _pg_dump_candidates():
        version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True).stdout
        match = re.search(r"(\d+)\.\d+", version)
        if not match or int(match.group(1)) < server_major:
            continue
        result = subprocess.run(
            [pg_dump, "--schema-only", "--no-owner", "--no-privileges", "--no-comments", f"--schema={schema}"],
            capture_output=True, text=True, env=env,
        )
        if result.returncode == 0:
            return result.stdout
        logger.warning("%s failed: %s", pg_dump, result.stderr.strip())
    raise TemplateDumpUnavailable(f"No pg_dump >= {server_major} could dump the template schema.")


def _ddl_for_any_schema(dump: str, template: str) -> str:
    """Keep the dump's object definitions, name the schema by the placeholder, drop session SETs."""
    kept = []
    for line in dump.splitlines():
        if line.startswith(("--", "SET ", "SELECT pg_catalog.set_config")) or line == f"CREATE SCHEMA {template};":
            continue
        kept.append(line)
    return "\n".join(kept).replace(f"{template}.", f"{PLACEHOLDER}.")


def _reference_rows_sql(template: str) -> str:
    """Statements copying the template's rows (they are reference data) and moving sequences on."""
    statements = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname", [template],
        )
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT EXISTS (SELECT 1 FROM "{template}"."{table}")')
            if not cursor.fetchone()[0]:
                continue
            statements.append(f'INSERT INTO {PLACEHOLDER}."{table}" SELECT * FROM "{template}"."{table}";')
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [f'"{template}"."{table}"'])
            sequence = cursor.fetchone()[0]
            if sequence:
                sequence = sequence.replace(f"{template}.", f"{PLACEHOLDER}.")
                statements.append(
                    f"SELECT setval('{sequence}', (SELECT COALESCE(max(id), 0) + 1 FROM {PLACEHOLDER}.\"{table}\"), false);"
                )
    return "\n".join(statements)


def template_snapshot_build() -> "TemplateSnapshot":  # noqa: F821
    """Record the current template as a replayable snapshot (called after migrating it)."""
    from .models import TemplateSnapshot

    template = template_schema_name()
    sql = _ddl_for_any_schema(_pg_dump_schema(template), template) + "\n" + _reference_rows_sql(template)
    snapshot, _ = TemplateSnapshot.objects.update_or_create(
        fingerprint=template_fingerprint(), defaults={"sql": sql}
    )
    TemplateSnapshot.objects.exclude(pk=snapshot.pk).delete()
    return snapshot


def _current_snapshot():
    from .models import TemplateSnapshot

    fingerprint = template_fingerprint()
    snapshot = TemplateSnapshot.objects.filter(fingerprint=fingerprint).first()
    if snapshot is None:
        try:
            snapshot = template_snapshot_build()
        except TemplateDumpUnavailable as exc:
            logger.warning("Falling back to the clone function: %s", exc)
    return snapshot


def schema_clone_from_template(*, schema_name: str) -> None:
    """Create `schema_name` as a copy of the template (tables and reference rows), inside the
    caller's transaction: if that transaction rolls back, the schema is gone too."""
    if not SAFE_SCHEMA.match(schema_name):
        raise ValueError(f"Unsafe schema name {schema_name!r}.")
    if not schema_exists(template_schema_name()):
        raise RuntimeError(
            f"The template schema {template_schema_name()!r} is missing: run `manage.py migrate_schemas`."
        )
    snapshot = _current_snapshot()
    if snapshot is None:
        CloneSchema().clone_schema(template_schema_name(), schema_name, clone_mode="DATA", set_connection=False)
        return
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}";\n' + snapshot.sql.replace(PLACEHOLDER, f'"{schema_name}"'))
