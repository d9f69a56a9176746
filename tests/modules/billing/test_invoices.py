"""Issuing invoices: cotisations from the declaration or an estimate (flagged), members skipped and
why, one-off invoices, credit notes in full or in part, the database keeping issued invoices
unchanged, and the bank-transfer reference."""

import dataclasses
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django_tenants.utils import tenant_context
from stdnum import iso11649

from core.audit.models import AuditEntry
from core.errors import Conflict, DomainError
from core.members.models import Member
from core.modules.registry import ContributionBasis, registry
from core.modules.settings import module_settings_get, module_settings_save
from core.notifications.models import Notification
from modules.billing.contribution import cents
from modules.billing.models import Invoice, InvoiceKind, InvoiceLine
from modules.billing.selectors import with_amounts
from modules.billing.services.invoices import (
    LineInput,
    contribution_invoice,
    contributions_price,
    credit_note_issue,
    invoice_issue,
)

from .conftest import EXPECTED_GROSS, EXPECTED_NET, admin, declare, issue_cotisation, member, open_campaign, user

D = Decimal


def priced(campaign, *names):
    return {
        p.member.name: p
        for p in contributions_price(campaign=campaign, members=[member(name) for name in names or MEMBERS])
    }


MEMBERS = ("Société Un", "Société Deux")


def one_off(*lines: LineInput, member_name="Société Un", actor=None, note="") -> Invoice:
    return invoice_issue(
        actor=actor or admin(),
        member=member(member_name),
        lines=list(lines) or [LineInput("Formation", D("100"), D("20"))],
        note=note,
    )


def amounts_of(invoice: Invoice) -> Invoice:
    return with_amounts(Invoice.objects.filter(pk=invoice.pk)).get()


# Cotisations ---------------------------------------------------------------------------------


def test_cotisation_invoice_from_the_declaration(campaign):
    declare(campaign)
    invoice = issue_cotisation(campaign)
    today = timezone.localdate()
    assert (invoice.kind, invoice.year, invoice.campaign_id) == (InvoiceKind.INVOICE, 2027, campaign.pk)
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (EXPECTED_NET, D("1006.00"), EXPECTED_GROSS)
    assert invoice.issued_on == today and invoice.due_on == today + timedelta(days=30)
    assert invoice.payment_terms == "Paiement à 30 jours à réception de facture."
    assert not invoice.estimated
    assert (invoice.buyer_name, invoice.buyer_identifier) == ("Société Un", member().siret)
    (line,) = invoice.lines.all()
    assert (line.label, line.quantity, line.unit_price, line.vat_rate) == (
        "Cotisation annuelle 2027",
        D("1"),
        EXPECTED_NET,
        D("20"),
    )
    assert (line.total_net, line.total_vat) == (EXPECTED_NET, D("1006.00"))
    # The working is stored with the invoice: its source, then steps that add up to the net.
    assert invoice.working[0] == {"label": "Déclaration 2027", "amount": ""}
    assert sum(D(step["amount"]) for step in invoice.working[1:]) == EXPECTED_NET
    assert [step["amount"] for step in invoice.working[1:]] == ["2500.00", "2250.00", "180.00", "100.00"]
    # The member is told, and the issue is in the journal.
    assert Notification.objects.filter(member=member(), subject="Nouvelle facture FAC-000001").exists()
    entry = AuditEntry.objects.get(action="billing.invoice_issue", target_id=str(invoice.pk))
    assert entry.after == {"number": "FAC-000001", "total_gross": "6036.00", "year": 2027}


def test_a_member_without_a_declaration_this_year_is_estimated_from_the_last_one(in_alpha):
    earlier = open_campaign(2026)
    declare(earlier, payroll="100000", headcount="4", fte="3")
    campaign = open_campaign(2027)
    (result,) = priced(campaign, "Société Un").values()
    assert result.contribution.estimated
    assert result.contribution.source == "Estimation d'après la déclaration 2026"
    invoice = contribution_invoice(actor=admin(), campaign=campaign, priced=result)
    assert invoice.estimated
    # 100 000 × 0,5 % + 4 × 15 + 100 = 660 € net.
    assert invoice.total_net == D("660.00") and invoice.total_gross == D("792.00")
    assert invoice.lines.get().label == "Cotisation annuelle 2027 (estimation d'après la déclaration 2026)"
    assert invoice.working[0]["label"] == "Estimation d'après la déclaration 2026"


def test_the_estimate_uses_the_latest_earlier_declaration(in_alpha):
    declare(open_campaign(2025), payroll="100000")
    declare(open_campaign(2026), payroll="200000")
    campaign = open_campaign(2027)
    (result,) = priced(campaign, "Société Un").values()
    assert result.contribution.source == "Estimation d'après la déclaration 2026"
    assert result.contribution.steps[0].amount == D("1000.00")  # 200 000 × 0,5 %


def test_this_years_declaration_wins_over_an_estimate(in_alpha):
    declare(open_campaign(2026), payroll="100000")
    campaign = open_campaign(2027)
    declare(campaign)
    (result,) = priced(campaign, "Société Un").values()
    assert not result.contribution.estimated and result.contribution.net == EXPECTED_NET


def test_a_member_with_no_declaration_ever_is_skipped(campaign):
    declare(campaign)
    results = priced(campaign)
    assert results["Société Un"].contribution.net == EXPECTED_NET
    assert results["Société Deux"].contribution is None
    assert results["Société Deux"].skip == "Aucune déclaration, ni antérieure pour l'estimer."


def test_a_zero_cotisation_is_skipped(in_alpha):
    campaign = open_campaign(fixed_amount="0", minimum="0", per_head_amount="0")
    declare(campaign, payroll="0", headcount="0", fte="0", contracts="0")
    (result,) = priced(campaign, "Société Un").values()
    assert result.contribution is None and result.skip == "Cotisation nulle."


def test_a_figure_the_rule_needs_but_the_member_left_blank_is_named(in_alpha):
    campaign = open_campaign(head_basis="contracts")  # contracts are optional on the data sheet
    declare(campaign, contracts="")
    (result,) = priced(campaign, "Société Un").values()
    assert result.skip == "Donnée manquante : Nombre de contrats (N-2)."


def questions_asked(*, member_ids, year):
    """A module's figure (the provider a module registers): only Société Un has one."""
    return {pk: 4 for pk in Member.objects.filter(pk__in=member_ids, name="Société Un").values_list("pk", flat=True)}


@pytest.fixture
def module_basis(monkeypatch):
    """The questions module (on in alpha) offers a figure per member, as a module would."""
    spec = registry.get("questions")
    basis = ContributionBasis("questions.asked", "Questions posées", f"{__name__}.questions_asked")
    monkeypatch.setitem(registry._specs, "questions", dataclasses.replace(spec, contribution_bases=(basis,)))
    return basis


def test_a_module_figure_prices_members_and_its_absence_skips_them(in_alpha, module_basis):
    # No brackets: only the module's figure is needed, so no declaration is.
    campaign = open_campaign(brackets=[], head_basis="questions.asked", per_head_amount="25", minimum="0")
    results = priced(campaign)
    assert results["Société Un"].contribution.net == D("200.00")  # 4 × 25 + 100
    assert results["Société Un"].contribution.steps[0].label == "Questions posées : 4 × 25,00 €"
    assert results["Société Deux"].skip == "Donnée manquante : Questions posées."


def test_pricing_costs_the_same_queries_for_one_or_many_members(in_alpha, django_assert_num_queries):
    declare(open_campaign(2026), member_name="Société Deux", email="m2-admin@alpha.test")
    campaign = open_campaign(2027)
    declare(campaign)
    one = [member("Société Deux")]
    both = [member("Société Un"), member("Société Deux")]
    # The brackets, this year's declarations, the earlier ones for the estimates.
    with django_assert_num_queries(3):
        contributions_price(campaign=campaign, members=one)
    with django_assert_num_queries(3):
        results = contributions_price(campaign=campaign, members=both)
    assert [result.contribution.estimated for result in results] == [False, True]


def test_a_member_is_invoiced_once_per_campaign(campaign):
    declare(campaign)
    first = issue_cotisation(campaign)
    assert issue_cotisation(campaign) is None
    assert list(Invoice.objects.filter(campaign=campaign).values_list("pk", flat=True)) == [first.pk]


# One-off invoices ----------------------------------------------------------------------------


def test_one_off_invoice_sums_its_lines(in_alpha):
    invoice = one_off(
        LineInput("Formation sécurité", D("99.99"), D("20"), D("3")),
        LineInput("Frais de dossier", D("10.00"), D("5.5")),
        note="Session de mars",
    )
    assert invoice.campaign is None and invoice.year == timezone.localdate().year
    assert [(line.label, line.total_net, line.total_vat) for line in invoice.lines.all()] == [
        ("Formation sécurité", D("299.97"), D("59.99")),  # 59.994
        ("Frais de dossier", D("10.00"), D("0.55")),
    ]
    assert (invoice.total_net, invoice.total_vat, invoice.total_gross) == (D("309.97"), D("60.54"), D("370.51"))
    assert invoice.note == "Session de mars"
    assert Notification.objects.filter(subject=f"Nouvelle facture {invoice.number}").exists()


@pytest.mark.parametrize(
    "lines, message",
    [
        ([], "Ajoutez au moins une ligne."),
        ([LineInput("  ", D("10"), D("20"))], "Chaque ligne a une désignation."),
        ([LineInput("Formation", D("0"), D("20"))], "Les montants et quantités sont positifs"),
        ([LineInput("Formation", D("-10"), D("20"))], "Les montants et quantités sont positifs"),
        ([LineInput("Formation", D("10"), D("20"), D("0"))], "Les montants et quantités sont positifs"),
        ([LineInput("Formation", D("10"), D("100.01"))], "Le taux de TVA est un pourcentage entre 0 et 100."),
        ([LineInput("Formation", D("10"), D("-1"))], "Le taux de TVA est un pourcentage entre 0 et 100."),
        (
            [LineInput("Formation", D("10"), D("20")), LineInput("Remise", D("-5"), D("20"))],
            "Les montants et quantités sont positifs",
        ),
    ],
)
def test_one_off_invoice_refusals_write_nothing(in_alpha, lines, message):
    with pytest.raises(DomainError) as refused:
        invoice_issue(actor=admin(), member=member(), lines=lines)
    assert refused.value.errors["lines"][0].startswith(message)
    assert not Invoice.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="billing.invoice").exists()


def test_no_invoice_before_the_organisation_gives_its_siret_and_its_vat_number(alpha):
    with tenant_context(alpha):
        with pytest.raises(Conflict) as refused:
            one_off()
        assert "SIRET de l'organisation" in refused.value.message
        settings = module_settings_get("billing")
        module_settings_save(actor=admin(), key="billing", values={**settings, "seller_siret": "73282932000074"})
        with pytest.raises(Conflict) as refused:
            one_off()  # 20 % VAT
        assert "numéro de TVA intracommunautaire" in refused.value.message
        assert not Invoice.objects.exists()
        # Without VAT, the SIRET is enough.
        assert one_off(LineInput("Formation", D("100"), D("0"))).total_gross == D("100.00")


@pytest.mark.parametrize("email", ["m1-admin@alpha.test", "jurist@alpha.test"])
def test_only_billing_staff_issue_invoices(in_alpha, email):
    with pytest.raises(PermissionDenied):
        one_off(actor=user(email))
    assert not Invoice.objects.exists()


# Credit notes --------------------------------------------------------------------------------


def test_a_full_credit_note_copies_the_invoice_lines(in_alpha):
    invoice = one_off(
        LineInput("Formation", D("99.99"), D("20"), D("3")),
        LineInput("Frais de dossier", D("10.00"), D("5.5")),
    )
    credit_note = credit_note_issue(actor=admin(), invoice=invoice, reason="Formation annulée")
    assert credit_note.kind == InvoiceKind.CREDIT_NOTE and credit_note.corrects_id == invoice.pk
    assert credit_note.note == "Formation annulée" and credit_note.year == invoice.year
    assert credit_note.payment_terms == "" and credit_note.due_on == credit_note.issued_on

    def lines(of):
        return [
            (line.label, line.quantity, line.unit_price, line.vat_rate, line.total_net, line.total_vat)
            for line in of.lines.all()
        ]

    assert lines(credit_note) == lines(invoice)
    assert (credit_note.total_net, credit_note.total_vat, credit_note.total_gross) == (
        invoice.total_net,
        invoice.total_vat,
        invoice.total_gross,
    )
    after = amounts_of(invoice)
    assert after.credited == invoice.total_gross and after.outstanding == 0


AWKWARD_AMOUNTS = ["0.01", "0.02", "0.05", "0.99", "1.00", "1.01", "33.33", "66.67", "100.01", "999.99", "1234.57"]


@pytest.mark.parametrize("vat_rate", ["20", "10", "5.5", "2.1", "8.5", "0", "19.6"])
def test_a_partial_credit_note_totals_exactly_the_amount_asked(in_alpha, vat_rate):
    invoice = one_off(LineInput("Formation", D("5000"), D(vat_rate)))
    credited = D("0")
    for amount in map(D, AWKWARD_AMOUNTS):
        credit_note = credit_note_issue(actor=admin(), invoice=invoice, amount=amount, reason="Geste")
        assert credit_note.total_gross == amount
        assert credit_note.total_net + credit_note.total_vat == amount
        assert credit_note.total_net == cents(amount / (1 + D(vat_rate) / 100))
        (line,) = credit_note.lines.all()
        assert line.label == f"Avoir partiel sur la facture {invoice.number}"
        assert (line.vat_rate, line.total_net + line.total_vat) == (D(vat_rate), amount)
        credited += amount
    assert amounts_of(invoice).outstanding == invoice.total_gross - credited


def test_partial_credit_notes_add_up_to_the_invoice_and_no_further(in_alpha):
    invoice = one_off(LineInput("Formation", D("100"), D("20")))  # 120 € TTC
    credit_note_issue(actor=admin(), invoice=invoice, amount=D("100"), reason="Premier geste")
    with pytest.raises(DomainError) as refused:
        credit_note_issue(actor=admin(), invoice=invoice, amount=D("20.01"), reason="Trop")
    assert refused.value.errors == {"amount": ["L'avoir ne peut dépasser 20,00 €."]}
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1
    # With no amount, what remains is credited.
    rest = credit_note_issue(actor=admin(), invoice=invoice, reason="Solde")
    assert rest.total_gross == D("20.00") and rest.lines.get().label.startswith("Avoir partiel")
    with pytest.raises(Conflict) as refused:
        credit_note_issue(actor=admin(), invoice=invoice, amount=D("0.01"), reason="Encore")
    assert refused.value.message == "Cette facture est déjà entièrement annulée par des avoirs."
    assert amounts_of(invoice).outstanding == 0


def test_an_invoice_with_several_vat_rates_is_credited_only_whole(in_alpha):
    invoice = one_off(LineInput("Formation", D("100"), D("20")), LineInput("Livre", D("50"), D("5.5")))
    with pytest.raises(Conflict) as refused:
        credit_note_issue(actor=admin(), invoice=invoice, amount=D("10"), reason="Geste")
    assert refused.value.code == "mixed_vat_rates"
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()
    whole = credit_note_issue(actor=admin(), invoice=invoice, reason="Annulation")
    assert [(line.vat_rate, line.total_net) for line in whole.lines.all()] == [(D("20"), D("100")), (D("5.5"), D("50"))]
    assert amounts_of(invoice).outstanding == 0


def test_a_credit_note_over_the_invoice_is_refused_and_writes_nothing(in_alpha):
    invoice = one_off()  # 120 €
    with pytest.raises(DomainError) as refused:
        credit_note_issue(actor=admin(), invoice=invoice, amount=D("120.01"), reason="Trop")
    assert refused.value.errors == {"amount": ["L'avoir ne peut dépasser 120,00 €."]}
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()


@pytest.mark.parametrize("amount", [D("0"), D("-5"), D("0.004")])
def test_a_credit_note_of_nothing_is_refused(in_alpha, amount):
    invoice = one_off()
    with pytest.raises(DomainError) as refused:
        credit_note_issue(actor=admin(), invoice=invoice, amount=amount, reason="Rien")
    assert "amount" in refused.value.errors
    assert not Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).exists()


def test_a_credit_note_needs_a_reason(in_alpha):
    with pytest.raises(DomainError) as refused:
        credit_note_issue(actor=admin(), invoice=one_off(), reason="  ")
    assert refused.value.errors == {"reason": ["Indiquez le motif de l'avoir."]}


def test_a_credit_note_cannot_be_credited(in_alpha):
    credit_note = credit_note_issue(actor=admin(), invoice=one_off(), amount=D("10"), reason="Geste")
    with pytest.raises(Conflict) as refused:
        credit_note_issue(actor=admin(), invoice=credit_note, reason="Annuler l'avoir")
    assert refused.value.message == "Un avoir ne se corrige pas par un autre avoir."
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1


def test_a_member_cannot_issue_a_credit_note(in_alpha):
    invoice = one_off()
    with pytest.raises(PermissionDenied):
        credit_note_issue(actor=user("m1-admin@alpha.test"), invoice=invoice, reason="Je conteste")


# Immutability --------------------------------------------------------------------------------


def refused_by_the_database(change) -> None:
    with pytest.raises((IntegrityError, DatabaseError)) as refused, transaction.atomic():
        change()
    assert "An issued invoice never changes" in str(refused.value)


def test_the_database_refuses_to_change_an_issued_invoice(in_alpha):
    invoice = one_off()
    refused_by_the_database(lambda: Invoice.objects.filter(pk=invoice.pk).update(total_net=D("1")))
    refused_by_the_database(lambda: Invoice.objects.filter(pk=invoice.pk).update(buyer_name="Autre"))
    invoice.note = "Modifiée"
    refused_by_the_database(lambda: invoice.save())
    assert Invoice.objects.get(pk=invoice.pk).note == ""


def test_the_database_refuses_to_delete_an_issued_invoice(in_alpha):
    invoice = one_off()

    def raw_delete():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM billing_invoice WHERE id = %s", [invoice.pk])

    refused_by_the_database(raw_delete)
    # Deleting through the ORM without its lines (raw delete, no collector) meets the same refusal.
    refused_by_the_database(lambda: Invoice.objects.filter(pk=invoice.pk)._raw_delete(connection.alias))
    assert Invoice.objects.filter(pk=invoice.pk).exists()


def test_the_database_refuses_to_change_or_delete_invoice_lines(in_alpha):
    invoice = one_off(LineInput("Formation", D("100"), D("20")), LineInput("Frais", D("10"), D("20")))
    lines = InvoiceLine.objects.filter(invoice=invoice)
    refused_by_the_database(lambda: lines.update(unit_price=D("1")))
    refused_by_the_database(lambda: lines.filter(label="Frais").delete())
    assert [(line.label, line.unit_price) for line in lines] == [("Formation", D("100.00")), ("Frais", D("10.00"))]


def test_credit_notes_are_as_final_as_invoices(in_alpha):
    credit_note = credit_note_issue(actor=admin(), invoice=one_off(), reason="Annulation")
    refused_by_the_database(lambda: Invoice.objects.filter(pk=credit_note.pk).update(note=""))
    refused_by_the_database(lambda: InvoiceLine.objects.filter(invoice=credit_note).delete())


# Payment reference ---------------------------------------------------------------------------


def test_the_payment_reference_is_a_valid_creditor_reference(in_alpha):
    invoices = [one_off() for _ in range(12)]
    credit_note = credit_note_issue(actor=admin(), invoice=invoices[0], reason="Annulation")
    for invoice in [*invoices, credit_note]:
        reference = invoice.payment_reference
        assert iso11649.is_valid(reference), reference
        assert reference.startswith("RF") and reference.endswith(invoice.number.replace("-", ""))
    assert invoices[0].payment_reference == "RF" + iso11649.compact(invoices[0].payment_reference)[2:4] + "FAC000001"
    assert len({invoice.payment_reference for invoice in invoices}) == 12
    # One wrong character and the check digits no longer match.
    tampered = invoices[0].payment_reference.replace("FAC000001", "FAC000007")
    assert not iso11649.is_valid(tampered)
