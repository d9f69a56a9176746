"""Who may see and do what: django-rules predicates shared by pages, templates and the API.

Member-level rights take the member as object; without one they apply to the request's active
member (see `core.access.acting`), so `{% if perms.billing.view_invoices %}` works in templates.
Each module declares its own rights the same way in its `rules.py`, with `member_right`.
"""

import rules
from django.db import connection
from django_tenants.utils import get_public_schema_name

from core.accounts.rules import is_organisation_admin

from .acting import active_membership_of, memberships_of


def _in_organisation() -> bool:
    return connection.schema_name != get_public_schema_name()


@rules.predicate
def is_organisation_staff(user) -> bool:
    """A member of the organisation's own team (any staff role)."""
    return bool(user.is_authenticated and user.staff_role and _in_organisation())


def _membership(user, member):
    """The membership through which `user` acts for `member` (the active one when None).

    Within a request only the active member counts: pages and API act for that member alone.
    Outside one (services, tasks, shell) any active membership of the person does."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "active_membership"):
        return memberships_of(user).get(member.pk) if member is not None else None
    active = active_membership_of(user)
    if member is None or (active is not None and active.member_id == member.pk):
        return active
    return None


@rules.predicate
def acts_for_member(user, member=None) -> bool:
    """Holds an active membership of `member` (or has an active member at all)."""
    return _membership(user, member) is not None


@rules.predicate
def is_member_administrator(user, member=None) -> bool:
    membership = _membership(user, member)
    return membership is not None and membership.is_administrator


def member_right(codename: str):
    """Predicate: the membership of `member` grants `codename` (administrators hold all)."""

    @rules.predicate(name=f"holds:{codename}")
    def holds(user, member=None) -> bool:
        membership = _membership(user, member)
        return membership is not None and membership.holds(codename)

    return holds


PERMISSIONS = {
    "members.manage_members": is_organisation_staff,
    "members.view_member": is_organisation_staff | acts_for_member,
    "members.change_member": is_organisation_staff | member_right("members.change_member"),
    "members.view_documents": is_organisation_staff | member_right("members.view_documents"),
    "access.view_contacts": is_organisation_staff | acts_for_member,
    "access.manage_contacts": is_organisation_staff | is_member_administrator,
    "access.manage_staff": is_organisation_admin,
    "audit.view_journal": is_organisation_admin,
    "audit.view_member_journal": is_organisation_admin | is_member_administrator,
    "accounts.erase_person": is_organisation_admin,
}


for _name, _predicate in PERMISSIONS.items():
    rules.set_perm(_name, _predicate)
