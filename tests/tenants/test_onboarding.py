"""Onboarding through the service and the command: validation, atomicity, template clone."""

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django_tenants.utils import schema_exists, tenant_context

from core.accounts.models import Invitation, StaffRole, User
from core.errors import DomainError
from tenants.models import Domain, Organisation
from tenants.schema_template import template_schema_name
from tenants.services import OrganisationInput, organisation_create

pytestmark = pytest.mark.django_db


def make_input(**overrides) -> OrganisationInput:
    fields = dict(
        name="Gamma",
        slug="gamma",
        kind="purchasing_centre",
        identity_scheme="siret",
        allowed_modules=["purchasing"],
        admin_email="boss@gamma.test",
    )
    fields.update(overrides)
    return OrganisationInput(**fields)


def tables_of(schema: str) -> set[tuple[str, str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_schema = %s",
            [schema],
        )
        return set(cursor.fetchall())


def constraints_of(schema: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = %s::regnamespace",
            [schema],
        )
        return {(table.split(".")[-1], definition.replace(f"{schema}.", "")) for table, definition in cursor.fetchall()}


def test_create_clones_the_template_with_its_reference_rows(organisations, mail_sink):
    organisation = organisation_create(actor=None, data=make_input())
    assert schema_exists("gamma")
    assert tables_of("gamma") == tables_of(template_schema_name())
    assert constraints_of("gamma") == constraints_of(template_schema_name())
    with tenant_context(organisation):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM django_migrations")
            assert cursor.fetchone()[0] > 10
        # Sequences were moved past the copied rows: a new content type gets a fresh id.
        from django.contrib.contenttypes.models import ContentType

        ContentType.objects.create(app_label="probe", model="probe")
        admin = User.objects.get(email="boss@gamma.test")
        assert admin.staff_role == StaffRole.ADMIN
        assert not admin.has_usable_password()
        assert Invitation.objects.filter(user=admin, used_at__isnull=True).count() == 1
    assert Domain.objects.get(tenant=organisation).domain == "gamma.localhost"
    assert organisation.enabled_modules == ["purchasing"]


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"slug": "www"}, "slug"),
        ({"slug": "api"}, "slug"),
        ({"slug": "admin"}, "slug"),
        ({"slug": "public"}, "slug"),
        ({"slug": "Gamma"}, "slug"),
        ({"slug": "gam ma"}, "slug"),
        ({"slug": "g"}, "slug"),
        ({"slug": "alpha"}, "slug"),
        ({"extra_domains": ["alpha.localhost"]}, "extra_domains"),
        ({"extra_domains": ["not a domain"]}, "extra_domains"),
        ({"allowed_modules": ["teleportation"]}, "allowed_modules"),
        ({"enabled_modules": ["billing"]}, "enabled_modules"),
        ({"identity_scheme": "member_number"}, "member_number_pattern"),
        ({"identity_scheme": "member_number", "member_number_pattern": "(\\d"}, "member_number_pattern"),
        ({"kind": "spaceport"}, "kind"),
        ({"login_methods": []}, "login_methods"),
        ({"primary_colour": "blue"}, "primary_colour"),
        ({"admin_email": "nope"}, "admin_email"),
    ],
)
def test_bad_input_is_refused_in_french_and_nothing_is_created(organisations, overrides, field):
    before = (Organisation.objects.count(), Domain.objects.count())
    with pytest.raises(DomainError) as refused:
        organisation_create(actor=None, data=make_input(**overrides))
    assert field in refused.value.errors
    assert refused.value.message.startswith("L'organisation n'a pas été créée")
    assert (Organisation.objects.count(), Domain.objects.count()) == before
    assert not schema_exists("gamma")


def test_failure_after_the_clone_leaves_no_schema_row_or_domain(organisations, monkeypatch):
    """Break the last step (the invitation): the schema, the domain and the row must all vanish."""
    import tenants.services

    def broken_invite(**kwargs):
        raise RuntimeError("SMTP outbox unavailable")

    monkeypatch.setattr(tenants.services, "user_invite", broken_invite)
    with pytest.raises(RuntimeError):
        organisation_create(actor=None, data=make_input())
    assert not Organisation.objects.filter(slug="gamma").exists()
    assert not Domain.objects.filter(domain="gamma.localhost").exists()
    assert not schema_exists("gamma")


def test_command_creates_an_organisation(organisations, capsys):
    call_command(
        "create_organisation",
        "--name",
        "Delta",
        "--slug",
        "delta",
        "--kind",
        "health_service",
        "--identity",
        "member_number",
        "--member-number-pattern",
        r"\d{7}",
        "--login-methods",
        "email_code,first_connection_link",
        "--modules",
        "health,billing",
        "--enabled-modules",
        "health",
        "--domain",
        "adherents.delta.test",
        "--admin-email",
        "admin@delta.test",
    )
    organisation = Organisation.objects.get(slug="delta")
    assert organisation.member_number_pattern == r"\d{7}"
    assert organisation.login_methods == ["email_code", "first_connection_link"]
    assert organisation.allowed_modules == ["billing", "health"]
    assert organisation.enabled_modules == ["health"]
    assert set(organisation.domains.values_list("domain", flat=True)) == {"delta.localhost", "adherents.delta.test"}
    assert "http" in capsys.readouterr().out


def test_command_refuses_bad_input_with_a_clear_line(organisations):
    with pytest.raises(CommandError) as refused:
        call_command(
            "create_organisation",
            "--name",
            "X",
            "--slug",
            "www",
            "--kind",
            "other",
            "--identity",
            "siret",
            "--modules",
            "questions,unknown",
            "--admin-email",
            "a@x.test",
        )
    text = str(refused.value)
    assert "réservé" in text and "Module inconnu : unknown" in text
    assert not Organisation.objects.filter(name="X").exists()


def test_command_exits_non_zero(organisations):
    """The shell sees a failure: `manage.py create_organisation` with bad input exits with 1."""
    import subprocess
    import sys

    result = subprocess.run(
        [
            sys.executable,
            "manage.py",
            "create_organisation",
            "--name",
            "X",
            "--slug",
            "Bad Slug",
            "--kind",
            "other",
            "--identity",
            "siret",
            "--admin-email",
            "a@x.test",
        ],
        capture_output=True,
        text=True,
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": _test_database_url(),
        },
    )
    assert result.returncode == 1
    assert "minuscules" in result.stderr or "espace" in result.stderr


def _test_database_url() -> str:
    db = connection.settings_dict
    return (
        f"postgresql://{db['USER']}:{db['PASSWORD']}@/{db['NAME']}?host={db['HOST']}"
        if db["HOST"].startswith("/")
        else f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    )


def test_slug_taken_between_check_and_insert_is_a_clear_refusal(organisations, alpha, monkeypatch):
    """Two operators onboard at once: the loser's checks passed, the unique index refuses."""
    import tenants.services

    monkeypatch.setattr(tenants.services, "_collect_errors", lambda data: {})
    Domain.objects.create(domain="gamma.localhost", tenant=alpha, is_primary=False)
    with pytest.raises(DomainError) as refused:
        organisation_create(actor=None, data=make_input())
    assert "pris entre-temps" in refused.value.message and "slug" in refused.value.errors
    assert not Organisation.objects.filter(slug="gamma").exists() and not schema_exists("gamma")


def test_dump_filter_drops_psql_meta_commands_and_session_settings():
    """Recent pg_dump (15.14+, 16.10+, 17.6+) writes `\\restrict` lines that only psql understands."""
    from tenants.schema_template import PLACEHOLDER, _ddl_for_any_schema

    dump = "\n".join(
        [
            "\\restrict abc123",
            "SET statement_timeout = 0;",
            "SELECT pg_catalog.set_config('search_path', '', false);",
            "CREATE SCHEMA tenant_template;",
            "CREATE TABLE tenant_template.things (id bigint NOT NULL);",
            "\\unrestrict abc123",
        ]
    )
    assert _ddl_for_any_schema(dump, "tenant_template") == f"CREATE TABLE {PLACEHOLDER}.things (id bigint NOT NULL);"
