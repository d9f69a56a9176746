"""An organisation whose schema lags the code is refused and reported, then served once migrated."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from tenants.models import Organisation
from tenants.schema_versions import expected_schema_version

pytestmark = pytest.mark.django_db


def forget_a_migration(schema: str) -> None:
    """As if a deploy's migrate_schemas had failed before reaching this schema. The migration
    forgotten is the latest of `tenants`, a public-only app: applying it again to an
    organisation's schema only records it, as a real late migration would."""
    from django.db.migrations.loader import MigrationLoader

    [latest] = MigrationLoader(None).graph.leaf_nodes("tenants")
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{schema}".django_migrations WHERE app = %s AND name = %s', latest)
        assert cursor.rowcount == 1


def test_onboarded_and_migrated_organisations_are_up_to_date(organisations):
    assert {o.schema_version for o in Organisation.objects.filter(slug__in=["alpha", "beta"])} == {
        expected_schema_version()
    }


def test_schema_behind_the_code_is_refused_reported_then_served_after_migrate(organisations, client_for, alpha, capsys):
    client = client_for(alpha, "admin@alpha.test")
    forget_a_migration("alpha")
    with pytest.raises(CommandError) as behind:
        call_command("schema_status")
    assert "alpha" in str(behind.value) and "beta" not in str(behind.value)
    response = client.get("/")
    assert response.status_code == 503 and "Maintenance en cours" in response.content.decode()
    assert response["Retry-After"] == "300"
    assert client_for(None).get("/compte/connexion/").status_code == 200  # the console still works

    call_command("migrate_schemas", schema_name="alpha", interactive=False, verbosity=0)
    assert client.get("/").status_code == 200
    call_command("schema_status")
    assert "tous à jour" in capsys.readouterr().out


def test_failed_migrate_still_records_the_real_state(organisations, alpha, monkeypatch):
    """migrate_schemas blows up half-way: the schemas it did not reach are marked behind."""
    from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand

    def crash(self, *args, **options):
        raise RuntimeError("migration 0042 failed on beta")

    forget_a_migration("alpha")
    monkeypatch.setattr(MigrateSchemasCommand, "handle", crash)
    with pytest.raises(RuntimeError):
        call_command("migrate_schemas", interactive=False, verbosity=0)
    alpha.refresh_from_db()
    assert alpha.schema_version != expected_schema_version()
    assert Organisation.objects.get(slug="beta").schema_version == expected_schema_version()
