"""Single-use e-mailed links: issued as a random token, stored as its sha256, spent once.

Only the latest link of a purpose for an address works: issuing one ends the others.
"""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from .models import AccountLink

# Password reset and first connection. Longer than a code's ten minutes because the link travels
# through mail servers whose greylisting and filters commonly hold a message 5 to 15 minutes;
# guessing is no concern (256-bit token), and the link is single use, ended by any newer link and
# by a login (core.accounts.sessions).
LINK_LIFETIME = timedelta(minutes=30)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_issue(*, purpose: str, email: str, user=None, lifetime: timedelta = LINK_LIFETIME) -> tuple[AccountLink, str]:
    """Create a link for `email` (and `user` when the account exists); return it and its token,
    which is never stored."""
    now = timezone.now()
    AccountLink.objects.filter(purpose=purpose, email=email, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    link = AccountLink.objects.create(
        purpose=purpose, email=email, user=user, token_hash=token_hash(token), expires_at=now + lifetime
    )
    return link, token


def link_usable(token: str, *, purpose: str, lock: bool = False) -> AccountLink | None:
    """The unused, unexpired link behind `token` (of an active account, if it has one)."""
    links = AccountLink.objects.select_related("user").filter(
        token_hash=token_hash(token), purpose=purpose, used_at__isnull=True, expires_at__gt=timezone.now()
    )
    if lock:
        links = links.select_for_update(of=("self",))
    link = links.first()
    if link is not None and link.user is not None and not link.user.is_active:
        return None
    return link


def link_spend(link: AccountLink) -> None:
    link.used_at = timezone.now()
    link.save(update_fields=["used_at"])


def links_end(*, user, purposes: list[str]) -> int:
    """End every pending link of `user` for these purposes (after a login or a new password)."""
    now = timezone.now()
    return AccountLink.objects.filter(user=user, purpose__in=purposes, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
