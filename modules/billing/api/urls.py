"""API routes of billing: /api/billing/."""

from django.urls import path

from core.modules.api import ModuleStatusView

from . import views

urlpatterns = [
    # The module's root, as every module has one: tells a client billing is on for the organisation.
    path("", ModuleStatusView.as_view(module_key="billing"), name="status"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/<int:invoice_id>/", views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<int:invoice_id>/pdf/", views.InvoicePdfView.as_view(), name="invoice-pdf"),
    path("invoices/<int:invoice_id>/payments/", views.PaymentRecordView.as_view(), name="invoice-payments"),
    path("invoices/<int:invoice_id>/credit-notes/", views.CreditNoteIssueView.as_view(), name="invoice-credit-notes"),
    path("balance/", views.BalanceView.as_view(), name="balance"),
    path("statement/", views.StatementView.as_view(), name="statement"),
    path("payments/", views.PaymentListView.as_view(), name="payment-list"),
    path("declaration/", views.DeclarationView.as_view(), name="declaration"),
    path("checkout/", views.CheckoutView.as_view(), name="checkout"),
    path("runs/<int:run_id>/", views.RunDetailView.as_view(), name="run-detail"),
]
