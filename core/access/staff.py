"""Writes on the organisation's staff: inviting a member of the team and changing their role.

Deactivation and end dates go through `services.user_deactivate` / `services.user_expiry_set`,
which, like `staff_role_change`, never leave the organisation without a working administrator.
"""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from core.accounts.models import StaffRole, User
from core.accounts.services import user_invite
from core.audit.services import audit_record
from core.errors import DomainError

from .services import refuse_last_organisation_administrator


def _clean_staff_role(staff_role: str) -> str:
    if staff_role not in StaffRole.values:
        raise DomainError(
            _("Rôle inconnu : %(role)s.") % {"role": staff_role}, errors={"staff_role": [_("Rôle inconnu.")]}
        )
    return staff_role


def staff_role_change(*, actor, user: User, staff_role: str) -> User:
    """Give a staff member another role; the last working administrator keeps theirs."""
    staff_role = _clean_staff_role(staff_role)
    with transaction.atomic():
        user = User.objects.get(pk=user.pk)
        if not user.staff_role:
            raise DomainError(_("Cette personne ne fait pas partie de l'équipe."), code="not_staff")
        if staff_role != StaffRole.ADMIN:
            refuse_last_organisation_administrator(user)
        before = {"staff_role": user.staff_role}
        user.staff_role = staff_role
        user.save(update_fields=["staff_role"])
        audit_record(
            actor=actor, action="user.staff_role", target=user, before=before, after={"staff_role": staff_role}
        )
    return user


def staff_invite(*, actor, email: str, staff_role: str, accept_url_template: str, full_name: str = "") -> User:
    """Invite a person to join the team (an e-mailed link to choose a password). A pending staff
    member is sent a new link; an address used by a member's contact, or by a staff member who
    already logs in, is refused."""
    email = User.objects.normalize_email(email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise DomainError(_("Adresse e-mail invalide."), errors={"email": [_("Adresse e-mail invalide.")]}) from exc
    staff_role = _clean_staff_role(staff_role)
    with transaction.atomic():
        existing = User.objects.filter(email=email).first()
        if existing is not None and not existing.staff_role:
            raise DomainError(
                _("%(email)s est déjà le compte d'un contact d'adhérent.") % {"email": email},
                errors={"email": [_("Adresse déjà utilisée par un contact d'adhérent.")]},
                code="duplicate",
            )
        if existing is not None and existing.has_usable_password():
            raise DomainError(
                _("%(email)s fait déjà partie de l'équipe.") % {"email": email},
                errors={"email": [_("Déjà dans l'équipe.")]},
                code="duplicate",
            )
        if existing is not None and existing.staff_role != staff_role:
            staff_role_change(actor=actor, user=existing, staff_role=staff_role)
        user = user_invite(
            actor=actor, email=email, staff_role=staff_role, accept_url_template=accept_url_template
        ).user
        if existing is None and full_name.strip():
            user.full_name = full_name.strip()[:200]
            user.save(update_fields=["full_name"])
    return user
