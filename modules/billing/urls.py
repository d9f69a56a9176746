"""Pages of the billing module: the member's side, the organisation's side, payment and Stripe."""

from django.urls import path

from .views import checkout, ledger, member, runs, webhook

urlpatterns = [
    # Members: invoices, balance, statement, data sheet
    path("", member.invoice_list_page, name="invoices"),
    path("factures/<int:invoice_id>/", member.invoice_detail, name="invoice"),
    path("factures/<int:invoice_id>/pdf/", member.invoice_pdf, name="invoice_pdf"),
    path("releve/", member.statement_page, name="statement"),
    path("declaration/", member.declaration_page, name="declaration"),
    # Online payment (Stripe Checkout) and Stripe's webhook
    path("paiement/", checkout.checkout_start, name="checkout_start"),
    path("paiement/<uuid:key>/", checkout.checkout_return, name="checkout_return"),
    path("paiement/<uuid:key>/etat/", checkout.checkout_status, name="checkout_status"),
    path("paiement/<uuid:key>/annule/", checkout.checkout_cancel, name="checkout_cancel"),
    path("stripe/webhook/", webhook.stripe_webhook, name="stripe_webhook"),
    # Organisation: campaigns, rules, declarations, invoicing runs
    path("gestion/", runs.staff_home, name="staff_home"),
    path("gestion/campagnes/<int:campaign_id>/", runs.campaign_detail, name="campaign"),
    path("gestion/campagnes/<int:campaign_id>/regle/", runs.rule_edit, name="rule"),
    path(
        "gestion/campagnes/<int:campaign_id>/adherents/<int:member_id>/",
        runs.contribution_preview,
        name="contribution",
    ),
    path("gestion/declarations/<int:declaration_id>/corriger/", runs.declaration_correct, name="declaration_correct"),
    path("gestion/campagnes/<int:campaign_id>/facturer/", runs.run_start, name="run_start"),
    path("gestion/facturations/<int:run_id>/", runs.run_detail, name="run"),
    path("gestion/facturations/<int:run_id>/progression/", runs.run_progress_fragment, name="run_progress"),
    # Organisation: invoices, payments, exports, payment keys
    path("gestion/factures/", ledger.staff_invoices, name="staff_invoices"),
    path("gestion/factures/<int:invoice_id>/", ledger.staff_invoice, name="staff_invoice"),
    path("gestion/factures/<int:invoice_id>/paiement/", ledger.payment_record_page, name="payment_record"),
    path("gestion/factures/<int:invoice_id>/avoir/", ledger.credit_note_page, name="credit_note"),
    path("gestion/paiements/", ledger.staff_payments, name="staff_payments"),
    path("gestion/export/factures.csv", ledger.export_invoices, name="export_invoices"),
    path("gestion/export/paiements.csv", ledger.export_payments, name="export_payments"),
    path("gestion/paiement-en-ligne/", ledger.payment_keys, name="payment_keys"),
]
