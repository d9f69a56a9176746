"""Which member a request acts for ("changer d'adhérent").

A person's active memberships are loaded once per request and kept on the user object. The
active member is, in order: the API's `X-Adhera-Member` header, the session's choice, the last
member the person chose (kept on the account, so a new session and the API start there), then
the first member by name. A choice the person holds no active membership for is ignored.
"""

from django.db import connection
from django_tenants.utils import get_public_schema_name

from .models import Membership, MembershipState

SESSION_KEY = "adhera_active_member"
API_HEADER = "HTTP_X_ADHERA_MEMBER"


def memberships_of(user) -> dict[int, Membership]:
    """The user's active memberships by member id, cached on the user object for the request."""
    if not user.is_authenticated or user.staff_role or connection.schema_name == get_public_schema_name():
        return {}  # staff act as the organisation, never for a member
    cached = getattr(user, "_adhera_memberships", None)
    if cached is None:
        cached = {
            membership.member_id: membership
            for membership in Membership.objects.filter(user=user, state=MembershipState.ACTIVE)
            .select_related("member")
            .order_by("member__name", "member_id")
        }
        user._adhera_memberships = cached
    return cached


def memberships_forget(user) -> None:
    """Drop the request's cached memberships (after one of them changed during the request)."""
    # delattr, not __dict__: request.user is usually a lazy wrapper that forwards attributes.
    if getattr(user, "_adhera_memberships", None) is not None:
        delattr(user, "_adhera_memberships")


def _as_id(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def active_membership_resolve(request) -> Membership | None:
    """The membership the request acts through, or None (staff, or no member yet)."""
    user = request.user
    memberships = memberships_of(user)
    if not memberships:
        return None
    for wanted in (
        request.META.get(API_HEADER),
        request.session.get(SESSION_KEY) if hasattr(request, "session") else None,
        getattr(user, "last_member_id", None),
    ):
        membership = memberships.get(_as_id(wanted))
        if membership is not None:
            return membership
    return next(iter(memberships.values()))


def active_membership_of(user) -> Membership | None:
    """The membership set on the user by `ActiveMemberMiddleware` (or the API authentication)."""
    return getattr(user, "active_membership", None)


def active_membership_bind(request) -> Membership | None:
    """Resolve the active membership and set it on `request.user` and `request.active_member`.

    Called by the middleware for pages and by the API's authentication classes, since a token
    is only read once DRF authenticates the request.
    """
    user = request.user
    membership = active_membership_resolve(request) if user.is_authenticated else None
    if user.is_authenticated:
        user.active_membership = membership
    request.active_member = membership.member if membership else None
    return membership


class ActiveMemberMiddleware:
    """Binds the active membership of every page request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        active_membership_bind(request)
        return self.get_response(request)
