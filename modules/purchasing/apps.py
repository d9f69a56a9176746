"""Registers the purchasing module with the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PurchasingConfig(AppConfig):
    name = "modules.purchasing"
    label = "purchasing"
    verbose_name = _("Achats")

    def ready(self) -> None:
        from core.modules.registry import MenuEntry, ModuleSpec, NotificationKind, Right, registry

        registry.register(
            ModuleSpec(
                key="purchasing",
                label=_("Achats"),
                description=_("Fournisseurs référencés, codes de réduction et audits d'économies."),
                urls="modules.purchasing.urls",
                api_urls="modules.purchasing.api.urls",
                rights=(
                    Right("purchasing.view_discount_codes", _("Voir les fournisseurs et codes de réduction")),
                    Right("purchasing.request_audit", _("Demander un audit d'économies")),
                ),
                menu=(MenuEntry(_("Achats"), "purchasing:home"),),
                # No right: every user of the member may receive it.
                notification_kinds=(NotificationKind("purchasing.news", _("Nouveautés des fournisseurs référencés")),),
            )
        )
