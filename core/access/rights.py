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


@dataclass(frozen=True)
class RightGroup:
    """The rights of one module (or of the member space itself), as the rights form shows them."""

    key: str
    label: str
    rights: tuple[Right, ...]


def rights_grouped(enabled_modules) -> list[RightGroup]:
    """The grantable rights of the organisation's enabled modules, one group per module."""
    groups = [RightGroup("members", _("Espace adhérent"), CORE_RIGHTS)]
    groups += [
        RightGroup(spec.key, spec.label, spec.rights) for spec in registry.enabled(enabled_modules) if spec.rights
    ]
    return groups


def preset_rights(key: str, enabled_modules) -> list[str]:
    """The rights of a role preset that the organisation's enabled modules offer."""
    offered = {right.codename for right in rights_catalogue(enabled_modules)}
    preset = next((preset for preset in ROLE_PRESETS if preset.key == key), None)
    return [codename for codename in preset.rights if codename in offered] if preset else []


def rights_merge(*, kept: list[str], chosen, enabled_modules) -> list[str]:
    """The rights after an edit: those chosen among the offered ones, plus the person's rights of
    modules switched off since (not shown, so not chosen, but kept for when the module returns)."""
    offered = {right.codename for right in rights_catalogue(enabled_modules)}
    return sorted({*chosen, *(codename for codename in kept if codename not in offered)})
