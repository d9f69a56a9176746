"""Money in: transfers and cheques recorded by staff, and online payments through Stripe Checkout.

An online payment is recorded only from what Stripe says (see webhooks.py): the member's return
to our page shows the state, it never writes a payment.
"""

import logging
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.errors import Conflict, Unavailable
from core.members.models import Member
from core.notifications.services import notify

from ..contribution import cents, euros, number_text
from ..models import (
    CheckoutAttempt,
    CheckoutStatus,
    Invoice,
    InvoiceKind,
    Payment,
    PaymentAccount,
    PaymentAllocation,
    PaymentMethod,
)
from ..policy import billing_policy
from ..secrets import secret_seal
from ..selectors import payable_invoices, with_amounts
from ..stripe_gateway import PaymentsUnavailable, checkout_session_create, payments_configured, stripe_amount
from .common import refusals_logged, refuse, require

logger = logging.getLogger(__name__)

OFFLINE_METHODS = (PaymentMethod.TRANSFER, PaymentMethod.CHEQUE)


def _amount(value) -> Decimal:
    try:
        amount = Decimal(number_text(value))
    except (InvalidOperation, ValueError):
        raise refuse("amount", _("Indiquez un montant en euros.")) from None
    if not amount.is_finite() or amount <= 0:
        raise refuse("amount", _("Le montant doit être positif."))
    if amount.as_tuple().exponent < -2:
        raise refuse("amount", _("Deux décimales au plus."))
    return amount


@refusals_logged
def payment_record(*, actor, invoice: Invoice, method: str, amount, received_on: date, reference: str = "") -> Payment:
    """Staff record a transfer or a cheque against an invoice; partial payments are welcome,
    more than what remains is refused."""
    require(actor, "billing.manage_billing")
    if method not in OFFLINE_METHODS:
        raise refuse("method", _("Choisissez virement ou chèque."))
    amount = _amount(amount)
    if received_on > timezone.localdate():
        raise refuse("received_on", _("La date de réception ne peut pas être dans le futur."))
    if invoice.kind != InvoiceKind.INVOICE:
        raise Conflict(_("Un paiement s'impute sur une facture, pas sur un avoir."))
    with transaction.atomic():
        locked = with_amounts(Invoice.objects.select_for_update(of=("self",)).filter(pk=invoice.pk)).get()
        if amount > locked.outstanding:
            raise refuse(
                "amount", _("Il reste %(amount)s à payer sur cette facture.") % {"amount": euros(locked.outstanding)}
            )
        payment = Payment.objects.create(
            member=locked.member,
            method=method,
            amount=amount,
            received_on=received_on,
            reference=(reference or "").strip()[:100],
            recorded_by=actor,
        )
        PaymentAllocation.objects.create(payment=payment, invoice=locked, amount=amount)
        audit_record(
            actor=actor,
            action="billing.payment_record",
            target=payment,
            member=locked.member,
            after={"invoice": locked.number, "amount": str(amount), "method": method},
        )
    return payment


@refusals_logged
def payment_account_save(*, actor, publishable_key: str, secret_key: str, webhook_secret: str) -> PaymentAccount:
    """Store the organisation's Stripe keys, encrypted; a blank secret keeps the stored one."""
    require(actor, "billing.configure_payments")
    publishable_key, secret_key, webhook_secret = (
        (publishable_key or "").strip(),
        (secret_key or "").strip(),
        (webhook_secret or "").strip(),
    )
    if publishable_key and not publishable_key.startswith("pk_"):
        raise refuse("publishable_key", _("La clé publique commence par « pk_ »."))
    if secret_key and not secret_key.startswith(("sk_", "rk_")):
        raise refuse("secret_key", _("La clé secrète commence par « sk_ » ou « rk_ »."))
    if webhook_secret and not webhook_secret.startswith("whsec_"):
        raise refuse("webhook_secret", _("Le secret de signature commence par « whsec_ »."))
    with transaction.atomic():
        account, _created = PaymentAccount.objects.select_for_update().get_or_create(singleton=True)
        account.publishable_key = publishable_key
        if secret_key:
            account.secret_key_encrypted = secret_seal(secret_key)
        if webhook_secret:
            account.webhook_secret_encrypted = secret_seal(webhook_secret)
        account.save()
        # The journal says what changed, never the keys themselves.
        audit_record(
            actor=actor,
            action="billing.payment_account_save",
            after={
                "publishable_key": publishable_key,
                "secret_key_changed": bool(secret_key),
                "webhook_secret_changed": bool(webhook_secret),
            },
        )
    return account


def online_payment_available() -> bool:
    return billing_policy().online_payment and payments_configured()


@refusals_logged
def checkout_start(*, actor, member: Member, invoice_ids, success_url: str, cancel_url: str) -> CheckoutAttempt:
    """Open a Stripe Checkout for what remains on the chosen invoices of the member.

    `success_url` and `cancel_url` may hold "{key}", replaced by the attempt's key."""
    require(actor, "billing.pay_invoices", member)
    if not online_payment_available():
        raise Conflict(_("Le paiement en ligne n'est pas proposé par votre organisation."), code="payments_unavailable")
    invoices = payable_invoices(member=member, invoice_ids=invoice_ids)
    if not invoices:
        raise refuse("invoices", _("Choisissez au moins une facture restant à payer."))
    amount = sum((invoice.outstanding for invoice in invoices), Decimal("0.00"))
    with transaction.atomic():
        attempt = CheckoutAttempt.objects.create(
            member=member,
            allocations={str(invoice.pk): str(invoice.outstanding) for invoice in invoices},
            amount=amount,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="billing.checkout_start",
            target=attempt,
            member=member,
            after={"amount": str(amount), "invoices": [invoice.number for invoice in invoices]},
        )
    lines = [(_("Facture %(number)s") % {"number": invoice.number}, invoice.outstanding) for invoice in invoices]
    key = str(attempt.key)
    try:
        session = checkout_session_create(
            attempt=attempt,
            lines=lines,
            success_url=success_url.replace("{key}", key),
            cancel_url=cancel_url.replace("{key}", key),
            email=getattr(actor, "email", "") or "",
        )
    except PaymentsUnavailable:
        CheckoutAttempt.objects.filter(pk=attempt.pk).update(status=CheckoutStatus.FAILED)
        raise Unavailable(
            _("Le paiement en ligne est momentanément indisponible. Réessayez plus tard ou payez par virement."),
            code="payments_unavailable",
        ) from None
    CheckoutAttempt.objects.filter(pk=attempt.pk).update(stripe_session=session.id, stripe_url=session.url)
    attempt.stripe_session, attempt.stripe_url = session.id, session.url
    return attempt


def checkout_settle(*, attempt: CheckoutAttempt, payment_intent, method: str = "", session_status: str = "") -> str:
    """Bring the attempt in line with Stripe's objects (re-read from the API, whatever event came):
    one payment per PaymentIntent, allocated to the attempt's invoices. Returns the outcome."""
    with transaction.atomic():
        attempt = CheckoutAttempt.objects.select_for_update().get(pk=attempt.pk)
        if attempt.status in (CheckoutStatus.PAID, CheckoutStatus.MISMATCH):
            return f"already {attempt.status}"
        intent_status = getattr(payment_intent, "status", "") if payment_intent is not None else ""
        if intent_status == "succeeded":
            return _payment_from_intent(attempt, payment_intent, method or PaymentMethod.CARD)
        if intent_status == "processing":
            attempt.status = CheckoutStatus.PROCESSING
        elif session_status == "expired":
            attempt.status = CheckoutStatus.EXPIRED
        elif intent_status in ("requires_payment_method", "canceled") and attempt.status == CheckoutStatus.PROCESSING:
            attempt.status = CheckoutStatus.FAILED  # a SEPA debit that bounced
        else:
            return f"nothing to do ({intent_status or session_status or 'open'})"
        attempt.save(update_fields=["status", "updated_at"])
        return attempt.status


def _payment_from_intent(attempt: CheckoutAttempt, intent, method: str) -> str:
    expected = stripe_amount(attempt.amount)
    if intent.amount != expected or str(intent.currency).lower() != attempt.currency:
        logger.error(
            "Stripe payment %s for checkout %s: %s %s received, %s %s expected; nothing recorded.",
            intent.id,
            attempt.key,
            intent.amount,
            intent.currency,
            expected,
            attempt.currency,
        )
        attempt.status = CheckoutStatus.MISMATCH
        attempt.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=None,
            action="billing.checkout_mismatch",
            target=attempt,
            member=attempt.member,
            after={"payment_intent": intent.id, "amount": intent.amount, "currency": str(intent.currency)},
        )
        return "mismatch"
    try:
        with transaction.atomic():
            payment = Payment.objects.create(
                member=attempt.member,
                method=method,
                amount=attempt.amount,
                received_on=timezone.localdate(),
                reference=intent.id,
                stripe_payment_intent=intent.id,
                checkout=attempt,
            )
    except IntegrityError:
        return "duplicate payment intent"
    invoices = with_amounts(
        Invoice.objects.select_for_update(of=("self",)).filter(pk__in=[int(pk) for pk in attempt.allocations])
    )
    remaining = attempt.amount
    for invoice in invoices.order_by("issued_on", "id"):
        share = min(cents(Decimal(attempt.allocations[str(invoice.pk)])), invoice.outstanding, remaining)
        if share > 0:
            PaymentAllocation.objects.create(payment=payment, invoice=invoice, amount=share)
            remaining -= share
    if remaining > 0:
        # Paid meanwhile by transfer: the rest stays on the member's account as a credit.
        logger.warning("Checkout %s: %s € not allocated (invoices already paid).", attempt.key, remaining)
    attempt.status = CheckoutStatus.PAID
    attempt.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=None,
        action="billing.payment_online",
        target=payment,
        member=attempt.member,
        after={"amount": str(payment.amount), "payment_intent": intent.id, "unallocated": str(remaining)},
    )
    notify(
        member=attempt.member,
        kind="billing.payment_received",
        subject=_("Paiement reçu : %(amount)s") % {"amount": euros(payment.amount)},
        template="billing/email/payment_received.txt",
        context={"payment": payment},
        url="/billing/",
        include=[attempt.created_by] if attempt.created_by else (),
    )
    return "paid"
