"""Writes on accounts: invitations and their acceptance, passwords, API tokens."""

from datetime import timedelta

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.audit.services import audit_record
from core.errors import DomainError
from core.mail.services import email_queue

from .expiry import EXPIRED, account_expired
from .links import link_issue, link_spend, link_usable
from .models import AccountLink, LinkPurpose, StaffRole, User
from .sessions import user_sessions_end

INVITATION_LIFETIME = timedelta(days=7)
PASSWORD_CHANGE_REFUSED = gettext_lazy("Mot de passe actuel incorrect.")


def _refuse_unknown_role(staff_role: str) -> None:
    if staff_role not in StaffRole.values:
        raise DomainError(
            _("Rôle inconnu : %(role)s.") % {"role": staff_role}, errors={"staff_role": [_("Rôle inconnu.")]}
        )


def user_invite(*, actor: User | None, email: str, staff_role: str, accept_url_template: str) -> AccountLink:
    """Create (or reuse) the account for `email` and e-mail it a link to choose a password.

    `accept_url_template` contains `{token}`; earlier invitations of the person stop working.
    """
    email = User.objects.normalize_email(email)
    if staff_role:  # blank: a member contact, not staff
        _refuse_unknown_role(staff_role)
    with transaction.atomic():
        user, created = User.objects.get_or_create(email=email, defaults={"staff_role": staff_role})
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        invitation, token = link_issue(
            purpose=LinkPurpose.INVITATION, email=email, user=user, lifetime=INVITATION_LIFETIME
        )
        email_queue(
            to=email,
            subject=_("Votre accès à l'espace adhérent"),
            template="accounts/email/invitation.txt",
            context={"accept_url": accept_url_template.format(token=token), "user": user},
        )
        audit_record(actor=actor, action="user.invite", target=user, after={"email": email, "role": staff_role})
    return invitation


INVITATION_INVALID = gettext_lazy("Ce lien n'est plus valable. Demandez une nouvelle invitation.")


def invitation_for_token(token: str, *, lock: bool = False) -> AccountLink:
    """The usable invitation behind a token; unknown, used, replaced and expired look the same.
    An expired account is told so instead."""
    invitation = link_usable(token, purpose=LinkPurpose.INVITATION, lock=lock)
    if invitation is None:
        raise DomainError(INVITATION_INVALID, code="link_invalid")
    if account_expired(invitation.user):
        raise DomainError(EXPIRED, code="expired")
    return invitation


def invitation_accept(*, token: str, password: str) -> User:
    """Set the invited person's password and spend the link (once, even if clicked twice)."""
    with transaction.atomic():
        invitation = invitation_for_token(token, lock=True)
        user = user_password_set(actor=invitation.user, user=invitation.user, password=password)
        link_spend(invitation)
        user_sessions_end(actor=user, user=user)
        audit_record(actor=user, action="user.invitation_accept", target=user)
    return user


def user_password_set(*, actor: User | None, user: User, password: str) -> User:
    """Set a password after checking it against the policy (French messages on refusal)."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise DomainError(_("Mot de passe refusé."), errors={"password": list(exc.messages)}) from exc
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit_record(actor=actor, action="user.password_set", target=user)
    return user


def user_password_change(*, user: User, old_password: str, password: str) -> User:
    """Change one's own password, proving the current one first. The caller ends the other sessions."""
    if not user.check_password(old_password or ""):
        raise DomainError(PASSWORD_CHANGE_REFUSED, errors={"old_password": [PASSWORD_CHANGE_REFUSED]}, code="wrong")
    return user_password_set(actor=user, user=user, password=password)


def api_token_create(*, user: User) -> str:
    """Give the person a new API token (the previous one stops working); its key is shown once."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        replaced = Token.objects.filter(user=user).delete()[0] > 0
        token = Token.objects.create(user=user)
        audit_record(actor=user, action="user.api_token_create", target=user, after={"replaced": replaced})
    return token.key


def api_token_delete(*, actor: User | None, user: User) -> bool:
    """Remove the person's API token; returns whether there was one."""
    from rest_framework.authtoken.models import Token

    with transaction.atomic():
        deleted = Token.objects.filter(user=user).delete()[0] > 0
        if deleted:
            audit_record(actor=actor, action="user.api_token_delete", target=user)
    return deleted


def user_create_staff(*, actor: User | None, email: str, staff_role: str, password: str, full_name: str = "") -> User:
    """Create a staff account of the organisation with a password (demo data, scripts)."""
    _refuse_unknown_role(staff_role)
    with transaction.atomic():
        user = User.objects.create_user(email, None, staff_role=staff_role, full_name=full_name)
        user_password_set(actor=actor, user=user, password=password)
        audit_record(actor=actor, action="user.create", target=user, after={"email": user.email, "role": staff_role})
    return user
