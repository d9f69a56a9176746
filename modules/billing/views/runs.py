"""The organisation's billing pages: campaigns, the cotisation rule, members' declarations and the
working of their cotisation, and the annual invoicing run with its progress.

The home page needs `billing.manage_billing` (403 otherwise). A campaign, a member, a declaration
or a run comes from an `access_*` helper, which shows it to billing staff only: a missing id,
another organisation's and a person without the right all get the same 404, as in the API.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.access.selectors import access_member, member_list
from core.errors import Conflict, DomainError
from core.members.models import MembershipStatus
from core.web.forms import form_show_refusal
from core.web.lists import results_only

from .. import selectors
from ..bases import basis_choices, basis_label
from ..contribution import NARROW_SPACE, MissingFigure, Terms, contribution_compute, euros, percent
from ..models import (
    ContributionRule,
    DeclarationCampaign,
    InvoiceKind,
    InvoicingRun,
    RunStatus,
)
from ..services.declarations import campaign_open, campaign_update, rule_save
from ..services.declarations import declaration_correct as declaration_correct_do
from ..services.invoices import contributions_price
from ..services.runs import invoicing_run_start
from ..staff_forms import (
    CampaignMembersFilterForm,
    CampaignOpenForm,
    CampaignUpdateForm,
    DeclarationCorrectForm,
    RuleForm,
    SampleForm,
    bracket_formset,
    declaration_initial,
)
from .member import declaration_figures

MANAGE = "billing.manage_billing"
PAGE_SIZE = 50
MEMBERS_TARGET = "campaign-members"
# A run whose batches have said nothing for this long is offered a "Reprendre" button (resuming
# is harmless: the constraint "one cotisation invoice per member and campaign" keeps it single).
STALE_AFTER = timedelta(minutes=5)


def _require_manager(request) -> None:
    if not request.user.has_perm(MANAGE):
        raise PermissionDenied


def count_text(number: int) -> str:
    """20000 → "20 000" (French thousands, narrow no-break space)."""
    return f"{number:,}".replace(",", NARROW_SPACE)


def _campaign(request, campaign_id) -> DeclarationCampaign:
    """The campaign, for billing staff; the same 404 for anyone else."""
    return selectors.access_campaign(actor=request.user, campaign_id=campaign_id)


def _rule_of(campaign: DeclarationCampaign) -> ContributionRule | None:
    try:
        return campaign.rule
    except ContributionRule.DoesNotExist:
        return None


def _campaign_url(campaign) -> str:
    return reverse("billing:campaign", kwargs={"campaign_id": campaign.pk})


def _contribution_url(campaign, member_id) -> str:
    return reverse("billing:contribution", kwargs={"campaign_id": campaign.pk, "member_id": member_id})


def _run_stale(run: InvoicingRun, now=None) -> bool:
    now = now or timezone.now()
    last_sign = run.heartbeat_at or run.started_at
    return run.status == RunStatus.RUNNING and last_sign < now - STALE_AFTER


# Campaigns -----------------------------------------------------------------------------------


@login_required
def staff_home(request):
    """ "Facturation": the campaigns and the form opening a new one."""
    _require_manager(request)
    today = timezone.localdate()
    status = 200
    if request.method == "POST":
        form = CampaignOpenForm(request.POST)
        if form.is_valid():
            try:
                campaign = campaign_open(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                form_show_refusal(form, error)
            else:
                messages.success(
                    request,
                    _("Campagne %(year)s ouverte : les adhérents peuvent transmettre leur fiche jusqu'au %(date)s.")
                    % {"year": campaign.year, "date": campaign.deadline.strftime("%d/%m/%Y")},
                )
                return redirect(_campaign_url(campaign))
        messages.error(request, _("La campagne n'a pas été ouverte : corrigez les erreurs indiquées."))
        status = 400
    campaigns = list(selectors.campaign_overview())
    if request.method != "POST":
        # The year after the latest campaign (newest first), or next year's for a first one.
        next_year = max(today.year, campaigns[0].year if campaigns else 0) + 1
        form = CampaignOpenForm(initial={"year": next_year})
    context = {
        "form": form,
        "campaigns": campaigns,
        "member_total": member_list(actor=request.user).filter(status=MembershipStatus.MEMBER).count(),
    }
    return render(request, "billing/staff/home.html", context, status=status)


def _campaign_page(request, campaign, *, update_form=None, status=200):
    filters = CampaignMembersFilterForm(request.GET)
    values = filters.values()
    members = selectors.campaign_members(campaign=campaign, query=values["q"], declared=values["declared"])
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "campaign": campaign,
        "filters": filters,
        "filtered": bool(values["q"] or values["declared"]),
        "page": page,
    }
    if results_only(request, MEMBERS_TARGET):
        response = render(request, "billing/staff/_campaign_members.html", context)
        patch_vary_headers(response, ("HX-Request", "HX-Target"))
        return response
    rule = _rule_of(campaign)
    counters = selectors.campaign_counters(campaign=campaign)
    runs = list(campaign.runs.select_related("started_by").order_by("-started_at"))
    running = next((run for run in runs if run.status == RunStatus.RUNNING), None)
    to_invoice = counters["total"] - counters["invoiced"]
    context.update(
        {
            "update_form": update_form
            or CampaignUpdateForm(initial={"deadline": campaign.deadline, "status": campaign.status}),
            "rule": rule,
            "rule_summary": _rule_summary(rule) if rule else None,
            "counters": counters,
            "to_invoice": to_invoice,
            "runs": runs,
            "running": running,
            "run_confirm": ngettext(
                "Facturer %(count)s adhérent pour la campagne %(year)s ? Les factures émises sont définitives.",
                "Facturer %(count)s adhérents pour la campagne %(year)s ? Les factures émises sont définitives.",
                to_invoice,
            )
            % {"count": count_text(to_invoice), "year": campaign.year},
        }
    )
    response = render(request, "billing/staff/campaign.html", context, status=status)
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def _rule_summary(rule: ContributionRule) -> dict:
    """The rule in words, for the campaign page."""
    brackets = list(rule.brackets.all())
    rows = []
    for index, bracket in enumerate(brackets):
        ceiling = brackets[index + 1].floor if index + 1 < len(brackets) else None
        rows.append(
            {
                "floor": euros(bracket.floor),
                "ceiling": euros(ceiling) if ceiling is not None else None,
                "rate": percent(bracket.rate),
            }
        )
    return {
        "rate_basis": basis_label(rule.rate_basis),
        "head_basis": basis_label(rule.head_basis),
        "brackets": rows,
        "per_head_amount": euros(rule.per_head_amount) if rule.per_head_amount else None,
        "fixed_amount": euros(rule.fixed_amount) if rule.fixed_amount else None,
        "minimum": euros(rule.minimum) if rule.minimum else None,
        "maximum": euros(rule.maximum) if rule.maximum is not None else None,
        "vat_rate": percent(rule.vat_rate),
    }


@login_required
def campaign_detail(request, campaign_id: int):
    """A campaign: its deadline and status, its rule, its members and their declarations, and its
    invoicing runs."""
    campaign = _campaign(request, campaign_id)
    if request.method != "POST":
        return _campaign_page(request, campaign)
    form = CampaignUpdateForm(request.POST)
    if form.is_valid():
        try:
            campaign_update(actor=request.user, campaign=campaign, **form.cleaned_data)
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("Campagne %(year)s enregistrée.") % {"year": campaign.year})
            return redirect(_campaign_url(campaign))
    messages.error(request, _("La campagne n'a pas été enregistrée : corrigez les erreurs indiquées."))
    return _campaign_page(request, campaign, update_form=form, status=400)


# The cotisation rule -------------------------------------------------------------------------


def _sample(request, rule: ContributionRule | None) -> dict | None:
    """The saved rule tried on figures typed in the page's example form (GET), with its working."""
    if rule is None:
        return None
    form = SampleForm(
        request.GET or None, rate_label=basis_label(rule.rate_basis), head_label=basis_label(rule.head_basis)
    )
    sample = {"form": form, "contribution": None, "error": ""}
    if not form.is_bound or not form.is_valid():
        return sample
    figures = {rule.rate_basis: form.cleaned_data["rate_figure"], rule.head_basis: form.cleaned_data["head_figure"]}
    labels = {basis.key: str(basis.label) for basis in basis_choices()}
    try:
        sample["contribution"] = contribution_compute(terms=Terms.of(rule), figures=figures, labels=labels)
    except MissingFigure as missing:
        sample["error"] = _("Indiquez : %(label)s.") % {"label": missing.label}
    return sample


def _rule_saved(request, campaign):
    """Save the posted rule: a redirect once saved, the bound forms showing why not, or None when
    the campaign was invoiced meanwhile (the rule is then shown read-only)."""
    form, formset = RuleForm(request.POST), bracket_formset(request.POST)
    valid = form.is_valid()
    if formset.is_valid() and valid:
        values = dict(form.cleaned_data)
        for name in ("per_head_amount", "fixed_amount", "minimum"):
            values[name] = values[name] or Decimal("0")
        brackets = [(str(floor), str(rate)) for floor, rate in formset.brackets()]
        try:
            rule_save(actor=request.user, campaign=campaign, brackets=brackets, **values)
        except Conflict:
            return None
        except DomainError as error:
            _show_rule_refusal(form, formset, error)
        else:
            messages.success(request, _("Règle de cotisation %(year)s enregistrée.") % {"year": campaign.year})
            return redirect(_campaign_url(campaign))
    messages.error(request, _("La règle n'a pas été enregistrée : corrigez les erreurs indiquées."))
    return form, formset


@login_required
def rule_edit(request, campaign_id: int):
    """The campaign's cotisation rule: read-only once the campaign has invoices."""
    campaign = _campaign(request, campaign_id)
    locked = campaign.invoices.exists()
    status = 200
    forms = None
    if request.method == "POST":
        outcome = None if locked else _rule_saved(request, campaign)
        if isinstance(outcome, HttpResponseBase):
            return outcome
        if outcome is None:
            # Invoiced already (maybe since the page was opened): the rule as it stands, read-only.
            locked, status = True, 409
        else:
            forms, status = outcome, 400
        campaign = selectors.access_campaign(actor=request.user, campaign_id=campaign.pk)
    rule = _rule_of(campaign)
    form, formset = forms or _rule_forms_initial(campaign, rule)
    if locked:
        for field in [*form.fields.values(), *(f for row in formset.forms for f in row.fields.values())]:
            field.disabled = True
    context = {
        "campaign": campaign,
        "rule": rule,
        "form": form,
        "formset": formset,
        "locked": locked,
        "sample": _sample(request, rule) if request.method == "GET" else None,
    }
    return render(request, "billing/staff/rule.html", context, status=status)


def _rule_forms_initial(campaign, rule):
    if rule is None:
        initial = {
            "label": _("Cotisation annuelle %(year)s") % {"year": campaign.year},
            "rate_basis": "payroll",
            "head_basis": "headcount",
            "vat_rate": "20",
        }
    else:
        initial = {
            "label": rule.label,
            "rate_basis": rule.rate_basis,
            "head_basis": rule.head_basis,
            "per_head_amount": rule.per_head_amount,
            "fixed_amount": rule.fixed_amount,
            "minimum": rule.minimum,
            "maximum": rule.maximum,
            "vat_rate": rule.vat_rate,
        }
    return RuleForm(initial=initial), bracket_formset(brackets=list(rule.brackets.all()) if rule else [])


def _show_rule_refusal(form, formset, error: DomainError) -> None:
    """The service's refusal beside its field; the brackets' above their table."""
    bracket_messages = error.errors.get("brackets", [])
    others = {field: messages_ for field, messages_ in error.errors.items() if field != "brackets"}
    if others or not bracket_messages:
        form_show_refusal(form, DomainError(error.message, errors=others))
    formset.non_form_errors().extend(bracket_messages)


# A member's declaration and the working of its cotisation ------------------------------------


def _contribution_page(request, campaign, member, *, correct_form=None, status=200):
    declaration = selectors.declaration_of(campaign=campaign, member=member)
    rule = _rule_of(campaign)
    priced = contributions_price(campaign=campaign, members=[member])[0] if rule is not None else None
    source = None
    if declaration is None:
        source = selectors.declaration_latest_before(campaign=campaign, member_ids=[member.pk]).get(member.pk)
    invoice = (
        selectors.invoice_list(actor=request.user, member=member)
        .filter(campaign=campaign, kind=InvoiceKind.INVOICE)
        .first()
    )
    shown = declaration or source
    figures = declaration_figures(campaign, shown) if shown else []
    if declaration is not None and correct_form is None:
        correct_form = DeclarationCorrectForm(campaign=campaign, initial=declaration_initial(declaration))
    context = {
        "campaign": campaign,
        "member": member,
        "declaration": declaration,
        "source": source,
        "figures": figures,
        "rule": rule,
        "priced": priced,
        "contribution": priced.contribution if priced else None,
        "invoice": invoice,
        "correct_form": correct_form,
    }
    return render(request, "billing/staff/contribution.html", context, status=status)


@login_required
def contribution_preview(request, campaign_id: int, member_id: int):
    """A member's declaration for the campaign and the working of its cotisation before invoicing."""
    campaign = _campaign(request, campaign_id)
    member = access_member(actor=request.user, member_id=member_id, perm=MANAGE)
    return _contribution_page(request, campaign, member)


@login_required
@require_POST
def declaration_correct(request, declaration_id: int):
    """Staff correct a submitted data sheet, with a reason kept in the journal."""
    declaration = selectors.access_declaration(actor=request.user, declaration_id=declaration_id)
    campaign, member = declaration.campaign, declaration.member
    form = DeclarationCorrectForm(request.POST, campaign=campaign)
    if form.is_valid():
        try:
            declaration_correct_do(
                actor=request.user, declaration=declaration, values=form.values(), reason=form.cleaned_data["reason"]
            )
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(
                request, _("Fiche de %(name)s corrigée ; la correction est notée au journal.") % {"name": member.name}
            )
            return redirect(_contribution_url(campaign, member.pk))
    messages.error(request, _("La fiche n'a pas été corrigée : corrigez les erreurs indiquées."))
    return _contribution_page(request, campaign, member, correct_form=form, status=400)


# The invoicing run ---------------------------------------------------------------------------


@login_required
@require_POST
def run_start(request, campaign_id: int):
    """Start the campaign's invoicing run, or resume the one running."""
    campaign = _campaign(request, campaign_id)
    resuming = campaign.runs.filter(status=RunStatus.RUNNING).exists()
    try:
        run = invoicing_run_start(actor=request.user, campaign=campaign)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(_campaign_url(campaign))
    if resuming:
        messages.success(request, _("Facturation reprise : les adhérents déjà facturés ne le seront pas deux fois."))
    else:
        messages.success(
            request,
            ngettext(
                "Facturation lancée pour %(count)s adhérent.",
                "Facturation lancée pour %(count)s adhérents.",
                run.total,
            )
            % {"count": count_text(run.total)},
        )
    return redirect("billing:run", run_id=run.pk)


def _progress_context(run: InvoicingRun) -> dict:
    progress = selectors.run_progress(run=run)
    return {
        "run": run,
        "progress": progress,
        "progress_text": f"{count_text(progress.done)} / {count_text(progress.total)}",
        "invoiced_text": count_text(progress.invoiced),
        "skipped_text": count_text(progress.skipped),
        "running": run.status == RunStatus.RUNNING,
        "stale": _run_stale(run),
    }


@login_required
def run_detail(request, run_id: int):
    """A run: its progress (refreshed every 2 s while it runs), and the members it skipped and why."""
    run = selectors.access_run(actor=request.user, run_id=run_id)
    skips = Paginator(selectors.run_skips(run=run), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {**_progress_context(run), "campaign": run.campaign, "skips": skips}
    return render(request, "billing/staff/run.html", context)


@login_required
def run_progress_fragment(request, run_id: int):
    """The progress fragment htmx polls; once the run is done it comes without its trigger."""
    run = selectors.access_run(actor=request.user, run_id=run_id)
    response = render(request, "billing/staff/_run_progress.html", {**_progress_context(run), "polled": True})
    response["Cache-Control"] = "no-store"
    return response
