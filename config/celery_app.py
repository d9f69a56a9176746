"""The Celery app: tenant-aware (tenant-schemas-celery), so a task runs in the schema it was sent
from; every task is a `SchemaBoundTask`, which refuses to run anywhere else."""

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")


class AdheraCeleryApp(CeleryApp):
    task_cls = "core.jobs.base:SchemaBoundTask"


app = AdheraCeleryApp("adhera")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
