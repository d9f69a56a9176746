"""Registers the billing module with the core registry."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "modules.billing"
    label = "billing"
    verbose_name = _("Cotisations et factures")

    def ready(self) -> None:
        from celery.schedules import crontab

        from core.modules.registry import MenuEntry, ModuleSpec, NotificationKind, Right, ScheduledJob, registry

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
                menu=(
                    MenuEntry(_("Vos factures"), "billing:invoices", "billing.view_invoices"),
                    MenuEntry(_("Fiche de renseignements"), "billing:declaration", "billing.submit_declaration"),
                    MenuEntry(_("Facturation"), "billing:staff_home", "billing.manage_billing"),
                ),
                notification_kinds=(
                    NotificationKind("billing.invoice_issued", _("Nouvelle facture"), "billing.view_invoices"),
                    NotificationKind("billing.payment_reminder", _("Relance de paiement"), "billing.view_invoices"),
                    NotificationKind(
                        "billing.declaration_reminder",
                        _("Rappel de la fiche de renseignements"),
                        "billing.submit_declaration",
                    ),
                    NotificationKind("billing.payment_received", _("Paiement reçu"), "billing.view_invoices"),
                ),
                scheduled_jobs=(
                    ScheduledJob("reminders", "billing.reminders", crontab(hour=8, minute=15)),
                    # Webhook events whose task was lost (process killed between commit and send).
                    ScheduledJob("stripe-events", "billing.stripe_events_relay", crontab(minute="*/5")),
                    ScheduledJob("runs", "billing.invoicing_runs_resume", crontab(minute="*/10")),
                ),
                member_card="billing/_member_card.html",
                settings_form="modules.billing.settings_form.BillingSettingsForm",
                settings_defaults={
                    "seller_name": "",
                    "seller_address": "",
                    "seller_siret": "",
                    "seller_vat_number": "",
                    # The three mentions French law requires on an invoice (and Factur-X's PMD/PMT/AAB notes).
                    "mention_late_penalties": (
                        "En cas de retard de paiement, pénalités au taux de trois fois le taux d'intérêt légal."
                    ),
                    "mention_recovery_fee": "Indemnité forfaitaire pour frais de recouvrement : 40 €.",
                    "mention_discount": "Pas d'escompte pour paiement anticipé.",
                    "legal_mentions": "",
                    "iban": "",
                    "bic": "",
                    "payment_terms_days": 30,
                    "online_payment": True,
                    "declaration_fields": ["payroll", "contracts", "headcount", "fte"],
                    "declaration_required": ["payroll", "headcount"],
                    "declaration_reminder_days": "15, 7, 1",
                    "overdue_reminder_days": "7, 30",
                },
            )
        )
