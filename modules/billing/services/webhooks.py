"""Stripe's webhook events: verified, stored once, then handled once by a task.

The view stores the event (its id is unique, so a duplicate or a replay inserts nothing) and the
task is sent after commit. The task never trusts the event's copy of the object: it re-reads the
Checkout Session and the PaymentIntent from Stripe, so events in any order reach one final state.
An event whose metadata names another organisation, or no checkout of ours, is stored as
ignored and logged: it is never applied anywhere else.
"""

import logging
from datetime import timedelta

import stripe
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from core.jobs.dispatch import enqueue_on_commit

from ..models import CheckoutAttempt, PaymentMethod, StripeEvent
from ..stripe_gateway import (
    checkout_session_retrieve,
    payment_intent_retrieve,
    stripe_client,
    webhook_event_verify,
)
from .payments import checkout_settle

logger = logging.getLogger(__name__)

HANDLED_TYPES = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.async_payment_failed",
    "checkout.session.expired",
    "payment_intent.succeeded",
    "payment_intent.processing",
    "payment_intent.payment_failed",
}


class WebhookRefused(Exception):
    """The delivery is not a genuine, current event for this organisation (answered 400)."""


def _metadata(obj) -> dict:
    metadata = obj.get("metadata") if isinstance(obj, dict) else getattr(obj, "metadata", None)
    if hasattr(metadata, "to_dict"):  # stripe 15+: a StripeObject is no longer a dict
        metadata = metadata.to_dict()
    return dict(metadata or {})


def stripe_event_receive(*, payload: bytes, signature: str) -> StripeEvent | None:
    """Verify and store one delivery; returns the new event row, or None for a duplicate."""
    try:
        event = webhook_event_verify(payload=payload, signature=signature or "")
    except (ValueError, stripe.SignatureVerificationError) as exc:
        logger.warning("Stripe webhook refused in %s: %s", connection.schema_name, exc)
        raise WebhookRefused(str(exc)) from exc
    obj = event["data"]["object"]
    ours = _metadata(obj).get("schema") == connection.schema_name
    if not ours:
        logger.error(
            "Stripe event %s names another organisation than %s: ignored.", event["id"], connection.schema_name
        )
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(
                event_id=event["id"], type=event["type"], object_id=getattr(obj, "id", "") or ""
            )
            if ours and event["type"] in HANDLED_TYPES:
                from ..tasks import stripe_event_handle_task

                enqueue_on_commit(stripe_event_handle_task, stored.pk)
            else:
                stored.handled_at, stored.outcome = timezone.now(), "ignored" if ours else "not ours"
                stored.save(update_fields=["handled_at", "outcome"])
    except IntegrityError:
        logger.info("Stripe event %s received again: already stored.", event["id"])
        return None
    return stored


def _attempt_for(obj_metadata: dict, session_id: str = "") -> CheckoutAttempt | None:
    if obj_metadata.get("schema") != connection.schema_name:
        return None
    attempts = CheckoutAttempt.objects.all()
    if session_id:
        found = attempts.filter(stripe_session=session_id).first()
        if found is not None:
            return found
    key = obj_metadata.get("checkout", "")
    try:
        return attempts.filter(key=key).first() if key else None
    except ValidationError:  # a malformed UUID in the metadata: no checkout of ours
        return None


def _method_of(intent) -> str:
    payment_method = getattr(intent, "payment_method", None)
    if not payment_method:
        return PaymentMethod.CARD
    kind = stripe_client().v1.payment_methods.retrieve(payment_method).type
    return PaymentMethod.SEPA_DEBIT if kind == "sepa_debit" else PaymentMethod.CARD


def _handle(event: StripeEvent) -> str:
    if event.type.startswith("checkout.session."):
        session = checkout_session_retrieve(event.object_id)
        attempt = _attempt_for(_metadata(session), session.id)
        intent_id = (
            session.payment_intent
            if isinstance(session.payment_intent, str)
            else getattr(session.payment_intent, "id", None)
        )
        status = session.status
    else:
        intent = payment_intent_retrieve(event.object_id)
        attempt = _attempt_for(_metadata(intent))
        intent_id, status = intent.id, ""
    if attempt is None:
        logger.error(
            "Stripe event %s (%s) names no checkout of %s: ignored.", event.event_id, event.type, connection.schema_name
        )
        return "not ours"
    intent = payment_intent_retrieve(intent_id) if intent_id else None
    method = _method_of(intent) if intent is not None and intent.status == "succeeded" else ""
    return checkout_settle(attempt=attempt, payment_intent=intent, method=method, session_status=status)


def stripe_event_handle(*, event_id: int) -> str:
    """Apply one stored event, once: the row is locked while Stripe is re-read and the effect
    written, and marked handled in the same transaction."""
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_id)
        if event.handled_at is not None:
            return event.outcome
        outcome = _handle(event)
        event.handled_at, event.outcome = timezone.now(), outcome[:200]
        event.save(update_fields=["handled_at", "outcome"])
    return outcome


# An event still failing after this many relays (an hour at one relay every five minutes) is left
# for a person: Stripe's object may be gone, or the organisation's keys removed.
RELAYS_MAX = 12


def stripe_events_relay_claim(*, older_than_seconds: int = 60) -> list[int]:
    """Events stored but not handled after a while (their task was lost, or failed): counted as
    relayed once more and returned, to send again. Those past `RELAYS_MAX` are logged, not sent."""
    cutoff = timezone.now() - timedelta(seconds=older_than_seconds)
    pending = StripeEvent.objects.filter(handled_at__isnull=True, received_at__lt=cutoff).select_for_update(
        skip_locked=True
    )
    with transaction.atomic():
        given_up = list(pending.filter(relays=RELAYS_MAX))
        for event in given_up:
            logger.error(
                "Stripe event %s (%s) fails after %s relays: left for a person.", event.event_id, event.type, RELAYS_MAX
            )
        ids = list(pending.filter(relays__lt=RELAYS_MAX).values_list("pk", flat=True))
        # The given-up ones count once more, so that each is logged once.
        StripeEvent.objects.filter(pk__in=[*ids, *(event.pk for event in given_up)]).update(relays=F("relays") + 1)
    return ids
