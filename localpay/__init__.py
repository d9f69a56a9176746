"""localpay: a local server speaking the part of Stripe's HTTP API Adhera uses, for tests and `make run`.

Built on localstripe (PaymentIntents, PaymentMethods, Events, signed webhook delivery), it adds
Checkout Sessions with a hosted payment page (`checkout.py`, `page.py`), Stripe's idempotent
requests (`idempotency.py`) and a few fixes to localstripe (`server.py`). Run it with
`python -m localpay --port 8420`; tests start one with `localpay.testing.LocalPay`.

Talking to it with the real `stripe` client (checked with stripe 16.1.0):

    client = stripe.StripeClient("sk_test_localpay", base_addresses={"api": "http://127.0.0.1:8420"})
    session = client.v1.checkout.sessions.create(params={...}, options={"idempotency_key": "..."})

- API key: localstripe accepts any secret key that starts with `sk_` and is longer than 5
  characters (sent as `Authorization: Bearer …`, as the stripe client does); anything else gets
  401 (stripe.AuthenticationError). Keys are not told apart: every key sees every object.
- Base address: plain `http://` works; only the "api" address is needed (no files, no connect).
  With the module-level style, `stripe.api_base = "http://127.0.0.1:8420"` does the same.
- Webhooks: `POST /_config/webhooks/<name>` with `url`, `secret` (and optionally `events[]`)
  registers an endpoint; every event is POSTed to every registered endpoint about a second after
  it happens, with a `Stripe-Signature` header that `stripe.Webhook.construct_event` verifies.
  `*.localhost` hosts (http://alpha.localhost:8000/...) are reached on 127.0.0.1 with their Host
  header. There is no retry: an endpoint that is down misses the event. Endpoints are not tied to
  an API key: each one receives the events of every key (every organisation).
- Checkout: POST /v1/checkout/sessions (mode=payment, line_items with price_data, card and
  sepa_debit), GET (one, list, line_items), POST …/expire, POST …/{id} (metadata). The session's
  `url` is the hosted page on the host the request came to; `success_url` keeps its
  `{CHECKOUT_SESSION_ID}` placeholder, replaced in the redirect after payment.
- Test values on the hosted page: card 4242 4242 4242 4242 pays; 4000 0000 0000 0002 (and
  Stripe's other "declined" cards) is refused and the session stays open; 3-D Secure cards pass.
  IBAN FR1420041010050500013M02606 pays after a short `processing` (then
  `checkout.session.async_payment_succeeded`); DE62370400440532013001 and
  FR3020041010050500013M02609 fail (`checkout.session.async_payment_failed`).
- Events sent: checkout.session.completed / expired / async_payment_succeeded /
  async_payment_failed, payment_intent.succeeded / payment_failed (localstripe's own).
- `POST /_config/reset` forgets everything; `GET /_config/health` answers "ok".
"""
