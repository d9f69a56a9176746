"""Limits on guessing and on e-mail sending: the client's address, axes' hooks, cache counters.

Failed logins (password and e-mail code) are counted by django-axes in each schema; requests that
send an e-mail (reset link, code, first-connection link) and the strength meter are counted here,
in the cache, whose keys already carry the schema (django_tenants.cache.make_key).
"""

import hashlib
import logging
from dataclasses import dataclass

from axes.signals import user_locked_out
from django.conf import settings
from django.core.cache import cache
from django.dispatch import receiver
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy

logger = logging.getLogger(__name__)

LOCKED_OUT = gettext_lazy(
    "Trop de tentatives de connexion ont échoué. Par sécurité, la connexion est bloquée pendant "
    "15 minutes. Réessayez plus tard."
)
TOO_MANY_REQUESTS = gettext_lazy("Trop de demandes en peu de temps. Réessayez dans quelques minutes.")


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front of the
    application, each appending the address it saw to X-Forwarded-For. Entries left of those the
    proxies wrote are the client's own words and are never used."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def attempt_username(request, credentials) -> str | None:
    """The account an attempt aims at, lower-cased, whichever login form sent it."""
    credentials = credentials or {}
    value = credentials.get("email") or credentials.get("username")
    if value is None and request is not None:
        value = request.POST.get("username") or request.POST.get("email")
    return value.strip().lower() if isinstance(value, str) else None


def lockout_response(request, original_response=None, credentials=None):
    """Axes' answer to a locked-out attempt: the page that was rendered (which already shows the
    French lockout message, see forms) with status 429, or a small page if there was none."""
    if original_response is not None and original_response.status_code == 200:
        original_response.status_code = 429
        return original_response
    response = TemplateResponse(request, "accounts/locked_out.html", {"message": LOCKED_OUT}, status=429)
    return response.render()


@receiver(user_locked_out, dispatch_uid="accounts.lockout_record")
def lockout_record(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    """Write each refused attempt of a locked account or address to the journal (ASVS 2.2: lockouts
    are logged), where the organisation's administrators can see them."""
    from core.audit.services import audit_record

    audit_record(
        actor=None,
        action="login.locked_out",
        after={
            "username": (username or "")[:254],
            "ip_address": ip_address or "",
            "path": request.path if request else "",
        },
    )


def is_locked_out(request) -> bool:
    """Whether axes refused or locked the attempt made during this request."""
    return bool(getattr(request, "axes_locked_out", False))


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `seconds` for one key of one scope."""

    scope: str
    count: int
    seconds: int


# E-mail sending: per address (bombing one mailbox) and per client (spraying many).
SEND_PER_ADDRESS = Limit("send-address", 3, 15 * 60)
SEND_PER_CLIENT = Limit("send-client", 10, 15 * 60)
# The strength meter: a request per pause in typing, a generous cap per client.
METER_PER_CLIENT = Limit("meter-client", 120, 60)


def _key(limit: Limit, value: str) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]  # no address or IP in clear in the cache
    return f"accounts:throttle:{limit.scope}:{digest}"


def throttle_hit(limit: Limit, value: str | None, *, fail_open: bool = False) -> bool:
    """Count one hit; False when the limit is passed. If the cache is down, `fail_open` says
    whether to let the request through (strength meter) or refuse it (anything that sends mail)."""
    key = _key(limit, value or "-")
    try:
        if cache.add(key, 1, timeout=limit.seconds):
            return True
        return cache.incr(key) <= limit.count
    except ValueError:  # the entry expired between add and incr
        cache.add(key, 1, timeout=limit.seconds)
        return True
    except Exception:  # noqa: BLE001 - any cache failure: decide by policy, never a 500
        logger.warning("Throttle cache unavailable for %s", limit.scope, exc_info=True)
        return fail_open


def throttle_sending(request, email: str) -> bool:
    """Count a request that may send an e-mail to `email`; False when it must be refused."""
    by_client = throttle_hit(SEND_PER_CLIENT, client_ip(request))
    by_address = throttle_hit(SEND_PER_ADDRESS, email.strip().lower())
    return by_client and by_address
