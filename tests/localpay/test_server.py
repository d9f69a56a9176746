"""localpay through the real stripe client: Checkout Sessions, the hosted page, idempotency, signed webhooks.

One server and one webhook receiver serve the whole file; each test makes its own sessions and
looks only at the events about them. No database is used.
"""

import json
import re
import threading
import time
import uuid
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import stripe

from localpay.testing import DECLINED_CARD, FAILING_IBAN, LocalPay

WEBHOOK_SECRET = "whsec_localpay_tests"
EVENT_WAIT_SECONDS = 30
PICKLE = Path("/tmp/localstripe.pickle")


class Receiver:
    """A tiny webhook endpoint: keeps every delivery (raw body, signature header)."""

    def __init__(self):
        self.deliveries: list[tuple[bytes, str | None]] = []
        self.hosts: set[str] = set()
        self._changed = threading.Condition()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver._changed:
                    receiver.hosts.add(self.headers["Host"])
                    receiver.deliveries.append((body, self.headers.get("Stripe-Signature")))
                    receiver._changed.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # An organisation's host, as Adhera's webhook endpoints have (routed by the Host header).
        self.host = f"alpha.localhost:{self.server.server_address[1]}"
        self.url = f"http://{self.host}/stripe/webhook/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events_about(self, object_id: str) -> list[dict]:
        return [
            json.loads(body) for body, _ in self.deliveries if json.loads(body)["data"]["object"]["id"] == object_id
        ]

    def wait_for(self, event_type: str, object_id: str) -> tuple[bytes, str | None]:
        """The delivery of `event_type` about `object_id` (waits for it to arrive)."""

        def found():
            for body, signature in self.deliveries:
                event = json.loads(body)
                if event["type"] == event_type and event["data"]["object"]["id"] == object_id:
                    return body, signature
            return None

        with self._changed:
            delivery = self._changed.wait_for(found, timeout=EVENT_WAIT_SECONDS)
        assert delivery, f"no {event_type} about {object_id}; got {[json.loads(b)['type'] for b, _ in self.deliveries]}"
        return delivery

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def pickle_before():
    return PICKLE.stat().st_mtime_ns if PICKLE.exists() else None


@pytest.fixture(scope="module")
def localpay(pickle_before):
    with LocalPay() as server:
        yield server


@pytest.fixture(scope="module")
def receiver(localpay):
    receiver = Receiver()
    localpay.webhook_register("tests", receiver.url, WEBHOOK_SECRET)
    yield receiver
    receiver.stop()


@pytest.fixture
def client(localpay) -> stripe.StripeClient:
    return localpay.stripe_client()


def session_params(**overrides):
    params = {
        "mode": "payment",
        "line_items": [
            {
                "price_data": {"currency": "eur", "unit_amount": 10000, "product_data": {"name": "Cotisation 2025"}},
                "quantity": 1,
            },
            {"price_data": {"currency": "eur", "unit_amount": 1150, "product_data": {"name": "Frais"}}, "quantity": 2},
        ],
        "payment_method_types": ["card", "sepa_debit"],
        "success_url": "http://alpha.localhost:8000/paiement/retour/?session={CHECKOUT_SESSION_ID}",
        "cancel_url": "http://alpha.localhost:8000/paiement/annule/",
        "client_reference_id": "member-42",
        "customer_email": "paul@alpha.test",
        "metadata": {"organisation": "alpha", "invoices": "F-2025-0001"},
        "payment_intent_data": {"metadata": {"organisation": "alpha", "payment": "pay-7"}},
    }
    params.update(overrides)
    return params


def session_create(client, idempotency_key=None, **overrides):
    return client.v1.checkout.sessions.create(
        params=session_params(**overrides), options={"idempotency_key": idempotency_key or str(uuid.uuid4())}
    )


def test_create_returns_an_open_unpaid_session_with_its_hosted_page(client, localpay):
    session = session_create(client)

    assert session.object == "checkout.session"
    assert session.id.startswith("cs_test_")
    assert (session.status, session.payment_status, session.payment_intent) == ("open", "unpaid", None)
    assert (session.amount_total, session.currency) == (12300, "eur")
    assert session.url == f"{localpay.api_base}/checkout/{session.id}"
    assert session.metadata.to_dict() == {"organisation": "alpha", "invoices": "F-2025-0001"}
    assert session.client_reference_id == "member-42"
    assert session.customer_email == "paul@alpha.test"
    assert session.payment_method_types == ["card", "sepa_debit"]
    assert session.expires_at - session.created == 24 * 3600


def test_the_hosted_page_uses_the_host_the_request_came_to(localpay):
    client = stripe.StripeClient("sk_test_localpay", base_addresses={"api": f"http://localhost:{localpay.port}"})

    assert session_create(client).url.startswith(f"http://localhost:{localpay.port}/checkout/cs_test_")


def test_retrieve_returns_the_session_and_its_line_items(client):
    created = session_create(client)

    session = client.v1.checkout.sessions.retrieve(created.id, params={"expand": ["line_items"]})

    assert session.id == created.id and session.amount_total == 12300
    items = [(item.description, item.quantity, item.amount_total) for item in session.line_items.data]
    assert items == [("Cotisation 2025", 1, 10000), ("Frais", 2, 2300)]


def test_an_unknown_session_is_a_stripe_404(client):
    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.retrieve("cs_test_nope")

    assert error.value.http_status == 404
    assert error.value.code == "resource_missing"


def test_an_idempotency_key_replays_the_first_session(client):
    key = str(uuid.uuid4())

    first = session_create(client, idempotency_key=key)
    again = session_create(client, idempotency_key=key)
    other = session_create(client)

    assert again.id == first.id
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert other.id != first.id
    listed = client.v1.checkout.sessions.list(params={"limit": 100}).data
    assert [s.id for s in listed].count(first.id) == 1


def test_an_idempotency_key_with_other_parameters_is_refused(client):
    key = str(uuid.uuid4())
    session_create(client, idempotency_key=key)

    with pytest.raises(stripe.IdempotencyError) as error:
        session_create(client, idempotency_key=key, client_reference_id="member-43")

    assert error.value.http_status == 400
    assert "same parameters" in error.value.user_message


def test_a_refused_request_can_be_retried_with_its_key(client):
    key = str(uuid.uuid4())
    with pytest.raises(stripe.InvalidRequestError):
        session_create(client, idempotency_key=key, success_url="nowhere")

    assert session_create(client, idempotency_key=key).status == "open"


def _too_soon():
    return int(time.time()) + 10 * 60


def _item(**price_data):
    base = {"currency": "eur", "unit_amount": 1000, "product_data": {"name": "Cotisation"}}
    return [{"price_data": {**base, **price_data}, "quantity": 1}]


@pytest.mark.parametrize(
    ("overrides", "param"),
    [
        ({"mode": None}, "mode"),
        ({"mode": "subscription"}, "mode"),
        ({"line_items": None}, "line_items"),
        ({"line_items": _item(unit_amount=-5)}, "line_items[0][price_data][unit_amount]"),
        ({"line_items": _item(unit_amount="douze")}, "line_items[0][price_data][unit_amount]"),
        ({"line_items": _item(product_data={"description": "x"})}, "line_items[0][price_data][product_data][name]"),
        ({"line_items": [{"price_data": _item()[0]["price_data"], "quantity": 0}]}, "line_items[0][quantity]"),
        ({"line_items": _item(unit_amount=20)}, "line_items"),
        ({"payment_method_types": ["paypal"]}, "payment_method_types[0]"),
        ({"line_items": _item(currency="usd")}, "payment_method_types"),
        ({"success_url": "retour"}, "success_url"),
        ({"success_url": None}, "success_url"),
        ({"customer_email": "pas-un-email"}, "customer_email"),
        ({"metadata": {"k" * 41: "v"}}, "metadata[" + "k" * 41 + "]"),
        ({"payment_intent_data": {"capture_method": "manual"}}, "payment_intent_data[capture_method]"),
        ({"expires_at": "soon"}, "expires_at"),
        ({"expires_at": _too_soon()}, "expires_at"),
        ({"discounts": [{"coupon": "X"}]}, "discounts"),
    ],
)
def test_bad_parameters_are_refused_as_stripe_does(client, overrides, param):
    params = {key: value for key, value in session_params(**overrides).items() if value is not None}

    with pytest.raises(stripe.InvalidRequestError) as error:
        client.v1.checkout.sessions.create(params=params)

    assert error.value.http_status == 400
    assert error.value.param == param
    assert error.value.user_message


def test_a_publishable_or_missing_key_is_refused(localpay):
    client = stripe.StripeClient("pk_test_localpay", base_addresses={"api": localpay.api_base})

    with pytest.raises(stripe.AuthenticationError):
        session_create(client)


class _Labels(HTMLParser):
    """The ids of the page's inputs and the ids its labels point to."""

    def __init__(self):
        super().__init__()
        self.inputs, self.labelled = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input":
            self.inputs.append(attrs["id"])
        elif tag == "label":
            self.labelled.add(attrs["for"])


def test_the_hosted_page_offers_both_methods_prefilled_with_test_values(client, localpay):
    session = session_create(client)

    page = localpay.page(session.url)

    assert page.status == 200
    assert "<h1>Payer 123,00 €</h1>" in page.body
    for text in ("Carte bancaire", "Prélèvement SEPA", "4242 4242 4242 4242", "FR1420041010050500013M02606"):
        assert text in page.body
    assert re.search(r"<button[^>]*>Payer</button>", page.body)
    assert re.search(r"<button[^>]*>Annuler</button>", page.body)
    assert "<script" not in page.body and "style=" not in page.body
    labels = _Labels()
    labels.feed(page.body)
    assert set(labels.inputs) <= labels.labelled


def test_a_card_payment_completes_the_session_and_sends_signed_events(client, localpay, receiver):
    session = session_create(client)

    paid = localpay.pay(session.url)

    assert paid.status == 303
    assert paid.location == f"http://alpha.localhost:8000/paiement/retour/?session={session.id}"
    session = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (session.status, session.payment_status, session.url) == ("complete", "paid", None)
    intent = session.payment_intent
    assert (intent.status, intent.amount, intent.currency) == ("succeeded", 12300, "eur")
    assert intent.metadata.to_dict() == {"organisation": "alpha", "payment": "pay-7"}

    body, signature = receiver.wait_for("checkout.session.completed", session.id)
    event = stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)
    assert event.data.object.payment_status == "paid"
    assert event.data.object.payment_intent == intent.id
    assert event.data.object.metadata.to_dict() == {"organisation": "alpha", "invoices": "F-2025-0001"}
    body, signature = receiver.wait_for("payment_intent.succeeded", intent.id)
    event = stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)
    assert event.data.object.metadata.to_dict() == {"organisation": "alpha", "payment": "pay-7"}
    assert event.data.object.amount == 12300
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, signature, "whsec_someone_else")
    assert receiver.hosts == {receiver.host}  # *.localhost names are reached, with their Host header


def test_a_declined_card_is_shown_and_the_session_stays_open(client, localpay, receiver):
    session = session_create(client)

    declined = localpay.pay(session.url, card_number=DECLINED_CARD)

    assert declined.status == 402
    assert "Votre carte a été refusée." in declined.body
    assert 'role="alert"' in declined.body
    after = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (after.status, after.payment_status) == ("open", "unpaid")
    assert after.payment_intent.status == "requires_payment_method"
    receiver.wait_for("payment_intent.payment_failed", after.payment_intent.id)

    retried = localpay.pay(session.url)

    assert retried.status == 303
    final = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (final.status, final.payment_status) == ("complete", "paid")
    assert final.payment_intent.id == after.payment_intent.id  # one PaymentIntent per session, as Stripe
    assert final.payment_intent.status == "succeeded"


def test_a_mistyped_card_number_is_refused_before_any_payment(client, localpay):
    session = session_create(client)

    refused = localpay.pay(session.url, card_number="4242 4242 4242 4241")

    assert refused.status == 400
    assert "Le numéro de carte est incorrect." in refused.body
    assert re.search(r'id="card_number"[^>]*aria-invalid="true"', refused.body)
    assert client.v1.checkout.sessions.retrieve(session.id).payment_intent is None


def test_a_sepa_debit_completes_unpaid_then_settles(client, localpay, receiver):
    session = session_create(client)

    paid = localpay.pay(session.url, method="sepa_debit")

    assert paid.status == 303
    completed = json.loads(receiver.wait_for("checkout.session.completed", session.id)[0])
    assert completed["data"]["object"]["status"] == "complete"
    assert completed["data"]["object"]["payment_status"] == "unpaid"
    body, signature = receiver.wait_for("checkout.session.async_payment_succeeded", session.id)
    settled = stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET)
    assert settled.data.object.payment_status == "paid"
    assert settled.created >= completed["created"]
    session = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert session.payment_status == "paid"
    assert session.payment_intent.status == "succeeded"
    assert session.payment_intent.payment_method_types == ["card", "sepa_debit"]
    receiver.wait_for("payment_intent.succeeded", session.payment_intent.id)


def test_a_failing_sepa_debit_sends_async_payment_failed(client, localpay, receiver):
    session = session_create(client)

    assert localpay.pay(session.url, method="sepa_debit", iban=FAILING_IBAN).status == 303

    failed = json.loads(receiver.wait_for("checkout.session.async_payment_failed", session.id)[0])
    assert failed["data"]["object"]["payment_status"] == "unpaid"
    session = client.v1.checkout.sessions.retrieve(session.id, params={"expand": ["payment_intent"]})
    assert (session.status, session.payment_status) == ("complete", "unpaid")
    assert session.payment_intent.status == "requires_payment_method"
    receiver.wait_for("payment_intent.payment_failed", session.payment_intent.id)
    types = [event["type"] for event in receiver.events_about(session.id)]
    assert "checkout.session.async_payment_succeeded" not in types


def test_an_expired_session_cannot_be_paid(client, localpay, receiver):
    session = session_create(client)

    expired = client.v1.checkout.sessions.expire(session.id)

    assert (expired.status, expired.url) == ("expired", None)
    body, signature = receiver.wait_for("checkout.session.expired", session.id)
    assert stripe.Webhook.construct_event(body, signature, WEBHOOK_SECRET).data.object.status == "expired"
    page = localpay.page(session.url)
    assert page.status == 410 and "Cette session de paiement a expiré." in page.body
    refused = localpay._request("POST", f"/checkout/{session.id}/pay", [("payment_method_type", "card")])
    assert refused.status == 409
    assert client.v1.checkout.sessions.retrieve(session.id).payment_intent is None
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)


def test_a_paid_session_cannot_be_paid_twice(client, localpay):
    tag = f"twice-{uuid.uuid4()}"
    session = session_create(client, payment_intent_data={"metadata": {"payment": tag}})
    form_action = f"/checkout/{session.id}/pay"
    fields = [("payment_method_type", "card"), ("card_number", "4242424242424242")]
    fields += [("card_expiry", "12/34"), ("card_cvc", "123")]
    assert localpay._request("POST", form_action, fields).status == 303
    first_intent = client.v1.checkout.sessions.retrieve(session.id).payment_intent

    again = localpay._request("POST", form_action, fields)

    assert again.status == 409
    assert "Ce paiement a déjà été effectué." in again.body
    assert client.v1.checkout.sessions.retrieve(session.id).payment_intent == first_intent
    intents = client.v1.payment_intents.list(params={"limit": 1000}).data
    assert [intent.metadata.to_dict().get("payment") for intent in intents].count(tag) == 1
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id)


def test_cancel_sends_the_customer_back_and_leaves_the_session_open(client, localpay):
    session = session_create(client)

    cancelled = localpay.cancel(session.url)

    assert cancelled.status == 303
    assert cancelled.location == "http://alpha.localhost:8000/paiement/annule/"
    assert client.v1.checkout.sessions.retrieve(session.id).status == "open"


def test_the_server_keeps_its_objects_in_memory_only(client, localpay, pickle_before):
    session_create(client)

    after = PICKLE.stat().st_mtime_ns if PICKLE.exists() else None
    assert after == pickle_before


def test_two_servers_share_nothing(client):
    session = session_create(client)

    with LocalPay() as other:
        with pytest.raises(stripe.InvalidRequestError):
            other.stripe_client().v1.checkout.sessions.retrieve(session.id)


def test_webhooks_given_at_start_receive_events(receiver):
    with LocalPay(webhooks=(("adhera", receiver.url, "whsec_from_the_command_line"),)) as other:
        session = session_create(other.stripe_client())
        other.stripe_client().v1.checkout.sessions.expire(session.id)

        body, signature = receiver.wait_for("checkout.session.expired", session.id)

    event = stripe.Webhook.construct_event(body, signature, "whsec_from_the_command_line")
    assert event.data.object.id == session.id
