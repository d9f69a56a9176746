"""Send one outbox row over SMTP, at most once per row."""

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from .models import OutgoingEmail

logger = logging.getLogger(__name__)


def email_send_pending(email_id: int) -> bool:
    """Send the row if still unsent; True when it was sent by this call.

    The row is locked while sending, so two workers handed the same id send once.
    """
    with transaction.atomic():
        email = (
            OutgoingEmail.objects.select_for_update(skip_locked=True).filter(pk=email_id, sent_at__isnull=True).first()
        )
        if email is None:
            return False
        email.attempts += 1
        try:
            EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]).send()
        except (smtplib.SMTPException, OSError) as exc:
            email.last_error = str(exc)[:1000]
            email.save(update_fields=["attempts", "last_error"])
            logger.warning("E-mail %s not sent: %s", email_id, exc)
            return False
        email.sent_at = timezone.now()
        email.last_error = ""
        email.save(update_fields=["attempts", "last_error", "sent_at"])
        return True
