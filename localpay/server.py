"""Assembles localpay: localstripe's aiohttp app, kept in memory, plus Checkout Sessions and idempotency.

localstripe is adjusted in five places, each to behave like Stripe or to run several servers at once:
- its store is never written to (nor read from) /tmp/localstripe.pickle: every server starts empty
  and servers running side by side (pytest-xdist, `make run`) share nothing;
- the cards Stripe declines at payment time (4000 0000 0000 0002 and the other "declined" test
  cards) are declined when charged, not only when attached to a customer;
- a SEPA debit stays `processing` until it settles (localstripe reported it succeeded at once,
  before sending `payment_intent.succeeded`); Stripe's failing French test IBAN fails too;
- the hosted pages (/checkout/...) need no API key: a browser opens them;
- webhooks reach `*.localhost` hosts, Adhera's organisation hosts in development (`webhooks.py`).
"""

from aiohttp import web
from localstripe import resources, webhooks
from localstripe import server as localstripe_server

from localpay import checkout
from localpay import webhooks as delivery
from localpay.idempotency import forget_all, idempotency_middleware

# Stripe's test IBANs whose debit fails after `processing` (localstripe knows the German one).
FAILING_IBANS = {"DE62370400440532013001", "FR3020041010050500013M02609"}
HOSTED_PREFIX = "/checkout/"

_app = None


def _keep_store_in_memory():
    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None


def _decline_cards_when_charged():
    charging_is_declined = resources.PaymentMethod._charging_is_declined

    def _charging_is_declined(self):
        if self.type == "sepa_debit" and self._sepa_debit_iban in FAILING_IBANS:
            return True
        return charging_is_declined(self) or self._attaching_is_declined()

    resources.PaymentMethod._charging_is_declined = _charging_is_declined


def _settle_sepa_debits_later():
    initialize_charge = resources.Charge._initialize_charge

    def _initialize_charge(self, on_success=None, on_failure_now=None, on_failure_later=None):
        initialize_charge(self, on_success, on_failure_now, on_failure_later)
        # localstripe marks the charge succeeded before its delayed settlement runs; until then
        # the debit is still on its way (balance_transaction is set when it settles).
        if (
            self.status == "succeeded"
            and self.captured
            and self.balance_transaction is None
            and self._is_async_payment_method()
        ):
            self.status = "pending"

    resources.Charge._initialize_charge = _initialize_charge


@web.middleware
async def auth_except_hosted_pages(request, handler):
    """localstripe's API-key check, except on the hosted pages a browser opens."""
    if request.path.startswith(HOSTED_PREFIX):
        return await handler(request)
    return await localstripe_server.auth_middleware(request, handler)


async def health(request):
    return web.Response(text="ok")


async def reset(request):
    """Forgets every object, kept idempotent response and registered webhook."""
    resources.store.clear()
    webhooks._webhooks.clear()
    forget_all()
    return web.Response(text="ok")


def build_app() -> web.Application:
    """localstripe's app with localpay's routes and middlewares (built once per process)."""
    global _app
    if _app is not None:
        return _app
    _keep_store_in_memory()
    _decline_cards_when_charged()
    _settle_sepa_debits_later()
    delivery.install()
    resources.store.clear()

    app = localstripe_server.app
    index = list(app.middlewares).index(localstripe_server.auth_middleware)
    app.middlewares[index] = auth_except_hosted_pages
    app.middlewares.append(idempotency_middleware)
    checkout.add_routes(app)
    app.router.add_get("/_config/health", health)
    app.router.add_post("/_config/reset", reset)
    _app = app
    return app
