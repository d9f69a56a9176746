"""Background work of billing: invoice PDFs, the invoicing run's batches, Stripe events, reminders."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from core.jobs.base import tenant_task

from .models import Invoice, InvoicingRun
from .services.invoices import invoice_pdf_ensure
from .services.reminders import declaration_reminders_send, overdue_reminders_send
from .services.runs import invoicing_batch_do, invoicing_run_plan, invoicing_runs_stalled
from .services.webhooks import stripe_event_handle, stripe_events_relay_claim


@tenant_task(name="billing.invoice_pdf", acks_late=True)
def invoice_pdf_render(invoice_id: int) -> bool:
    """Print the invoice's Factur-X PDF (nothing to do if it is printed already)."""
    invoice = Invoice.objects.filter(pk=invoice_id).first()
    if invoice is None:
        return False
    invoice_pdf_ensure(invoice=invoice)
    return True


@tenant_task(name="billing.invoicing_batch", acks_late=True)
def invoicing_batch(run_id: int, member_ids: list[int]) -> int:
    """Invoice one batch of the run's members (idempotent: run it again, nothing is doubled)."""
    run = InvoicingRun.objects.select_related("campaign", "started_by").filter(pk=run_id).first()
    return invoicing_batch_do(run=run, member_ids=member_ids) if run is not None else 0


@tenant_task(name="billing.invoicing_runs_resume", acks_late=True)
def invoicing_runs_resume() -> int:
    """Plan again the runs whose batches stopped reporting (a worker died mid-run)."""
    resumed = 0
    for run in invoicing_runs_stalled():
        with transaction.atomic():
            resumed += invoicing_run_plan(run=run)
    return resumed


@tenant_task(name="billing.stripe_event", acks_late=True)
def stripe_event_handle_task(event_id: int) -> str:
    """Apply one stored Stripe event, once (a duplicate delivery of the task finds it handled)."""
    return stripe_event_handle(event_id=event_id)


@tenant_task(name="billing.stripe_events_relay", acks_late=True)
def stripe_events_relay() -> int:
    """Send again the events whose task was lost between the webhook's commit and its send."""
    pending = stripe_events_relay_claim()
    for event_id in pending:
        stripe_event_handle_task.delay(event_id)
    return len(pending)


@tenant_task(name="billing.reminders", acks_late=True)
def billing_reminders(day: str | None = None) -> int:
    """Daily: data-sheet reminders before the deadline, then overdue-invoice reminders."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    return declaration_reminders_send(today=today) + overdue_reminders_send(today=today)
