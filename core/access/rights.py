"""The catalogue of rights a member administrator grants: core rights plus each module's.

A role is a named bundle of rights: `ROLE_PRESETS` pre-fills the rights form; the administrator
role holds them all.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from core.modules.registry import Right, registry

CORE_RIGHTS: tuple[Right, ...] = (
    Right("members.change_member", _("Mettre à jour la fiche adhérent et ses adresses")),
    Right("members.view_documents", _("Consulter les documents de l'adhérent")),
)


@dataclass(frozen=True)
class RolePreset:
    key: str
    label: str
    rights: tuple[str, ...]


ROLE_PRESETS: tuple[RolePreset, ...] = (
    RolePreset(
        "accounting",
        _("Comptabilité"),
        ("billing.view_invoices", "billing.pay_invoices", "billing.submit_declaration", "members.view_documents"),
    ),
    RolePreset("human_resources", _("Ressources humaines"), ("health.manage_employees", "health.request_visits")),
    RolePreset("legal", _("Questions juridiques"), ("questions.ask_question",)),
)


def rights_catalogue(enabled_modules=None) -> list[Right]:
    """Every right that can be granted; only those of `enabled_modules` when given."""
    specs = registry.all() if enabled_modules is None else registry.enabled(enabled_modules)
    return [*CORE_RIGHTS, *(right for spec in specs for right in spec.rights)]


def right_codenames() -> set[str]:
    return {right.codename for right in rights_catalogue()}
