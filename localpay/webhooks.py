"""Webhook delivery for localpay: localstripe's, signed the same way, that also reaches `*.localhost` hosts.

Adhera serves each organisation on its own host (alpha.localhost:8000 in development) and routes
by the Host header, so its webhook endpoints have such names. Browsers resolve `*.localhost` to the
loopback address themselves (RFC 6761) but the system resolver often does not; deliveries here do.
Every event still goes through localstripe's `schedule_webhook(Event(...))`: only the sending
function is replaced.
"""

import asyncio
import hashlib
import hmac
import json
import logging
import socket

import aiohttp
from aiohttp.abc import AbstractResolver
from localstripe import webhooks as localstripe_webhooks

# localstripe waits a second before sending, so that the request that caused the event has answered.
DELIVERY_DELAY_SECONDS = 1
DELIVERY_TIMEOUT_SECONDS = 30

logger = logging.getLogger("aiohttp.access")


class LoopbackForLocalhostNames(AbstractResolver):
    """Resolves `localhost` and `*.localhost` to 127.0.0.1; other names as usual."""

    def __init__(self):
        self._default = aiohttp.DefaultResolver()

    async def resolve(self, host, port=0, family=socket.AF_INET):
        name = host.rstrip(".").lower()
        if name == "localhost" or name.endswith(".localhost"):
            return [
                {
                    "hostname": host,
                    "host": "127.0.0.1",
                    "port": port,
                    "family": socket.AF_INET,
                    "proto": 0,
                    "flags": socket.AI_NUMERICHOST,
                }
            ]
        return await self._default.resolve(host, port, family)

    async def close(self):
        await self._default.close()


def signature_header(payload: bytes, created: int, secret: str) -> str:
    """Stripe's `Stripe-Signature`: t=<timestamp>,v1=<HMAC-SHA256 of "<timestamp>.<payload>">."""
    signature = hmac.new(secret.encode("utf-8"), b"%d.%s" % (created, payload), hashlib.sha256).hexdigest()
    return f"t={created},v1={signature}"


async def send_webhook(event):
    """POSTs `event` to every registered endpoint that wants its type (no retry, as localstripe)."""
    payload = json.dumps(event._export(), indent=2, sort_keys=True).encode("utf-8")
    await asyncio.sleep(DELIVERY_DELAY_SECONDS)
    timeout = aiohttp.ClientTimeout(total=DELIVERY_TIMEOUT_SECONDS)
    connector = aiohttp.TCPConnector(resolver=LoopbackForLocalhostNames())
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        for name, webhook in list(localstripe_webhooks._webhooks.items()):
            if webhook.events is not None and event.type not in webhook.events:
                continue
            headers = {
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": signature_header(payload, event.created, webhook.secret),
            }
            try:
                async with session.post(webhook.url, data=payload, headers=headers) as response:
                    logger.info('webhook "%s" %s to "%s": %d', event.type, event.id, name, response.status)
            except (aiohttp.ClientError, TimeoutError) as error:
                logger.info('webhook "%s" %s to "%s" failed: %s', event.type, event.id, name, error)


def install():
    """Makes localstripe's `schedule_webhook` send through `send_webhook`."""
    localstripe_webhooks._send_webhook = send_webhook
