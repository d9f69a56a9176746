"""Checkout Sessions for localpay: the API object, its /v1 routes and the hosted payment page.

A session is a localstripe `StripeObject`, so it lives in localstripe's store, expands like its
objects and travels in its signed webhook events. Paying on the hosted page creates a real
localstripe PaymentMethod and PaymentIntent (confirmed at creation), so the PaymentIntent events
(`payment_intent.succeeded`, `payment_intent.payment_failed`) are localstripe's own.
"""

import asyncio
import re
import time
from urllib.parse import urlsplit

from aiohttp import web
from localstripe.errors import UserError
from localstripe.resources import Event, PaymentIntent, PaymentMethod, StripeObject, random_id, store
from localstripe.server import get_post_data, json_response, unflatten_data
from localstripe.webhooks import schedule_webhook

from localpay import page

PAYMENT_METHOD_TYPES = ("card", "sepa_debit")
SESSION_ID_PREFIX = "cs_test_"
# Stripe's session ids are 66 characters long; ours too, so that a column too short fails here first.
SESSION_ID_RANDOM_LENGTH = 58
# Stripe accepts `expires_at` between 30 minutes and 24 hours after creation; a minute of slack
# absorbs the clock and the trip between the caller computing "now + 30 min" and this server.
EXPIRY_MIN_SECONDS = 30 * 60
EXPIRY_MAX_SECONDS = 24 * 60 * 60
EXPIRY_SLACK_SECONDS = 60
# Stripe's minimum charge amounts, in the currency's smallest unit.
MINIMUM_AMOUNTS = {"eur": 50, "usd": 50, "chf": 50, "gbp": 30}
METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500
PAYMENT_INTENT_CANCELABLE = ("requires_payment_method", "requires_confirmation", "requires_action", "requires_capture")

_SESSION_PARAMS = {
    "mode",
    "line_items",
    "payment_method_types",
    "success_url",
    "cancel_url",
    "client_reference_id",
    "customer_email",
    "metadata",
    "payment_intent_data",
    "expires_at",
    "locale",
    "submit_type",
    "ui_mode",
}
_LOCALES = {"auto", "fr", "en", "de", "es", "it", "nl", "pt"}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def invalid(message, param=None, code="parameter_invalid", status=400):
    """A Stripe-shaped `invalid_request_error` (the stripe client raises InvalidRequestError on it)."""
    contents = {"code": code}
    if param is not None:
        contents["param"] = param
    return UserError(status, message, contents)


# --- Parameter checks, in Stripe's words -------------------------------------------------------


def _unknown(params, allowed, prefix=""):
    for name in params:
        if name not in allowed:
            full = f"{prefix}[{name}]" if prefix else name
            raise invalid(f"Received unknown parameter: {full}", full, "parameter_unknown")


def _required(params, name, param):
    value = params.get(name)
    if value is None or value == "":
        raise invalid(f"Missing required param: {param}.", param, "parameter_missing")
    return value


def _integer(value, param, minimum=None, maximum=None):
    if isinstance(value, bool) or not (isinstance(value, int) or re.fullmatch(r"-?\d+", str(value))):
        raise invalid(f"Invalid integer: {value}", param, "parameter_invalid_integer")
    number = int(value)
    if minimum is not None and number < minimum:
        raise invalid(f"Invalid {param}: must be greater than or equal to {minimum}", param)
    if maximum is not None and number > maximum:
        raise invalid(f"Invalid {param}: must be less than or equal to {maximum}", param)
    return number


def _string(value, param, max_length=5000):
    if not isinstance(value, str):
        raise invalid(f"Invalid string: {value!r}", param, "parameter_invalid_string")
    if len(value) > max_length:
        raise invalid(f"Invalid {param}: must be at most {max_length} characters", param)
    return value


def _url(value, param):
    value = _string(value, param)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid("Not a valid URL", param, "url_invalid")
    return value


def _metadata(value, param):
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise invalid(f"Invalid object: {param} must be a hash of keys and values", param)
    if len(value) > METADATA_MAX_KEYS:
        raise invalid(f"Invalid {param}: metadata can have up to {METADATA_MAX_KEYS} keys", param)
    metadata = {}
    for key, item in value.items():
        if len(key) > METADATA_MAX_KEY_LENGTH:
            raise invalid(f"Metadata keys can have up to {METADATA_MAX_KEY_LENGTH} characters", f"{param}[{key}]")
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            raise invalid("Metadata values must be strings", f"{param}[{key}]")
        item = str(item)
        if len(item) > METADATA_MAX_VALUE_LENGTH:
            raise invalid(f"Metadata values can have up to {METADATA_MAX_VALUE_LENGTH} characters", f"{param}[{key}]")
        metadata[key] = item
    return metadata


def _line_item(item, index):
    param = f"line_items[{index}]"
    if not isinstance(item, dict):
        raise invalid(f"Invalid object: {param}", param)
    _unknown(item, {"price", "price_data", "quantity"}, param)
    if "price" in item:
        raise invalid(
            f"No such price: '{item['price']}' (localpay only knows price_data)", f"{param}[price]", "resource_missing"
        )
    price_data = item.get("price_data")
    if not isinstance(price_data, dict):
        raise invalid(f"Missing required param: {param}[price_data].", f"{param}[price_data]", "parameter_missing")
    _unknown(price_data, {"currency", "unit_amount", "product_data"}, f"{param}[price_data]")
    currency = _string(_required(price_data, "currency", f"{param}[price_data][currency]"), "currency").lower()
    if not re.fullmatch(r"[a-z]{3}", currency):
        raise invalid(f"Invalid currency: {currency}", f"{param}[price_data][currency]")
    unit_amount = _integer(
        _required(price_data, "unit_amount", f"{param}[price_data][unit_amount]"),
        f"{param}[price_data][unit_amount]",
        minimum=0,
        maximum=99_999_999,
    )
    product_data = price_data.get("product_data")
    if not isinstance(product_data, dict):
        raise invalid(
            f"Missing required param: {param}[price_data][product_data].",
            f"{param}[price_data][product_data]",
            "parameter_missing",
        )
    _unknown(product_data, {"name", "description", "metadata"}, f"{param}[price_data][product_data]")
    name = _string(
        _required(product_data, "name", f"{param}[price_data][product_data][name]"),
        f"{param}[price_data][product_data][name]",
        max_length=250,
    )
    quantity = _integer(
        _required(item, "quantity", f"{param}[quantity]"), f"{param}[quantity]", minimum=1, maximum=999_999
    )
    return {
        "id": "li_" + random_id(24),
        "object": "item",
        "amount_discount": 0,
        "amount_subtotal": unit_amount * quantity,
        "amount_tax": 0,
        "amount_total": unit_amount * quantity,
        "currency": currency,
        "description": name,
        "price": {
            "id": "price_" + random_id(24),
            "object": "price",
            "active": False,
            "currency": currency,
            "product": "prod_" + random_id(14),
            "type": "one_time",
            "unit_amount": unit_amount,
        },
        "quantity": quantity,
    }


def session_params(data):
    """Checks POST /v1/checkout/sessions parameters as Stripe does; returns the session's fields."""
    _unknown(data, _SESSION_PARAMS)
    mode = _required(data, "mode", "mode")
    if mode in ("setup", "subscription"):
        raise invalid(f"localpay only supports mode=payment, not {mode}", "mode")
    if mode != "payment":
        raise invalid("Invalid mode: must be one of payment, setup, or subscription", "mode")
    if data.get("ui_mode", "hosted") != "hosted":
        raise invalid("localpay only supports ui_mode=hosted", "ui_mode")

    raw_items = data.get("line_items")
    if not raw_items:
        raise invalid("You must specify `line_items` when `mode` is `payment`.", "line_items", "parameter_missing")
    if not isinstance(raw_items, list):
        raise invalid("Invalid array", "line_items")
    line_items = [_line_item(item, index) for index, item in enumerate(raw_items)]
    currency = line_items[0]["currency"]
    for index, item in enumerate(line_items):
        if item["currency"] != currency:
            raise invalid("All line items must have the same currency.", f"line_items[{index}][price_data][currency]")
    amount_total = sum(item["amount_total"] for item in line_items)
    minimum = MINIMUM_AMOUNTS.get(currency)
    if minimum is not None and amount_total < minimum:
        raise invalid(
            f"The Checkout Session's total amount due must add up to at least {page.amount_text(minimum, currency)}",
            "line_items",
            "amount_too_small",
        )

    methods = data.get("payment_method_types", ["card"])
    if isinstance(methods, str) or not isinstance(methods, list) or not methods:
        raise invalid("Invalid array", "payment_method_types")
    for index, method in enumerate(methods):
        if method not in PAYMENT_METHOD_TYPES:
            raise invalid(
                f"Invalid payment_method_types[{index}]: must be one of {', '.join(PAYMENT_METHOD_TYPES)}",
                f"payment_method_types[{index}]",
            )
    if "sepa_debit" in methods and currency != "eur":
        raise invalid(
            f"The payment method type `sepa_debit` does not support the currency `{currency}`.",
            "payment_method_types",
        )

    success_url = _url(_required(data, "success_url", "success_url"), "success_url")
    cancel_url = _url(data["cancel_url"], "cancel_url") if data.get("cancel_url") else None
    client_reference_id = data.get("client_reference_id") or None
    if client_reference_id is not None:
        _string(client_reference_id, "client_reference_id", max_length=200)
    customer_email = data.get("customer_email") or None
    if customer_email is not None and not _EMAIL.match(_string(customer_email, "customer_email", 800)):
        raise invalid(f"Invalid email address: {customer_email}", "customer_email", "email_invalid")

    intent_data = data.get("payment_intent_data") or {}
    if not isinstance(intent_data, dict):
        raise invalid("Invalid object", "payment_intent_data")
    _unknown(intent_data, {"metadata", "description"}, "payment_intent_data")
    description = intent_data.get("description")
    if description is not None:
        _string(description, "payment_intent_data[description]", max_length=1000)

    now = int(time.time())
    if data.get("expires_at") not in (None, ""):
        expires_at = _integer(data["expires_at"], "expires_at")
        if expires_at < now + EXPIRY_MIN_SECONDS - EXPIRY_SLACK_SECONDS:
            raise invalid(
                "The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.", "expires_at"
            )
        if expires_at > now + EXPIRY_MAX_SECONDS + EXPIRY_SLACK_SECONDS:
            raise invalid(
                "The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.", "expires_at"
            )
    else:
        expires_at = now + EXPIRY_MAX_SECONDS

    locale = data.get("locale") or None
    if locale is not None and locale not in _LOCALES:
        raise invalid(f"Invalid locale: must be one of {', '.join(sorted(_LOCALES))}", "locale")
    submit_type = data.get("submit_type") or None
    if submit_type is not None and submit_type not in ("auto", "book", "donate", "pay"):
        raise invalid("Invalid submit_type: must be one of auto, book, donate, or pay", "submit_type")

    return {
        "line_items": line_items,
        "currency": currency,
        "amount_total": amount_total,
        "payment_method_types": list(dict.fromkeys(methods)),
        "success_url": success_url,
        "cancel_url": cancel_url,
        "client_reference_id": client_reference_id,
        "customer_email": customer_email,
        "metadata": _metadata(data.get("metadata"), "metadata"),
        "payment_intent_data": {
            "metadata": _metadata(intent_data.get("metadata"), "payment_intent_data[metadata]"),
            "description": description,
        },
        "expires_at": expires_at,
        "locale": locale,
        "submit_type": submit_type,
    }


# --- Objects ---------------------------------------------------------------------------------


class CheckoutPaymentIntent(PaymentIntent):
    """The PaymentIntent a session creates; it tells its session when a SEPA debit settles."""

    def __init__(self, *, checkout_session, payment_method_types, description=None, **kwargs):
        super().__init__(**kwargs)
        self.payment_method_types = payment_method_types
        self.description = description
        self._checkout_session = checkout_session

    def _session(self):
        return store.get(CheckoutSession.object + ":" + self._checkout_session)

    def _on_success(self):
        super()._on_success()
        session = self._session()
        if session is not None:
            session._on_async_payment(succeeded=True)

    def _report_async_failure(self):
        super()._report_async_failure()
        session = self._session()
        if session is not None:
            session._on_async_payment(succeeded=False)


class PaymentRefused(Exception):
    """The customer's payment was refused; the message is shown on the hosted page."""

    def __init__(self, message, field=None, status=402):
        super().__init__(message)
        self.message, self.field, self.status = message, field, status


class CheckoutSession(StripeObject):
    """A Checkout Session in mode=payment, paid on localpay's hosted page."""

    object = "checkout.session"
    _id_prefix = SESSION_ID_PREFIX

    def __init__(self, *, base_url, line_items, payment_intent_data, **fields):
        super().__init__(id=SESSION_ID_PREFIX + random_id(SESSION_ID_RANDOM_LENGTH))
        self._base_url = base_url
        self._line_items = line_items
        self._payment_intent_data = payment_intent_data
        self.amount_subtotal = fields["amount_total"]
        self.amount_total = fields["amount_total"]
        self.automatic_tax = {"enabled": False, "liability": None, "status": None}
        self.cancel_url = fields["cancel_url"]
        self.client_reference_id = fields["client_reference_id"]
        self.currency = fields["currency"]
        self.customer = None
        self.customer_details = None
        self.customer_email = fields["customer_email"]
        self.expires_at = fields["expires_at"]
        self.invoice = None
        self.locale = fields["locale"]
        self.metadata = fields["metadata"]
        self.mode = "payment"
        self.payment_intent = None
        self.payment_method_types = fields["payment_method_types"]
        self.payment_status = "unpaid"
        self.status = "open"
        self.submit_type = fields["submit_type"]
        self.success_url = fields["success_url"]
        self.total_details = {"amount_discount": 0, "amount_shipping": 0, "amount_tax": 0}
        self.ui_mode = "hosted"
        # Stripe sends `checkout.session.expired` on time, whether anyone looks at the session or not.
        loop = asyncio.get_running_loop()
        loop.call_later(max(0.0, self.expires_at - time.time()), self._expire_if_due)

    @property
    def url(self):
        """The hosted page, while the session can still be paid (Stripe gives null afterwards)."""
        if self.status != "open":
            return None
        return f"{self._base_url}/checkout/{self.id}"

    @classmethod
    def _api_retrieve(cls, id):
        session = store.get(cls.object + ":" + id)
        if session is None:
            raise invalid(f"No such checkout.session: '{id}'", "session", "resource_missing", status=404)
        session._expire_if_due()
        return session

    @classmethod
    def _api_list_all(cls, url, limit=None, starting_after=None, payment_intent=None, status=None, **kwargs):
        li = super()._api_list_all(url, limit=limit, starting_after=starting_after, **kwargs)
        for session in li._list:
            session._expire_if_due()
        if payment_intent is not None:
            li._list = [s for s in li._list if s.payment_intent == payment_intent]
        if status is not None:
            li._list = [s for s in li._list if s.status == status]
        return li

    def _line_items_export(self):
        return {
            "object": "list",
            "data": [dict(item) for item in self._line_items],
            "has_more": False,
            "url": f"/v1/checkout/sessions/{self.id}/line_items",
        }

    def _payment_intent_object(self):
        return PaymentIntent._api_retrieve(self.payment_intent) if self.payment_intent else None

    def _success_redirect(self):
        return self.success_url.replace("{CHECKOUT_SESSION_ID}", self.id)

    def _is_current(self):
        return store.get(self.object + ":" + self.id) is self

    def _expire_if_due(self):
        if self.status == "open" and time.time() >= self.expires_at and self._is_current():
            self._expire()

    def _expire(self):
        if self.status != "open":
            raise invalid(
                f'Only Checkout Sessions with a status in ["open"] can be expired. '
                f"This Checkout Session has a status of {self.status}.",
                code="checkout_session_expired" if self.status == "expired" else "parameter_invalid",
            )
        self.status = "expired"
        intent = self._payment_intent_object()
        if intent is not None and intent.status in PAYMENT_INTENT_CANCELABLE:
            intent._canceled = True
            intent.next_action = None
        schedule_webhook(Event("checkout.session.expired", self))

    def _pay(self, payment_method, billing_name):
        """Confirms the session's PaymentIntent with `payment_method`; completes the session if it went through."""
        if self.status != "open":
            raise PaymentRefused(page.CLOSED_MESSAGES[self.status], status=409)
        intent = self._payment_intent_object()
        if intent is None:
            intent = CheckoutPaymentIntent(
                checkout_session=self.id,
                payment_method_types=list(self.payment_method_types),
                description=self._payment_intent_data["description"],
                amount=self.amount_total,
                currency=self.currency,
                payment_method=payment_method.id,
                metadata=dict(self._payment_intent_data["metadata"]),
            )
            self.payment_intent = intent.id
        else:
            # Stripe keeps one PaymentIntent per session: a new attempt confirms it with the new method.
            intent.payment_method = payment_method.id
            intent.latest_charge = None
            intent.next_action = None
        try:
            intent._confirm(on_failure_now=intent._report_failure)
            if intent.status == "requires_action":
                # 3-D Secure: the hosted page stands for the customer's successful authentication.
                intent.next_action = None
                intent._create_charge(on_failure_now=intent._report_failure)
        except UserError as error:
            field = "card_number" if payment_method.type == "card" else None
            raise PaymentRefused(page.decline_message(error.body["error"]), field=field) from error
        if intent.status not in ("succeeded", "processing"):
            raise PaymentRefused(page.decline_message(intent.last_payment_error or {}))
        self.status = "complete"
        self.payment_status = "paid" if intent.status == "succeeded" else "unpaid"
        self.customer_details = {
            "email": self.customer_email,
            "name": billing_name or None,
            "phone": None,
            "address": None,
            "tax_exempt": "none",
            "tax_ids": [],
        }
        schedule_webhook(Event("checkout.session.completed", self))

    def _on_async_payment(self, *, succeeded):
        """A delayed (SEPA) payment settled or failed after the session was completed."""
        if self.status != "complete" or self.payment_status != "unpaid":
            return
        if succeeded:
            self.payment_status = "paid"
            schedule_webhook(Event("checkout.session.async_payment_succeeded", self))
        else:
            schedule_webhook(Event("checkout.session.async_payment_failed", self))


# --- /v1 routes ------------------------------------------------------------------------------


def _base_url(request):
    return f"{request.scheme}://{request.host}"


def _expand(data):
    expand = data.pop("expand", None)
    if expand is not None and not isinstance(expand, list):
        raise invalid("Invalid array", "expand")
    return expand or []


def _export(session, expand):
    """The session as JSON; `line_items` only when expanded, as Stripe does."""
    expand = list(expand)
    with_items = "line_items" in expand
    if with_items:
        expand.remove("line_items")
    body = session._export(expand=expand)
    if with_items:
        body["line_items"] = session._line_items_export()
    return body


async def api_session_create(request):
    data = dict(await get_post_data(request) or {})
    expand = _expand(data)
    params = session_params(data)
    session = CheckoutSession(base_url=_base_url(request), **params)
    return json_response(_export(session, expand))


def api_session_retrieve(request):
    data = unflatten_data(request.query)
    expand = _expand(data)
    return json_response(_export(CheckoutSession._api_retrieve(request.match_info["id"]), expand))


async def api_session_update(request):
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    data = dict(await get_post_data(request) or {})
    expand = _expand(data)
    _unknown(data, {"metadata"})
    if "metadata" in data:
        if data["metadata"] == "":
            session.metadata = {}
        else:
            session.metadata = {**session.metadata, **_metadata(data["metadata"], "metadata")}
    return json_response(_export(session, expand))


async def api_session_expire(request):
    session = CheckoutSession._api_retrieve(request.match_info["id"])
    data = dict(await get_post_data(request) or {})
    expand = _expand(data)
    _unknown(data, set())
    session._expire()
    return json_response(_export(session, expand))


def api_session_list(request):
    data = unflatten_data(request.query)
    expand = _expand(data)
    _unknown(data, {"limit", "starting_after", "payment_intent", "status"})
    listing = CheckoutSession._api_list_all("/v1/checkout/sessions", **data)
    return json_response(listing._export(expand=expand))


def api_session_line_items(request):
    return json_response(CheckoutSession._api_retrieve(request.match_info["id"])._line_items_export())


# --- Hosted page -----------------------------------------------------------------------------


def _session_or_404(request):
    session = store.get(CheckoutSession.object + ":" + request.match_info["id"])
    if session is None:
        raise web.HTTPNotFound(text=page.not_found(), content_type="text/html", headers=page.HEADERS)
    session._expire_if_due()
    return session


def hosted_page(request):
    session = _session_or_404(request)
    status = 410 if session.status == "expired" else 200
    return page.response(page.session_page(session), status=status)


def _payment_method(method, form, billing_details):
    """A localstripe PaymentMethod from the hosted page's fields; PaymentRefused when a field is wrong."""
    if method == "card":
        number = re.sub(r"[\s-]", "", form.get("card_number", ""))
        if not re.fullmatch(r"\d{16}", number) or not page.luhn_valid(number):
            raise PaymentRefused("Le numéro de carte est incorrect.", field="card_number", status=400)
        expiry = re.fullmatch(r"\s*(\d{1,2})\s*/\s*(\d{2}|\d{4})\s*", form.get("card_expiry", ""))
        if not expiry or not 1 <= int(expiry[1]) <= 12:
            raise PaymentRefused("La date d'expiration est incorrecte.", field="card_expiry", status=400)
        month, year = int(expiry[1]), int(expiry[2]) % 100 + 2000
        today = time.gmtime()
        if (year, month) < (today.tm_year, today.tm_mon):
            raise PaymentRefused("La date d'expiration de la carte est dépassée.", field="card_expiry", status=400)
        cvc = form.get("card_cvc", "").strip()
        if not re.fullmatch(r"\d{3}", cvc):
            raise PaymentRefused("Le cryptogramme est incorrect.", field="card_cvc", status=400)
        card = {"number": number, "exp_month": month, "exp_year": year, "cvc": cvc}
        return PaymentMethod(type="card", card=card, billing_details=billing_details)
    iban = re.sub(r"\s", "", form.get("iban", "")).upper()
    if not page.iban_valid(iban):
        raise PaymentRefused("L'IBAN est incorrect.", field="iban", status=400)
    if not billing_details.get("name"):
        raise PaymentRefused("Indiquez le titulaire du compte.", field="account_holder", status=400)
    return PaymentMethod(type="sepa_debit", sepa_debit={"iban": iban}, billing_details=billing_details)


async def hosted_pay(request):
    session = _session_or_404(request)
    form = await request.post()
    method = form.get("payment_method_type", "")
    values = {key: form.get(key, "") for key in (*page.FIELDS, "payment_method_type")}
    try:
        if session.status != "open":
            raise PaymentRefused(page.CLOSED_MESSAGES[session.status], status=409)
        if method not in session.payment_method_types:
            raise PaymentRefused("Choisissez un moyen de paiement.", field="payment_method_type", status=400)
        name = form.get("account_holder", "").strip() if method == "sepa_debit" else ""
        billing_details = {"email": session.customer_email, "name": name or None}
        payment_method = _payment_method(method, form, billing_details)
        session._pay(payment_method, name)
    except PaymentRefused as refusal:
        html = page.session_page(session, error=refusal.message, error_field=refusal.field, values=values)
        return page.response(html, status=refusal.status)
    raise web.HTTPSeeOther(session._success_redirect())


async def hosted_cancel(request):
    session = _session_or_404(request)
    if session.status == "open" and session.cancel_url:
        raise web.HTTPSeeOther(session.cancel_url)
    raise web.HTTPSeeOther(f"/checkout/{session.id}")


def stylesheet(request):
    return web.Response(text=page.STYLESHEET, content_type="text/css", headers={"Cache-Control": "max-age=3600"})


def add_routes(app):
    """Mounts the Checkout Session API and the hosted page on localstripe's app."""
    app.router.add_post("/v1/checkout/sessions", api_session_create)
    app.router.add_get("/v1/checkout/sessions", api_session_list)
    app.router.add_get("/v1/checkout/sessions/{id}", api_session_retrieve)
    app.router.add_post("/v1/checkout/sessions/{id}", api_session_update)
    app.router.add_post("/v1/checkout/sessions/{id}/expire", api_session_expire)
    app.router.add_get("/v1/checkout/sessions/{id}/line_items", api_session_line_items)
    app.router.add_get(page.STYLESHEET_PATH, stylesheet)
    app.router.add_get("/checkout/{id}", hosted_page)
    app.router.add_post("/checkout/{id}/pay", hosted_pay)
    app.router.add_post("/checkout/{id}/cancel", hosted_cancel)
