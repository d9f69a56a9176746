"""Signed-in sessions of a person: recorded at login, listed on "Mon compte", ended on demand.

Sessions live in the schema's database table (django.contrib.sessions.backends.db); ending one is
deleting its row, so the cookie stops working at the next request.
"""

import hashlib

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from core.audit.services import audit_record

from .links import links_end
from .models import LinkPurpose, UserSession
from .throttling import client_ip

# "Last seen" is refreshed at most this often (one UPDATE per session per period, no more).
ACTIVITY_PERIOD_SECONDS = 300


def activity_marker(session_key: str) -> str:
    return "accounts:seen:" + hashlib.sha256(session_key.encode()).hexdigest()[:32]


@receiver(user_logged_in, dispatch_uid="accounts.session_record")
def session_record(sender, request, user, **kwargs) -> None:
    """Note the new session (Django gave it a new key at login) and end pending reset links:
    the person knows their password, an old link lying in a mailbox should not outlive that."""
    session = getattr(request, "session", None)
    if session is None:
        return
    if session.session_key is None:
        session.save()
    meta = getattr(request, "META", {})
    UserSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "user_agent": meta.get("HTTP_USER_AGENT", "")[:255],
            "ip_address": client_ip(request) if "REMOTE_ADDR" in meta else None,
            "last_seen_at": timezone.now(),
        },
    )
    links_end(user=user, purposes=[LinkPurpose.PASSWORD_RESET])
    try:
        cache.set(activity_marker(session.session_key), 1, ACTIVITY_PERIOD_SECONDS)
    except Exception:  # noqa: BLE001 - only "last seen" precision is lost without the cache
        pass


@receiver(user_logged_out, dispatch_uid="accounts.session_forget")
def session_forget(sender, request, user, **kwargs) -> None:
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        UserSession.objects.filter(session_key=session.session_key).delete()


def session_seen(session_key: str) -> None:
    """Refresh a session's "last seen" (at most once per period, through a cache marker)."""
    try:
        if not cache.add(activity_marker(session_key), 1, ACTIVITY_PERIOD_SECONDS):
            return
    except Exception:  # noqa: BLE001 - without the cache, "last seen" simply stays older
        return
    UserSession.objects.filter(session_key=session_key).update(last_seen_at=timezone.now())


def user_sessions_live(*, user):
    """The person's sessions that still work, most recently seen first."""
    live_keys = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(user=user, session_key__in=live_keys)


def user_sessions_end(*, actor, user, keep_session_key: str | None = None) -> int:
    """End every session of `user` except `keep_session_key`; returns how many ended."""
    with transaction.atomic():
        ended = UserSession.objects.filter(user=user)
        if keep_session_key:
            ended = ended.exclude(session_key=keep_session_key)
        keys = list(ended.values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        ended.delete()
        audit_record(actor=actor, action="user.sessions_end", target=user, after={"ended": len(keys)})
    return len(keys)


def session_key_moved(*, old_key: str | None, new_key: str | None) -> None:
    """Follow the session when Django gives it a new key (update_session_auth_hash cycles it)."""
    if old_key and new_key and old_key != new_key:
        UserSession.objects.filter(session_key=old_key).update(session_key=new_key)
