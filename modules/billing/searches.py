"""Staff searches over invoices and payments: the filtered reads shared by the ledger's lists and
their CSV exports, so that both always show the same rows."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from .contribution import without_spaces
from .models import InvoiceKind
from .selectors import ZERO, invoice_list, payment_list

INVOICE_DEFAULT_SORT = "-date"
# Sort keys of the invoice list → the columns they order by (the id keeps pages stable).
INVOICE_SORTS = {
    "number": ("number", "id"),
    "date": ("issued_on", "id"),
    "amount": ("total_gross", "id"),
    "due": ("due_on", "id"),
}


@dataclass(frozen=True)
class InvoiceFilters:
    """What the invoice list and its export show (from the filter form's valid values)."""

    year: int | None = None
    state: str = ""
    kind: str = ""
    q: str = ""
    sort: str = INVOICE_DEFAULT_SORT

    @classmethod
    def of(cls, values: dict) -> "InvoiceFilters":
        return cls(
            year=values.get("year"),
            state=values.get("state") or "",
            kind=values.get("kind") or "",
            q=(values.get("q") or "").strip(),
            sort=values.get("sort") or INVOICE_DEFAULT_SORT,
        )


def _member_matches(text: str, prefix: str = "member__") -> Q:
    """Rows of a member whose name, SIRET (or SIREN, spaces allowed) or member number is `text`."""
    condition = Q(**{f"{prefix}name__icontains": text}) | Q(**{f"{prefix}member_number": text})
    digits = without_spaces(text)
    if digits.isdigit():
        condition |= Q(**{f"{prefix}siret__startswith": digits})
    return condition


def invoice_search(*, actor, filters: InvoiceFilters) -> QuerySet:
    """The invoices and credit notes of the staff lists and exports, with their amounts and state."""
    invoices = invoice_list(actor=actor, year=filters.year, state=filters.state)
    if filters.kind:
        invoices = invoices.filter(kind=filters.kind)
    if filters.q:
        # The name on the invoice too: the member may have been renamed since.
        invoices = invoices.filter(
            _member_matches(filters.q)
            | Q(number__icontains=filters.q)
            | Q(buyer_name__icontains=filters.q)
            | Q(buyer_identifier=without_spaces(filters.q))
        )
    key = filters.sort.lstrip("-")
    columns = INVOICE_SORTS.get(key, INVOICE_SORTS["date"])
    if filters.sort.startswith("-"):
        columns = tuple(f"-{column}" for column in columns)
    return invoices.order_by(*columns)


@dataclass(frozen=True)
class InvoiceTotals:
    count: int
    invoiced: Decimal
    credited: Decimal
    outstanding: Decimal


def invoice_totals(invoices: QuerySet) -> InvoiceTotals:
    """The filtered set's count, invoiced and credited TTC, and what remains to be paid (one query)."""
    # Aliases of their own: an aggregate named like an annotation (`credited`, `outstanding`) replaces it.
    totals = invoices.order_by().aggregate(
        total_count=Count("pk"),
        total_invoiced=Coalesce(Sum("total_gross", filter=Q(kind=InvoiceKind.INVOICE)), ZERO),
        total_credited=Coalesce(Sum("total_gross", filter=Q(kind=InvoiceKind.CREDIT_NOTE)), ZERO),
        total_outstanding=Coalesce(Sum("outstanding"), ZERO),
    )
    return InvoiceTotals(
        count=totals["total_count"],
        invoiced=totals["total_invoiced"],
        credited=totals["total_credited"],
        outstanding=totals["total_outstanding"],
    )


@dataclass(frozen=True)
class PaymentFilters:
    """What the payment list and its export show."""

    method: str = ""
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""

    @classmethod
    def of(cls, values: dict) -> "PaymentFilters":
        return cls(
            method=values.get("method") or "",
            received_from=values.get("received_from"),
            received_to=values.get("received_to"),
            q=(values.get("q") or "").strip(),
        )


def payment_search(*, actor, filters: PaymentFilters) -> QuerySet:
    """The payments of the staff list and export, newest first."""
    payments = payment_list(actor=actor)
    if filters.method:
        payments = payments.filter(method=filters.method)
    if filters.received_from:
        payments = payments.filter(received_on__gte=filters.received_from)
    if filters.received_to:
        payments = payments.filter(received_on__lte=filters.received_to)
    if filters.q:
        payments = payments.filter(_member_matches(filters.q) | Q(reference__icontains=filters.q))
    return payments.order_by("-received_on", "-id")


@dataclass(frozen=True)
class PaymentTotals:
    count: int
    amount: Decimal


def payment_totals(payments: QuerySet) -> PaymentTotals:
    """The filtered payments' count and amount (one query)."""
    totals = payments.order_by().aggregate(total_count=Count("pk"), total_amount=Coalesce(Sum("amount"), ZERO))
    return PaymentTotals(count=totals["total_count"], amount=totals["total_amount"])
