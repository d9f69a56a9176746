"""Shared fixtures: the platform, two organisations (alpha, beta) and a real SMTP sink.

Each organisation holds its staff (admin@, jurist@) and the members and people of `tests.world`.

The organisations are created once per test database through the real onboarding service and
committed, so that worker processes and browser tests can see them; each test then runs in a
transaction that is rolled back.
"""

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import tenant_context

from core.accounts.models import StaffRole, User
from core.mail.sink import MailSink
from tenants.models import Organisation
from tenants.services import OrganisationInput, organisation_create, platform_ensure
from tests import world
from tests.world import PASSWORD

OPERATOR_EMAIL = "operator@adhera.test"

ORGANISATIONS = {
    "alpha": dict(
        name="Alpha Union",
        kind="employers_union",
        identity_scheme="siret",
        allowed_modules=["questions", "health", "purchasing", "billing"],
        enabled_modules=["questions", "billing"],
    ),
    "beta": dict(
        name="Beta Santé",
        kind="health_service",
        identity_scheme="member_number",
        member_number_pattern=r"\d{7}",
        allowed_modules=["questions", "health"],
        enabled_modules=["questions", "health"],
    ),
}


@pytest.fixture(scope="session", autouse=True)
def _celery_join_guard_per_thread():
    """Celery's "never call result.get() within a task" guard, one per thread.

    Eager tasks set a flag around their run and put the previous value back after. The flag is one
    global of the process: two threads running eager tasks at once (racing tests, the browser tests'
    threaded live server) can leave it set, and every later `.get()` of the session is refused.
    Worker processes run one task at a time and keep Celery's own flag."""
    import threading

    import celery.result

    state = threading.local()
    saved = celery.result.task_join_will_block, celery.result._set_task_join_will_block
    celery.result.task_join_will_block = lambda: getattr(state, "blocks", False)
    celery.result._set_task_join_will_block = lambda blocks: setattr(state, "blocks", blocks)
    yield
    celery.result.task_join_will_block, celery.result._set_task_join_will_block = saved


@pytest.fixture(scope="session", autouse=True)
def _empty_test_media():
    """Test files live in a folder of their own (per xdist worker), emptied at each run."""
    import shutil

    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


@pytest.fixture(scope="session")
def mail_sink():
    sink = MailSink().start()
    # Django's test set-up swaps in the in-memory backend; put the real SMTP one back.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", sink.port
    yield sink
    sink.stop()


@pytest.fixture(scope="session")
def organisations(django_db_setup, django_db_blocker, mail_sink) -> dict[str, Organisation]:
    with django_db_blocker.unblock():
        platform_ensure(operator_email=OPERATOR_EMAIL, operator_password=PASSWORD)
        result = {}
        for slug, spec in ORGANISATIONS.items():
            organisation = Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                organisation = organisation_create(
                    actor=None, data=OrganisationInput(slug=slug, admin_email=f"admin@{slug}.test", **spec)
                )
                with tenant_context(organisation):
                    admin = User.objects.get(email=f"admin@{slug}.test")
                    admin.set_password(PASSWORD)
                    admin.save()
                    User.objects.create_user(f"jurist@{slug}.test", PASSWORD, staff_role=StaffRole.JURIST)
                    world.populate(organisation)
            result[slug] = organisation
        return result


@pytest.fixture
def alpha(organisations, db) -> Organisation:
    """Alpha, fresh from the database; whatever a test changes is rolled back after it."""
    organisation = Organisation.objects.get(slug="alpha")
    return organisation


@pytest.fixture
def beta(organisations, db) -> Organisation:
    return Organisation.objects.get(slug="beta")


def host_of(organisation: Organisation) -> str:
    return f"{organisation.slug}.{settings.PLATFORM_DOMAIN}"


@pytest.fixture
def client_for():
    """A test client bound to an organisation's host, logged in as `email` if given."""

    def make(organisation: Organisation | None, email: str | None = None) -> Client:
        host = host_of(organisation) if organisation else settings.PLATFORM_DOMAIN
        client = Client(HTTP_HOST=host)
        if email:
            response = client.post("/compte/connexion/", {"username": email, "password": PASSWORD})
            assert response.status_code == 302, f"login of {email} on {host} failed"
        return client

    return make


@pytest.fixture(autouse=True)
def _start_in_public_schema():
    """A request leaves the connection in its organisation's schema; each test starts in public."""
    from django.db import connection

    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()
