"""CSV files for accounting software and spreadsheets: staff's invoices and payments, a member's
account statement.

French conventions, which spreadsheet and accounting imports expect from a French file: `;` between
cells, decimal comma, dates dd/mm/yyyy, UTF-8 with a byte order mark (so Excel reads the accents).
A text cell starting with = + - @ (or a tab or carriage return) is prefixed with ' so that no
spreadsheet runs it as a formula. Rows are produced one at a time from one query (a server-side
cursor), so an export of any size streams in constant memory and a constant number of queries.
"""

import csv
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import OuterRef, QuerySet, Subquery, TextField
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Invoice, Payment, PaymentAllocation
from .selectors import InvoiceState, StatementEntry

BOM = "\ufeff"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 2000  # rows fetched from the cursor at a time

INVOICE_HEADER = (
    "numéro",
    "type",
    "date",
    "échéance",
    "adhérent",
    "SIRET/n°",
    "HT",
    "TVA",
    "TTC",
    "payé",
    "reste",
    "statut",
    "facture corrigée",
)
PAYMENT_HEADER = ("date", "moyen", "montant", "adhérent", "référence", "factures réglées")


def cell_text(value) -> str:
    """Text from people (names, references): never read as a formula by a spreadsheet."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_START) else text


def cell_amount(amount: Decimal | None) -> str:
    """An amount we computed ("-12,50"): a number, so left as it is for the spreadsheet to add up."""
    return "" if amount is None else f"{amount:.2f}".replace(".", ",")


def cell_date(day: date | None) -> str:
    """A day as French accounting software reads it (dd/mm/yyyy)."""
    return day.strftime("%d/%m/%Y") if day else ""


class _Echo:
    """A file-like object whose `write` returns the line, for csv.writer inside a generator."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Iterable[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    """The file, line by line, starting with the byte order mark and the header."""
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield BOM + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def csv_download(lines: Iterable[str], name: str) -> StreamingHttpResponse:
    """The file as an attachment named `name-YYYY-MM-DD.csv`, never sniffed nor kept by a cache."""
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{timezone.localdate():%Y-%m-%d}.csv"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def invoice_rows(invoices: QuerySet[Invoice]) -> Iterator[list[str]]:
    """One row per invoice or credit note of `invoices` (annotated by `selectors.with_amounts`)."""
    for invoice in invoices.iterator(chunk_size=CHUNK):
        yield [
            cell_text(invoice.number),
            cell_text(invoice.get_kind_display()),
            cell_date(invoice.issued_on),
            cell_date(invoice.due_on),
            cell_text(invoice.buyer_name),
            cell_text(invoice.buyer_identifier),
            cell_amount(invoice.total_net),
            cell_amount(invoice.total_vat),
            cell_amount(invoice.total_gross),
            cell_amount(invoice.paid),
            cell_amount(invoice.outstanding),
            cell_text(InvoiceState.LABELS.get(invoice.state, invoice.state)),
            cell_text(invoice.corrects.number if invoice.corrects_id else ""),
        ]


def invoice_csv(invoices: QuerySet[Invoice]) -> Iterator[str]:
    """The invoices export, line by line (for a StreamingHttpResponse)."""
    return csv_lines(INVOICE_HEADER, invoice_rows(invoices))


def _with_settled_numbers(payments: QuerySet[Payment]) -> QuerySet[Payment]:
    """The numbers of the invoices each payment settles, in the payments' own query (no prefetch:
    a prefetch runs once per chunk of the cursor)."""
    numbers = (
        PaymentAllocation.objects.filter(payment=OuterRef("pk"))
        .values("payment")
        .annotate(numbers=StringAgg("invoice__number", ", ", order_by="invoice__number"))
        .values("numbers")
    )
    return payments.prefetch_related(None).annotate(settled_numbers=Subquery(numbers, output_field=TextField()))


def payment_rows(payments: QuerySet[Payment]) -> Iterator[list[str]]:
    """One row per payment, with the numbers of the invoices it settles."""
    for payment in _with_settled_numbers(payments).iterator(chunk_size=CHUNK):
        yield [
            cell_date(payment.received_on),
            cell_text(payment.get_method_display()),
            cell_amount(payment.amount),
            cell_text(payment.member.name),
            cell_text(payment.reference),
            cell_text(payment.settled_numbers or ""),
        ]


def payment_csv(payments: QuerySet[Payment]) -> Iterator[str]:
    """The payments export, line by line (for a StreamingHttpResponse)."""
    return csv_lines(PAYMENT_HEADER, payment_rows(payments))


def statement_csv(entries: list[StatementEntry], totals: dict) -> Iterator[str]:
    """A member's account statement (`selectors.member_statement`), then its totals' line."""
    header = (_("Date"), _("Libellé"), _("Référence"), _("Débit"), _("Crédit"), _("Solde"))
    rows = [
        [
            cell_date(entry.day),
            cell_text(entry.title),
            cell_text(entry.reference),
            cell_amount(entry.debit) if entry.debit else "",
            cell_amount(entry.credit) if entry.credit else "",
            cell_amount(entry.balance),
        ]
        for entry in entries
    ]
    total = ["", _("Total"), "", *(cell_amount(totals[key]) for key in ("debit", "credit", "balance"))]
    return csv_lines(header, [*rows, total])
