"""One-time login codes sent by e-mail: six digits, ten minutes, five attempts, single use.

A code is kept as an HMAC (SECRET_KEY) of a per-code salt and the digits; only the latest code of
an account works. Typing a code again after it was used is logged and the person is told once.
"""

import logging
import re
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.mail.services import email_queue

from .models import EmailCode, User

logger = logging.getLogger(__name__)

CODE_LIFETIME = timedelta(minutes=10)
CODE_ATTEMPTS = 5
CODE_DIGITS = 6
_CODE_SHAPE = re.compile(r"^\d{6}$")
REPLAY_WINDOW = timedelta(hours=24)


def _code_hash(salt: str, code: str) -> str:
    return salted_hmac("core.accounts.email_code", f"{salt}:{code}", algorithm="sha256").hexdigest()


def _clean(code: str) -> str:
    return re.sub(r"\s", "", code or "")


def email_code_send(*, email: str) -> bool:
    """Send a new code to the active account at `email`, if any; earlier codes stop working.

    Returns whether a code left, for logs and tests only: callers answer the same either way.
    """
    user = User.objects.filter(email=User.objects.normalize_email(email), is_active=True).first()
    if user is None:
        return False
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    salt = secrets.token_hex(16)
    now = timezone.now()
    with transaction.atomic():
        EmailCode.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        EmailCode.objects.create(user=user, salt=salt, code_hash=_code_hash(salt, code), expires_at=now + CODE_LIFETIME)
        email_queue(
            to=user.email,
            subject=_("Votre code de connexion"),  # not in the subject: lock screens show subjects
            template="accounts/email/email_code.txt",
            context={"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60), "user": user},
        )
        audit_record(actor=None, action="user.email_code_send", target=user)
    return True


def email_code_check(*, email: str, code: str) -> User | None:
    """The account whose latest live code is `code` (the code is then spent), else None. Every
    wrong try counts; the fifth ends the code."""
    code = _clean(code)
    with transaction.atomic():
        user = User.objects.filter(email=User.objects.normalize_email(email)).first()
        if user is None:
            return None
        now = timezone.now()
        live = (
            EmailCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now, attempts__lt=CODE_ATTEMPTS)
            .first()
        )
        if live is not None:
            live.attempts += 1
            if _CODE_SHAPE.match(code) and constant_time_compare(_code_hash(live.salt, code), live.code_hash):
                live.used_at = now
                live.save(update_fields=["attempts", "used_at"])
                audit_record(actor=user, action="user.email_code_use", target=user)
                return user
            live.save(update_fields=["attempts"])
        if _CODE_SHAPE.match(code):
            _notice_replay(user, code, now=now)
        return None


def _notice_replay(user: User, code: str, *, now) -> None:
    """A spent code typed again means someone else may have read it: log it and tell the person once."""
    spent = (
        EmailCode.objects.select_for_update()
        .filter(user=user, used_at__isnull=False, replayed_at__isnull=True, used_at__gt=now - REPLAY_WINDOW)
        .first()
    )
    if spent is None or not constant_time_compare(_code_hash(spent.salt, code), spent.code_hash):
        return
    spent.replayed_at = now
    spent.save(update_fields=["replayed_at"])
    logger.warning("A spent login code was typed again for user %s", user.pk)
    audit_record(actor=None, action="user.email_code_replay", target=user)
    email_queue(
        to=user.email,
        subject=_("Un code de connexion déjà utilisé a été saisi"),
        template="accounts/email/email_code_replay.txt",
        context={"user": user, "used_at": spent.used_at},
    )
