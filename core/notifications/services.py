"""Writes of notifications: recipients' preferences, sending a notification, marking it read."""

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access.models import Membership
from core.audit.services import audit_record
from core.errors import DomainError
from core.mail.services import email_queue
from core.members.models import Member
from tenants.services import organisation_url

from .kinds import kind_get, kind_receivable
from .models import Notification, NotificationPreference
from .selectors import kind_receivers, notification_recipients

LAST_RECIPIENT = gettext_lazy("Au moins un utilisateur de l'adhérent doit recevoir ces notifications.")


def _enabled_kind(key: str):
    """The kind `key` if the organisation offers it (core kinds, or a switched-on module's)."""
    tenant = getattr(connection, "tenant", None)
    try:
        return kind_get(key, getattr(tenant, "enabled_modules", None))
    except LookupError as exc:
        raise DomainError(_("Type de notification inconnu."), errors={"kind": [_("Type inconnu.")]}) from exc


def notification_preference_set(*, actor, membership: Membership, kind: str, enabled: bool) -> NotificationPreference:
    """Record whether a person receives `kind` for a member. The last recipient of a kind cannot
    opt out, nor be switched off by their administrator."""
    spec = _enabled_kind(kind)
    with transaction.atomic():
        # Locking the member serialises two people opting out at once: only one can pass.
        Member.objects.select_for_update().get(pk=membership.member_id)
        membership = Membership.objects.select_related("user", "member").get(pk=membership.pk)
        if enabled and not kind_receivable(spec, membership):
            raise DomainError(
                _("Cet utilisateur n'a pas le droit qui permet de recevoir ces notifications."),
                errors={"kind": [_("Droit manquant.")]},
            )
        preference = NotificationPreference.objects.filter(membership=membership, kind=kind).first()
        before = preference.enabled if preference else kind_receivable(spec, membership)
        if not enabled:
            receivers = kind_receivers(member=membership.member, kind=spec)
            if any(receiver.pk == membership.pk for receiver in receivers) and len(receivers) == 1:
                raise DomainError(LAST_RECIPIENT, errors={"kind": [str(LAST_RECIPIENT)]}, code="last_recipient")
        if preference is None:
            preference = NotificationPreference.objects.create(membership=membership, kind=kind, enabled=enabled)
        elif preference.enabled != enabled:
            preference.enabled = enabled
            preference.save(update_fields=["enabled", "updated_at"])
        if before != enabled:
            audit_record(
                actor=actor,
                action="notification.preference_set",
                target=membership,
                member=membership.member,
                before={"kind": kind, "enabled": before},
                after={"kind": kind, "enabled": enabled},
            )
    return preference


def email_link(url: str) -> str:
    """A link of the organisation for an e-mail (e-mails have no request to build it from)."""
    if not url.startswith("/"):
        return url
    tenant = getattr(connection, "tenant", None)
    return organisation_url(tenant, url) if tenant is not None and hasattr(tenant, "get_primary_domain") else url


def notify(
    *, member: Member, kind: str, subject: str, template: str, context: dict, url: str = "", include=()
) -> list[Notification]:
    """Tell the recipients of `kind` for `member`: an in-app notification and an e-mail each,
    written in the caller's transaction (the e-mails leave on commit).

    `include` names people told whatever their preferences (the asker of a question), as long as
    they still act for the member. An unknown kind is a programming error (LookupError)."""
    with transaction.atomic():
        recipients = notification_recipients(member=member, kind=kind, include=include)
        if not recipients:
            return []
        link = email_link(url) if url else ""
        notifications = []
        for user in recipients:
            personal = {**context, "recipient": user, "member": member, "url": link}
            email = email_queue(to=user.email, subject=subject[:200], template=template, context=personal)
            # The inbox shows the text of the e-mail, rendered once.
            notifications.append(
                Notification(
                    user=user, member=member, kind=kind, subject=subject[:200], body=email.body.strip(), url=url
                )
            )
        return Notification.objects.bulk_create(notifications)


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read. Not audited: it is the reader's own state,
    not a change to anyone's data."""
    if notification.user_id != actor.pk:
        raise DomainError(_("Notification introuvable."), code="not_found")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def notification_mark_all_read(*, actor, member: Member) -> int:
    """Mark every unread notification of the actor about `member` read; returns how many."""
    return Notification.objects.filter(user=actor, member=member, read_at__isnull=True).update(read_at=timezone.now())
