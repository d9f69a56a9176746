"""Member pages of billing: "Vos factures" (the account balance, invoices and credit notes by
year, online payment), an invoice, its PDF, the account statement (page and CSV) and the annual
data sheet ("fiche de renseignements").

Invoices come from `invoice_list` / `access_invoice`, which read the active member's only. As on
the questions pages and in the API, a page without an object answers 403 to a person without the
right, and an invoice answers the same 404 whether it is missing, another member's, or the person
may not read invoices at all. Billing staff are sent to their own pages.
"""

from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from core.documents.uploads import file_download
from core.errors import Conflict, DomainError
from core.web.forms import form_show_refusal
from core.web.lists import results_only

from ..bases import DECLARATION_FIELDS
from ..contribution import euros
from ..exports import csv_download, statement_csv
from ..forms import DeclarationForm, InvoiceYearForm
from ..models import DeclarationStatus
from ..policy import billing_policy
from ..selectors import (
    access_invoice,
    campaign_current,
    campaign_list,
    declaration_of,
    invoice_list,
    invoice_payments,
    invoice_years,
    is_billing_staff,
    member_balance,
    member_of,
    member_statement,
)
from ..services.declarations import declaration_submit
from ..services.invoices import invoice_pdf_ensure
from ..services.payments import online_payment_available
from .checkout import allows_checkout_redirect

RESULTS_TARGET = "invoice-results"


def _reader_member(request):
    """The active member, when the person may read its invoices; 403 otherwise."""
    member = member_of(request.user)
    if member is None:
        raise PermissionDenied
    return member


def _declaring_member(request):
    member = getattr(request, "active_member", None)
    if member is None or not request.user.has_perm("billing.submit_declaration", member):
        raise PermissionDenied
    return member


def _can_pay_online(user, member) -> bool:
    return user.has_perm("billing.pay_invoices", member) and online_payment_available()


# Invoices --------------------------------------------------------------------------------------


@login_required
def invoice_list_page(request):
    """The member's balance first, then its invoices and credit notes grouped by year."""
    user = request.user
    if is_billing_staff(user):
        return redirect("billing:staff_invoices")
    member = _reader_member(request)
    form = InvoiceYearForm(request.GET, years=invoice_years(invoices=invoice_list(actor=user)))
    year = form.chosen_year()
    invoices = list(invoice_list(actor=user, year=year))
    can_pay = _can_pay_online(user, member)
    campaign = declaration = None
    if user.has_perm("billing.submit_declaration", member):
        campaign = campaign_current()
        declaration = declaration_of(campaign=campaign, member=member) if campaign else None
    context = {
        "member": member,
        "form": form,
        "year": year,
        "invoices": invoices,
        "balance": member_balance(member=member),
        "can_pay": can_pay,
        "payable": can_pay and any(invoice.outstanding > 0 for invoice in invoices),
        "campaign": campaign,
        "declaration": declaration,
    }
    partial = results_only(request, RESULTS_TARGET)
    template = "billing/member/_invoice_results.html" if partial else "billing/member/invoices.html"
    response = render(request, template, context)
    # The same URL answers a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    # The page's policy must allow the redirect to Stripe even if only a later year's fragment holds
    # the payment form: the policy of the first load is the one the browser keeps.
    return allows_checkout_redirect(response) if can_pay else response


@login_required
def invoice_detail(request, invoice_id: int):
    """An invoice or a credit note: lines, totals, what has been paid, and how to pay the rest."""
    user = request.user
    invoice = access_invoice(actor=user, invoice_id=invoice_id)
    if is_billing_staff(user):
        return redirect("billing:staff_invoice", invoice_id=invoice.pk)  # their own page
    outstanding = invoice.outstanding > 0
    context = {
        "invoice": invoice,
        "lines": invoice.lines.all(),
        "credit_notes": invoice.credit_notes.all(),
        "payments": invoice_payments(invoice=invoice),
        "policy": billing_policy() if outstanding else None,
        "can_pay": outstanding and _can_pay_online(user, invoice.member),
        "estimate_source": invoice.working_source if invoice.estimated else "",
        "working": invoice.working_steps,
    }
    response = render(request, "billing/member/invoice.html", context)
    return allows_checkout_redirect(response) if context["can_pay"] else response


@login_required
def invoice_pdf(request, invoice_id: int):
    """The invoice's Factur-X PDF (printed once, on the first download if not yet printed); staff
    download it from their invoice page too."""
    invoice = access_invoice(actor=request.user, invoice_id=invoice_id)
    document = invoice_pdf_ensure(invoice=invoice)
    return file_download(document.file, filename=f"{invoice.number}.pdf", content_type="application/pdf")


# Statement -------------------------------------------------------------------------------------


@login_required
def statement_page(request):
    """The member's account, oldest first: invoices, credit notes and payments with the running
    balance; `?format=csv` gives the same for a spreadsheet."""
    user = request.user
    if is_billing_staff(user):
        return redirect("billing:staff_invoices")
    member = _reader_member(request)
    entries = member_statement(member=member)
    totals = {
        "debit": sum((entry.debit for entry in entries), Decimal("0.00")),
        "credit": sum((entry.credit for entry in entries), Decimal("0.00")),
        "balance": entries[-1].balance if entries else Decimal("0.00"),
    }
    if request.GET.get("format") == "csv":
        # Our own amounts stay numbers for the spreadsheet; text cells cannot start a formula.
        return csv_download(statement_csv(entries, totals), "releve-de-compte")
    return render(request, "billing/member/statement.html", {"member": member, "entries": entries, "totals": totals})


# Data sheet ------------------------------------------------------------------------------------


def _figure_text(key: str, value) -> str:
    if value is None:
        return _("Non renseigné")
    if key == "payroll":
        return euros(value)
    field = DECLARATION_FIELDS.get(key)
    decimals = field.decimals if field else 2
    return formats.number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def declaration_figures(campaign, declaration) -> list[dict]:
    """The campaign's fields with the declared figures in French (the member's sheet once sent, and
    the organisation's view of it on the cotisation page)."""
    rows = []
    for item in campaign.fields:
        field = DECLARATION_FIELDS.get(item.get("key"))
        if field is not None:
            rows.append({"label": field.label, "value": _figure_text(field.key, getattr(declaration, field.key))})
    return rows


def _declaration_page(request, member, campaign, *, form=None, status: int = 200):
    declaration = declaration_of(campaign=campaign, member=member) if campaign else None
    context = {
        "member": member,
        "campaign": campaign,
        "declaration": declaration,
        "corrected": declaration is not None and declaration.status == DeclarationStatus.CORRECTED,
        "rows": declaration_figures(campaign, declaration) if declaration else [],
        "form": None,
        "late": campaign is not None and campaign.deadline < timezone.localdate(),
    }
    if campaign is not None and declaration is None:
        context["form"] = form or DeclarationForm(campaign=campaign)
    return render(request, "billing/member/declaration.html", context, status=status)


def _submitted_campaign(request):
    """The campaign the person filled the sheet for (it may have closed meanwhile: the service
    then says so), or the open one."""
    try:
        campaign_id = int(request.POST.get("campaign", ""))
    except ValueError:
        return campaign_current()
    return campaign_list().filter(pk=campaign_id).first() or campaign_current()


@login_required
def declaration_page(request):
    """The open campaign's data sheet for the active member: the form until it is sent, then what
    was sent (corrections go through the organisation)."""
    user = request.user
    if is_billing_staff(user):
        return redirect("billing:staff_home")
    member = _declaring_member(request)
    if request.method != "POST":
        return _declaration_page(request, member, campaign_current())
    campaign = _submitted_campaign(request)
    if campaign is None:
        messages.error(request, _("Aucune fiche de renseignements n'est demandée en ce moment."))
        return redirect("billing:declaration")
    form = DeclarationForm(request.POST, campaign=campaign)
    if not form.is_valid():
        return _declaration_page(request, member, campaign, form=form)
    try:
        declaration_submit(actor=user, member=member, campaign=campaign, values=form.figures())
    except Conflict as error:
        # Already sent (by a colleague, or in another tab) or the campaign closed: say so, and show
        # the page as it now is.
        messages.error(request, error.message)
        return redirect("billing:declaration")
    except DomainError as error:
        form_show_refusal(form, error)
        return _declaration_page(request, member, campaign, form=form)
    messages.success(
        request,
        _("Votre fiche de renseignements (cotisation %(year)s) a bien été transmise. Merci.") % {"year": campaign.year},
    )
    return redirect("billing:declaration")
