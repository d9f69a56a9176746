"""Reads on members: searching the members an actor may see, and what a record page shows."""

import re

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from core.access.selectors import access_member, member_list

from .models import Address, AddressKind, Establishment, Member, MembershipStatus


def member_search(*, actor, query: str = "", status: str = "") -> QuerySet[Member]:
    """Members the actor may see, matching `query` (name, SIRET/SIREN, member number, e-mail)
    and `status`; each comes with its addresses and `contacts_count`."""
    members = member_list(actor=actor)
    query = " ".join((query or "").split())
    if query:
        digits = re.sub(r"[\s.]", "", query)
        match = Q(name__icontains=query) | Q(email__icontains=query) | Q(member_number__icontains=query)
        if digits.isdigit():
            # A SIREN (9 digits) or the start of a SIRET finds the company and its establishments.
            match |= Q(siret__startswith=digits) | Q(establishments__siret__startswith=digits)
        members = members.filter(match)
    if status in MembershipStatus.values:
        members = members.filter(status=status)
    return (
        members.annotate(contacts_count=Count("memberships", distinct=True))
        .prefetch_related("addresses")
        .order_by("name", "id")
        .distinct()
    )


def member_addresses(*, member: Member) -> dict[str, Address | None]:
    """The member's address of each kind (None where it has none), in the kinds' order."""
    found = {address.kind: address for address in Address.objects.filter(member=member)}
    return {kind: found.get(kind) for kind in AddressKind.values}


def establishment_list(*, member: Member) -> QuerySet[Establishment]:
    """The member's establishments, head office first."""
    return Establishment.objects.filter(member=member).select_related("member")


def access_establishment(*, actor, establishment_id, perm: str = "members.view_member") -> Establishment:
    """An establishment of a member on which the actor holds `perm`; the same 404 otherwise."""
    try:
        establishment = Establishment.objects.get(pk=int(establishment_id))
    except (Establishment.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    establishment.member = access_member(actor=actor, member_id=establishment.member_id, perm=perm)
    return establishment
