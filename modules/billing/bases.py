"""The figures a cotisation can be priced on: the data sheet's fields, and those other modules offer.

The data sheet asks, for year N-2 (seed "fiche de renseignements"): the payroll, the number of
contracts in December, the number of employees over the year and the full-time equivalent. The
organisation chooses which of them it asks and which are required. Other modules add figures
through `ModuleSpec.contribution_bases` (e.g. a health service's declared headcount).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from core.modules.registry import registry


@dataclass(frozen=True)
class DeclarationField:
    key: str  # the AnnualDeclaration column
    label: str
    help_text: str
    decimals: int  # 2 for euros and FTE, 0 for counts
    maximum: Decimal  # beyond is not a plausible figure for a member company


DECLARATION_FIELDS: dict[str, DeclarationField] = {
    field.key: field
    for field in (
        DeclarationField(
            "payroll",
            _("Masse salariale (N-2)"),
            _("Total de tous les salaires versés au cours de l'année, en euros."),
            2,
            Decimal("100000000000"),
        ),
        DeclarationField(
            "contracts",
            _("Nombre de contrats (N-2)"),
            _("Salariés titulaires d'un contrat de travail (ancien et nouveau) au cours du mois de décembre."),
            0,
            Decimal("1000000"),
        ),
        DeclarationField(
            "headcount",
            _("Nombre de salariés (N-2)"),
            _("Salariés titulaires d'un contrat de travail au cours de l'année (ancien et nouveau)."),
            0,
            Decimal("1000000"),
        ),
        DeclarationField(
            "fte",
            _("Nombre de salariés ETP (N-2)"),
            _("Équivalent temps plein, tous contrats sauf alternants et apprentis."),
            2,
            Decimal("1000000"),
        ),
    )
}


@dataclass(frozen=True)
class Basis:
    key: str
    label: str
    money: bool  # euros (rates apply) rather than a count (amounts per head apply)


def basis_choices() -> list[Basis]:
    """Every figure the organisation may price on: the data sheet's, then its modules'."""
    bases = [Basis(key, field.label, key == "payroll") for key, field in DECLARATION_FIELDS.items()]
    enabled = getattr(getattr(connection, "tenant", None), "enabled_modules", None) or []
    for spec in registry.enabled(enabled):
        bases.extend(Basis(basis.key, basis.label, False) for basis in spec.contribution_bases)
    return bases


def basis_label(key: str) -> str:
    return next((basis.label for basis in basis_choices() if basis.key == key), key)


def module_basis_values(*, key: str, member_ids: list[int], year: int) -> dict[int, Decimal]:
    """A module's figure for each member (missing members have none), read through the registry."""
    for spec in registry.all():
        for basis in spec.contribution_bases:
            if basis.key == key:
                values = import_string(basis.provider)(member_ids=member_ids, year=year)
                return {member_id: Decimal(value) for member_id, value in values.items()}
    return {}
