"""Registers the billing module with the core registry."""

from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "modules.billing"
    label = "billing"
    verbose_name = "Cotisations et factures"

    def ready(self) -> None:
        from core.modules.registry import MenuEntry, ModuleSpec, registry

        registry.register(
            ModuleSpec(
                key="billing",
                label="Cotisations et factures",
                description="Déclaration annuelle, factures, paiement en ligne et solde.",
                urls="modules.billing.urls",
                api_urls="modules.billing.api.urls",
                menu=(MenuEntry("Factures", "billing:home"),),
            )
        )
