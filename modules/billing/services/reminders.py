"""Reminders on the organisation's schedule: data sheets before the deadline, invoices after the
due day. Each (reminder, member or invoice, offset) is sent once: a unique row is written in the
same transaction as the notification."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.notifications.services import notify

from ..models import CampaignStatus, DeclarationCampaign, Invoice, InvoiceKind, ReminderSent
from ..policy import billing_policy
from ..selectors import InvoiceState, members_without_declaration, with_amounts


def _once(key: str, send) -> bool:
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key)
            send()
    except IntegrityError:
        return False
    return True


def declaration_reminders_send(*, today: date) -> int:
    """Remind members that have not declared, on each configured day before the deadline."""
    policy = billing_policy()
    sent = 0
    for campaign in DeclarationCampaign.objects.filter(status=CampaignStatus.OPEN, deadline__gte=today):
        days_left = (campaign.deadline - today).days
        if days_left not in policy.declaration_reminder_days:
            continue
        for member in members_without_declaration(campaign=campaign):

            def send(member=member, campaign=campaign, days_left=days_left):
                notify(
                    member=member,
                    kind="billing.declaration_reminder",
                    subject=_("Fiche de renseignements %(year)s à compléter avant le %(deadline)s")
                    % {"year": campaign.year, "deadline": campaign.deadline.strftime("%d/%m/%Y")},
                    template="billing/email/declaration_reminder.txt",
                    context={"campaign": campaign, "days_left": days_left},
                    url="/billing/declaration/",
                )

            sent += _once(f"declaration:{campaign.pk}:{member.pk}:{days_left}", send)
    return sent


def overdue_reminders_send(*, today: date) -> int:
    """Remind members of each overdue invoice on each configured day after its due day."""
    policy = billing_policy()
    sent = 0
    for days in policy.overdue_reminder_days:
        due_on = today - timedelta(days=days)
        invoices = with_amounts(
            Invoice.objects.filter(kind=InvoiceKind.INVOICE, due_on=due_on).select_related("member"), today=today
        ).filter(state=InvoiceState.OVERDUE)
        for invoice in invoices:

            def send(invoice=invoice, days=days):
                notify(
                    member=invoice.member,
                    kind="billing.payment_reminder",
                    subject=_("Relance : facture %(number)s en attente de règlement") % {"number": invoice.number},
                    template="billing/email/payment_reminder.txt",
                    context={"invoice": invoice, "days": days},
                    url=f"/billing/factures/{invoice.pk}/",
                )

            sent += _once(f"overdue:{invoice.pk}:{days}", send)
    return sent
