"""Background jobs about accounts."""

from django.db import connection
from django.utils import timezone

from config.celery_app import app
from core.jobs.base import tenant_task

from .models import Invitation, User


@app.task(name="accounts.census")
def account_census() -> dict:
    """Which schema a worker serves and whose accounts it sees there (an operator's health check)."""
    return {"schema": connection.schema_name, "emails": sorted(User.objects.values_list("email", flat=True))}


@tenant_task(name="accounts.purge_spent_invitations")
def invitations_purge_spent() -> int:
    """Delete invitation links that were used or have expired (they can never work again)."""
    from django.db.models import Q

    deleted, _ = Invitation.objects.filter(Q(used_at__isnull=False) | Q(expires_at__lt=timezone.now())).delete()
    return deleted
