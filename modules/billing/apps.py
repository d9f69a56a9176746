"""Registers the billing module with the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "modules.billing"
    label = "billing"
    verbose_name = _("Cotisations et factures")

    def ready(self) -> None:
        from core.modules.registry import MenuEntry, ModuleSpec, NotificationKind, Right, registry

        registry.register(
            ModuleSpec(
                key="billing",
                label=_("Cotisations et factures"),
                description=_("Déclaration annuelle, factures, paiement en ligne et solde."),
                urls="modules.billing.urls",
                api_urls="modules.billing.api.urls",
                rights=(
                    Right("billing.view_invoices", _("Consulter les factures et le solde")),
                    Right("billing.pay_invoices", _("Payer les factures en ligne")),
                    Right("billing.submit_declaration", _("Remplir la déclaration annuelle")),
                ),
                menu=(MenuEntry(_("Factures"), "billing:home"),),
                notification_kinds=(
                    NotificationKind("billing.invoice_issued", _("Nouvelle facture"), "billing.view_invoices"),
                    NotificationKind("billing.payment_reminder", _("Relance de paiement"), "billing.view_invoices"),
                ),
            )
        )
