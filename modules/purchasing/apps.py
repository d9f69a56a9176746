"""Registers the purchasing module with the core registry."""

from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "modules.purchasing"
    label = "purchasing"
    verbose_name = "Achats"

    def ready(self) -> None:
        from core.modules.registry import MenuEntry, ModuleSpec, registry

        registry.register(
            ModuleSpec(
                key="purchasing",
                label="Achats",
                description="Fournisseurs référencés, codes de réduction et audits d'économies.",
                urls="modules.purchasing.urls",
                api_urls="modules.purchasing.api.urls",
                menu=(MenuEntry("Achats", "purchasing:home"),),
            )
        )
