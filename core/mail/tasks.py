"""Celery tasks of the outbox. They run in the schema they were sent from, public included."""

from datetime import timedelta

from django.utils import timezone

from config.celery_app import app

from .delivery import email_send_pending
from .models import OutgoingEmail

MAX_ATTEMPTS = 10


@app.task(name="mail.deliver", autoretry_for=(), acks_late=True)
def email_deliver(email_id: int) -> bool:
    return email_send_pending(email_id)


@app.task(name="mail.relay_pending")
def email_relay_pending() -> int:
    """Resend what a lost task or a failed SMTP attempt left in the outbox."""
    stale = timezone.now() - timedelta(minutes=1)
    pending = OutgoingEmail.objects.filter(sent_at__isnull=True, created_at__lt=stale, attempts__lt=MAX_ATTEMPTS)
    return sum(email_send_pending(pk) for pk in pending.values_list("pk", flat=True)[:500])
