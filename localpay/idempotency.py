"""Stripe's idempotent requests for localpay: the `Idempotency-Key` header on POST /v1/*.

As Stripe does: the first response to a key is kept (per API key) and replayed to any later
request with the same key, endpoint and parameters, with `Idempotent-Replayed: true`; the same key
on another endpoint or with other parameters is refused with a 400 `idempotency_error`; a request
that failed parameter validation (400) or authentication is not kept, so it can be retried.
"""

import json
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qsl

from aiohttp import web
from localstripe.errors import UserError
from localstripe.server import get_api_key, json_response

# Stripe keeps keys 24 hours; a test or `make run` server never needs that many.
MAX_KEPT = 10_000
_NOT_KEPT = {400, 401, 404, 409, 429}


@dataclass(frozen=True)
class KeptResponse:
    path: str
    params: str
    status: int
    body: bytes
    content_type: str


_kept: "OrderedDict[tuple[str, str], KeptResponse]" = OrderedDict()
_running: set[tuple[str, str]] = set()


def forget_all():
    """Drops every kept response (the server's reset)."""
    _kept.clear()


async def _params_of(request):
    """The request's parameters in a canonical form, whatever order the client sent them in."""
    body = await request.read()
    if request.content_type == "application/json":
        try:
            return json.dumps(json.loads(body or b"null"), sort_keys=True)
        except json.JSONDecodeError:
            return body.decode("utf-8", "replace")
    return json.dumps(sorted(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)))


def _error(message, status=400):
    return json_response({"error": {"type": "idempotency_error", "message": message}}, status=status)


@web.middleware
async def idempotency_middleware(request, handler):
    key = request.headers.get("Idempotency-Key")
    if request.method != "POST" or not key or not request.path.startswith("/v1/"):
        return await handler(request)

    scope = (get_api_key(request) or "", key)
    params = await _params_of(request)
    kept = _kept.get(scope)
    if kept is not None:
        if kept.path != request.path:
            return _error(
                "Keys for idempotent requests can only be used for the same endpoint they were first used for "
                f"('{request.path}' vs '{kept.path}'). Try using a key other than '{key}' if you meant to execute "
                "a different request."
            )
        if kept.params != params:
            return _error(
                "Keys for idempotent requests can only be used with the same parameters they were first used "
                f"with. Try using a key other than '{key}' if you meant to execute a different request."
            )
        return web.Response(
            body=kept.body,
            status=kept.status,
            content_type=kept.content_type,
            headers={"Idempotency-Key": key, "Idempotent-Replayed": "true"},
        )
    if scope in _running:
        return _error(
            "There is currently another in-progress request using this Stripe-Idempotency-Key (that probably "
            "means you submitted twice, and that's fine). Please try again later.",
            status=409,
        )

    _running.add(scope)
    try:
        try:
            response = await handler(request)
        except UserError as error:
            response = error.to_response()
    finally:
        _running.discard(scope)
    if response.status not in _NOT_KEPT and response.status < 500 and isinstance(response.body, bytes):
        _kept[scope] = KeptResponse(request.path, params, response.status, response.body, response.content_type)
        while len(_kept) > MAX_KEPT:
            _kept.popitem(last=False)
    response.headers["Idempotency-Key"] = key
    return response
