"""API authentication that binds the active membership once DRF knows who is calling.

Pages get their active member from `ActiveMemberMiddleware`, but DRF reads a token only inside
the view: these classes bind it right after authenticating. An `X-Adhera-Member` header naming a
member the caller does not act for answers 404, the same as a missing member, rather than
silently acting for another one.
"""

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound

from core.accounts.authentication import AccountTokenAuthentication

from ..acting import API_HEADER, active_membership_bind, memberships_of


def _bind(request, user_auth):
    if user_auth is None:
        return None
    # DRF's request forwards `user` to the Django request, where the membership is bound.
    request.user = user_auth[0]
    wanted = request.META.get(API_HEADER)
    if wanted is not None and not request.user.staff_role:
        try:
            known = int(wanted) in memberships_of(request.user)
        except (TypeError, ValueError):
            known = False
        if not known:
            raise NotFound
    active_membership_bind(request._request)
    return user_auth


class MemberTokenAuthentication(AccountTokenAuthentication):
    """`Authorization: Token <key>` (expired accounts refused), then the active member."""

    def authenticate(self, request):
        return _bind(request, super().authenticate(request))


class MemberSessionAuthentication(SessionAuthentication):
    """The page session (with its CSRF check), then the active member."""

    def authenticate(self, request):
        return _bind(request, super().authenticate(request))


class MemberSessionScheme(SessionScheme):
    """The schema's cookie scheme (drf-spectacular's token scheme already covers token subclasses)."""

    target_class = "core.access.api.authentication.MemberSessionAuthentication"
