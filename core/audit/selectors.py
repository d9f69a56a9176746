"""Reads of the journal: the entries an actor may browse, filtered, and a readable before/after."""

import json
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from core.access.acting import active_membership_of
from core.members.models import Member

from .models import AuditEntry


def journal_member_id(*, actor) -> int | None:
    """None for an organisation administrator (every entry); the active member's id for a
    member administrator (its entries only); PermissionDenied for anyone else."""
    if actor.has_perm("audit.view_journal"):
        return None
    membership = active_membership_of(actor)
    if membership is not None and actor.has_perm("audit.view_member_journal", membership.member):
        return membership.member_id
    raise PermissionDenied


def audit_entry_list(
    *,
    actor,
    action: str = "",
    actor_email: str = "",
    member: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries the actor may see, newest first. `action` is a prefix ("membership." or
    "membership.invite"), `member` a piece of a member's name or identifier (organisation
    administrators only), dates are days in the organisation's time zone, both included."""
    member_id = journal_member_id(actor=actor)
    entries = AuditEntry.objects.all()
    if member_id is not None:
        entries = entries.filter(member_id=member_id)
    elif member:
        matching = Member.objects.filter(
            Q(name__icontains=member) | Q(siret__icontains=member) | Q(member_number__icontains=member)
        ).values("pk")
        entries = entries.filter(member_id__in=matching)
    if action:
        entries = entries.filter(action__startswith=action.strip())
    if actor_email:
        entries = entries.filter(actor_email__icontains=actor_email.strip())
    if date_from:
        entries = entries.filter(created_at__date__gte=date_from)
    if date_to:
        entries = entries.filter(created_at__date__lte=date_to)
    return entries.order_by("-created_at", "-id")


def member_names(entries) -> dict[int, str]:
    """Names of the members the entries are about, in one query."""
    ids = {entry.member_id for entry in entries if entry.member_id is not None}
    if not ids:
        return {}
    return dict(Member.objects.filter(pk__in=ids).values_list("pk", "name"))


@dataclass(frozen=True)
class DiffRow:
    field: str
    before: str
    after: str
    changed: bool


def _readable(value, present: bool) -> str:
    if not present or value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    if isinstance(value, list):
        return ", ".join(_readable(item, True) for item in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def entry_diff(entry: AuditEntry) -> list[DiffRow]:
    """Each field of before/after, in order, with its two readable values and whether it changed."""
    before = entry.before if isinstance(entry.before, dict) else {_("valeur"): entry.before}
    after = entry.after if isinstance(entry.after, dict) else {_("valeur"): entry.after}
    fields = list(dict.fromkeys([*before, *after]))
    return [
        DiffRow(
            field,
            _readable(before.get(field), field in before),
            _readable(after.get(field), field in after),
            before.get(field) != after.get(field) or (field in before) != (field in after),
        )
        for field in fields
    ]
