"""The member's billing pages: "Vos factures" (balance, invoices by year, online payment), an
invoice, its PDF, the account statement (page and CSV) and the annual data sheet."""

import csv
import html
import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.context_processors import PermWrapper
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.access.acting import memberships_of
from core.access.models import Membership
from core.modules.registry import registry
from core.modules.settings import module_settings_get, module_settings_save
from modules.billing.contribution import euros
from modules.billing.models import AnnualDeclaration, Invoice, InvoiceDocument, InvoiceKind, PaymentMethod
from modules.billing.services.declarations import campaign_update
from modules.billing.services.invoices import LineInput, _invoice_write, credit_note_issue, invoice_issue
from modules.billing.services.payments import payment_account_save, payment_record
from modules.billing.views.checkout import checkout_origin

from .conftest import (
    EXPECTED_GROSS,
    EXPECTED_NET,
    SECRET_KEY,
    SELLER_IDENTITY,
    WEBHOOK_SECRET,
    admin,
    declare,
    issue_cotisation,
    member,
    open_campaign,
    user,
)

pytestmark = pytest.mark.django_db

M1_ADMIN, M1_USER, M2_ADMIN = "m1-admin@alpha.test", "m1-user@alpha.test", "m2-admin@alpha.test"
STAFF, JURIST = "admin@alpha.test", "jurist@alpha.test"
LIST_URL, STATEMENT_URL, DECLARATION_URL = "/billing/", "/billing/releve/", "/billing/declaration/"
IBAN, BIC = "FR7630006000011234567890189", "AGRIFRPP"


def raw(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page as read (entities decoded)."""
    return html.unescape(raw(response))


def invoice_url(invoice) -> str:
    return f"/billing/factures/{invoice.pk}/"


def pdf_url(invoice) -> str:
    return f"/billing/factures/{invoice.pk}/pdf/"


def one_off(member_name: str = "Société Un", amount: str = "100", label: str = "Formation") -> Invoice:
    """A one-off invoice of `amount` € net (+ 20 % VAT), issued today."""
    return invoice_issue(
        actor=admin(), member=member(member_name), lines=[LineInput(label, Decimal(amount), Decimal(20))]
    )


def old_invoice(*, year: int = 2025, issued_on: date = date(2025, 1, 10), amount: str = "100") -> Invoice:
    """An invoice issued long ago, as the service wrote it then: its due day is long past."""
    with transaction.atomic():
        return _invoice_write(
            actor=admin(),
            member=member(),
            kind=InvoiceKind.INVOICE,
            lines=[LineInput("Adhésion", Decimal(amount), Decimal(20))],
            year=year,
            today=issued_on,
        )


def pay(invoice: Invoice, amount: str, reference: str = ""):
    return payment_record(
        actor=admin(),
        invoice=invoice,
        method=PaymentMethod.TRANSFER,
        amount=amount,
        received_on=timezone.localdate(),
        reference=reference,
    )


def grant(email: str, rights: list[str]) -> None:
    Membership.objects.filter(user__email=email).update(rights=rights)


def payments_on() -> None:
    payment_account_save(
        actor=admin(), publishable_key="pk_test_adhera", secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET
    )


def billing_settings(**changes) -> None:
    values = {**module_settings_get("billing"), **SELLER_IDENTITY, **changes}
    module_settings_save(actor=admin(), key="billing", values=values)


@pytest.fixture(autouse=True)
def seller(in_alpha):
    """Alpha may invoice: its SIRET and VAT number are set."""
    billing_settings()


def row_of(body: str, number: str) -> str:
    """The table row that lists `number`."""
    for row in re.findall(r"<tr[^>]*>.*?</tr>", body, flags=re.S):
        if f">{number}<" in row:
            return row
    raise AssertionError(f"{number} is not listed")


def cells(row: str) -> list[str]:
    """The text of a table row's data cells."""
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S)]


def badge_of(body: str, number: str) -> str:
    return re.search(r'<span class="badge state-[a-z_]+">([^<]+)</span>', row_of(body, number)).group(1)


@pytest.fixture
def m1_admin(client_for, alpha, in_alpha):
    return client_for(alpha, M1_ADMIN)


# "Vos factures" ----------------------------------------------------------------------------------


def test_the_balance_comes_first_then_invoices_grouped_by_year(campaign, m1_admin):
    declare(campaign)
    cotisation = issue_cotisation(campaign)  # 2027
    older = old_invoice(year=2025)  # 120 € TTC
    response = m1_admin.get(LIST_URL)
    assert response.status_code == 200
    body = text(response)
    assert "<h1>Vos factures</h1>" in body
    assert body.index("Solde du compte") < body.index(cotisation.number)
    assert euros(EXPECTED_GROSS + Decimal("120.00")) in body and "Reste à régler" in body
    assert (
        body.index("Année 2027") < body.index(cotisation.number) < body.index("Année 2025") < body.index(older.number)
    )
    cotisation_row = row_of(body, cotisation.number)
    assert euros(EXPECTED_GROSS) in cotisation_row and "Facture" in cotisation_row
    assert f'href="{invoice_url(cotisation)}"' in cotisation_row and f'href="{pdf_url(cotisation)}"' in cotisation_row
    assert cotisation.issued_on.strftime("%d/%m/%Y") in cotisation_row
    # The statement and the open campaign's data sheet are one click away.
    assert 'href="/billing/releve/"' in body
    assert 'href="/billing/declaration/"' in body and "Transmise" in body


def test_the_year_filter_shows_one_year_and_refreshes_the_results_alone(campaign, m1_admin):
    declare(campaign)
    cotisation = issue_cotisation(campaign)
    older = old_invoice(year=2025)
    body = text(m1_admin.get(LIST_URL, {"year": "2025"}))
    assert older.number in body and cotisation.number not in body
    assert '<option value="2025" selected>' in body
    # A year the member has no invoice for (or no year at all) shows them all.
    for year in ("1999", "deux mille"):
        body = text(m1_admin.get(LIST_URL, {"year": year}))
        assert older.number in body and cotisation.number in body
    live = m1_admin.get(LIST_URL, {"year": "2027"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="invoice-results")
    assert live.status_code == 200
    assert "<html" not in raw(live) and "Solde du compte" not in raw(live)
    assert cotisation.number in raw(live) and older.number not in raw(live)
    assert "HX-Target" in live["Vary"]


def test_each_invoice_says_where_it_stands(campaign, m1_admin):
    declare(campaign)
    due = issue_cotisation(campaign)
    partly = one_off(amount="100")
    pay(partly, "50")
    paid = one_off(amount="100")
    pay(paid, "120")
    overdue = old_invoice()
    credit_note = credit_note_issue(actor=admin(), invoice=one_off(amount="10"), reason="Doublon")
    body = text(m1_admin.get(LIST_URL))
    assert badge_of(body, due.number) == "À payer"
    assert badge_of(body, partly.number) == "Partiellement payée"
    assert euros(Decimal("70.00")) in row_of(body, partly.number)  # what remains
    assert badge_of(body, paid.number) == "Payée"
    assert badge_of(body, overdue.number) == "En retard"
    assert badge_of(body, credit_note.number) == "Avoir"
    assert "Avoir" in row_of(body, credit_note.number)


def test_the_balance_after_a_credit_note_and_in_the_members_favour(in_alpha, m1_admin):
    invoice = one_off(amount="100")  # 120 € TTC
    pay(invoice, "120")
    body = text(m1_admin.get(LIST_URL))
    balance = body[body.index("Solde du compte") : body.index("Relevé de compte")]
    assert euros(Decimal(0)) in balance and "À jour" in balance and "en votre faveur" not in balance
    credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("30"), reason="Remise accordée")
    body = text(m1_admin.get(LIST_URL))
    balance = body[body.index("Solde du compte") : body.index("Relevé de compte")]
    assert euros(Decimal(30)) in balance and "À jour" in balance and "en votre faveur" in balance
    assert "-30" not in balance


def test_unpaid_invoices_can_be_ticked_and_paid_online(in_alpha, m1_admin):
    payments_on()
    due = one_off(amount="100")
    paid = one_off(amount="100")
    pay(paid, "120")
    response = m1_admin.get(LIST_URL)
    # The form's redirect to Stripe's page is allowed by the page's policy (browsers check it).
    assert f"form-action 'self' {checkout_origin()}" in response["Content-Security-Policy"]
    body = raw(response)
    form = body[body.index('<form method="post" action="/billing/paiement/"') :]
    assert 'name="csrfmiddlewaretoken"' in form
    assert f'name="invoices" value="{due.pk}"' in form
    assert f'value="{paid.pk}"' not in form
    assert "Payer en ligne" in form
    assert f'<label for="pay-{due.pk}">Payer {due.number} ({euros(Decimal(120))})</label>' in html.unescape(form)


def test_no_online_payment_without_the_keys_the_setting_or_the_right(in_alpha, m1_admin, client_for, alpha):
    one_off()
    response = m1_admin.get(LIST_URL)
    assert "Payer en ligne" not in text(response)  # no Stripe keys yet
    assert "form-action 'self';" in response["Content-Security-Policy"]  # nowhere else to post
    payments_on()
    assert "Payer en ligne" in text(m1_admin.get(LIST_URL))
    grant(M1_USER, ["billing.view_invoices"])
    reader = text(client_for(alpha, M1_USER).get(LIST_URL))
    assert "Formation" not in reader  # the list shows no line labels
    assert "Solde du compte" in reader and "Payer en ligne" not in reader and 'name="invoices"' not in reader
    billing_settings(online_payment=False)
    assert "Payer en ligne" not in text(m1_admin.get(LIST_URL))


def test_the_list_without_invoices_says_so(in_alpha, m1_admin):
    body = text(m1_admin.get(LIST_URL))
    assert "Aucune facture pour le moment." in body and "À jour" in body


def test_who_may_open_the_invoices_page(in_alpha, client_for, alpha):
    assert client_for(alpha, M1_USER).get(LIST_URL).status_code == 403
    assert client_for(alpha, JURIST).get(LIST_URL).status_code == 403
    staff = client_for(alpha, STAFF).get(LIST_URL)
    assert staff.status_code == 302 and staff["Location"] == "/billing/gestion/factures/"
    anonymous = client_for(alpha).get(LIST_URL)
    assert anonymous.status_code == 302 and "/compte/connexion/" in anonymous["Location"]
    grant(M1_USER, ["billing.view_invoices"])
    assert client_for(alpha, M1_USER).get(LIST_URL).status_code == 200


def test_the_list_costs_the_same_queries_for_one_invoice_or_thirty(in_alpha, m1_admin):
    payments_on()
    first = one_off(amount="100")
    pay(first, "10")

    def measure() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert m1_admin.get(LIST_URL).status_code == 200
        return len(queries)

    one = measure()
    for index in range(29):
        invoice = one_off(amount=str(50 + index))
        if index % 3 == 0:
            pay(invoice, "5")
        if index % 7 == 0:
            credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("1"), reason="Geste")
    assert Invoice.objects.filter(member=member()).count() > 30
    assert measure() == one


# An invoice ----------------------------------------------------------------------------------------


def test_an_invoice_shows_its_lines_totals_payments_and_credit_notes(campaign, m1_admin):
    billing_settings(iban=IBAN, bic=BIC, seller_name="Alpha Union")
    declare(campaign)
    invoice = issue_cotisation(campaign)
    pay(invoice, "1000", reference="VIR-42")
    credit_note = credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("36"), reason="Remise")
    response = m1_admin.get(invoice_url(invoice))
    assert response.status_code == 200
    body = text(response)
    assert f"Facture {invoice.number}" in body and "Cotisation annuelle 2027" in body
    for amount in (EXPECTED_NET, Decimal("1006.00"), EXPECTED_GROSS):
        assert euros(amount) in body
    assert "20 %" in body
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
    due = invoice.due_on
    assert f"{due.day} {months[due.month - 1]} {due.year}" in body
    assert "Paiement à 30 jours à réception de facture." in body
    assert "Partiellement payée" in body
    assert euros(EXPECTED_GROSS - Decimal("1036")) in body  # what remains
    assert "Virement" in body and euros(Decimal(1000)) in body and "VIR-42" in body
    assert credit_note.number in body and f'href="{invoice_url(credit_note)}"' in raw(response)
    # Paying by transfer: the organisation's bank details and the reference to quote.
    assert "FR76 3000 6000 0112 3456 7890 189" in body and BIC in body
    assert invoice.payment_reference.startswith("RF") and invoice.payment_reference in body
    assert "Indiquez cette référence dans le libellé de votre virement" in body
    # The working of the cotisation, as it was priced.
    assert "Détail du calcul de la cotisation" in body and "Part fixe" in body


def test_an_estimated_cotisation_says_so(in_alpha, m1_admin):
    declare(open_campaign(2026))
    estimated = issue_cotisation(open_campaign(2027))  # no data sheet for 2027: estimated from 2026's
    assert estimated.estimated
    assert "(estimée)" in row_of(text(m1_admin.get(LIST_URL)), estimated.number)
    body = text(m1_admin.get(invoice_url(estimated)))
    assert "Montant estimé (Estimation d'après la déclaration 2026)" in body
    assert "aucune fiche de renseignements n'avait été transmise pour cette campagne" in body


def test_a_paid_invoice_no_longer_asks_for_a_transfer(in_alpha, m1_admin):
    billing_settings(iban=IBAN, bic=BIC)
    invoice = one_off()
    pay(invoice, "120")
    body = text(m1_admin.get(invoice_url(invoice)))
    assert "Payée" in body and IBAN[:4] not in body and "Régler cette facture" not in body


def test_an_unpaid_invoice_offers_online_payment_of_what_remains(in_alpha, m1_admin):
    payments_on()
    invoice = one_off()
    pay(invoice, "20")
    response = m1_admin.get(invoice_url(invoice))
    assert f"form-action 'self' {checkout_origin()}" in response["Content-Security-Policy"]
    body = raw(response)
    assert 'action="/billing/paiement/"' in body
    assert f'<input type="hidden" name="invoices" value="{invoice.pk}">' in body
    assert f"Payer en ligne {euros(Decimal(100))}" in html.unescape(body)


def test_a_credit_note_names_the_invoice_it_corrects_and_why(in_alpha, m1_admin):
    invoice = one_off()
    credit_note = credit_note_issue(actor=admin(), invoice=invoice, reason="Facturée deux fois")
    response = m1_admin.get(invoice_url(credit_note))
    body = text(response)
    assert f"Avoir {credit_note.number}" in body and "Avoir sur la facture" in body
    assert f'href="{invoice_url(invoice)}"' in raw(response) and "Facturée deux fois" in body
    assert "Régler cette facture" not in body and "Paiements reçus" not in body


def test_another_members_invoice_is_not_found(in_alpha, client_for, alpha):
    invoice = one_off("Société Un")
    own = one_off("Société Deux")
    m2 = client_for(alpha, M2_ADMIN)
    assert m2.get(invoice_url(own)).status_code == 200
    for url in (invoice_url(invoice), pdf_url(invoice), "/billing/factures/999999/", "/billing/factures/999999/pdf/"):
        assert m2.get(url).status_code == 404, url


def test_an_invoice_is_not_found_by_a_person_who_may_not_read_invoices(in_alpha, client_for, alpha):
    invoice = one_off()
    # The same 404 as for a missing invoice, as in the API (the list page says 403).
    for email in (M1_USER, JURIST):
        assert client_for(alpha, email).get(invoice_url(invoice)).status_code == 404, email
        assert client_for(alpha, email).get(pdf_url(invoice)).status_code == 404, email
    staff = client_for(alpha, STAFF)
    response = staff.get(invoice_url(invoice))
    assert response.status_code == 302 and response["Location"] == f"/billing/gestion/factures/{invoice.pk}/"
    assert staff.get("/billing/factures/999999/").status_code == 404


# The PDF -----------------------------------------------------------------------------------------


def test_the_stored_pdf_is_served_as_an_attachment_named_after_the_invoice(in_alpha, m1_admin, client_for, alpha):
    invoice = one_off()
    content = b"%PDF-1.7\n% a print stored earlier\n%%EOF\n"
    document = InvoiceDocument(invoice=invoice, sha256="0" * 64)
    document.file.save(f"{invoice.number}.pdf", ContentFile(content), save=True)  # as if printed at issue
    for client in (m1_admin, client_for(alpha, STAFF)):
        response = client.get(pdf_url(invoice))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == content
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
    assert InvoiceDocument.objects.filter(invoice=invoice).count() == 1


def test_a_pdf_not_yet_printed_is_printed_once_on_download(in_alpha, m1_admin):
    invoice = one_off()
    first = m1_admin.get(pdf_url(invoice))
    assert first.status_code == 200
    content = b"".join(first.streaming_content)
    assert content.startswith(b"%PDF")
    again = m1_admin.get(pdf_url(invoice))
    assert b"".join(again.streaming_content) == content
    assert InvoiceDocument.objects.filter(invoice=invoice).count() == 1


# The statement -------------------------------------------------------------------------------------


def test_the_statement_lists_every_movement_with_the_running_balance(in_alpha, m1_admin):
    older = old_invoice()  # 120 € on 10 January 2025
    invoice = one_off(amount="100")  # 120 € today
    credit_note = credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("20"), reason="Remise")
    pay(invoice, "50", reference="Chèque 1234")
    response = m1_admin.get(STATEMENT_URL)
    assert response.status_code == 200
    body = text(response)
    tbody = re.search(r"<tbody>(.*?)</tbody>", body, flags=re.S).group(1)
    rows = [cells(row) for row in re.findall(r"<tr>(.*?)</tr>", tbody, flags=re.S)]
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert rows == [
        ["10/01/2025", f"Facture {older.number}", euros(Decimal(120)), "", euros(Decimal(120))],
        [today, f"Facture {invoice.number}", euros(Decimal(120)), "", euros(Decimal(240))],
        [today, f"Avoir {credit_note.number}", "", euros(Decimal(20)), euros(Decimal(220))],
        [today, "Paiement (virement) — Chèque 1234", "", euros(Decimal(50)), euros(Decimal(170))],
    ]
    total = body[body.index("<tfoot>") : body.index("</tfoot>")]
    assert euros(Decimal(240)) in total and euros(Decimal(70)) in total and euros(Decimal(170)) in total
    assert f"Reste à régler : {euros(Decimal(170))}." in body
    assert f'href="{invoice_url(older)}"' in raw(response)


def statement_csv(response) -> str:
    """The CSV file as received (it streams)."""
    return b"".join(response.streaming_content).decode("utf-8")


def test_the_statement_as_csv_escapes_formulas(in_alpha, m1_admin):
    invoice = one_off(amount="1000")  # 1 200 € TTC
    pay(invoice, "100", reference='=HYPERLINK("http://evil.test","Cliquez")')
    pay(invoice, "50.50", reference="@SUM(A1:A9)")
    pay(invoice, "10", reference="+33 1 23 45 67 89")
    response = m1_admin.get(STATEMENT_URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="releve-de-compte-')
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    content = statement_csv(response)
    assert content.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows[0] == ["Date", "Libellé", "Référence", "Débit", "Crédit", "Solde"]
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert rows[1] == [today, f"Facture {invoice.number}", "", "1200,00", "", "1200,00"]
    assert rows[2] == [
        today,
        "Paiement (virement)",
        '\'=HYPERLINK("http://evil.test","Cliquez")',
        "",
        "100,00",
        "1100,00",
    ]
    assert rows[3] == [today, "Paiement (virement)", "'@SUM(A1:A9)", "", "50,50", "1049,50"]
    assert rows[4] == [today, "Paiement (virement)", "'+33 1 23 45 67 89", "", "10,00", "1039,50"]
    assert rows[5] == ["", "Total", "", "1200,00", "160,50", "1039,50"]
    # No cell of the file starts a formula.
    assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "@")]


def test_a_balance_in_the_members_favour_keeps_its_sign_as_a_number_in_the_csv(in_alpha, m1_admin):
    invoice = one_off(amount="100")
    pay(invoice, "120")
    credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("30"), reason="Remise")
    content = statement_csv(m1_admin.get(STATEMENT_URL, {"format": "csv"}))
    rows = list(csv.reader(io.StringIO(content[1:]), delimiter=";"))
    assert rows[-1] == ["", "Total", "", "120,00", "150,00", "-30,00"]
    assert "en votre faveur" in text(m1_admin.get(STATEMENT_URL))


def test_the_statement_needs_the_right_and_costs_the_same_queries_whatever_its_length(in_alpha, client_for, alpha):
    m1_admin = client_for(alpha, M1_ADMIN)
    assert client_for(alpha, M1_USER).get(STATEMENT_URL).status_code == 403
    assert client_for(alpha, M1_USER).get(STATEMENT_URL, {"format": "csv"}).status_code == 403
    assert client_for(alpha, STAFF).get(STATEMENT_URL).status_code == 302
    first = one_off()
    pay(first, "10")

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert m1_admin.get(STATEMENT_URL).status_code == 200
        with CaptureQueriesContext(connection) as export:
            assert m1_admin.get(STATEMENT_URL, {"format": "csv"}).status_code == 200
        return len(page), len(export)

    one = measure()
    for index in range(29):
        invoice = one_off(amount=str(20 + index))
        pay(invoice, "1")
        if index % 5 == 0:
            credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("1"), reason="Geste")
    assert measure() == one


def test_the_statement_of_a_member_without_movements(in_alpha, m1_admin):
    assert "Aucune opération sur votre compte pour le moment." in text(m1_admin.get(STATEMENT_URL))


# The data sheet ----------------------------------------------------------------------------------


def sheet(campaign, **changes) -> dict:
    values = {"campaign": campaign.pk, "payroll": "1 250 000,50", "contracts": "10", "headcount": "12", "fte": "10,5"}
    values.update(changes)
    return values


def deadline_in(days: int, campaign) -> None:
    campaign_update(
        actor=admin(), campaign=campaign, deadline=timezone.localdate() + timedelta(days=days), status="open"
    )


def test_the_data_sheet_asks_the_campaigns_fields_with_the_seeds_help(campaign, m1_admin):
    deadline_in(30, campaign)
    response = m1_admin.get(DECLARATION_URL)
    assert response.status_code == 200
    body = text(response)
    assert "Fiche de renseignements N-2" in body
    assert "les chiffres de l'année 2025, qui servent au calcul de la cotisation 2027" in body
    assert "Masse salariale (N-2) (obligatoire)" in body and "Nombre de salariés (N-2) (obligatoire)" in body
    assert "Nombre de contrats (N-2) (obligatoire)" not in body and "Nombre de contrats (N-2)" in body
    assert "Total de tous les salaires versés au cours de l'année" in body
    assert "tous contrats sauf alternants et apprentis" in body
    assert "déclaration sociale nominative (DSN)" in body
    raw_body = raw(response)
    payroll = re.search(r"<input[^>]*name=\"payroll\"[^>]*>", raw_body).group(0)
    headcount = re.search(r"<input[^>]*name=\"headcount\"[^>]*>", raw_body).group(0)
    contracts = re.search(r"<input[^>]*name=\"contracts\"[^>]*>", raw_body).group(0)
    assert 'inputmode="decimal"' in payroll and 'aria-required="true"' in payroll
    assert 'inputmode="numeric"' in headcount and 'inputmode="numeric"' in contracts
    assert "aria-required" not in contracts
    assert 'aria-describedby="id_payroll_helptext"' in payroll
    due = timezone.localdate() + timedelta(days=30)
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
    assert f"À transmettre au plus tard le {due.day} {months[due.month - 1]} {due.year}." in body
    assert "est dépassée" not in body


def test_a_past_deadline_is_flagged(campaign, m1_admin):
    deadline_in(-3, campaign)
    body = text(m1_admin.get(DECLARATION_URL))
    assert "est dépassée : transmettez votre fiche au plus vite." in body
    assert 'name="payroll"' in body  # still open: it can still be sent


def test_sending_the_data_sheet(campaign, m1_admin):
    response = m1_admin.post(DECLARATION_URL, sheet(campaign))
    assert response.status_code == 302 and response["Location"] == DECLARATION_URL
    declaration = AnnualDeclaration.objects.get(campaign=campaign, member=member())
    assert declaration.payroll == Decimal("1250000.50") and declaration.headcount == 12
    assert declaration.fte == Decimal("10.50") and declaration.submitted_by.email == M1_ADMIN
    body = text(m1_admin.get(DECLARATION_URL))
    assert "Votre fiche de renseignements (cotisation 2027) a bien été transmise. Merci." in body
    assert re.search(r"Transmise le \d{1,2} [a-zéû]+ \d{4} à \d{2}:\d{2} par m1_admin\.", body)
    assert "Pour corriger, contactez votre organisation." in body
    assert euros(Decimal("1250000.50")) in body and "10,50" in body
    assert 'name="payroll"' not in body  # read-only now


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"payroll": "-5"}, "payroll", "La valeur ne peut pas être négative."),
        ({"fte": "15"}, "fte", "Les ETP ne peuvent pas dépasser le nombre de salariés."),
        ({"payroll": ""}, "payroll", "Ce champ est obligatoire."),
        ({"headcount": "douze"}, "headcount", "Indiquez un nombre."),
        ({"headcount": "12,5"}, "headcount", "Indiquez un nombre entier."),
    ],
)
def test_a_wrong_figure_is_refused_beside_its_field_and_everything_typed_is_kept(
    campaign, m1_admin, changes, field, message
):
    data = sheet(campaign, **changes)
    response = m1_admin.post(DECLARATION_URL, data)
    assert response.status_code == 200
    body = raw(response)
    assert f'<p class="error" id="id_{field}_error">{html.escape(message)}</p>' in body
    assert "Votre fiche n'a pas été transmise : corrigez les points signalés ci-dessous." in text(response)
    for name in ("payroll", "contracts", "headcount", "fte"):
        if data[name]:
            assert f'value="{html.escape(data[name])}"' in body, name
    assert not AnnualDeclaration.objects.filter(campaign=campaign).exists()


def test_a_second_sending_is_refused_with_a_message(campaign, m1_admin):
    declare(campaign, payroll="900000")
    response = m1_admin.post(DECLARATION_URL, sheet(campaign, payroll="1"), follow=True)
    body = text(response)
    assert "La fiche 2027 a déjà été transmise : seule votre organisation peut la corriger." in body
    assert euros(Decimal(900000)) in body
    assert AnnualDeclaration.objects.get(campaign=campaign).payroll == Decimal("900000")


def test_a_closed_campaign_takes_no_data_sheet(campaign, m1_admin):
    page = text(m1_admin.get(DECLARATION_URL))
    assert 'name="payroll"' in page
    campaign_update(actor=admin(), campaign=campaign, deadline=campaign.deadline, status="closed")
    # The person had the form open: sending it says why nothing was recorded.
    body = text(m1_admin.post(DECLARATION_URL, sheet(campaign), follow=True))
    assert "La campagne 2027 est close : contactez votre organisation." in body
    assert "Aucune fiche de renseignements n'est à remplir pour le moment." in body
    assert not AnnualDeclaration.objects.exists()


def test_who_may_fill_the_data_sheet(campaign, client_for, alpha):
    assert client_for(alpha, M1_USER).get(DECLARATION_URL).status_code == 403
    assert client_for(alpha, M1_USER).post(DECLARATION_URL, sheet(campaign)).status_code == 403
    assert not AnnualDeclaration.objects.exists()
    staff = client_for(alpha, STAFF).get(DECLARATION_URL)
    assert staff.status_code == 302 and staff["Location"] == "/billing/gestion/"
    grant(M1_USER, ["billing.submit_declaration"])
    m1_user = client_for(alpha, M1_USER)
    assert m1_user.get(DECLARATION_URL).status_code == 200
    assert m1_user.post(DECLARATION_URL, sheet(campaign)).status_code == 302
    assert AnnualDeclaration.objects.get().submitted_by.email == M1_USER
    # M2's administrator fills M2's sheet, never M1's.
    assert client_for(alpha, M2_ADMIN).post(DECLARATION_URL, sheet(campaign)).status_code == 302
    assert {d.member.name for d in AnnualDeclaration.objects.all()} == {"Société Un", "Société Deux"}


# The card on the member's record -----------------------------------------------------------------


def test_the_record_card_shows_the_balance_to_those_who_may_read_it(in_alpha):
    one_off()
    spec = registry.get("billing")

    def card(email: str) -> str:
        person = user(email)
        person.active_membership = memberships_of(person).get(member().pk)
        return html.unescape(
            render_to_string(
                "billing/_member_card.html", {"spec": spec, "member": member(), "perms": PermWrapper(person)}
            )
        )

    staff = card(STAFF)
    assert euros(Decimal(120)) in staff and "Factures de cet adhérent" in staff
    own = card(M1_ADMIN)
    assert euros(Decimal(120)) in own and 'href="/billing/"' in own and 'href="/billing/declaration/"' in own
    nothing = card(M1_USER)
    assert "Solde du compte" not in nothing and str(spec.description) in nothing
