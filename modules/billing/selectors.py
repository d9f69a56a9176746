"""Reads of billing data, always filtered to what the actor may see.

Billing staff (administrators, accountants) see every member's; a member person with
`billing.view_invoices` sees their active member's; anyone else sees nothing. An invoice's status
(paid, partly paid, due, overdue) is computed from its allocations and credit notes in the same
query as the list, so lists cost a constant number of queries.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.access.acting import active_membership_of
from core.members.models import Member

from .models import (
    AnnualDeclaration,
    CheckoutAttempt,
    DeclarationCampaign,
    Invoice,
    InvoiceKind,
    InvoicingRun,
    Payment,
    PaymentAllocation,
    RunSkip,
)

MONEY = DecimalField(max_digits=14, decimal_places=2)
ZERO = Value(Decimal("0.00"), output_field=MONEY)


class InvoiceState:
    """What a member still owes on an invoice, in words (credit notes have no state)."""

    PAID = "paid"
    CANCELLED = "cancelled"  # nothing paid, all credited
    PARTLY_PAID = "partly_paid"
    DUE = "due"
    OVERDUE = "overdue"
    CREDIT_NOTE = "credit_note"

    LABELS = {
        PAID: gettext_lazy("Payée"),
        CANCELLED: gettext_lazy("Annulée par avoir"),
        PARTLY_PAID: gettext_lazy("Partiellement payée"),
        DUE: gettext_lazy("À payer"),
        OVERDUE: gettext_lazy("En retard"),
        CREDIT_NOTE: gettext_lazy("Avoir"),
    }


def _one(queryset: QuerySet, object_id):
    """The object with id `object_id`: the same 404 for missing, left out and malformed ids."""
    try:
        return queryset.get(pk=int(object_id))
    except (queryset.model.DoesNotExist, TypeError, ValueError, OverflowError) as exc:
        raise Http404 from exc


def is_billing_staff(actor) -> bool:
    return bool(actor.is_authenticated and actor.has_perm("billing.manage_billing"))


def member_of(actor) -> Member | None:
    """The member a member person acts for now, if they may read its invoices."""
    membership = active_membership_of(actor) if actor.is_authenticated else None
    if membership is None or not actor.has_perm("billing.view_invoices", membership.member):
        return None
    return membership.member


def with_amounts(invoices: QuerySet[Invoice], *, today: date | None = None) -> QuerySet[Invoice]:
    """Invoices annotated with `paid`, `credited`, `outstanding` and `state` (one query)."""
    today = today or timezone.localdate()
    paid = (
        PaymentAllocation.objects.filter(invoice=OuterRef("pk"))
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    credited = (
        Invoice.objects.filter(corrects=OuterRef("pk"), kind=InvoiceKind.CREDIT_NOTE)
        .values("corrects")
        .annotate(total=Sum("total_gross"))
        .values("total")
    )
    return invoices.annotate(
        paid=Coalesce(Subquery(paid, output_field=MONEY), ZERO),
        credited=Coalesce(Subquery(credited, output_field=MONEY), ZERO),
        outstanding=Case(
            When(kind=InvoiceKind.CREDIT_NOTE, then=ZERO),
            default=F("total_gross") - F("paid") - F("credited"),
            output_field=MONEY,
        ),
        state=Case(
            When(kind=InvoiceKind.CREDIT_NOTE, then=Value(InvoiceState.CREDIT_NOTE)),
            When(outstanding__lte=0, paid=0, then=Value(InvoiceState.CANCELLED)),
            When(outstanding__lte=0, then=Value(InvoiceState.PAID)),
            When(due_on__lt=today, then=Value(InvoiceState.OVERDUE)),
            # A credit note lowers what is due; only money received makes it "partly paid".
            When(paid__gt=0, then=Value(InvoiceState.PARTLY_PAID)),
            default=Value(InvoiceState.DUE),
            output_field=CharField(),
        ),
    )


def _invoices() -> QuerySet[Invoice]:
    return Invoice.objects.select_related("member", "corrects").defer("working")


def invoice_list(*, actor, member: Member | None = None, year: int | None = None, state: str = "") -> QuerySet[Invoice]:
    """Invoices and credit notes the actor may see (staff: optionally one member's), newest first."""
    invoices = _invoices()
    if is_billing_staff(actor):
        if member is not None:
            invoices = invoices.filter(member=member)
    else:
        own = member_of(actor)
        if own is None or (member is not None and member.pk != own.pk):
            return Invoice.objects.none()
        invoices = invoices.filter(member=own)
    if year:
        invoices = invoices.filter(year=year)
    invoices = with_amounts(invoices)
    if state:
        invoices = invoices.filter(state=state)
    return invoices.order_by("-year", "-issued_on", "-id")


def invoice_years(*, invoices: QuerySet[Invoice]) -> list[int]:
    """The years that have invoices, newest first (one query, whatever the number of invoices)."""
    return list(invoices.order_by("-year").values_list("year", flat=True).distinct())


def access_invoice(*, actor, invoice_id) -> Invoice:
    """One invoice the actor may see, with its lines and amounts; 404 otherwise."""
    # With the working (the lists leave it out): both invoice pages show it.
    return _one(invoice_list(actor=actor).defer(None).prefetch_related("lines", "credit_notes"), invoice_id)


def invoice_for_print(*, invoice_id: int) -> Invoice:
    """The invoice with what its print shows, in two queries (no actor: a background job prints;
    who may download the result is the views' business)."""
    return Invoice.objects.select_related("corrects").prefetch_related("lines").get(pk=invoice_id)


def invoice_payments(*, invoice: Invoice) -> QuerySet[PaymentAllocation]:
    return PaymentAllocation.objects.filter(invoice=invoice).select_related("payment").order_by("payment__received_on")


def payable_invoices(*, member: Member, invoice_ids) -> list[Invoice]:
    """The member's invoices among `invoice_ids` that still have something to pay."""
    ids = []
    for value in invoice_ids:
        try:
            ids.append(int(value))
        except (TypeError, ValueError):
            continue
    invoices = with_amounts(Invoice.objects.filter(member=member, kind=InvoiceKind.INVOICE, pk__in=ids))
    return [invoice for invoice in invoices.order_by("issued_on", "id") if invoice.outstanding > 0]


@dataclass(frozen=True)
class Balance:
    """What a member owes: invoices − credit notes − payments (negative: the member is in credit)."""

    invoiced: Decimal
    credited: Decimal
    paid: Decimal

    @property
    def amount(self) -> Decimal:
        return self.invoiced - self.credited - self.paid

    @property
    def settled(self) -> bool:
        return self.amount <= 0


def member_balance(*, member: Member) -> Balance:
    """The member's balance in two queries."""
    totals = Invoice.objects.filter(member=member).aggregate(
        invoiced=Coalesce(Sum("total_gross", filter=Q(kind=InvoiceKind.INVOICE)), ZERO),
        credited=Coalesce(Sum("total_gross", filter=Q(kind=InvoiceKind.CREDIT_NOTE)), ZERO),
    )
    paid = Payment.objects.filter(member=member).aggregate(total=Coalesce(Sum("amount"), ZERO))["total"]
    return Balance(invoiced=totals["invoiced"], credited=totals["credited"], paid=paid)


@dataclass(frozen=True)
class StatementEntry:
    day: date
    title: str  # "Facture FAC-000001", "Paiement (virement)"
    debit: Decimal
    credit: Decimal
    balance: Decimal
    invoice: Invoice | None = None
    reference: str = ""  # a payment's reference, as staff typed it

    @property
    def label(self) -> str:
        return f"{self.title} — {self.reference}" if self.reference else self.title


def member_statement(*, member: Member) -> list[StatementEntry]:
    """The member's account, oldest first: invoices as debits, credit notes and payments as credits,
    with the running balance (two queries)."""
    nothing = Decimal("0")
    movements = []  # (day, invoices before payments on a day, id, entry's fields)
    for invoice in Invoice.objects.filter(member=member).defer("working").order_by("issued_on", "id"):
        if invoice.is_credit_note:
            fields = (_("Avoir %(number)s") % {"number": invoice.number}, nothing, invoice.total_gross, invoice, "")
        else:
            fields = (_("Facture %(number)s") % {"number": invoice.number}, invoice.total_gross, nothing, invoice, "")
        movements.append((invoice.issued_on, 0, invoice.pk, fields))
    for payment in Payment.objects.filter(member=member).order_by("received_on", "id"):
        title = _("Paiement (%(method)s)") % {"method": payment.get_method_display().lower()}
        movements.append(
            (payment.received_on, 1, payment.pk, (title, nothing, payment.amount, None, payment.reference))
        )
    movements.sort(key=lambda movement: movement[:3])
    entries, balance = [], Decimal("0.00")
    for day, _order, _pk, (title, debit, credit, invoice, reference) in movements:
        balance += debit - credit
        entries.append(StatementEntry(day, title, debit, credit, balance, invoice, reference))
    return entries


# Declarations ------------------------------------------------------------------------------


def campaign_current() -> DeclarationCampaign | None:
    """The open campaign (the latest year if several are open)."""
    return DeclarationCampaign.objects.filter(status="open").order_by("-year").first()


def campaign_list() -> QuerySet[DeclarationCampaign]:
    return DeclarationCampaign.objects.select_related("rule").order_by("-year")


def _count(queryset) -> Coalesce:
    """A correlated COUNT(*) of `queryset` (filtered on OuterRef) as an integer annotation."""
    counted = queryset.order_by().annotate(total=Func(F("pk"), function="COUNT")).values("total")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def campaign_overview() -> QuerySet[DeclarationCampaign]:
    """Campaigns, newest first, with their declared members, cotisation invoices and running run."""
    declared = AnnualDeclaration.objects.filter(campaign=OuterRef("pk"), member__status="member")
    invoiced = Invoice.objects.filter(campaign=OuterRef("pk"), kind=InvoiceKind.INVOICE)
    running = InvoicingRun.objects.filter(campaign=OuterRef("pk"), status="running").values("pk")[:1]
    return campaign_list().annotate(
        declared_count=_count(declared), invoiced_count=_count(invoiced), running_run=Subquery(running)
    )


def campaign_counters(*, campaign: DeclarationCampaign) -> dict:
    """The campaign's members, those who declared and those invoiced (one query)."""
    return campaign_members(campaign=campaign).aggregate(
        total=Count("pk"),
        declared=Count("pk", filter=Q(has_declared=True)),
        invoiced=Count("pk", filter=Q(invoice_number__isnull=False)),
    )


def access_declaration(*, actor, declaration_id) -> AnnualDeclaration:
    """A declaration, for billing staff only (the same 404 otherwise)."""
    if not is_billing_staff(actor):
        raise Http404
    return _one(AnnualDeclaration.objects.select_related("campaign__rule", "member"), declaration_id)


def access_campaign(*, actor, campaign_id) -> DeclarationCampaign:
    if not is_billing_staff(actor):
        raise Http404
    return _one(campaign_list(), campaign_id)


def declaration_of(*, campaign: DeclarationCampaign, member: Member) -> AnnualDeclaration | None:
    return AnnualDeclaration.objects.filter(campaign=campaign, member=member).select_related("submitted_by").first()


def declaration_latest_before(*, campaign: DeclarationCampaign, member_ids) -> dict[int, AnnualDeclaration]:
    """Each member's most recent declaration of an earlier campaign (the estimate's source)."""
    declarations = (
        AnnualDeclaration.objects.filter(member_id__in=member_ids, campaign__year__lt=campaign.year)
        .select_related("campaign")
        .order_by("member_id", "-campaign__year")
        .distinct("member_id")
    )
    return {declaration.member_id: declaration for declaration in declarations}


def campaign_members(*, campaign: DeclarationCampaign, query: str = "", declared: str = "") -> QuerySet[Member]:
    """Members (current and prospects excluded) with their declaration of the campaign, if any."""
    declarations = AnnualDeclaration.objects.filter(campaign=campaign, member=OuterRef("pk"))
    invoices = Invoice.objects.filter(campaign=campaign, member=OuterRef("pk"), kind=InvoiceKind.INVOICE)
    members = Member.objects.filter(status="member").annotate(
        has_declared=Exists(declarations),
        declared_at=Subquery(declarations.values("submitted_at")[:1]),
        invoice_number=Subquery(invoices.values("number")[:1]),
    )
    if query:
        members = members.filter(Q(name__icontains=query) | Q(siret=query) | Q(member_number=query))
    if declared == "yes":
        members = members.filter(has_declared=True)
    elif declared == "no":
        members = members.filter(has_declared=False)
    return members.order_by("name", "id")


def members_without_declaration(*, campaign: DeclarationCampaign) -> QuerySet[Member]:
    return campaign_members(campaign=campaign, declared="no")


# Runs and payments -------------------------------------------------------------------------


@dataclass(frozen=True)
class RunProgress:
    total: int
    invoiced: int
    skipped: int

    @property
    def done(self) -> int:
        return self.invoiced + self.skipped

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, round(100 * self.done / self.total))


def run_progress(*, run: InvoicingRun) -> RunProgress:
    """How far the run is: members invoiced for its campaign, and skipped by it (two queries)."""
    invoiced = Invoice.objects.filter(
        campaign=run.campaign, kind=InvoiceKind.INVOICE, created_at__gte=run.started_at
    ).count()
    skipped = RunSkip.objects.filter(run=run).count()
    return RunProgress(total=run.total, invoiced=invoiced, skipped=skipped)


def run_skips(*, run: InvoicingRun) -> QuerySet[RunSkip]:
    return RunSkip.objects.filter(run=run).select_related("member")


def access_run(*, actor, run_id) -> InvoicingRun:
    if not is_billing_staff(actor):
        raise Http404
    return _one(InvoicingRun.objects.select_related("campaign", "started_by"), run_id)


def payment_list(*, actor, member: Member | None = None) -> QuerySet[Payment]:
    payments = Payment.objects.select_related("member", "recorded_by").prefetch_related("allocations__invoice")
    if is_billing_staff(actor):
        return payments.filter(member=member) if member is not None else payments
    own = member_of(actor)
    return payments.filter(member=own) if own is not None else Payment.objects.none()


def access_checkout(*, actor, key) -> CheckoutAttempt:
    """A checkout of the actor's active member (by its key, a UUID); 404 otherwise."""
    own = member_of(actor)
    if own is None:
        raise Http404
    try:
        return CheckoutAttempt.objects.get(key=key, member=own)
    except (CheckoutAttempt.DoesNotExist, ValidationError) as exc:  # a malformed key is not found either
        raise Http404 from exc
