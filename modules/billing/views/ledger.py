"""The organisation's ledger: every invoice and credit note, one invoice with its payments and the
forms to record a payment or issue a credit note, the payments, the CSV exports, the Stripe keys.

Every page needs `billing.manage_billing` (administrators and accountants; 403 otherwise) except the
payment keys, which need `billing.configure_payments` (administrators). An invoice comes from
`selectors.access_invoice` first, so a missing id and another organisation's answer the same 404.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import Conflict, DomainError
from core.web.forms import form_show_refusal
from core.web.lists import results_only, sortable_columns

from ..contribution import euros
from ..exports import csv_download, invoice_csv, payment_csv
from ..ledger_forms import CreditNoteForm, InvoiceFilterForm, PaymentFilterForm, PaymentKeysForm, PaymentRecordForm
from ..models import InvoiceKind
from ..policy import billing_policy
from ..searches import (
    INVOICE_DEFAULT_SORT,
    InvoiceFilters,
    PaymentFilters,
    invoice_search,
    invoice_totals,
    payment_search,
    payment_totals,
)
from ..secrets import secret_open
from ..selectors import access_invoice, invoice_list, invoice_payments, invoice_years
from ..services.invoices import credit_note_issue
from ..services.payments import online_payment_available, payment_account_save, payment_record
from ..services.webhooks import HANDLED_TYPES
from ..stripe_gateway import payment_account

MANAGE = "billing.manage_billing"
CONFIGURE = "billing.configure_payments"
PAGE_SIZE = 50
INVOICE_RESULTS = "invoice-results"
PAYMENT_RESULTS = "payment-results"

# The invoice list's columns: sort key (None: not sortable), header, the direction of a first click.
INVOICE_COLUMNS = (
    ("number", gettext_lazy("Numéro"), ""),
    (None, gettext_lazy("Type"), ""),
    ("date", gettext_lazy("Date"), "-"),
    (None, gettext_lazy("Adhérent"), ""),
    ("amount", gettext_lazy("Montant TTC"), "-"),
    (None, gettext_lazy("Reste à payer"), ""),
    ("due", gettext_lazy("Échéance"), ""),
    (None, gettext_lazy("Statut"), ""),
)


def _require(request, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise PermissionDenied


def _page(request, rows, count: int):
    """A page of `rows`, whose count the totals' query already gave (no second COUNT)."""
    paginator = Paginator(rows, PAGE_SIZE)
    paginator.count = count  # a cached property: set, it is not computed again
    return paginator.get_page(request.GET.get("page"))


def _export_query(request) -> str:
    """The list's filters for its export link (every row, so no page)."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _list_response(request, context: dict, *, page_template: str, results_template: str, target: str):
    response = render(request, results_template if results_only(request, target) else page_template, context)
    # The same URL answers a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


# Invoices ------------------------------------------------------------------------------------


def _invoice_filters(request, *, years) -> tuple[InvoiceFilterForm, InvoiceFilters]:
    form = InvoiceFilterForm(request.GET, years=years)
    return form, InvoiceFilters.of(form.valid_values())


@login_required
def staff_invoices(request):
    """Every invoice and credit note, filtered, sorted, with the totals of what is shown."""
    _require(request, MANAGE)
    form, filters = _invoice_filters(request, years=invoice_years(invoices=invoice_list(actor=request.user)))
    invoices = invoice_search(actor=request.user, filters=filters)
    totals = invoice_totals(invoices)
    page = _page(request, invoices, totals.count)
    context = {
        "form": form,
        "page": page,
        "rows": list(page.object_list),
        "totals": totals,
        "columns": sortable_columns(request, INVOICE_COLUMNS, filters.sort or INVOICE_DEFAULT_SORT),
        "export_query": _export_query(request),
        "results_id": INVOICE_RESULTS,
    }
    return _list_response(
        request,
        context,
        page_template="billing/staff/invoices.html",
        results_template="billing/staff/_invoice_results.html",
        target=INVOICE_RESULTS,
    )


def _managed_invoice(request, invoice_id):
    """An invoice of the organisation (404 otherwise) for someone who runs the billing (403 otherwise)."""
    invoice = access_invoice(actor=request.user, invoice_id=invoice_id)
    _require(request, MANAGE)
    return invoice


def _invoice_url(invoice) -> str:
    return reverse("billing:staff_invoice", kwargs={"invoice_id": invoice.pk})


def _invoice_page(request, invoice, *, payment_form=None, credit_form=None, status: int = 200):
    """The invoice's page; `payment_form` / `credit_form`: a refused form, shown with what was typed."""
    is_invoice = invoice.kind == InvoiceKind.INVOICE
    creditable = invoice.total_gross - invoice.credited if is_invoice else Decimal("0.00")
    can_pay = is_invoice and invoice.outstanding > 0
    can_credit = is_invoice and creditable > 0
    context = {
        "invoice": invoice,
        "lines": list(invoice.lines.all()),
        "allocations": list(invoice_payments(invoice=invoice)),
        "credit_notes": list(invoice.credit_notes.all()) if is_invoice else [],
        "working_source": invoice.working_source,
        "working": invoice.working_steps,
        "creditable": creditable,
        "can_pay": can_pay,
        "can_credit": can_credit,
        "payment_form": payment_form or (PaymentRecordForm(outstanding=invoice.outstanding) if can_pay else None),
        "credit_form": credit_form or (CreditNoteForm(creditable=creditable) if can_credit else None),
    }
    return render(request, "billing/staff/invoice.html", context, status=status)


@login_required
def staff_invoice(request, invoice_id: int):
    """Everything on one invoice or credit note, and the forms to record a payment or credit it."""
    return _invoice_page(request, _managed_invoice(request, invoice_id))


def _refused(request, invoice, form, error: DomainError, **forms_again):
    """A refusal: a clash with the invoice's state is said above the page; anything else beside the
    fields, the page shown again with what was typed."""
    if isinstance(error, Conflict):
        messages.error(request, error.message)
        return redirect(_invoice_url(invoice))
    form_show_refusal(form, error)
    return _invoice_page(request, invoice, status=400, **forms_again)


@login_required
@require_POST
def payment_record_page(request, invoice_id: int):
    """A transfer or a cheque received for the invoice."""
    invoice = _managed_invoice(request, invoice_id)
    form = PaymentRecordForm(request.POST)
    if not form.is_valid():
        return _invoice_page(request, invoice, payment_form=form, status=400)
    try:
        payment = payment_record(actor=request.user, invoice=invoice, **form.cleaned_data)
    except DomainError as error:
        return _refused(request, invoice, form, error, payment_form=form)
    messages.success(
        request,
        _("%(method)s de %(amount)s enregistré sur la facture %(number)s.")
        % {"method": payment.get_method_display(), "amount": euros(payment.amount), "number": invoice.number},
    )
    return redirect(_invoice_url(invoice))


@login_required
@require_POST
def credit_note_page(request, invoice_id: int):
    """A credit note cancelling all or part of the invoice."""
    invoice = _managed_invoice(request, invoice_id)
    form = CreditNoteForm(request.POST, creditable=invoice.total_gross - invoice.credited)
    if not form.is_valid():
        return _invoice_page(request, invoice, credit_form=form, status=400)
    try:
        credit_note = credit_note_issue(
            actor=request.user, invoice=invoice, amount=form.service_amount(), reason=form.cleaned_data["reason"]
        )
    except DomainError as error:
        return _refused(request, invoice, form, error, credit_form=form)
    messages.success(
        request,
        _("Avoir %(number)s émis sur la facture %(invoice)s : %(amount)s TTC.")
        % {"number": credit_note.number, "invoice": invoice.number, "amount": euros(credit_note.total_gross)},
    )
    return redirect(_invoice_url(invoice))


# Payments ------------------------------------------------------------------------------------


def _payment_filters(request) -> tuple[PaymentFilterForm, PaymentFilters]:
    form = PaymentFilterForm(request.GET)
    return form, PaymentFilters.of(form.valid_values())


@login_required
def staff_payments(request):
    """Payments received, by any means, with the invoices they settle."""
    _require(request, MANAGE)
    form, filters = _payment_filters(request)
    payments = payment_search(actor=request.user, filters=filters)
    totals = payment_totals(payments)
    page = _page(request, payments, totals.count)
    context = {
        "form": form,
        "page": page,
        "rows": list(page.object_list),
        "totals": totals,
        "export_query": _export_query(request),
        "results_id": PAYMENT_RESULTS,
    }
    return _list_response(
        request,
        context,
        page_template="billing/staff/payments.html",
        results_template="billing/staff/_payment_results.html",
        target=PAYMENT_RESULTS,
    )


# Exports -------------------------------------------------------------------------------------


@login_required
def export_invoices(request):
    """The invoice list's rows (same filters and order), every page, as CSV."""
    _require(request, MANAGE)
    _form, filters = _invoice_filters(request, years=())
    return csv_download(invoice_csv(invoice_search(actor=request.user, filters=filters)), "factures")


@login_required
def export_payments(request):
    """The payment list's rows (same filters), every page, as CSV."""
    _require(request, MANAGE)
    _form, filters = _payment_filters(request)
    return csv_download(payment_csv(payment_search(actor=request.user, filters=filters)), "paiements")


# Payment keys --------------------------------------------------------------------------------


def _secret_state(sealed: str) -> str:
    """ "stored", "unreadable" (encrypted under another key: to type again) or "" (none)."""
    if not sealed:
        return ""
    return "stored" if secret_open(sealed) else "unreadable"


@login_required
def payment_keys(request):
    """The organisation's Stripe keys: typed in, stored encrypted, never shown back."""
    _require(request, CONFIGURE)
    account = payment_account()
    states = {
        "secret_key": _secret_state(account.secret_key_encrypted if account else ""),
        "webhook_secret": _secret_state(account.webhook_secret_encrypted if account else ""),
    }
    status = 200
    if request.method == "POST":
        form = PaymentKeysForm(request.POST, states=states)
        if form.is_valid():
            try:
                payment_account_save(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form_show_refusal(form, error)
            else:
                messages.success(request, _("Les clés du paiement en ligne sont enregistrées."))
                return redirect("billing:payment_keys")
        status = 400
    else:
        form = PaymentKeysForm(initial={"publishable_key": account.publishable_key if account else ""}, states=states)
    context = {
        "form": form,
        "webhook_url": request.build_absolute_uri(reverse("billing:stripe_webhook")),
        "online_available": online_payment_available(),
        "online_offered": billing_policy().online_payment,
        "settings_url": reverse("modules:configure", kwargs={"key": "billing"}),
        "event_types": sorted(HANDLED_TYPES),
    }
    return render(request, "billing/staff/payment_keys.html", context, status=status)
