"""Invoice numbers: continuous per organisation, never reused, distinct under concurrent issuing.

Concurrent issuing needs committed data seen by several connections: those tests run in a scratch
organisation (see scratch.py), created for the module and dropped after it.
"""

from decimal import Decimal

import pytest
from django.db import transaction

import modules.billing.services.invoices as invoices
from modules.billing.models import Invoice, InvoiceKind, NumberSeries
from modules.billing.services.invoices import LineInput, credit_note_issue, invoice_issue
from tests.concurrency import in_own_connection, race

from .conftest import admin, declare, issue_cotisation, member
from .scratch import scratch_organisation, tasks_unrun

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def scratch(organisations, django_db_blocker):
    with scratch_organisation(django_db_blocker, "billing-numbering") as organisation:
        yield organisation


def one_off(member_name: str = "Société Un", amount: str = "100", vat_rate: str = "20") -> Invoice:
    return invoice_issue(
        actor=admin(),
        member=member(member_name),
        lines=[LineInput("Formation", Decimal(amount), Decimal(vat_rate))],
    )


# Concurrency ---------------------------------------------------------------------------------


def test_three_issuers_at_once_get_distinct_consecutive_numbers(scratch, monkeypatch, mail_sink):
    def issuer(member_name):
        return lambda: one_off(member_name).number

    # The issuers meet right before taking a number: without the series' row lock, all of them
    # would read the same next value.
    with tasks_unrun():
        outcomes = race(
            scratch,
            monkeypatch,
            module=invoices,
            meeting_point="number_take",
            works=[issuer("Société Un"), issuer("Société Deux"), issuer("Société Un")],
        )
    assert all("error" not in outcome for outcome in outcomes), outcomes
    numbers = sorted(outcome["value"] for outcome in outcomes)
    assert numbers == ["FAC-000001", "FAC-000002", "FAC-000003"]

    def stored():
        return (
            sorted(Invoice.objects.values_list("number", flat=True)),
            NumberSeries.objects.get(kind=InvoiceKind.INVOICE).next_value,
        )

    assert in_own_connection(scratch, stored)["value"] == (numbers, 4)


# Gaps ----------------------------------------------------------------------------------------


def test_first_numbers_of_each_series(in_alpha):
    invoice = one_off()
    assert invoice.number == "FAC-000001"
    credit_note = credit_note_issue(actor=admin(), invoice=invoice, reason="Erreur de tarif")
    assert credit_note.number == "AVO-000001"


def test_a_rolled_back_issue_gives_its_number_back(in_alpha):
    with pytest.raises(RuntimeError), transaction.atomic():
        assert one_off().number == "FAC-000001"
        raise RuntimeError("the caller's transaction fails after the issue")
    assert not Invoice.objects.exists()
    assert one_off().number == "FAC-000001"
    assert one_off("Société Deux").number == "FAC-000002"


def test_a_refused_cotisation_invoice_takes_no_number(campaign):
    declare(campaign)
    assert issue_cotisation(campaign).number == "FAC-000001"
    # Invoicing the member again (a resumed run): the database refuses the second invoice, and the
    # number it had taken is given back.
    assert issue_cotisation(campaign) is None
    assert one_off().number == "FAC-000002"
    assert NumberSeries.objects.get(kind=InvoiceKind.INVOICE).next_value == 3


def test_credit_notes_have_their_own_series(in_alpha):
    first = one_off()
    first_credit = credit_note_issue(actor=admin(), invoice=first, amount=Decimal("10"), reason="Geste commercial")
    second = one_off("Société Deux")
    second_credit = credit_note_issue(actor=admin(), invoice=first, amount=Decimal("10"), reason="Second geste")
    third = one_off()
    assert [first.number, second.number, third.number] == ["FAC-000001", "FAC-000002", "FAC-000003"]
    assert [first_credit.number, second_credit.number] == ["AVO-000001", "AVO-000002"]
    assert {first_credit.kind, second_credit.kind} == {InvoiceKind.CREDIT_NOTE}


def test_numbers_are_never_reused_and_follow_issue_order(in_alpha):
    issued = [one_off(name).number for name in ("Société Un", "Société Deux") * 5]
    assert issued == [f"FAC-{value:06d}" for value in range(1, 11)]
    assert len(set(Invoice.objects.values_list("number", flat=True))) == 10
