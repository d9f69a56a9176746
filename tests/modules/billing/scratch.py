"""Committed scratch organisations and tasks left unrun, for the billing tests that race threads or
start a worker. An issued invoice can never be deleted (the database refuses it), so such tests
work in an organisation of their own, dropped afterwards, rather than leave rows in alpha."""

import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.db import connection
from django_tenants.utils import tenant_context
from kombu import Exchange, Queue

from config.celery_app import app
from tenants.models import Organisation
from tenants.services import OrganisationInput, organisation_create
from tests import world

from .conftest import seller_identify

# The scratch organisation holds alpha's people under alpha's e-mails (accounts are per schema),
# so the helpers of conftest (`admin()`, `declare()`, `member()`…) work in it unchanged.
ALPHA_PEOPLE = SimpleNamespace(slug="alpha", identity_scheme="siret")


def _drop(slug: str) -> None:
    schema = slug.replace("-", "_")
    Organisation.objects.filter(slug=slug).delete()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    shutil.rmtree(Path(settings.MEDIA_ROOT) / schema, ignore_errors=True)


@contextmanager
def scratch_organisation(django_db_blocker, slug: str):
    """A committed organisation with billing on, its seller identity set, and alpha's members and
    people; dropped after use.

    Use it from a module-scoped fixture: it is then set up before, and dropped after, the
    transaction of each test (a test that read its tables holds locks until that rollback)."""
    with django_db_blocker.unblock():
        _drop(slug)  # left by an interrupted run
        organisation = organisation_create(
            actor=None,
            data=OrganisationInput(
                name=f"Brouillon {slug}",
                slug=slug,
                kind="employers_union",
                identity_scheme="siret",
                admin_email="admin@alpha.test",
                allowed_modules=["billing"],
                enabled_modules=["billing"],
            ),
        )
        with tenant_context(organisation):
            world.populate(ALPHA_PEOPLE)
            seller_identify()
        connection.set_schema_to_public()
    try:
        yield organisation
    finally:
        with django_db_blocker.unblock():
            connection.set_schema_to_public()
            _drop(slug)


@contextmanager
def tasks_unrun():
    """Send the tasks of the block to a queue nobody reads, deleted after it: racing threads test
    the numbering, not the printing and e-mails their commits would set off."""
    queue = f"test-billing-unrun-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_routes
    app.conf.update(task_always_eager=False, task_routes={"*": {"queue": queue}})
    try:
        yield
    finally:
        app.conf.update(task_always_eager=True, task_routes=previous)
        with app.connection_for_write() as conn:
            bound = Queue(queue, Exchange(queue, "direct"), routing_key=queue)(conn.default_channel)
            bound.declare()
            bound.delete()
