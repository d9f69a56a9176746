"""RGPD writes: a person's export of their data (audited) and the erasure of a person by staff.

Erasure anonymises the account instead of deleting it, so that legal records pointing to it
(invoices, documents, the journal) stay whole; what only served the person (memberships,
preferences, notifications, credentials, sessions) is deleted.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core.access.models import Membership
from core.access.services import membership_remove
from core.accounts.models import StaffRole, User, UserSession
from core.audit.models import AuditEntry
from core.audit.services import audit_record
from core.errors import DomainError
from core.mail.models import OutgoingEmail
from core.notifications.models import Notification

from .selectors import person_data

# Who may erase whom: nobody erases someone of a higher role.
STAFF_RANK = {StaffRole.ADMIN: 2}
ERASED_DOMAIN = "invalid"


def erased_email(user: User) -> str:
    return f"effacé-{user.pk}@{ERASED_DOMAIN}"


def is_erased(user: User) -> bool:
    return user.email == erased_email(user)


def _rank(user) -> int:
    if user is None or not user.staff_role:
        return 0
    return STAFF_RANK.get(user.staff_role, 1)


def person_export(*, actor: User) -> dict:
    """The actor's own data, ready for JSON; the export is written to the journal."""
    with transaction.atomic():
        data = person_data(user=actor)
        audit_record(actor=actor, action="privacy.export", target=actor, after={"sections": sorted(data)})
    return data


def _credential_models():
    """Models that hold only a person's credentials or sessions: DRF tokens, and every model of
    core.accounts other than the account itself (links, codes, sessions)."""
    accounts = apps.get_app_config("accounts").get_models()
    return [*(model for model in accounts if model is not User and not model._meta.proxy), Token]


def _credentials_delete(user: User) -> int:
    """Delete them by account, and by e-mail where a row names the address (a first-connection
    link sent before the account existed)."""
    deleted = 0
    for model in _credential_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is User:
                deleted += model.objects.filter(**{field.name: user}).delete()[0]
            elif field.name == "email":
                deleted += model.objects.filter(email__iexact=user.email).delete()[0]
    return deleted


def _sessions_end(user: User) -> int:
    """Delete the person's sessions in this organisation's schema (signed out everywhere): those
    core.accounts recorded, and any other whose data names them."""
    ended = set(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    # A scan of the schema's sessions: erasure is rare, and a session opened before core.accounts
    # recorded sessions is found only this way.
    ended.update(
        session.session_key
        for session in Session.objects.iterator()
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk)
    )
    return Session.objects.filter(session_key__in=ended).delete()[0]


def _login_attempts_delete(email: str) -> None:
    """django-axes keeps failed attempts by e-mail; only when it has tables in the tenant's schema,
    which the search path then finds first (the public ones belong to the operator console)."""
    if "axes" not in settings.TENANT_APPS:
        return
    for model in (AccessAttempt, AccessLog, AccessFailureLog):
        model.objects.filter(username__iexact=email).delete()


def _scrub(value, old: set[str], pseudonym: str):
    if isinstance(value, str):
        return pseudonym if value in old else value
    if isinstance(value, list):
        return [_scrub(item, old, pseudonym) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, old, pseudonym) for key, item in value.items()}
    return value


def _journal_pseudonymise(user: User, *, old: set[str], membership_ids: list[int], pseudonym: str) -> None:
    """Entries stay append-only except for this: the person's name and e-mail become the
    pseudonym where they were the author or the object."""
    AuditEntry.objects.filter(actor_id=user.pk).update(actor_email=pseudonym)
    about_user = AuditEntry.objects.filter(target_type=user._meta.label_lower, target_id=str(user.pk))
    about_memberships = AuditEntry.objects.filter(
        target_type=Membership._meta.label_lower, target_id__in=[str(pk) for pk in membership_ids]
    )
    for entry in (about_user | about_memberships).only("pk", "before", "after"):
        AuditEntry.objects.filter(pk=entry.pk).update(
            target_label=pseudonym,
            before=_scrub(entry.before, old, pseudonym),
            after=_scrub(entry.after, old, pseudonym),
        )


def _refuse(actor, user: User) -> None:
    if actor is not None and actor.pk == user.pk:
        raise DomainError(_("Vous ne pouvez pas effacer votre propre compte."), code="self")
    if _rank(user) > _rank(actor):
        raise DomainError(
            _("Vous ne pouvez pas effacer un membre de l'équipe d'un rôle supérieur au vôtre."), code="rank"
        )
    if is_erased(user):
        raise DomainError(_("Les données de cette personne ont déjà été effacées."), code="already_erased")


def person_erase(*, actor, user: User) -> User:
    """Anonymise a person: refused for oneself, a higher role, or the last administrator of a
    member (each membership goes through `membership_remove`, which keeps that rule)."""
    _refuse(actor, user)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        _refuse(actor, user)
        old = {value for value in (user.email, user.full_name) if value}
        memberships = list(Membership.objects.filter(user=user).select_related("member", "user"))
        membership_ids = [membership.pk for membership in memberships]
        for membership in memberships:
            membership_remove(actor=actor, membership=membership)
        notifications = Notification.objects.filter(user=user).delete()[0]
        sessions = _sessions_end(user)
        credentials = _credentials_delete(user)
        _login_attempts_delete(user.email)
        # Unsent mail to them is dropped; sent mail keeps its trace without their address or text.
        OutgoingEmail.objects.filter(to__iexact=user.email, sent_at__isnull=True).delete()
        pseudonym = erased_email(user)
        OutgoingEmail.objects.filter(to__iexact=user.email).update(to=pseudonym, body="")
        user.email, user.full_name, user.staff_role = pseudonym, "", ""
        user.is_active, user.last_login, user.last_member_id, user.expires_on = False, None, None, None
        user.set_unusable_password()
        user.save()
        user.groups.clear()
        user.user_permissions.clear()
        _journal_pseudonymise(user, old=old, membership_ids=membership_ids, pseudonym=pseudonym)
        audit_record(
            actor=actor,
            action="privacy.erase",
            target=user,
            after={
                "user_id": user.pk,
                "memberships_removed": len(memberships),
                "notifications_deleted": notifications,
                "credentials_deleted": credentials,
                "sessions_ended": sessions,
            },
        )
    return user
