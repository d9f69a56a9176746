"""What the billing services share: refusals and rights."""

from django.core.exceptions import PermissionDenied

from core.errors import DomainError


def refuse(field: str, message: str) -> DomainError:
    return DomainError(message, errors={field: [message]})


def require(actor, perm: str, obj=None) -> None:
    if actor is not None and not actor.has_perm(perm, obj):
        raise PermissionDenied
