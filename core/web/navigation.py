"""The menu of the member space, built from the registry and the organisation's enabled modules."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _

from core.modules.registry import registry


@dataclass(frozen=True)
class MenuLink:
    label: str
    url: str
    active: bool


def menu_links(request) -> list[MenuLink]:
    organisation = getattr(request, "tenant", None)
    user = request.user
    if organisation is None or not user.is_authenticated:
        return []
    links = []
    for spec in registry.enabled(organisation.enabled_modules):
        for entry in spec.menu:
            if entry.permission and not user.has_perm(entry.permission):
                continue
            url = reverse(entry.url_name)
            links.append(MenuLink(entry.label, url, request.path.startswith(url)))
    if user.has_perm("modules.manage_modules"):
        url = reverse("modules:settings")
        links.append(MenuLink(_("Modules"), url, request.path.startswith(url)))
    return links
