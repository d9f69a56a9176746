"""Transfers and cheques recorded by staff: partial payments, nothing beyond what remains, credit
notes reducing it, the state of each invoice on a given day, the member's balance and statement."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from core.audit.models import AuditEntry
from core.errors import Conflict, DomainError
from modules.billing.models import Invoice, Payment, PaymentAllocation, PaymentMethod
from modules.billing.selectors import InvoiceState, member_balance, member_statement, with_amounts
from modules.billing.services.invoices import LineInput, credit_note_issue, invoice_issue
from modules.billing.services.payments import payment_record

from .conftest import admin, member, user

D = Decimal
TRANSFER, CHEQUE = PaymentMethod.TRANSFER, PaymentMethod.CHEQUE


def one_off(amount="100", member_name="Société Un") -> Invoice:
    """A 20 % VAT invoice of `amount` € net (120 € TTC by default)."""
    return invoice_issue(actor=admin(), member=member(member_name), lines=[LineInput("Formation", D(amount), D("20"))])


def record(invoice, amount, method=TRANSFER, *, actor=None, received_on=None, reference=""):
    return payment_record(
        actor=actor or admin(),
        invoice=invoice,
        method=method,
        amount=amount,
        received_on=received_on or timezone.localdate(),
        reference=reference,
    )


def state(invoice, *, today=None) -> Invoice:
    return with_amounts(Invoice.objects.filter(pk=invoice.pk), today=today).get()


def written() -> tuple[int, int, int]:
    return (
        Payment.objects.count(),
        PaymentAllocation.objects.count(),
        AuditEntry.objects.filter(action="billing.payment_record").count(),
    )


# Recording -----------------------------------------------------------------------------------


def test_partial_payments_add_up_to_a_paid_invoice(in_alpha):
    invoice = one_off()
    first = record(invoice, "20,50", reference="VIR 2027-001")
    assert (first.amount, first.method, first.member, first.reference) == (
        D("20.50"),
        TRANSFER,
        member(),
        "VIR 2027-001",
    )
    assert first.recorded_by == admin()
    after_first = state(invoice)
    assert (after_first.paid, after_first.outstanding, after_first.state) == (
        D("20.50"),
        D("99.50"),
        InvoiceState.PARTLY_PAID,
    )
    record(invoice, "99.50", CHEQUE, reference="Chèque 1234567")
    paid = state(invoice)
    assert (paid.paid, paid.outstanding, paid.state) == (D("120.00"), D("0.00"), InvoiceState.PAID)
    assert list(PaymentAllocation.objects.filter(invoice=invoice).values_list("amount", flat=True).order_by("pk")) == [
        D("20.50"),
        D("99.50"),
    ]
    entry = AuditEntry.objects.filter(action="billing.payment_record").order_by("pk").first()
    assert entry.after == {"invoice": invoice.number, "amount": "20.50", "method": "transfer"}
    assert entry.member_id == member().pk


def test_more_than_what_remains_is_refused_and_nothing_is_written(in_alpha):
    invoice = one_off()
    record(invoice, "100")
    before = written()
    with pytest.raises(DomainError) as refused:
        record(invoice, "20.01")
    assert refused.value.errors == {"amount": ["Il reste 20,00 € à payer sur cette facture."]}
    assert written() == before
    assert state(invoice).outstanding == D("20.00")


def test_nothing_can_be_recorded_on_a_paid_invoice(in_alpha):
    invoice = one_off()
    record(invoice, "120")
    with pytest.raises(DomainError) as refused:
        record(invoice, "0.01")
    assert refused.value.errors == {"amount": ["Il reste 0,00 € à payer sur cette facture."]}
    assert Payment.objects.count() == 1


def test_a_credit_note_reduces_what_remains(in_alpha):
    invoice = one_off()
    credit_note_issue(actor=admin(), invoice=invoice, amount=D("20"), reason="Remise")
    assert (state(invoice).credited, state(invoice).outstanding) == (D("20.00"), D("100.00"))
    with pytest.raises(DomainError):
        record(invoice, "100.01")
    record(invoice, "100")
    assert state(invoice).state == InvoiceState.PAID


@pytest.mark.parametrize(
    "amount, message",
    [
        ("0", "Le montant doit être positif."),
        ("-10", "Le montant doit être positif."),
        ("dix euros", "Indiquez un montant en euros."),
        ("NaN", "Le montant doit être positif."),
        ("10.001", "Deux décimales au plus."),
        ("", "Indiquez un montant en euros."),
    ],
)
def test_wrong_amounts_are_refused(in_alpha, amount, message):
    invoice = one_off()
    with pytest.raises(DomainError) as refused:
        record(invoice, amount)
    assert refused.value.errors == {"amount": [message]}
    assert written() == (0, 0, 0)


def test_online_methods_are_not_recorded_by_hand(in_alpha):
    with pytest.raises(DomainError) as refused:
        record(one_off(), "10", PaymentMethod.CARD)
    assert refused.value.errors == {"method": ["Choisissez virement ou chèque."]}
    assert written() == (0, 0, 0)


def test_a_payment_received_in_the_future_is_refused(in_alpha):
    with pytest.raises(DomainError) as refused:
        record(one_off(), "10", received_on=timezone.localdate() + timedelta(days=1))
    assert list(refused.value.errors) == ["received_on"]
    assert written() == (0, 0, 0)


def test_a_payment_is_not_recorded_on_a_credit_note(in_alpha):
    credit_note = credit_note_issue(actor=admin(), invoice=one_off(), amount=D("10"), reason="Remise")
    with pytest.raises(Conflict):
        record(credit_note, "10")
    assert written() == (0, 0, 0)


@pytest.mark.parametrize("email", ["m1-admin@alpha.test", "jurist@alpha.test"])
def test_only_billing_staff_record_payments(in_alpha, email):
    invoice = one_off()
    with pytest.raises(PermissionDenied):
        record(invoice, "10", actor=user(email))
    assert written() == (0, 0, 0)


# States --------------------------------------------------------------------------------------


def test_states_follow_payments_and_the_day(in_alpha):
    invoice = one_off()
    due_on = invoice.due_on
    assert state(invoice, today=due_on).state == InvoiceState.DUE  # due today is not late yet
    assert state(invoice, today=due_on + timedelta(days=1)).state == InvoiceState.OVERDUE
    record(invoice, "20")
    assert state(invoice, today=due_on).state == InvoiceState.PARTLY_PAID
    assert state(invoice, today=due_on + timedelta(days=1)).state == InvoiceState.OVERDUE
    record(invoice, "100")
    assert state(invoice, today=due_on + timedelta(days=365)).state == InvoiceState.PAID


def test_a_partly_credited_invoice_is_still_due_and_a_fully_credited_one_cancelled(in_alpha):
    partly, fully, settled = one_off(), one_off(), one_off()
    credit_note = credit_note_issue(actor=admin(), invoice=partly, amount=D("20"), reason="Remise")
    credit_note_issue(actor=admin(), invoice=fully, reason="Annulation")
    record(settled, "100")
    credit_note_issue(actor=admin(), invoice=settled, reason="Remise du solde")
    # A credit note lowers what is due; it is not money received.
    assert (state(partly, today=partly.due_on).state, state(partly).outstanding) == (InvoiceState.DUE, D("100.00"))
    assert state(fully, today=fully.due_on + timedelta(days=1)).state == InvoiceState.CANCELLED
    # Paid in part, the rest credited: settled.
    assert state(settled).state == InvoiceState.PAID
    assert state(credit_note).state == InvoiceState.CREDIT_NOTE and state(credit_note).outstanding == 0


def test_states_of_a_list_cost_one_query(in_alpha, django_assert_num_queries):
    invoices = [one_off() for _ in range(3)]
    record(invoices[0], "120")
    record(invoices[1], "10")
    credit_note_issue(actor=admin(), invoice=invoices[2], amount=D("1"), reason="Remise")
    with django_assert_num_queries(1):
        states = {row.number: row.state for row in with_amounts(Invoice.objects.all())}
    assert states == {
        "FAC-000001": InvoiceState.PAID,
        "FAC-000002": InvoiceState.PARTLY_PAID,
        "FAC-000003": InvoiceState.DUE,  # reduced by a credit note, nothing paid
        "AVO-000001": InvoiceState.CREDIT_NOTE,
    }


# Balance and statement -----------------------------------------------------------------------


def test_balance_is_invoices_less_credit_notes_less_payments(in_alpha):
    first, second = one_off(), one_off("5000")  # 120 € and 6 000 €
    credit_note_issue(actor=admin(), invoice=second, amount=D("36"), reason="Remise")
    record(first, "120")
    record(second, "1000", CHEQUE)
    one_off(member_name="Société Deux")  # another member's
    balance = member_balance(member=member())
    assert (balance.invoiced, balance.credited, balance.paid) == (D("6120.00"), D("36.00"), D("1120.00"))
    assert balance.amount == D("4964.00") and not balance.settled
    record(second, "4964")
    assert member_balance(member=member()).amount == 0 and member_balance(member=member()).settled


def test_a_member_without_invoices_owes_nothing(in_alpha):
    balance = member_balance(member=member("Société Deux"))
    assert balance.amount == 0 and balance.settled


def test_statement_lists_movements_oldest_first_with_the_running_balance(in_alpha):
    today = timezone.localdate()
    first = one_off()  # 120 €
    record(first, "20", received_on=today, reference="VIR-1")
    second = one_off("50")  # 60 €
    credit_note = credit_note_issue(actor=admin(), invoice=second, amount=D("10"), reason="Remise")
    record(second, "50", CHEQUE, received_on=today)
    one_off(member_name="Société Deux")
    entries = member_statement(member=member())
    assert [(entry.label, entry.debit, entry.credit, entry.balance) for entry in entries] == [
        ("Facture FAC-000001", D("120.00"), 0, D("120.00")),
        ("Facture FAC-000002", D("60.00"), 0, D("180.00")),
        ("Avoir AVO-000001", 0, D("10.00"), D("170.00")),
        ("Paiement (virement) — VIR-1", 0, D("20.00"), D("150.00")),
        ("Paiement (chèque)", 0, D("50.00"), D("100.00")),
    ]
    assert [entry.invoice for entry in entries[:3]] == [first, second, credit_note]
    assert entries[-1].balance == member_balance(member=member()).amount


def test_statement_puts_an_earlier_payment_before_a_later_invoice(in_alpha):
    today = timezone.localdate()
    first = one_off()
    record(first, "120", received_on=today)
    later = one_off()
    # A payment dated before the day of the invoice comes first in the statement.
    backdated = record(later, "60", received_on=today - timedelta(days=3))
    entries = member_statement(member=member())
    assert entries[0].day == backdated.received_on and entries[0].credit == D("60.00")
    assert entries[0].balance == D("-60.00")
    assert entries[-1].balance == D("60.00")


def test_balance_and_statement_cost_the_same_queries_for_one_or_many_movements(in_alpha, django_assert_num_queries):
    invoice, owner = one_off(), member()
    with django_assert_num_queries(2):
        member_balance(member=owner)
    with django_assert_num_queries(2):
        assert len(member_statement(member=owner)) == 1
    for _ in range(3):
        record(one_off(), "10")
    credit_note_issue(actor=admin(), invoice=invoice, amount=D("5"), reason="Remise")
    with django_assert_num_queries(2):
        member_balance(member=owner)
    with django_assert_num_queries(2):
        assert len(member_statement(member=owner)) == 8
