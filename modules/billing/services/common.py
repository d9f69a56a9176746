"""What the billing services share: refusals, their log, and rights."""

import functools
import logging

from django.core.exceptions import PermissionDenied
from django.db import connection

from core.errors import DomainError

logger = logging.getLogger("modules.billing.refusals")


def refuse(field: str, message: str) -> DomainError:
    return DomainError(message, errors={field: [message]})


def require(actor, perm: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied


def refusals_logged(service):
    """Log each refusal of `service` (bad input, a clash with the current state, a missing right)
    before it reaches the user: the issue asks for bad input to be "a clear error, logged"."""

    @functools.wraps(service)
    def logged(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except (DomainError, PermissionDenied) as refusal:
            reason = (
                f"{refusal.code} {refusal.errors or refusal.message}"
                if isinstance(refusal, DomainError)
                else "no right"
            )
            logger.warning(
                "%s refused in %s for user %s: %s",
                service.__name__,
                connection.schema_name,
                getattr(kwargs.get("actor"), "pk", None),
                reason,
            )
            raise

    return logged
