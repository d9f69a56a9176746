"""Reads of notifications: who receives a kind for a member, a person's preferences and inbox."""

from dataclasses import dataclass

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone

from core.access.models import Membership, MembershipState
from core.accounts.models import User
from core.modules.registry import NotificationKind

from .kinds import kind_catalogue, kind_get, kind_receivable
from .models import Notification, NotificationPreference


def _working_memberships(member) -> QuerySet[Membership]:
    """Active memberships of `member` whose account works today (active, not expired)."""
    return (
        Membership.objects.filter(member=member, state=MembershipState.ACTIVE, user__is_active=True)
        .exclude(user__expires_on__lte=timezone.localdate())
        .select_related("user", "member")
        .order_by("user__email")
    )


def kind_receivers(*, member, kind: NotificationKind) -> list[Membership]:
    """Memberships that receive `kind` for `member` by right and preference (no fallback), in
    one query: the stored choice, if any, comes with each membership."""
    stored = NotificationPreference.objects.filter(membership=OuterRef("pk"), kind=kind.key).values("enabled")[:1]
    memberships = _working_memberships(member).annotate(preference=Subquery(stored))
    return [
        membership
        for membership in memberships
        if kind_receivable(kind, membership) and membership.preference is not False
    ]


def notification_recipients(*, member, kind: str, include=()) -> list[User]:
    """The people who receive `kind` for `member`, plus those of `include` who still work for
    it; the member's administrators when nobody does (e.g. the last recipient was removed), so
    that a notification is never lost."""
    spec = kind_get(kind)
    receivers = kind_receivers(member=member, kind=spec)
    wanted = {user.pk for user in include if user is not None}
    if wanted:
        chosen = {membership.pk for membership in receivers}
        receivers += [
            membership
            for membership in _working_memberships(member).filter(user_id__in=wanted)
            if membership.pk not in chosen
        ]
    if not receivers:
        receivers = [membership for membership in _working_memberships(member) if membership.is_administrator]
    return [membership.user for membership in receivers]


@dataclass(frozen=True)
class PreferenceRow:
    kind: NotificationKind
    enabled: bool


def preference_rows(*, membership: Membership, enabled_modules) -> list[PreferenceRow]:
    """The kinds `membership` can receive (of enabled modules), each with the person's choice."""
    stored = dict(NotificationPreference.objects.filter(membership=membership).values_list("kind", "enabled"))
    return [
        PreferenceRow(kind, stored.get(kind.key, True))
        for kind in kind_catalogue(enabled_modules)
        if kind_receivable(kind, membership)
    ]


def notification_list(*, actor, member) -> QuerySet[Notification]:
    """The actor's notifications about `member`: unread first, newest first."""
    return (
        Notification.objects.filter(user=actor, member=member)
        .annotate(
            unread_rank=Case(When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("unread_rank", "-created_at", "-id")
    )


def notification_unread_count(*, user, member) -> int:
    return Notification.objects.filter(user=user, member=member, read_at__isnull=True).count()


def access_notification(*, actor, member, notification_id) -> Notification:
    """One of the actor's notifications about their active member; 404 for any other."""
    try:
        return Notification.objects.get(pk=int(notification_id), user=actor, member=member)
    except (Notification.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
