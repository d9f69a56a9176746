"""Reads for access: the members an actor may see, and `access_*` helpers for single objects.

`access_*` raise the same `Http404` for an object that does not exist and for one the actor may
not see, so an id reveals nothing. Within a request a member's person reaches only their active
member: `member_list` and the rules already say so, so no helper repeats that check.
"""

from django.db.models import QuerySet
from django.http import Http404

from core.accounts.models import User
from core.members.models import Member

from .acting import active_membership_of, memberships_of
from .models import Membership, MembershipState
from .rules import is_organisation_staff


def member_list(*, actor) -> QuerySet[Member]:
    """Members the actor may see: all of them for staff; within a request, the member a person
    acts for right now; outside one, every member they act for."""
    members = Member.objects.all()
    if is_organisation_staff(actor):
        return members
    if hasattr(actor, "active_membership"):
        active = active_membership_of(actor)
        return members.filter(pk=active.member_id) if active is not None else members.none()
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


def account_shared(*, membership: Membership) -> bool:
    """Whether the person's account also serves another member (a delegate's usually does)."""
    return Membership.objects.filter(user_id=membership.user_id).exclude(member_id=membership.member_id).exists()


def successor_list(*, membership: Membership) -> QuerySet[Membership]:
    """Who can take over from a leaving administrator: the member's other validated people."""
    return (
        Membership.objects.filter(member_id=membership.member_id, state=MembershipState.ACTIVE, user__is_active=True)
        .exclude(pk=membership.pk)
        .select_related("user")
        .order_by("role", "user__full_name", "user__email")
    )


def member_switch_list(*, actor, query: str = "") -> list[Membership]:
    """The actor's validated memberships ("Mes adhérents"), filtered by name or identifier.

    Read from the memberships already loaded for the request: no query of its own."""
    memberships = list(memberships_of(actor).values())
    needle = query.strip().casefold()
    if not needle:
        return memberships
    return [
        membership
        for membership in memberships
        if needle in membership.member.name.casefold() or needle in membership.member.identifier.casefold()
    ]


def staff_list(*, actor) -> QuerySet[User]:
    """The organisation's staff, for its administrators (empty for anyone else)."""
    if not actor.has_perm("access.manage_staff"):
        return User.objects.none()
    return User.objects.exclude(staff_role="").order_by("-is_active", "full_name", "email")


def access_staff(*, actor, user_id) -> User:
    """A staff account the actor (an organisation administrator) manages; 404 otherwise."""
    try:
        return staff_list(actor=actor).get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
