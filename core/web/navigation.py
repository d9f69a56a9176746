"""The menu of the member space, built from the registry and the organisation's enabled modules."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.modules.registry import registry


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    active: bool


@dataclass(frozen=True)
class CoreEntry:
    label: str
    url_name: str
    permission: str
    # Pages about the active member: hidden from staff and from a person acting for no member,
    # whom the permission alone would let through (staff hold every member's rights).
    acting_only: bool = False


CORE_ENTRIES = (
    CoreEntry(gettext_lazy("Adhérents"), "members:list", "members.manage_members"),
    CoreEntry(gettext_lazy("Fiche adhérent"), "members:profile", "members.view_member", acting_only=True),
    CoreEntry(gettext_lazy("Utilisateurs"), "access:contacts", "access.view_contacts", acting_only=True),
    CoreEntry(gettext_lazy("Documents"), "documents:list", "members.view_documents", acting_only=True),
    CoreEntry(gettext_lazy("Notifications"), "notifications:inbox", "members.view_member", acting_only=True),
    CoreEntry(gettext_lazy("Équipe"), "access:staff", "access.manage_staff"),
    CoreEntry(gettext_lazy("Journal"), "audit:journal", "audit.view_member_journal"),
)


def _link(request, label, url_name: str) -> MenuLink:
    url = reverse(url_name)
    return MenuLink(label, url, request.path.startswith(url))


def menu_links(request) -> list[MenuLink]:
    organisation = getattr(request, "tenant", None)
    user = request.user
    if organisation is None or not user.is_authenticated:
        return []
    links = []
    acting = getattr(request, "active_member", None) is not None
    for entry in CORE_ENTRIES:
        if (acting or not entry.acting_only) and user.has_perm(entry.permission):
            links.append(_link(request, entry.label, entry.url_name))
    for spec in registry.enabled(organisation.enabled_modules):
        for entry in spec.menu:
            if not entry.permission or user.has_perm(entry.permission):
                links.append(_link(request, entry.label, entry.url_name))
    if user.has_perm("modules.manage_modules"):
        links.append(_link(request, _("Modules"), "modules:settings"))
    return links
