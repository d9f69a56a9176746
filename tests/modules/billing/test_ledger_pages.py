"""The organisation's ledger pages: invoices and credit notes, one invoice with its payment and
credit-note forms, payments, the CSV exports and the Stripe keys."""

import csv
import html
import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.accounts.models import StaffRole, User
from core.members.models import Member
from modules.billing.models import Invoice, InvoiceKind, Payment, PaymentAccount, PaymentMethod
from modules.billing.secrets import secret_open
from modules.billing.selectors import InvoiceState, with_amounts
from modules.billing.services.invoices import LineInput, credit_note_issue, invoice_issue
from modules.billing.services.payments import payment_account_save, payment_record
from tests.world import PASSWORD, siret_for

from .conftest import EXPECTED_GROSS, SECRET_KEY, WEBHOOK_SECRET, admin, declare, issue_cotisation, member

pytestmark = pytest.mark.django_db

ADMIN, ACCOUNTANT, JURIST = "admin@alpha.test", "accountant@alpha.test", "jurist@alpha.test"
MEMBER_ADMIN = "m1-admin@alpha.test"
INVOICES, PAYMENTS = "/billing/gestion/factures/", "/billing/gestion/paiements/"
EXPORT_INVOICES, EXPORT_PAYMENTS = "/billing/gestion/export/factures.csv", "/billing/gestion/export/paiements.csv"
KEYS = "/billing/gestion/paiement-en-ligne/"


def text(response) -> str:
    """The page as a person reads it (entities decoded, French non-breaking spaces as spaces)."""
    return html.unescape(response.content.decode()).replace("\u00a0", " ").replace("\u202f", " ")


def invoice_url(invoice: Invoice, action: str = "") -> str:
    return f"/billing/gestion/factures/{invoice.pk}/{action}"


def one_off(member_name: str = "Société Un", amount: str = "100.00", label: str = "Prestation") -> Invoice:
    """A one-off invoice of `amount` HT at 20 % VAT."""
    line = LineInput(label=label, unit_price=Decimal(amount), vat_rate=Decimal("20"))
    return invoice_issue(actor=admin(), member=member(member_name), lines=[line])


def amounts(invoice: Invoice) -> Invoice:
    return with_amounts(Invoice.objects.filter(pk=invoice.pk)).get()


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content)
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def listed_numbers(page: str) -> list[str]:
    return re.findall(r'data-label="Numéro"><a href="/billing/gestion/factures/\d+/">([^<]+)</a>', page)


@pytest.fixture
def accountant(in_alpha):
    User.objects.create_user(ACCOUNTANT, PASSWORD, staff_role=StaffRole.ACCOUNTANT)
    return ACCOUNTANT


@pytest.fixture
def staff(alpha, client_for, accountant):
    """The accountant's browser."""
    return client_for(alpha, ACCOUNTANT)


# Who may use the pages -----------------------------------------------------------------------


def test_only_billing_staff_reach_the_ledger_and_only_administrators_the_keys(alpha, client_for, accountant):
    invoice = one_off()
    lists = [INVOICES, PAYMENTS, EXPORT_INVOICES, EXPORT_PAYMENTS]
    invoice_pages = [invoice_url(invoice)]
    writes = [invoice_url(invoice, "paiement/"), invoice_url(invoice, "avoir/")]
    data = {"amount": "1", "method": "transfer", "received_on": timezone.localdate().isoformat(), "reason": "x"}
    for email in (MEMBER_ADMIN, "m1-user@alpha.test", JURIST):
        client = client_for(alpha, email)
        for url in lists + [KEYS]:
            assert client.get(url).status_code == 403, (email, url)
        assert client.post(KEYS, {"secret_key": "sk_test_x"}).status_code == 403
        # The invoice itself: M1's administrator may read it (403: not theirs to manage); those
        # who may not read it get the same 404 as for an invoice that does not exist.
        expected = 403 if email == MEMBER_ADMIN else 404
        for url in invoice_pages:
            assert client.get(url).status_code == expected, (email, url)
        for url in writes:
            assert client.post(url, data).status_code == expected, (email, url)
    assert Payment.objects.count() == 0 and Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 0
    assert PaymentAccount.objects.count() == 0
    accountant_client = client_for(alpha, ACCOUNTANT)
    for url in lists + invoice_pages:
        assert accountant_client.get(url).status_code == 200, url
    assert accountant_client.get(KEYS).status_code == 403
    assert client_for(alpha, ADMIN).get(KEYS).status_code == 200
    assert client_for(alpha).get(INVOICES).status_code == 302  # to the login page


def test_a_missing_invoice_and_an_organisation_without_billing_answer_404(alpha, beta, client_for, staff):
    assert staff.get("/billing/gestion/factures/999999/").status_code == 404
    assert client_for(beta, "admin@beta.test").get(INVOICES).status_code == 404


# The invoice list ----------------------------------------------------------------------------


def test_the_list_filters_by_year_state_kind_and_member_with_totals(campaign, staff):
    declare(campaign)
    cotisation = issue_cotisation(campaign)  # 2027, Société Un, 6 036 € TTC
    other = one_off("Société Deux", "100.00")  # this year, 120 € TTC
    paid = one_off("Société Deux", "50.00")  # 60 € TTC, paid below
    payment_record(actor=admin(), invoice=paid, method="transfer", amount="60", received_on=timezone.localdate())
    credit = credit_note_issue(actor=admin(), invoice=other, amount=Decimal("24.00"), reason="Geste commercial")

    page = text(staff.get(INVOICES))
    assert set(listed_numbers(page)) == {cotisation.number, other.number, paid.number, credit.number}
    # Invoiced 6 036 + 120 + 60, credited 24, outstanding 6 036 + (120 − 24) + 0.
    assert "Facturé TTC</dt><dd>6 216,00 €" in page and "Avoirs TTC</dt><dd>24,00 €" in page
    assert "Reste à payer</dt><dd>6 132,00 €" in page

    page = text(staff.get(INVOICES, {"year": "2027"}))
    assert listed_numbers(page) == [cotisation.number]
    assert "Facturé TTC</dt><dd>6 036,00 €" in page

    page = text(staff.get(INVOICES, {"state": InvoiceState.PAID}))
    assert listed_numbers(page) == [paid.number]
    # Reduced by a credit note but nothing received: still "À payer", with the cotisation.
    page = text(staff.get(INVOICES, {"state": InvoiceState.DUE}))
    assert set(listed_numbers(page)) == {cotisation.number, other.number}
    assert not listed_numbers(text(staff.get(INVOICES, {"state": InvoiceState.PARTLY_PAID})))
    page = text(staff.get(INVOICES, {"kind": InvoiceKind.CREDIT_NOTE}))
    assert listed_numbers(page) == [credit.number] and "sur " + other.number in page

    assert set(listed_numbers(text(staff.get(INVOICES, {"q": "deux"})))) == {other.number, paid.number, credit.number}
    siret = member("Société Un").siret
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"  # typed with spaces
    assert listed_numbers(text(staff.get(INVOICES, {"q": spaced}))) == [cotisation.number]
    assert listed_numbers(text(staff.get(INVOICES, {"q": paid.number}))) == [paid.number]
    page = text(staff.get(INVOICES, {"q": "personne"}))
    assert "Aucune facture ne correspond à ces critères." in page and "Exporter la sélection" not in page


def test_the_list_sorts_by_amount_and_links_the_export_with_its_filters(in_alpha, staff):
    small, large, middle = one_off(amount="10"), one_off(amount="900"), one_off(amount="300")
    page = text(staff.get(INVOICES, {"sort": "amount", "kind": "invoice"}))
    assert listed_numbers(page) == [small.number, middle.number, large.number]
    assert 'aria-sort="ascending"' in page
    page = text(staff.get(INVOICES, {"sort": "-amount", "kind": "invoice"}))
    assert listed_numbers(page) == [large.number, middle.number, small.number]
    assert f'href="{EXPORT_INVOICES}?sort=-amount&kind=invoice"' in page
    # A value that does not validate is ignored (and said), the rest still applies.
    response = staff.get(INVOICES, {"state": "bogus", "sort": "amount"})
    assert response.status_code == 200
    assert listed_numbers(text(response)) == [small.number, middle.number, large.number]


def test_the_live_filter_answers_the_results_alone(in_alpha, staff):
    invoice = one_off()
    response = staff.get(INVOICES, {"q": invoice.number}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="invoice-results")
    page = text(response)
    assert "<html" not in page and "<form" not in page
    assert listed_numbers(page) == [invoice.number] and "Facturé TTC" in page
    assert "HX-Request" in response["Vary"]
    assert "<html" in text(staff.get(INVOICES, {"q": invoice.number}))


def test_the_list_costs_the_same_queries_for_one_invoice_or_forty(in_alpha, staff):
    one_off("Société Un")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = staff.get(INVOICES)
        assert response.status_code == 200
        return len(queries)

    few = count()
    for number in range(39):
        invoice = one_off("Société Deux" if number % 2 else "Société Un", amount=str(10 + number))
        if number % 5 == 0:
            payment_record(
                actor=admin(), invoice=invoice, method="cheque", amount="1", received_on=timezone.localdate()
            )
        if number % 3 == 0:
            credit_note_issue(actor=admin(), invoice=invoice, reason="Erreur")
    assert count() == few


def test_fifty_invoices_a_page(in_alpha, staff):
    for number in range(51):
        one_off(amount=str(number + 1))
    page = text(staff.get(INVOICES, {"sort": "amount"}))
    assert len(listed_numbers(page)) == 50 and "Page 1 sur 2" in page
    page = text(staff.get(INVOICES, {"sort": "amount", "page": "2"}))
    assert len(listed_numbers(page)) == 1 and "51 lignes" in page


# The invoice page and its forms --------------------------------------------------------------


def test_the_invoice_page_shows_lines_working_payments_and_credit_notes(campaign, staff):
    declare(campaign)
    invoice = issue_cotisation(campaign)
    payment_record(
        actor=admin(),
        invoice=invoice,
        method="cheque",
        amount="1000",
        received_on=timezone.localdate(),
        reference="CHQ 42",
    )
    note = credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("36.00"), reason="Remise")
    page = text(staff.get(invoice_url(invoice)))
    assert invoice.number in page and "Cotisation annuelle 2027" in page
    assert "Partiellement payée" in page and invoice.payment_reference in page
    assert "6 036,00 €" in page and "Reste à payer</dt><dd><strong>5 000,00 €" in page
    assert "Chèque" in page and "CHQ 42" in page and note.number in page and "Remise" in page
    assert "Calcul de la cotisation" in page and "Déclaration 2027" in page
    assert f'href="/billing/factures/{invoice.pk}/pdf/"' in page
    assert 'value="5000,00"' in page  # the payment form offers what remains
    page = text(staff.get(invoice_url(note)))
    assert "Avoir sur la facture" in page and invoice.number in page and "Enregistrer le paiement" not in page


def test_recording_a_transfer_pays_the_invoice(in_alpha, staff):
    invoice = one_off(amount="100")  # 120 € TTC
    today = timezone.localdate()
    response = staff.post(
        invoice_url(invoice, "paiement/"),
        {"method": "transfer", "amount": "120,00", "received_on": today.isoformat(), "reference": "VIR 2026-11"},
        follow=True,
    )
    assert response.redirect_chain == [(invoice_url(invoice), 302)]
    assert f"Virement de 120,00 € enregistré sur la facture {invoice.number}." in text(response)
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.received_on, payment.reference) == (
        PaymentMethod.TRANSFER,
        Decimal("120.00"),
        today,
        "VIR 2026-11",
    )
    assert payment.recorded_by.email == ACCOUNTANT
    assert amounts(invoice).state == InvoiceState.PAID
    assert "Cette facture est entièrement réglée." in text(response)


def test_a_partial_cheque_leaves_the_invoice_partly_paid(in_alpha, staff):
    invoice = one_off(amount="1000")  # 1 200 € TTC
    response = staff.post(
        invoice_url(invoice, "paiement/"),
        {
            "method": "cheque",
            "amount": "1 000,50",
            "received_on": (timezone.localdate() - timedelta(days=3)).isoformat(),
        },
    )
    assert response.status_code == 302
    invoice = amounts(invoice)
    assert invoice.state == InvoiceState.PARTLY_PAID and invoice.outstanding == Decimal("199.50")


def test_a_payment_over_what_remains_is_refused_with_the_typed_values_kept(in_alpha, staff):
    invoice = one_off(amount="100")  # 120 € TTC
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = staff.post(
        invoice_url(invoice, "paiement/"),
        {"method": "cheque", "amount": "150", "received_on": day, "reference": "CHQ 7"},
    )
    assert response.status_code == 400
    page = text(response)
    assert 'id="payment_amount_error">Il reste 120,00 € à payer sur cette facture.' in page
    assert 'value="150"' in page and f'value="{day}"' in page and 'value="CHQ 7"' in page
    assert re.search(r'value="cheque"[^>]*checked', page)
    assert Payment.objects.count() == 0


def test_a_payment_form_refusals_next_to_their_fields(in_alpha, staff):
    invoice = one_off()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    page = text(
        staff.post(invoice_url(invoice, "paiement/"), {"method": "transfer", "amount": "12", "received_on": tomorrow})
    )
    assert re.search(r'id="payment_received_on_error">La date de réception ne peut pas être dans le futur', page)
    page = text(staff.post(invoice_url(invoice, "paiement/"), {"method": "card", "amount": "douze", "received_on": ""}))
    assert 'id="payment_method_error">Choisissez virement ou chèque.' in page
    assert 'id="payment_amount_error">Indiquez un montant en euros' in page
    assert 'id="payment_received_on_error">Indiquez la date de réception.' in page
    assert Payment.objects.count() == 0


def test_a_full_credit_note_cancels_the_invoice(in_alpha, staff):
    invoice = one_off(amount="100")
    response = staff.post(
        invoice_url(invoice, "avoir/"), {"scope": "full", "amount": "", "reason": "Facture en double"}
    )
    assert response.status_code == 302 and response["Location"] == invoice_url(invoice)
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert note.corrects_id == invoice.pk and note.total_gross == Decimal("120.00") and note.note == "Facture en double"
    assert amounts(invoice).outstanding == 0
    page = text(staff.get(invoice_url(invoice)))
    assert f"Avoir {note.number} émis sur la facture {invoice.number} : 120,00 € TTC." in page
    assert "Émettre l'avoir" not in page  # nothing left to credit


def test_a_partial_credit_note_then_one_over_what_remains_is_refused(in_alpha, staff):
    invoice = one_off(amount="100")  # 120 € TTC
    response = staff.post(invoice_url(invoice, "avoir/"), {"scope": "partial", "amount": "30,00", "reason": "Remise"})
    assert response.status_code == 302
    note = Invoice.objects.get(kind=InvoiceKind.CREDIT_NOTE)
    assert note.total_gross == Decimal("30.00") and note.total_net + note.total_vat == Decimal("30.00")
    invoice = amounts(invoice)
    assert invoice.outstanding == Decimal("90.00") and invoice.state == InvoiceState.DUE
    response = staff.post(invoice_url(invoice, "avoir/"), {"scope": "partial", "amount": "90,01", "reason": "Trop"})
    assert response.status_code == 400
    page = text(response)
    assert 'id="credit_amount_error">L\'avoir ne peut dépasser 90,00 €.' in page
    assert 'value="90,01"' in page and "Trop</textarea>" in page
    assert re.search(r'value="partial"[^>]*checked', page)
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 1


def test_a_credit_note_needs_a_reason_and_a_partial_one_an_amount(in_alpha, staff):
    invoice = one_off()
    page = text(staff.post(invoice_url(invoice, "avoir/"), {"scope": "partial", "amount": "", "reason": ""}))
    assert 'id="credit_reason_error">Indiquez le motif de l\'avoir.' in page
    assert 'id="credit_amount_error">Indiquez le montant TTC de l\'avoir partiel.' in page
    assert Invoice.objects.filter(kind=InvoiceKind.CREDIT_NOTE).count() == 0


def test_a_payment_on_a_credit_note_is_refused_with_a_message(in_alpha, staff):
    invoice = one_off()
    note = credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("10"), reason="Remise")
    response = staff.post(
        invoice_url(note, "paiement/"),
        {"method": "transfer", "amount": "5", "received_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Un paiement s'impute sur une facture, pas sur un avoir." in text(response)
    assert Payment.objects.count() == 0


# Payments ------------------------------------------------------------------------------------


def test_the_payment_list_filters_by_method_dates_and_member(in_alpha, staff):
    today = timezone.localdate()
    first, second = one_off("Société Un", "100"), one_off("Société Deux", "100")
    payment_record(
        actor=admin(),
        invoice=first,
        method="cheque",
        amount="20",
        received_on=today - timedelta(days=40),
        reference="CHQ 1",
    )
    payment_record(actor=admin(), invoice=second, method="transfer", amount="30", received_on=today, reference="VIR 2")
    page = text(staff.get(PAYMENTS))
    assert "CHQ 1" in page and "VIR 2" in page and first.number in page and second.number in page
    assert "Montant reçu</dt><dd>50,00 €" in page
    page = text(staff.get(PAYMENTS, {"method": "cheque"}))
    assert "CHQ 1" in page and "VIR 2" not in page
    page = text(staff.get(PAYMENTS, {"received_from": (today - timedelta(days=7)).isoformat()}))
    assert "VIR 2" in page and "CHQ 1" not in page
    page = text(staff.get(PAYMENTS, {"received_to": (today - timedelta(days=7)).isoformat()}))
    assert "CHQ 1" in page and "VIR 2" not in page
    page = text(staff.get(PAYMENTS, {"q": "deux"}))
    assert "VIR 2" in page and "CHQ 1" not in page
    page = text(
        staff.get(PAYMENTS, {"received_from": today.isoformat(), "received_to": (today - timedelta(1)).isoformat()})
    )
    assert "Cette date précède la date de début." in page


def test_the_payment_list_costs_the_same_queries_for_one_payment_or_forty(in_alpha, staff):
    invoice = one_off(amount="1000")
    today = timezone.localdate()
    payment_record(actor=admin(), invoice=invoice, method="cheque", amount="1", received_on=today)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert staff.get(PAYMENTS).status_code == 200
        return len(queries)

    few = count()
    for _number in range(39):
        payment_record(actor=admin(), invoice=one_off(amount="50"), method="transfer", amount="10", received_on=today)
    assert count() == few


# Exports -------------------------------------------------------------------------------------


def test_the_invoice_export_is_french_csv_with_the_list_filters(campaign, staff):
    declare(campaign)
    cotisation = issue_cotisation(campaign)
    payment_record(
        actor=admin(), invoice=cotisation, method="transfer", amount="1036", received_on=timezone.localdate()
    )
    note = credit_note_issue(actor=admin(), invoice=cotisation, amount=Decimal("36"), reason="Remise")
    other = one_off("Société Deux", "10")
    response = staff.get(EXPORT_INVOICES)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="factures-')
    rows = csv_rows(response)
    assert rows[0] == [
        "numéro", "type", "date", "échéance", "adhérent", "SIRET/n°", "HT", "TVA", "TTC", "payé", "reste", "statut",
        "facture corrigée",
    ]  # fmt: skip
    by_number = {row[0]: row for row in rows[1:]}
    assert set(by_number) == {cotisation.number, note.number, other.number}
    row = by_number[cotisation.number]
    issued = cotisation.issued_on.strftime("%d/%m/%Y")
    assert row[1:6] == ["Facture", issued, cotisation.due_on.strftime("%d/%m/%Y"), "Société Un", member().siret]
    assert row[6:] == ["5030,00", "1006,00", "6036,00", "1036,00", "4964,00", "Partiellement payée", ""]
    assert by_number[note.number][1] == "Avoir" and by_number[note.number][8] == "36,00"
    assert by_number[note.number][12] == cotisation.number
    assert EXPECTED_GROSS == Decimal("6036.00")
    # The list's filters apply.
    rows = csv_rows(staff.get(EXPORT_INVOICES, {"q": "deux", "kind": "invoice"}))
    assert [row[0] for row in rows[1:]] == [other.number]


def test_exports_never_let_a_cell_run_a_formula(in_alpha, staff):
    hostile = Member.objects.create(name='=HYPERLINK("http://evil.test","clic")', siret=siret_for(900))
    invoice = invoice_issue(
        actor=admin(), member=hostile, lines=[LineInput(label="X", unit_price=Decimal("10"), vat_rate=Decimal("20"))]
    )
    payment_record(
        actor=admin(),
        invoice=invoice,
        method="cheque",
        amount="12",
        received_on=timezone.localdate(),
        reference="@SUM(1)",
    )
    rows = csv_rows(staff.get(EXPORT_INVOICES))
    assert rows[1][4] == '\'=HYPERLINK("http://evil.test","clic")'
    rows = csv_rows(staff.get(EXPORT_PAYMENTS))
    assert rows[1][3] == '\'=HYPERLINK("http://evil.test","clic")' and rows[1][4] == "'@SUM(1)"
    for prefix in ("+", "-", "\t", "\r"):
        Member.objects.filter(pk=hostile.pk).update(name=f"{prefix}1+1")
        assert csv_rows(staff.get(EXPORT_PAYMENTS))[1][3] == f"'{prefix}1+1"


def test_the_payment_export_lists_the_invoices_each_payment_settles(in_alpha, staff):
    first, second = one_off(amount="100"), one_off(amount="200")
    day = timezone.localdate() - timedelta(days=2)
    payment_record(actor=admin(), invoice=first, method="transfer", amount="120", received_on=day, reference="VIR A")
    payment_record(actor=admin(), invoice=second, method="cheque", amount="99,99", received_on=day, reference="CHQ B")
    rows = csv_rows(staff.get(EXPORT_PAYMENTS, {"method": "cheque"}))
    assert rows == [
        ["date", "moyen", "montant", "adhérent", "référence", "factures réglées"],
        [day.strftime("%d/%m/%Y"), "Chèque", "99,99", "Société Un", "CHQ B", second.number],
    ]


@pytest.mark.parametrize("url", [EXPORT_INVOICES, EXPORT_PAYMENTS])
def test_exports_cost_the_same_queries_for_one_row_or_forty(in_alpha, staff, url):
    today = timezone.localdate()
    payment_record(actor=admin(), invoice=one_off(amount="100"), method="cheque", amount="5", received_on=today)

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            rows = csv_rows(staff.get(url))
        return len(queries), len(rows)

    few, rows_before = count()
    for number in range(39):
        invoice = one_off("Société Deux", amount="100")
        payment_record(actor=admin(), invoice=invoice, method="transfer", amount="7", received_on=today)
        if number % 4 == 0:
            credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("1"), reason="Remise")
    many, rows_after = count()
    assert rows_after > rows_before + 38 and many == few


# Payment keys --------------------------------------------------------------------------------


def test_keys_are_stored_encrypted_and_never_shown_again(alpha, client_for, in_alpha):
    client = client_for(alpha, ADMIN)
    page = text(client.get(KEYS))
    assert "Aucune clé enregistrée." in page and "Non configuré" in page
    assert "http://alpha." in page and "/billing/stripe/webhook/" in page and "checkout.session.completed" in page
    response = client.post(
        KEYS,
        {"publishable_key": "pk_test_public", "secret_key": SECRET_KEY, "webhook_secret": WEBHOOK_SECRET},
        follow=True,
    )
    page = text(response)
    assert "Les clés du paiement en ligne sont enregistrées." in page
    account = PaymentAccount.objects.get()
    assert SECRET_KEY not in account.secret_key_encrypted and WEBHOOK_SECRET not in account.webhook_secret_encrypted
    assert secret_open(account.secret_key_encrypted) == SECRET_KEY
    assert secret_open(account.webhook_secret_encrypted) == WEBHOOK_SECRET
    assert SECRET_KEY not in page and WEBHOOK_SECRET not in page
    assert "•••• enregistrée" in page and "•••• enregistré." in page and 'value="pk_test_public"' in page
    assert "Proposé aux adhérents" in page

    # Blank secrets keep the stored ones; a refusal does not send back what was typed.
    response = client.post(KEYS, {"publishable_key": "pk_test_other", "secret_key": "", "webhook_secret": ""})
    assert response.status_code == 302
    account = PaymentAccount.objects.get()
    assert account.publishable_key == "pk_test_other" and secret_open(account.secret_key_encrypted) == SECRET_KEY
    response = client.post(
        KEYS, {"publishable_key": "pk_test_other", "secret_key": "sk_test_new", "webhook_secret": "nope"}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Le secret de signature commence par « whsec_ »." in page and "sk_test_new" not in page
    assert secret_open(PaymentAccount.objects.get().secret_key_encrypted) == SECRET_KEY


def test_an_unreadable_stored_key_asks_to_type_it_again(alpha, client_for, in_alpha):
    payment_account_save(actor=admin(), publishable_key="", secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET)
    PaymentAccount.objects.update(secret_key_encrypted="gAAAAA-sealed-under-another-key")
    page = text(client_for(alpha, ADMIN).get(KEYS))
    assert "Enregistrée mais illisible" in page and "Non configuré" in page
