"""Stripe's side of the billing tests: a local Stripe-speaking server (localpay) per test process,
alpha's keys pointing at it, and webhook deliveries made as Stripe makes them.

The real `stripe` client talks to the server; the member's payment is made on its hosted page over
HTTP, as a browser without JavaScript would. Events are read back from the server (GET /v1/events)
and POSTed to alpha's webhook with a signature computed as Stripe computes it. Other test files take
the fixtures with `from .stripe_server import localpay, payments_on  # noqa` (`deliver` too).
"""

import hashlib
import hmac
import json
import socket
import time
import urllib.parse
import urllib.request

import pytest

from localpay.testing import API_KEY, LocalPay
from modules.billing.models import CheckoutAttempt
from modules.billing.services.payments import payment_account_save

from .conftest import SECRET_KEY, WEBHOOK_SECRET, admin

WEBHOOK_PATH = "/billing/stripe/webhook/"
PUBLISHABLE_KEY = "pk_test_adhera"
EVENT_WAIT_SECONDS = 20


@pytest.fixture(scope="session")
def localpay():
    """One server per test process (pytest-xdist worker); every test makes its own objects on it."""
    with LocalPay() as server:
        yield server


@pytest.fixture
def payments_on(in_alpha, localpay, settings):
    """Alpha takes online payments: its Stripe keys are stored (encrypted) and Stripe is localpay."""
    settings.STRIPE_API_BASE = localpay.api_base
    payment_account_save(
        actor=admin(), publishable_key=PUBLISHABLE_KEY, secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET
    )
    return localpay


def closed_port_url() -> str:
    """An address nothing listens on (the port was free a moment ago): Stripe is unreachable."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


# Signing, as Stripe does ---------------------------------------------------------------------


def stripe_signature(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The `Stripe-Signature` header of `payload`: `t=<ts>,v1=<HMAC-SHA256 of "<ts>.<payload>">`."""
    timestamp = int(time.time()) if timestamp is None else int(timestamp)
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def event_payload(event: dict) -> bytes:
    """An event's body as localstripe sends it (indented JSON, sorted keys)."""
    return json.dumps(event, indent=2, sort_keys=True).encode()


def webhook_post(client, payload: bytes, *, signature: str | None = None, **signing):
    """POST a delivery to the webhook of the client's organisation, signed unless `signature` is given."""
    header = stripe_signature(payload, **signing) if signature is None else signature
    extra = {"HTTP_STRIPE_SIGNATURE": header} if header else {}
    return client.post(WEBHOOK_PATH, data=payload, content_type="application/json", **extra)


@pytest.fixture
def deliver(alpha, client_for, django_capture_on_commit_callbacks):
    """Deliver events to alpha's webhook as Stripe does, running what each delivery sends after
    commit (the handling task, then its e-mails); returns the webhook's answers."""
    stripe_side = client_for(alpha)

    def send(*events: dict):
        answers = []
        for event in events:
            with django_capture_on_commit_callbacks(execute=True):
                answers.append(webhook_post(stripe_side, event_payload(event)))
        return answers

    return send


# Reading the server back ---------------------------------------------------------------------


def _api_get(server: LocalPay, path: str, params: dict) -> dict:
    url = f"{server.api_base}{path}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {API_KEY}"})
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - our local server
        return json.loads(response.read())


def server_events(server: LocalPay) -> list[dict]:
    """Every event the server made, oldest first."""
    events, params = [], {"limit": 100}
    while True:
        page = _api_get(server, "/v1/events", params)
        events.extend(page["data"])
        if not page["has_more"] or not page["data"]:
            return events
        params["starting_after"] = page["data"][-1]["id"]


def attempt_events(server: LocalPay, attempt: CheckoutAttempt) -> list[dict]:
    """The events about an attempt's session and PaymentIntent (both carry its key in their metadata)."""
    key = str(attempt.key)
    events = server_events(server)
    return [event for event in events if event["data"]["object"].get("metadata", {}).get("checkout") == key]


def event_of(events: list[dict], event_type: str) -> dict:
    (event,) = [event for event in events if event["type"] == event_type]
    return event


def events_wait(server: LocalPay, attempt: CheckoutAttempt, *types: str) -> list[dict]:
    """The attempt's events once all of `types` exist (a SEPA debit settles a moment after payment)."""
    deadline = time.monotonic() + EVENT_WAIT_SECONDS
    while True:
        events = attempt_events(server, attempt)
        if set(types) <= {event["type"] for event in events}:
            return events
        if time.monotonic() > deadline:
            raise AssertionError(f"no {types} for {attempt.key}; the server has {[e['type'] for e in events]}")
        time.sleep(0.05)


def hosted_pay(server: LocalPay, attempt: CheckoutAttempt, *, method: str = "card", **fields) -> str:
    """The member pays on the hosted page; returns where Stripe sends them back."""
    answer = server.pay(attempt.stripe_url, method=method, **fields)
    assert answer.status == 303, answer.body
    return answer.location
