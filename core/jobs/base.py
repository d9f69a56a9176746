"""`tenant_task`: a task that runs only inside an organisation's schema, and fails closed otherwise."""

from django.db import connection
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask

from config.celery_app import app


class TaskWithoutTenant(RuntimeError):
    """A tenant task was received with no organisation: it must not run in the public schema."""


class TenantOnlyTask(TenantTask):
    abstract = True

    def __call__(self, *args, **kwargs):
        if connection.schema_name == get_public_schema_name():
            raise TaskWithoutTenant(f"{self.name} needs an organisation and was sent without one.")
        return super().__call__(*args, **kwargs)


def tenant_task(*args, **options):
    """Declare a task that runs in the schema it was sent from, and refuses the public schema."""
    options.setdefault("base", TenantOnlyTask)
    return app.task(*args, **options)
