"""Background jobs about accounts."""

from datetime import date

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from config.celery_app import app
from core.jobs.base import tenant_task

from .expiry import expiry_reminders_send
from .models import AccountLink, EmailCode, User


@app.task(name="accounts.census")
def account_census() -> dict:
    """Which schema a worker serves and whose accounts it sees there (an operator's health check)."""
    return {"schema": connection.schema_name, "emails": sorted(User.objects.values_list("email", flat=True))}


@tenant_task(name="accounts.purge_spent_invitations")
def invitations_purge_spent() -> int:
    """Delete links and login codes that were used or have expired (they can never work again);
    spent codes are kept a day so that a replay can still be recognised."""
    now = timezone.now()
    links, _ = AccountLink.objects.filter(Q(used_at__isnull=False) | Q(expires_at__lt=now)).delete()
    codes, _ = EmailCode.objects.filter(
        Q(used_at__lt=now - timezone.timedelta(days=1)) | Q(used_at__isnull=True, expires_at__lt=now)
    ).delete()
    return links + codes


@tenant_task(name="accounts.remind_expiring")
def accounts_remind_expiring(today: str | None = None) -> int:
    """On the 20th: remind those whose account ends next month, and who answers for them."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return expiry_reminders_send(today=day)
