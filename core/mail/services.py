"""Queue an e-mail in the current schema's outbox; it leaves after the transaction commits."""

from django.db import connection
from django.template.loader import render_to_string

from core.jobs.dispatch import enqueue_on_commit

from .models import OutgoingEmail


def email_queue(*, to: str, subject: str, template: str, context: dict) -> OutgoingEmail:
    """Render `template` and write the outbox row; delivery is sent on commit."""
    tenant = getattr(connection, "tenant", None)
    context = {"organisation_name": getattr(tenant, "name", "Adhera"), **context}
    email = OutgoingEmail.objects.create(to=to, subject=subject, body=render_to_string(template, context))
    from .tasks import email_deliver

    enqueue_on_commit(email_deliver, email.pk)
    return email
