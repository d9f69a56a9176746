"""What the platform holds about a person, gathered for their RGPD export.

Only the person's own data: of other people nothing, of the members they act for the names.
Audit entries they wrote keep their before/after only when the change was to their own account.
"""

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone

from core.access.models import Membership
from core.access.rights import rights_catalogue
from core.accounts.models import User, UserSession
from core.audit.models import AuditEntry
from core.notifications.models import Notification, NotificationPreference


def _when(value):
    return value.isoformat() if value else None


def _account(user) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "staff_role": user.staff_role,
        "is_active": user.is_active,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "expires_on": _when(user.expires_on),
    }


def _memberships(user) -> list[dict]:
    labels = {right.codename: str(right.label) for right in rights_catalogue()}
    return [
        {
            "member": {"id": membership.member_id, "name": membership.member.name},
            "role": membership.role,
            "role_label": str(membership.get_role_display()),
            "kind": membership.kind,
            "state": membership.state,
            "rights": [
                {"codename": codename, "label": labels.get(codename, codename)} for codename in membership.rights
            ],
            "created_at": _when(membership.created_at),
        }
        for membership in Membership.objects.filter(user=user).select_related("member").order_by("member__name")
    ]


def _preferences(user) -> list[dict]:
    return [
        {"member": preference.membership.member.name, "kind": preference.kind, "enabled": preference.enabled}
        for preference in NotificationPreference.objects.filter(membership__user=user)
        .select_related("membership__member")
        .order_by("membership__member__name", "kind")
    ]


def _notifications(user) -> list[dict]:
    return [
        {
            "member": notification.member.name,
            "kind": notification.kind,
            "subject": notification.subject,
            "body": notification.body,
            "url": notification.url,
            "created_at": _when(notification.created_at),
            "read_at": _when(notification.read_at),
        }
        for notification in Notification.objects.filter(user=user).select_related("member").order_by("-created_at")
    ]


def _sessions(user) -> list[dict]:
    """The person's recorded sessions, without their keys (which would let someone take one over)."""
    return [
        {
            "id": session.pk,
            "created_at": _when(session.created_at),
            "last_seen_at": _when(session.last_seen_at),
            "user_agent": session.user_agent,
            "ip_address": session.ip_address,
        }
        for session in UserSession.objects.filter(user=user)
    ]


def _audit(user) -> list[dict]:
    own_target = {"target_type": user._meta.label_lower, "target_id": str(user.pk)}
    rows = []
    for entry in AuditEntry.objects.filter(actor_id=user.pk).order_by("created_at", "id"):
        row = {
            "created_at": _when(entry.created_at),
            "action": entry.action,
            "member_id": entry.member_id,
            "target_type": entry.target_type,
        }
        if entry.target_type == own_target["target_type"] and entry.target_id == own_target["target_id"]:
            # Changes to their own account are theirs; others' data stays out of the export.
            row.update(target=entry.target_label, before=entry.before, after=entry.after)
        rows.append(row)
    return rows


def person_data(*, user) -> dict:
    """Everything exported to `user` about themselves, as JSON-ready data."""
    organisation = getattr(connection, "tenant", None)
    return {
        "exported_at": timezone.now().isoformat(),
        "organisation": getattr(organisation, "name", ""),
        "account": _account(user),
        "memberships": _memberships(user),
        "notification_preferences": _preferences(user),
        "notifications": _notifications(user),
        "audit_entries": _audit(user),
        "sessions": _sessions(user),
    }


def access_person(*, actor, user_id):
    """A person of this organisation that the actor may erase; 403 without the right, 404 for
    an unknown id."""
    if not actor.has_perm("accounts.erase_person"):
        raise PermissionDenied
    try:
        return User.objects.get(pk=int(user_id))
    except (User.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def person_memberships(*, user) -> list[Membership]:
    """The members a person acts for, for the erasure's confirmation page."""
    return list(Membership.objects.filter(user=user).select_related("member").order_by("member__name"))
