"""Reads for access: the members an actor may see, and `access_*` helpers for single objects.

`access_*` raise the same `Http404` for an object that does not exist and for one the actor may
not see, so an id reveals nothing.
"""

from django.db.models import QuerySet
from django.http import Http404

from core.members.models import Member

from .acting import memberships_of
from .models import Membership
from .rules import is_organisation_staff


def member_list(*, actor) -> QuerySet[Member]:
    """Members the actor may see: all of them for staff, those they act for otherwise."""
    members = Member.objects.all()
    if is_organisation_staff(actor):
        return members
    return members.filter(pk__in=list(memberships_of(actor)))


def access_member(*, actor, member_id, perm: str = "members.view_member") -> Member:
    """The member `member_id` if the actor holds `perm` on it; 404 otherwise."""
    try:
        member = member_list(actor=actor).get(pk=int(member_id))
    except (Member.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if not actor.has_perm(perm, member):
        raise Http404
    return member


def membership_list(*, member: Member) -> QuerySet[Membership]:
    """The people attached to a member, administrators first."""
    return (
        Membership.objects.filter(member=member)
        .select_related("user", "member")
        .order_by("role", "user__full_name", "user__email")
    )


def access_membership(*, actor, membership_id, perm: str = "access.manage_contacts") -> Membership:
    """A membership of a member on which the actor holds `perm` (default: managing contacts)."""
    try:
        membership = Membership.objects.select_related("user", "member").get(pk=int(membership_id))
    except (Membership.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if not actor.has_perm("members.view_member", membership.member) or not actor.has_perm(perm, membership.member):
        raise Http404
    return membership
