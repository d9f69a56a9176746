"""How a member is identified: a SIRET (checked by python-stdnum, La Poste's exception included)
or a member number in the format the organisation chose."""

import re

from django.db import connection
from django.utils.translation import gettext as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siret

from core.errors import DomainError
from tenants.models import IdentityScheme


def _invalid_siret(message: str) -> DomainError:
    return DomainError(message, errors={"identifier": [_("SIRET invalide.")]})


def siret_clean(value: str) -> str:
    """The SIRET as 14 digits, or a French refusal saying what is wrong."""
    compact = siret.compact(value or "")
    if not compact:
        raise DomainError(_("Le SIRET est obligatoire."), errors={"identifier": [_("SIRET manquant.")]})
    if not compact.isdigit():
        raise _invalid_siret(_("Le SIRET ne doit contenir que des chiffres."))
    if len(compact) != 14:
        raise _invalid_siret(_("Le SIRET doit compter 14 chiffres (%(count)d saisis).") % {"count": len(compact)})
    try:
        return siret.validate(compact)
    except StdnumError as exc:
        raise _invalid_siret(
            _("Ce SIRET n'existe pas : vérifiez les chiffres saisis (clé de contrôle incorrecte).")
        ) from exc


def member_number_clean(value: str, pattern: str) -> str:
    """The member number, whole, in the organisation's format (e.g. `\\d{7}`)."""
    value = (value or "").strip()
    if not re.fullmatch(pattern, value):
        raise DomainError(
            _("Ce numéro d'adhérent n'a pas le format attendu par votre organisation."),
            errors={"identifier": [_("Numéro d'adhérent invalide.")]},
        )
    return value


def identity_fields(value: str, organisation=None) -> dict[str, str]:
    """`{"siret": ...}` or `{"member_number": ...}`, the way the organisation identifies members."""
    organisation = organisation or connection.tenant
    if organisation.identity_scheme == IdentityScheme.SIRET:
        return {"siret": siret_clean(value)}
    return {"member_number": member_number_clean(value, organisation.member_number_pattern)}


def identifier_label(organisation=None) -> str:
    """What the organisation calls a member's identifier, for forms and messages."""
    organisation = organisation or connection.tenant
    return _("SIRET") if organisation.identity_scheme == IdentityScheme.SIRET else _("Numéro d'adhérent")
