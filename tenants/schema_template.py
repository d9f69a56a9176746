"""The template schema that new organisations are cloned from, and the pool of spare copies.

`migrate_schemas` keeps the template migrated, then records a **snapshot**: the template's DDL
(`pg_dump`'s pre- and post-data sections) rewritten for any schema name, with the statements
that copy its reference rows (applied migrations, content types, permissions) in between.
Creating an organisation replays that snapshot in one round trip inside the creating
transaction. The snapshot is keyed by the template's applied migrations, so a stale one is never
used; without a usable `pg_dump` the slower django-tenants clone function is used instead.

To make onboarding constant-time, a few **spare schemas** are built ahead from the snapshot
(`TENANT_SPARE_SCHEMAS`); creating an organisation renames one (`ALTER SCHEMA … RENAME`, one
catalog update) and a task builds its replacement after commit. Spares of an older template are
dropped when the template is migrated.
"""

import hashlib
import logging
import os
import re
import secrets
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
    candidates = [settings.PG_DUMP_PATH, shutil.which("pg_dump")]
    try:
        import pgserver

        candidates.append(str(Path(pgserver.__file__).parent / "pginstall" / "bin" / "pg_dump"))
    except ImportError:
        pass
    return [path for path in candidates if path and Path(path).exists()]


def _server_major() -> int:
    connection.ensure_connection()
    return connection.connection.info.server_version // 10000


def _pg_dump_schema(schema: str, section: str) -> str:
    """One section (pre-data: tables, sequences; post-data: indexes, constraints) of one
    schema's `pg_dump`, with the first pg_dump recent enough for the server."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "PGHOST": db["HOST"] or "",
        "PGPORT": str(db["PORT"] or ""),
        "PGUSER": db["USER"] or "",
        "PGPASSWORD": db["PASSWORD"] or "",
        "PGDATABASE": db["NAME"],
    }
    server_major = _server_major()
    for pg_dump in _pg_dump_candidates():
        version = subprocess.run([pg_dump, "--version"], capture_output=True, text=True).stdout
        match = re.search(r"(\d+)\.\d+", version)
        if not match or int(match.group(1)) < server_major:
            continue
        result = subprocess.run(
            [pg_dump, f"--section={section}", "--no-owner", "--no-privileges", "--no-comments", f"--schema={schema}"],
            capture_output=True,
            text=True,
            env=env,
        )
        if result.returncode == 0:
            return result.stdout
        logger.warning("%s failed: %s", pg_dump, result.stderr.strip())
    raise TemplateDumpUnavailable(f"No pg_dump >= {server_major} could dump the template schema.")


def _ddl_for_any_schema(dump: str, template: str) -> str:
    """Keep the dump's object definitions, name the schema by the placeholder; drop comments,
    session settings and psql meta-commands (recent pg_dump writes `\\restrict` lines)."""
    kept = []
    for line in dump.splitlines():
        if (
            line.startswith(("--", "SET ", "SELECT pg_catalog.set_config", "\\"))
            or line == f"CREATE SCHEMA {template};"
        ):
            continue
        kept.append(line)
    return "\n".join(kept).replace(f"{template}.", f"{PLACEHOLDER}.")


def _reference_rows_sql(template: str) -> str:
    """Statements copying the template's rows (they are reference data) and moving sequences on."""
    statements = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname",
            [template],
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
                next_id = f'(SELECT COALESCE(max(id), 0) + 1 FROM {PLACEHOLDER}."{table}")'
                statements.append(f"SELECT setval('{sequence}', {next_id}, false);")
    return "\n".join(statements)


def template_snapshot_build() -> "TemplateSnapshot":  # noqa: F821
    """Record the current template as a replayable snapshot (called after migrating it)."""
    from .models import TemplateSnapshot

    template = template_schema_name()
    # Rows go in between tables and constraints: no foreign key is checked row by row, and the
    # order of the copies does not matter.
    sql = "\n".join(
        [
            _ddl_for_any_schema(_pg_dump_schema(template, "pre-data"), template),
            _reference_rows_sql(template),
            _ddl_for_any_schema(_pg_dump_schema(template, "post-data"), template),
        ]
    )
    snapshot, _ = TemplateSnapshot.objects.update_or_create(fingerprint=template_fingerprint(), defaults={"sql": sql})
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


def _replay(snapshot, schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE SCHEMA "{schema_name}";\n' + snapshot.sql.replace(PLACEHOLDER, f'"{schema_name}"'))


def _take_spare(schema_name: str, fingerprint: str) -> bool:
    """Rename a spare of the current template to `schema_name`; False when none is ready."""
    from .models import SpareSchema

    spare = SpareSchema.objects.select_for_update(skip_locked=True).filter(fingerprint=fingerprint).first()
    if spare is None or not schema_exists(spare.schema_name):
        return False
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER SCHEMA "{spare.schema_name}" RENAME TO "{schema_name}"')
    spare.delete()
    return True


def schema_clone_from_template(*, schema_name: str) -> None:
    """Create `schema_name` as a copy of the template (tables and reference rows), inside the
    caller's transaction: if that transaction rolls back, the schema is gone too (and a spare
    it used is a spare again)."""
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
    if _take_spare(schema_name, snapshot.fingerprint):
        from core.jobs.dispatch import enqueue_on_commit

        from .tasks import spare_schemas_refill_task

        enqueue_on_commit(spare_schemas_refill_task)
        return
    _replay(snapshot, schema_name)


def spare_schemas_refill(*, target: int | None = None) -> int:
    """Build spares of the current template until `target` (default TENANT_SPARE_SCHEMAS) are
    ready, dropping those of an older template first; return how many were built."""
    from django.db import transaction

    from .models import SpareSchema

    target = settings.TENANT_SPARE_SCHEMAS if target is None else target
    snapshot = _current_snapshot()
    if snapshot is None:
        return 0
    for stale in SpareSchema.objects.exclude(fingerprint=snapshot.fingerprint):
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'DROP SCHEMA IF EXISTS "{stale.schema_name}" CASCADE')
            stale.delete()
    built = 0
    while SpareSchema.objects.filter(fingerprint=snapshot.fingerprint).count() < target:
        name = f"spare_{secrets.token_hex(6)}"
        with transaction.atomic():
            _replay(snapshot, name)
            SpareSchema.objects.create(schema_name=name, fingerprint=snapshot.fingerprint)
        built += 1
    return built
