"""Registers the health module with the core registry."""

from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "modules.health"
    label = "health"
    verbose_name = "Santé au travail"

    def ready(self) -> None:
        from core.modules.registry import MenuEntry, ModuleSpec, registry

        registry.register(
            ModuleSpec(
                key="health",
                label="Santé au travail",
                description="Salariés, visites médicales, convocations et attestations.",
                urls="modules.health.urls",
                api_urls="modules.health.api.urls",
                menu=(MenuEntry("Santé au travail", "health:home"),),
            )
        )
