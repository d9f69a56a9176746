"""Registers the health module with the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HealthConfig(AppConfig):
    name = "modules.health"
    label = "health"
    verbose_name = _("Santé au travail")

    def ready(self) -> None:
        from core.modules.registry import MenuEntry, ModuleSpec, NotificationKind, Right, registry

        registry.register(
            ModuleSpec(
                key="health",
                label=_("Santé au travail"),
                description=_("Salariés, visites médicales, convocations et attestations."),
                urls="modules.health.urls",
                api_urls="modules.health.api.urls",
                rights=(
                    Right("health.manage_employees", _("Gérer les salariés")),
                    Right("health.request_visits", _("Demander des visites et recevoir les convocations")),
                    Right("health.declare_headcount", _("Déclarer l'effectif annuel")),
                ),
                menu=(MenuEntry(_("Santé au travail"), "health:home"),),
                notification_kinds=(
                    NotificationKind("health.summons", _("Convocation à une visite médicale"), "health.request_visits"),
                ),
            )
        )
