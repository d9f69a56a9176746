"""Writes on members."""

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.errors import DomainError
from tenants.models import IdentityScheme

from .identity import member_number_clean, siret_clean
from .models import Member, MembershipStatus


def member_create(*, actor, name: str, identifier: str, status: str = MembershipStatus.MEMBER) -> Member:
    """Register a member, identified the way the current organisation chose (SIRET or number)."""
    organisation = connection.tenant
    if not name.strip():
        raise DomainError(_("La raison sociale est obligatoire."), errors={"name": [_("Champ obligatoire.")]})
    if status not in MembershipStatus.values:
        raise DomainError(
            _("Statut inconnu : %(status)s.") % {"status": status}, errors={"status": [_("Statut inconnu.")]}
        )
    if organisation.identity_scheme == IdentityScheme.SIRET:
        fields = {"siret": siret_clean(identifier)}
    else:
        fields = {"member_number": member_number_clean(identifier, organisation.member_number_pattern)}
    try:
        with transaction.atomic():
            member = Member.objects.create(name=name.strip(), status=status, **fields)
            audit_record(actor=actor, action="member.create", target=member, after={"name": member.name, **fields})
    except IntegrityError as exc:
        raise DomainError(
            _("Un adhérent porte déjà cet identifiant."), errors={"identifier": [_("Identifiant déjà utilisé.")]}
        ) from exc
    return member
