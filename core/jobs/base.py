"""Task classes that bind a task to the schema it was sent from, and fail closed otherwise.

tenant-schemas-celery switches schema in a `task_prerun` signal; when that switch fails (say the
organisation was deleted), Celery only logs the signal's error and would run the task in public.
`SchemaBoundTask` checks before running that the connection is in the schema the message names.
"""

from django.db import connection
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.app import get_schema_name_from_task
from tenant_schemas_celery.task import TenantTask

from config.celery_app import app


class TaskWithoutTenant(RuntimeError):
    """A tenant task was received with no organisation: it must not run in the public schema."""


class TaskSchemaMismatch(RuntimeError):
    """The worker is not in the schema the task was sent from: refuse rather than guess."""


class SchemaBoundTask(TenantTask):
    """Every task of the app: runs only in the schema named by its message."""

    abstract = True

    def __call__(self, *args, **kwargs):
        wanted = get_schema_name_from_task(self, kwargs) or get_public_schema_name()
        if connection.schema_name != wanted:
            raise TaskSchemaMismatch(
                f"{self.name} was sent from {wanted!r} but would run in {connection.schema_name!r}."
            )
        return super().__call__(*args, **kwargs)


class TenantOnlyTask(SchemaBoundTask):
    abstract = True

    def __call__(self, *args, **kwargs):
        if connection.schema_name == get_public_schema_name():
            raise TaskWithoutTenant(f"{self.name} needs an organisation and was sent without one.")
        return super().__call__(*args, **kwargs)


def tenant_task(*args, **options):
    """Declare a task that runs in the schema it was sent from, and refuses the public schema."""
    options.setdefault("base", TenantOnlyTask)
    return app.task(*args, **options)
