"""Helpers for the login tests: the organisation's policy, its outbox, fresh throttle counters."""

import re

import pytest
from django.core.cache import cache
from django_tenants.utils import tenant_context

from core.mail.models import OutgoingEmail
from tenants.models import Organisation


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in Redis, outside the test transaction: start each test with none
    (only this run's keys, found by their prefix; never cache.clear())."""

    def wipe():
        client = cache._cache.get_client(write=True)
        for key in client.scan_iter(match=f"*{cache.key_prefix}*accounts:throttle:*"):
            client.delete(key)

    wipe()
    yield
    wipe()


def policy(organisation: Organisation, *methods: str) -> None:
    """Give the organisation these login methods (rolled back with the test)."""
    Organisation.objects.filter(pk=organisation.pk).update(login_methods=list(methods))


def outbox(organisation: Organisation, to: str | None = None) -> list[OutgoingEmail]:
    """E-mails queued in the organisation's outbox during the test, oldest first."""
    with tenant_context(organisation):
        emails = OutgoingEmail.objects.order_by("created_at", "id")
        if to is not None:
            emails = emails.filter(to=to)
        return list(emails)


def link_in(email: OutgoingEmail, prefix: str) -> str:
    """The path of the link under `prefix` (e.g. "/compte/reinitialisation/") in an e-mail."""
    return re.search(rf"https?://[^/\s]+({re.escape(prefix)}[^/\s]+/)", email.body).group(1)


def code_in(email: OutgoingEmail) -> str:
    return re.search(r"^\s+(\d{6})\s*$", email.body, re.MULTILINE).group(1)


def without_csrf(body: bytes) -> str:
    """Page text with the per-render CSRF tokens removed, to compare two answers."""
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
