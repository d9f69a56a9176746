"""Stripe's webhook (security matrix 12-16, TRAPS "Payments"): only genuine, current deliveries are
stored; each event is stored and applied once, whatever the duplicates, races and order; an event
for another organisation, or an amount that does not match, is never applied.

Payments are made on the local Stripe-speaking server's hosted page; its events are read back and
delivered to alpha's webhook signed as Stripe signs them (see stripe_server.py).
"""

import json
import logging
import shutil
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

import modules.billing.services.webhooks as webhooks
from core.audit.models import AuditEntry
from core.mail.models import OutgoingEmail
from core.modules.models import ModuleSettings
from core.notifications.models import Notification
from modules.billing.contribution import euros
from modules.billing.models import (
    CheckoutAttempt,
    CheckoutStatus,
    Invoice,
    InvoiceDocument,
    InvoiceLine,
    NumberSeries,
    Payment,
    PaymentAccount,
    PaymentAllocation,
    PaymentMethod,
    StripeEvent,
)
from modules.billing.selectors import InvoiceState, invoice_list, member_balance
from modules.billing.services.invoices import LineInput, invoice_issue
from modules.billing.services.payments import checkout_start, payment_account_save
from modules.billing.services.webhooks import RELAYS_MAX, stripe_events_relay_claim
from modules.billing.stripe_gateway import stripe_client
from modules.billing.tasks import stripe_events_relay
from tests.concurrency import in_own_connection, race

from . import stripe_server
from .conftest import (
    EXPECTED_GROSS,
    SECRET_KEY,
    WEBHOOK_SECRET,
    admin,
    declare,
    issue_cotisation,
    member,
    seller_identify,
    user,
)
from .stripe_server import (
    PUBLISHABLE_KEY,
    WEBHOOK_PATH,
    event_of,
    event_payload,
    events_wait,
    hosted_pay,
    stripe_signature,
    webhook_post,
)

# The Stripe fixtures (pytest finds them among the module's names).
localpay, payments_on, deliver = stripe_server.localpay, stripe_server.payments_on, stripe_server.deliver

pytestmark = pytest.mark.django_db

M1_ADMIN = "m1-admin@alpha.test"
COMPLETED, SUCCEEDED = "checkout.session.completed", "payment_intent.succeeded"
SEPA_SETTLE_TRIES = 5


def return_urls() -> dict:
    base = f"http://alpha.{settings.PLATFORM_DOMAIN}/billing/paiement/{{key}}/"
    return {"success_url": base, "cancel_url": base + "annule/"}


def pay_online(invoice) -> CheckoutAttempt:
    """M1's administrator opens a Stripe Checkout for `invoice` (as the page does)."""
    return checkout_start(actor=user(M1_ADMIN), member=member(), invoice_ids=[invoice.pk], **return_urls())


@pytest.fixture
def cotisation(payments_on, campaign):
    declare(campaign)
    return issue_cotisation(campaign)


@pytest.fixture
def paid(cotisation, localpay):
    """M1 paid its cotisation by card on Stripe's page; Stripe's events wait on the server."""
    attempt = pay_online(cotisation)
    hosted_pay(localpay, attempt)
    events = events_wait(localpay, attempt, COMPLETED, SUCCEEDED)
    return attempt, {event["type"]: event for event in events}


@pytest.fixture
def stripe_side(alpha, client_for):
    """What Stripe uses to reach alpha: no session, no CSRF token."""
    return client_for(alpha)


def nothing_recorded(attempt) -> None:
    assert not StripeEvent.objects.exists()
    assert not Payment.objects.exists()
    assert CheckoutAttempt.objects.get(pk=attempt.pk).status == CheckoutStatus.OPEN


# Forged, altered and stale deliveries (matrix 12, 13b) ----------------------------------------------


def test_a_delivery_without_signature_is_refused(paid, stripe_side):
    attempt, events = paid

    response = webhook_post(stripe_side, event_payload(events[COMPLETED]), signature="")

    assert response.status_code == 400 and response.json()["error"]
    nothing_recorded(attempt)


def test_a_delivery_signed_with_another_secret_is_refused(paid, stripe_side):
    attempt, events = paid

    response = webhook_post(stripe_side, event_payload(events[COMPLETED]), secret="whsec_someone_else")

    assert response.status_code == 400
    nothing_recorded(attempt)


def test_a_body_serialized_again_after_signing_is_refused(paid, stripe_side):
    """The signature covers the raw bytes: the same JSON written differently is not what was signed."""
    attempt, events = paid
    payload = event_payload(events[COMPLETED])
    signature = stripe_signature(payload)
    rewritten = json.dumps(json.loads(payload), separators=(",", ":")).encode()
    assert json.loads(rewritten) == json.loads(payload)

    response = webhook_post(stripe_side, rewritten, signature=signature)

    assert response.status_code == 400
    nothing_recorded(attempt)


def test_a_forged_amount_in_a_signed_body_breaks_the_signature(paid, stripe_side):
    attempt, events = paid
    payload = event_payload(events[COMPLETED])
    signature = stripe_signature(payload)
    forged = payload.replace(b'"amount_total": ', b'"amount_total": 1')

    response = webhook_post(stripe_side, forged, signature=signature)

    assert response.status_code == 400
    nothing_recorded(attempt)


def test_a_delivery_older_than_five_minutes_is_a_replay(paid, stripe_side):
    attempt, events = paid
    payload = event_payload(events[COMPLETED])

    stale = webhook_post(stripe_side, payload, timestamp=int(time.time()) - 301)

    assert stale.status_code == 400
    nothing_recorded(attempt)
    # Signed a little less than five minutes ago: still current.
    assert webhook_post(stripe_side, payload, timestamp=int(time.time()) - 280).status_code == 200
    assert StripeEvent.objects.count() == 1


def test_only_post_and_only_small_bodies(paid, stripe_side):
    attempt, _events = paid

    assert stripe_side.get(WEBHOOK_PATH).status_code == 405
    big = b'{"padding": "' + b"x" * (300 * 1024) + b'"}'
    assert webhook_post(stripe_side, big).status_code == 413
    nothing_recorded(attempt)


def test_the_webhook_is_not_found_where_billing_is_off(paid, beta, client_for):
    _attempt, events = paid

    response = webhook_post(client_for(beta), event_payload(events[COMPLETED]))

    assert response.status_code == 404


# Duplicates, replays, order (matrix 13a, 15) ------------------------------------------------------


def test_the_same_event_twice_is_stored_and_applied_once(paid, deliver, mail_sink):
    attempt, events = paid
    subject = f"Paiement reçu : {euros(EXPECTED_GROSS)}"
    emails_before = sum(message.subject == subject for message in mail_sink.messages)

    first, again = deliver(events[COMPLETED], events[COMPLETED])

    assert (first.status_code, first.json()) == (200, {"received": True, "duplicate": False})
    assert (again.status_code, again.json()) == (200, {"received": True, "duplicate": True})
    (stored,) = StripeEvent.objects.all()
    assert (stored.event_id, stored.type, stored.outcome) == (events[COMPLETED]["id"], COMPLETED, "paid")
    assert stored.handled_at is not None
    (payment,) = Payment.objects.all()
    assert payment.amount == EXPECTED_GROSS and payment.checkout_id == attempt.pk
    assert sum(message.subject == subject for message in mail_sink.messages) == emails_before + 1


def test_succeeded_before_completed_leaves_one_correct_payment(paid, deliver, cotisation):
    attempt, events = paid

    deliver(events[SUCCEEDED])
    after_first = list(Payment.objects.values_list("amount", "stripe_payment_intent", "method"))
    deliver(events[COMPLETED])

    intent_id = events[SUCCEEDED]["data"]["object"]["id"]
    assert after_first == [(EXPECTED_GROSS, intent_id, PaymentMethod.CARD)]
    assert list(Payment.objects.values_list("amount", "stripe_payment_intent", "method")) == after_first
    assert list(PaymentAllocation.objects.values_list("invoice_id", "amount")) == [(cotisation.pk, EXPECTED_GROSS)]
    outcomes = dict(StripeEvent.objects.values_list("type", "outcome"))
    assert outcomes == {SUCCEEDED: "paid", COMPLETED: "already paid"}
    assert CheckoutAttempt.objects.get(pk=attempt.pk).status == CheckoutStatus.PAID
    assert invoice_list(actor=admin(), member=member()).get(pk=cotisation.pk).state == InvoiceState.PAID
    assert member_balance(member=member()).amount == 0


# Another organisation's event (matrix 16) -------------------------------------------------------


@pytest.mark.parametrize("metadata", [{"schema": "beta"}, {}], ids=["beta", "missing"])
def test_an_event_for_another_organisation_is_stored_as_not_ours(paid, deliver, billing_log, metadata):
    attempt, events = paid
    forged = json.loads(json.dumps(events[COMPLETED]))
    forged["data"]["object"]["metadata"] = {**{"checkout": str(attempt.key)}, **metadata}

    (answer,) = deliver(forged)

    assert answer.status_code == 200
    (stored,) = StripeEvent.objects.all()
    assert stored.outcome == "not ours" and stored.handled_at is not None
    assert not Payment.objects.exists()
    assert CheckoutAttempt.objects.get(pk=attempt.pk).status == CheckoutStatus.OPEN
    assert any(
        record.levelno == logging.ERROR and "names another organisation" in record.getMessage()
        for record in billing_log
    )


def test_a_payment_naming_a_malformed_checkout_is_not_ours(payments_on, deliver, billing_log):
    """Our schema in the metadata, but a checkout key that is no key: logged, applied nowhere."""
    metadata = {"schema": "alpha", "checkout": "not-a-uuid"}
    intent = stripe_client().v1.payment_intents.create({"amount": 1000, "currency": "eur", "metadata": metadata})
    event = {
        "id": "evt_malformed_checkout",
        "object": "event",
        "type": SUCCEEDED,
        "created": int(time.time()),
        "data": {"object": {"id": intent.id, "object": "payment_intent", "metadata": metadata}},
    }

    (answer,) = deliver(event)

    assert answer.status_code == 200
    assert StripeEvent.objects.get().outcome == "not ours"
    assert not Payment.objects.exists()
    errors = [record.getMessage() for record in billing_log if record.levelno == logging.ERROR]
    assert any("names no checkout of alpha" in message for message in errors)


# Amount mismatch ------------------------------------------------------------------------------


def test_an_amount_that_does_not_match_is_never_recorded(cotisation, localpay, deliver, billing_log, client_for, alpha):
    attempt = pay_online(cotisation)
    # As if the invoices had changed under the session: Stripe's amount is no longer ours.
    CheckoutAttempt.objects.filter(pk=attempt.pk).update(amount=Decimal("1000.00"))
    hosted_pay(localpay, attempt)
    events = events_wait(localpay, attempt, COMPLETED, SUCCEEDED)

    deliver(event_of(events, COMPLETED), event_of(events, SUCCEEDED))

    assert CheckoutAttempt.objects.get(pk=attempt.pk).status == CheckoutStatus.MISMATCH
    assert not Payment.objects.exists()
    assert invoice_list(actor=admin(), member=member()).get(pk=cotisation.pk).state == InvoiceState.DUE
    errors = [record.getMessage() for record in billing_log if record.levelno == logging.ERROR]
    assert any(str(attempt.key) in message and "603600" in message and "100000" in message for message in errors)
    (audit,) = AuditEntry.objects.filter(action="billing.checkout_mismatch")
    assert audit.target_id == str(attempt.pk) and audit.after["amount"] == 603600
    page = client_for(alpha, M1_ADMIN).get(f"/billing/paiement/{attempt.key}/").content.decode()
    assert "Paiement à vérifier." in page and "hx-get" not in page


# A lost task -------------------------------------------------------------------------------------


def test_an_event_whose_task_was_lost_is_relayed(paid, stripe_side, django_capture_on_commit_callbacks):
    attempt, events = paid
    # Stored and committed, but the process died before sending its task.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert webhook_post(stripe_side, event_payload(events[COMPLETED])).status_code == 200
    assert len(callbacks) == 1
    stored = StripeEvent.objects.get()
    assert stored.handled_at is None

    assert stripe_events_relay.delay().get() == 0  # a fresh event may still have its task on the way
    StripeEvent.objects.filter(pk=stored.pk).update(received_at=timezone.now() - timedelta(seconds=90))
    assert stripe_events_relay.delay().get() == 1

    stored.refresh_from_db()
    assert stored.handled_at is not None and stored.outcome == "paid"
    assert Payment.objects.get().checkout_id == attempt.pk
    assert stripe_events_relay.delay().get() == 0


def test_an_event_that_keeps_failing_is_relayed_a_bounded_number_of_times(in_alpha, billing_log):
    old = timezone.now() - timedelta(minutes=5)
    stored = StripeEvent.objects.create(event_id="evt_gone", type="checkout.session.completed", object_id="cs_gone")
    StripeEvent.objects.filter(pk=stored.pk).update(received_at=old, relays=RELAYS_MAX - 1)

    assert stripe_events_relay_claim() == [stored.pk]  # the last try
    assert stripe_events_relay_claim() == []  # given up, and said so once
    assert stripe_events_relay_claim() == []
    given_up = [record for record in billing_log if "left for a person" in record.getMessage()]
    assert len(given_up) == 1 and "evt_gone" in given_up[0].getMessage()
    stored.refresh_from_db()
    assert stored.handled_at is None and stored.relays == RELAYS_MAX + 1


# SEPA Direct Debit ------------------------------------------------------------------------------


def _sepa_debit_in_progress(server, stripe_side, deliver, **fields):
    """A SEPA debit paid on Stripe's page whose `checkout.session.completed` was handled while the
    debit was still processing. localpay settles a debit half a second after payment; on a machine
    slow enough to miss that, a new invoice is tried."""
    # A process's first request and first task do one-off work (about a second each): done here,
    # not inside the half-second window.
    assert stripe_side.get(WEBHOOK_PATH).status_code == 405
    assert stripe_events_relay.delay().get() == 0
    for _try in range(SEPA_SETTLE_TRIES):
        line = LineInput("Cotisation complémentaire", Decimal("250"), Decimal("20"))
        invoice = invoice_issue(actor=admin(), member=member(), lines=[line])
        attempt = pay_online(invoice)
        hosted_pay(server, attempt, method="sepa_debit", **fields)
        deliver(event_of(events_wait(server, attempt, COMPLETED), COMPLETED))
        attempt.refresh_from_db()
        if attempt.status == CheckoutStatus.PROCESSING:
            return attempt, invoice
    pytest.fail(f"the SEPA debit always settled before its first event was handled ({SEPA_SETTLE_TRIES} tries)")


def test_a_sepa_debit_is_processing_then_paid(payments_on, localpay, stripe_side, deliver, client_for, alpha):
    attempt, invoice = _sepa_debit_in_progress(localpay, stripe_side, deliver)
    assert not Payment.objects.filter(checkout=attempt).exists()
    page = client_for(alpha, M1_ADMIN).get(f"/billing/paiement/{attempt.key}/").content.decode()
    assert "Prélèvement SEPA en cours (quelques jours)." in page and "hx-get" in page

    events = events_wait(localpay, attempt, "checkout.session.async_payment_succeeded", SUCCEEDED)
    deliver(event_of(events, "checkout.session.async_payment_succeeded"), event_of(events, SUCCEEDED))

    attempt.refresh_from_db()
    assert attempt.status == CheckoutStatus.PAID
    (payment,) = Payment.objects.filter(checkout=attempt)
    assert (payment.method, payment.amount) == (PaymentMethod.SEPA_DEBIT, Decimal("300.00"))
    assert invoice_list(actor=admin(), member=member()).get(pk=invoice.pk).state == InvoiceState.PAID
    page = client_for(alpha, M1_ADMIN).get(f"/billing/paiement/{attempt.key}/").content.decode()
    assert "Paiement reçu, merci." in page


def test_a_sepa_debit_that_bounces_leaves_the_invoice_due(
    payments_on, localpay, stripe_side, deliver, client_for, alpha
):
    attempt, invoice = _sepa_debit_in_progress(localpay, stripe_side, deliver, iban="FR3020041010050500013M02609")

    events = events_wait(localpay, attempt, "checkout.session.async_payment_failed")
    deliver(event_of(events, "checkout.session.async_payment_failed"))

    attempt.refresh_from_db()
    assert attempt.status == CheckoutStatus.FAILED
    assert not Payment.objects.filter(checkout=attempt).exists()
    assert invoice_list(actor=admin(), member=member()).get(pk=invoice.pk).state == InvoiceState.DUE
    page = client_for(alpha, M1_ADMIN).get(f"/billing/paiement/{attempt.key}/").content.decode()
    assert "Le paiement n'a pas abouti." in page and "hx-get" not in page


# Racing deliveries (matrix 14), on committed data --------------------------------------------------

# The racers work on connections of their own, so what they need is committed, then removed. An
# issued invoice refuses DELETE (a trigger): the clean-up lifts the trigger inside its transaction.
_LIFT = (
    "ALTER TABLE billing_invoice DISABLE TRIGGER invoice_is_final",
    "ALTER TABLE billing_invoiceline DISABLE TRIGGER invoice_line_is_final",
)
_RESTORE = (
    "ALTER TABLE billing_invoice ENABLE TRIGGER invoice_is_final",
    "ALTER TABLE billing_invoiceline ENABLE TRIGGER invoice_line_is_final",
)


@pytest.fixture
def committed_payment(alpha, localpay, settings, mail_sink):
    """A committed invoice of M1 (300 €) paid by card on Stripe's page; all removed afterwards.
    The test's own connection must not touch billing tables (the clean-up locks them)."""
    settings.STRIPE_API_BASE = localpay.api_base
    started = timezone.now()

    def create():
        next_number = NumberSeries.objects.get(kind="invoice").next_value
        settings_before = ModuleSettings.objects.filter(key="billing").values_list("values", flat=True).first()
        seller_identify()
        payment_account_save(
            actor=admin(), publishable_key=PUBLISHABLE_KEY, secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET
        )
        invoice = invoice_issue(
            actor=admin(), member=member(), lines=[LineInput("Cotisation de rattrapage", Decimal("250"), Decimal("20"))]
        )
        return next_number, settings_before, invoice, pay_online(invoice)

    created = in_own_connection(alpha, create)
    assert "error" not in created, created
    next_number, settings_before, invoice, attempt = created["value"]
    try:
        hosted_pay(localpay, attempt)
        events = events_wait(localpay, attempt, COMPLETED, SUCCEEDED)
        yield attempt, {event["type"]: event for event in events}
    finally:

        def clean():
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '10s'")
                    # Foreign keys checked at once: a table with checks pending cannot be altered.
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                payments = Payment.objects.filter(checkout_id=attempt.pk)
                PaymentAllocation.objects.filter(payment__in=payments).delete()
                payments.delete()
                StripeEvent.objects.filter(received_at__gte=started).delete()
                CheckoutAttempt.objects.filter(pk=attempt.pk).delete()
                PaymentAccount.objects.all().delete()
                for model in (Notification, OutgoingEmail, AuditEntry):
                    model.objects.filter(created_at__gte=started).delete()
                for document in InvoiceDocument.objects.filter(invoice_id=invoice.pk):
                    document.file.delete(save=False)
                    document.delete()
                with connection.cursor() as cursor:
                    for statement in _LIFT:
                        cursor.execute(statement)
                    InvoiceLine.objects.filter(invoice_id=invoice.pk).delete()
                    Invoice.objects.filter(pk=invoice.pk).delete()
                    for statement in _RESTORE:
                        cursor.execute(statement)
                NumberSeries.objects.filter(kind="invoice").update(next_value=next_number)
                if settings_before is None:
                    ModuleSettings.objects.filter(key="billing").delete()
                else:
                    ModuleSettings.objects.filter(key="billing").update(values=settings_before)

        cleaned = in_own_connection(alpha, clean)
        assert "error" not in cleaned, cleaned
        folder = Path(settings.MEDIA_ROOT) / "alpha" / "billing" / "invoices" / str(invoice.pk)
        shutil.rmtree(folder, ignore_errors=True)


def _committed_state(alpha, attempt) -> dict:
    def read():
        return {
            "events": list(StripeEvent.objects.order_by("type").values_list("type", "outcome")),
            "payments": list(Payment.objects.filter(checkout_id=attempt.pk).values_list("amount", flat=True)),
            "allocations": PaymentAllocation.objects.filter(payment__checkout_id=attempt.pk).count(),
            "status": CheckoutAttempt.objects.get(pk=attempt.pk).status,
        }

    state = in_own_connection(alpha, read)
    assert "error" not in state, state
    return state["value"]


def _delivery(alpha, client_for, event):
    payload = event_payload(event)

    def work():
        return webhook_post(client_for(alpha), payload).json()

    return work


def test_the_same_event_delivered_twice_at_once_pays_once(alpha, committed_payment, client_for, monkeypatch, mail_sink):
    attempt, events = committed_payment
    emails_before = len(mail_sink.messages)

    outcomes = race(
        alpha,
        monkeypatch,
        module=webhooks,
        meeting_point="webhook_event_verify",
        works=[_delivery(alpha, client_for, events[COMPLETED]), _delivery(alpha, client_for, events[COMPLETED])],
    )

    assert [outcome.get("error") for outcome in outcomes] == [None, None]
    assert sorted(outcome["value"]["duplicate"] for outcome in outcomes) == [False, True]
    state = _committed_state(alpha, attempt)
    assert state == {
        "events": [(COMPLETED, "paid")],
        "payments": [Decimal("300.00")],
        "allocations": 1,
        "status": CheckoutStatus.PAID,
    }
    receipts = [mail for mail in mail_sink.messages[emails_before:] if mail.subject.startswith("Paiement reçu")]
    assert [message.recipients for message in receipts] == [(M1_ADMIN,)]


def test_two_events_of_one_payment_handled_at_once_pay_once(alpha, committed_payment, client_for, monkeypatch):
    attempt, events = committed_payment

    outcomes = race(
        alpha,
        monkeypatch,
        module=webhooks,
        meeting_point="checkout_settle",
        works=[_delivery(alpha, client_for, events[COMPLETED]), _delivery(alpha, client_for, events[SUCCEEDED])],
    )

    assert [outcome.get("error") for outcome in outcomes] == [None, None]
    state = _committed_state(alpha, attempt)
    assert state["payments"] == [Decimal("300.00")] and state["allocations"] == 1
    assert state["status"] == CheckoutStatus.PAID
    assert sorted(outcome for _type, outcome in state["events"]) == ["already paid", "paid"]


def test_the_main_connection_saw_nothing_of_the_races(in_alpha):
    """The racers' rows were removed: the world of the other tests is as it was."""
    assert not InvoiceLine.objects.filter(label="Cotisation de rattrapage").exists()
    assert not CheckoutAttempt.objects.exists() and not StripeEvent.objects.exists()
    assert not PaymentAccount.objects.exists()
    assert NumberSeries.objects.get(kind="invoice").next_value == 1
