"""The organisation's Stripe account, spoken to through the official `stripe` client.

Keys are the organisation's own (stored encrypted in `PaymentAccount`). `STRIPE_API_BASE` points the
client at `localpay` in tests and `make run`; unset, it talks to the real Stripe. Every create call
carries an idempotency key, so a retried request never makes a second session.
"""

import logging

import stripe
from django.conf import settings
from django.db import connection

from .models import CheckoutAttempt, PaymentAccount
from .secrets import secret_open

logger = logging.getLogger(__name__)


class PaymentsUnavailable(Exception):
    """The organisation has no usable Stripe keys, or Stripe could not be reached."""


def payment_account() -> PaymentAccount | None:
    """The organisation's stored Stripe keys, if any."""
    return PaymentAccount.objects.first()


def payments_configured() -> bool:
    account = payment_account()
    return bool(account and secret_open(account.secret_key_encrypted) and secret_open(account.webhook_secret_encrypted))


def stripe_client() -> stripe.StripeClient:
    account = payment_account()
    secret_key = secret_open(account.secret_key_encrypted) if account else ""
    if not secret_key:
        raise PaymentsUnavailable("no Stripe secret key for this organisation")
    options = {"max_network_retries": 2}
    if settings.STRIPE_API_BASE:
        options["base_addresses"] = {"api": settings.STRIPE_API_BASE}
    return stripe.StripeClient(secret_key, **options)


def webhook_secret() -> str:
    account = payment_account()
    return secret_open(account.webhook_secret_encrypted) if account else ""


def stripe_amount(amount) -> int:
    """Euros as Stripe counts them: whole cents."""
    return int((amount * 100).to_integral_value())


def checkout_session_create(
    *, attempt: CheckoutAttempt, lines: list[tuple[str, object]], success_url: str, cancel_url: str, email: str
):
    """A Checkout Session for the attempt: one line per invoice, card or SEPA Direct Debit."""
    metadata = {"schema": connection.schema_name, "checkout": str(attempt.key), "member": str(attempt.member_id)}
    params = {
        "mode": "payment",
        "payment_method_types": ["card", "sepa_debit"],
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": attempt.currency,
                    "unit_amount": stripe_amount(amount),
                    "product_data": {"name": label},
                },
            }
            for label, amount in lines
        ],
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": str(attempt.key),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
    }
    if email:
        params["customer_email"] = email
    try:
        return stripe_client().v1.checkout.sessions.create(params, {"idempotency_key": f"checkout-{attempt.key}"})
    except stripe.StripeError as exc:
        logger.error("Stripe refused a checkout session for %s: %s", attempt.key, exc)
        raise PaymentsUnavailable(str(exc)) from exc


def checkout_session_retrieve(session_id: str):
    return stripe_client().v1.checkout.sessions.retrieve(session_id)


def payment_intent_retrieve(payment_intent_id: str):
    return stripe_client().v1.payment_intents.retrieve(payment_intent_id)


def webhook_event_verify(*, payload: bytes, signature: str):
    """The event if `signature` signs `payload` with the organisation's webhook secret within the
    tolerance; raises ValueError (bad payload) or stripe.SignatureVerificationError."""
    secret = webhook_secret()
    if not secret:
        raise stripe.SignatureVerificationError("no webhook secret for this organisation", signature)
    return stripe.Webhook.construct_event(payload, signature, secret, tolerance=settings.STRIPE_WEBHOOK_TOLERANCE)
