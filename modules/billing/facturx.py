"""The invoice as UN/CEFACT Cross Industry Invoice XML, Factur-X profile EN 16931 (embedded in its PDF).

Built from the issued invoice alone (its lines and buyer snapshot) and the organisation's billing
settings, so the XML says exactly what the printed invoice says. Identifiers follow the French
usage of EN 16931: SIREN as the legal registration (ISO 6523 scheme 0002), SIRET as the party's
global identifier (scheme 0009), the intra-community VAT number with scheme "VA".
"""

import re
from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db import connection
from lxml import etree
from stdnum import iban as iban_number

from .contribution import cents
from .models import Invoice
from .policy import BillingPolicy, billing_policy

LEVEL = "en16931"
GUIDELINE = "urn:cen.eu:en16931:2017"
CURRENCY = "EUR"
INVOICE_TYPE, CREDIT_NOTE_TYPE = "380", "381"
SEPA_CREDIT_TRANSFER = "58"
UNIT_ONE = "C62"  # UN/ECE rec. 20 "one": a cotisation is counted, not measured
SIREN_SCHEME, SIRET_SCHEME = "0002", "0009"
# The French directory's electronic address scheme: the address starts with the party's SIREN.
FR_ADDRESS_SCHEME = "0225"
# French billing framework (BT-23): services, plain invoice.
BUSINESS_PROCESS = "S1"

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
POSTCODE_CITY = re.compile(r"^\s*(?P<postcode>\d{5})\s+(?P<city>.+?)\s*$")

# What the XML says when no VAT is charged: exempt (the seller is registered for VAT) or outside
# its scope (an organisation without a VAT number). EN 16931 requires the reason in words.
EXEMPT_REASON = "Exonération de TVA"
NOT_SUBJECT_REASON = "Non soumis à la TVA"


def _el(parent, tag: str, text=None, **attributes):
    prefix, name = tag.split(":")
    element = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}", {k: v for k, v in attributes.items() if v})
    if text is not None:
        element.text = str(text)
    return element


def amount(value: Decimal) -> str:
    """Decimals with two places, as CII amounts are written ("1006.00")."""
    return f"{cents(value):.2f}"


def _day(parent, tag: str, day: date, *, qualified: bool = False) -> None:
    wrapper = _el(parent, tag)
    _el(wrapper, "qdt:DateTimeString" if qualified else "udt:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _address_parts(text: str) -> dict[str, str]:
    """A free-text French address ("12 rue X\\n75001 Paris") as CII address parts."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    parts: dict[str, str] = {"country": "FR"}
    if lines and lines[-1].casefold() == "france":
        lines = lines[:-1]
    elif lines and re.fullmatch(r"[A-Z]{2}", lines[-1]):  # a foreign address ends with its ISO code
        parts["country"] = lines.pop()
    if lines and (match := POSTCODE_CITY.match(lines[-1])):
        parts["postcode"], parts["city"] = match["postcode"], match["city"]
        lines = lines[:-1]
    if len(lines) > 3:  # CII has three street lines: the rest goes on the last one
        lines = [*lines[:2], ", ".join(lines[2:])]
    for key, line in zip(("line1", "line2", "line3"), lines, strict=False):
        parts[key] = line
    return parts


def _address(party, text: str) -> None:
    parts = _address_parts(text)
    address = _el(party, "ram:PostalTradeAddress")
    for key, tag in (
        ("postcode", "ram:PostcodeCode"),
        ("line1", "ram:LineOne"),
        ("line2", "ram:LineTwo"),
        ("line3", "ram:LineThree"),
        ("city", "ram:CityName"),
    ):
        if parts.get(key):
            _el(address, tag, parts[key])
    _el(address, "ram:CountryID", parts["country"])


def _siret(value: str) -> str:
    compact = re.sub(r"\s", "", value or "")
    return compact if re.fullmatch(r"\d{14}", compact) else ""


def _party(parent, tag: str, *, name: str, address: str, siret: str = "", own_id: str = "", vat_number: str = ""):
    party = _el(parent, tag)
    if own_id:
        _el(party, "ram:ID", own_id)
    if siret:
        _el(party, "ram:GlobalID", siret, schemeID=SIRET_SCHEME)
    _el(party, "ram:Name", name)
    if siret:
        legal = _el(party, "ram:SpecifiedLegalOrganization")
        _el(legal, "ram:ID", siret[:9], schemeID=SIREN_SCHEME)
    _address(party, address)
    if siret:
        _el(_el(party, "ram:URIUniversalCommunication"), "ram:URIID", siret[:9], schemeID=FR_ADDRESS_SCHEME)
    if vat_number:
        registration = _el(party, "ram:SpecifiedTaxRegistration")
        _el(registration, "ram:ID", vat_number, schemeID="VA")
    return party


def _category(rate: Decimal, *, seller_has_vat_number: bool) -> tuple[str, str]:
    """The VAT category code (UNTDID 5305) of a rate, and the exemption reason it needs."""
    if rate > 0:
        return "S", ""
    return ("E", EXEMPT_REASON) if seller_has_vat_number else ("O", NOT_SUBJECT_REASON)


def _tax(parent, *, category: str, rate: Decimal, reason: str = "", basis=None, calculated=None) -> None:
    tax = _el(parent, "ram:ApplicableTradeTax")
    if calculated is not None:
        _el(tax, "ram:CalculatedAmount", amount(calculated))
    _el(tax, "ram:TypeCode", "VAT")
    if reason:
        _el(tax, "ram:ExemptionReason", reason)
    if basis is not None:
        _el(tax, "ram:BasisAmount", amount(basis))
    _el(tax, "ram:CategoryCode", category)
    if category != "O":  # "not subject to VAT" carries no rate at all
        _el(tax, "ram:RateApplicablePercent", amount(rate))


def invoice_cii_xml(invoice: Invoice, *, policy: BillingPolicy | None = None, organisation=None) -> bytes:
    """The invoice or credit note as Factur-X EN 16931 CII XML (UTF-8 bytes)."""
    policy = policy or billing_policy()
    organisation = organisation or getattr(connection, "tenant", None)
    lines = list(invoice.lines.all())
    seller_vat = (policy.seller_vat_number or "").replace(" ", "")
    credit_note = invoice.is_credit_note

    root = etree.Element(f"{{{NS['rsm']}}}CrossIndustryInvoice", nsmap=NS)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", BUSINESS_PROCESS)
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE)

    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", invoice.number)
    _el(document, "ram:TypeCode", CREDIT_NOTE_TYPE if credit_note else INVOICE_TYPE)
    _day(document, "ram:IssueDateTime", invoice.issued_on)
    notes = []
    if invoice.note:
        notes.append((invoice.note, "ACD" if credit_note else "AAI"))  # UNTDID 4451: reason / information
    if invoice.estimated and invoice.working_source:
        notes.append((f"Montant estimé : {invoice.working_source}", "AAI"))
    # French rule BR-FR-05: the late-payment penalties, the recovery fee and the discount, each coded.
    for content, subject in (
        (policy.mention_late_penalties, "PMD"),
        (policy.mention_recovery_fee, "PMT"),
        (policy.mention_discount, "AAB"),
        (policy.legal_mentions, "REG"),
    ):
        if content:
            notes.append((content, subject))
    for content, subject in notes:
        note = _el(document, "ram:IncludedNote")
        _el(note, "ram:Content", content)
        _el(note, "ram:SubjectCode", subject)

    trade = _el(root, "rsm:SupplyChainTradeTransaction")
    breakdown: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for position, line in enumerate(lines, start=1):
        item = _el(trade, "ram:IncludedSupplyChainTradeLineItem")
        _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", position)
        _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line.label)
        price = _el(_el(item, "ram:SpecifiedLineTradeAgreement"), "ram:NetPriceProductTradePrice")
        _el(price, "ram:ChargeAmount", amount(line.unit_price))
        delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
        _el(delivery, "ram:BilledQuantity", f"{line.quantity:.2f}", unitCode=UNIT_ONE)
        line_settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
        category, _reason = _category(line.vat_rate, seller_has_vat_number=bool(seller_vat))
        _tax(line_settlement, category=category, rate=line.vat_rate)
        line_totals = _el(line_settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
        _el(line_totals, "ram:LineTotalAmount", amount(line.total_net))
        breakdown[line.vat_rate][0] += line.total_net
        breakdown[line.vat_rate][1] += line.total_vat

    agreement = _el(trade, "ram:ApplicableHeaderTradeAgreement")
    seller_name = policy.seller_name or getattr(organisation, "name", "")
    _party(
        agreement,
        "ram:SellerTradeParty",
        name=seller_name,
        address=policy.seller_address,
        siret=_siret(policy.seller_siret),
        vat_number=seller_vat,
    )
    buyer_siret = _siret(invoice.buyer_identifier)
    _party(
        agreement,
        "ram:BuyerTradeParty",
        name=invoice.buyer_name,
        address=invoice.buyer_address,
        siret=buyer_siret,
        own_id="" if buyer_siret else invoice.buyer_identifier,
    )
    delivery = _el(trade, "ram:ApplicableHeaderTradeDelivery")
    # The service is rendered when invoiced (a cotisation also states its year below).
    _day(_el(delivery, "ram:ActualDeliverySupplyChainEvent"), "ram:OccurrenceDateTime", invoice.issued_on)

    settlement = _el(trade, "ram:ApplicableHeaderTradeSettlement")
    pays_by_transfer = not credit_note and bool(policy.iban)
    if not credit_note:
        _el(settlement, "ram:PaymentReference", invoice.payment_reference)
    _el(settlement, "ram:InvoiceCurrencyCode", CURRENCY)
    if pays_by_transfer:
        means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
        _el(means, "ram:TypeCode", SEPA_CREDIT_TRANSFER)
        _el(means, "ram:Information", "Virement SEPA")
        account = _el(means, "ram:PayeePartyCreditorFinancialAccount")
        _el(account, "ram:IBANID", iban_number.compact(policy.iban))
        if policy.bic:
            _el(_el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", policy.bic.replace(" ", ""))
    for rate, (basis, vat) in sorted(breakdown.items()):
        category, reason = _category(rate, seller_has_vat_number=bool(seller_vat))
        _tax(settlement, category=category, rate=rate, reason=reason, basis=basis, calculated=vat)
    cotisation = invoice.corrects if credit_note and invoice.corrects_id else invoice
    if cotisation.campaign_id:
        # A cotisation covers its calendar year.
        period = _el(settlement, "ram:BillingSpecifiedPeriod")
        _day(period, "ram:StartDateTime", date(invoice.year, 1, 1))
        _day(period, "ram:EndDateTime", date(invoice.year, 12, 31))
    terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
    if credit_note:
        _el(terms, "ram:Description", "Avoir à déduire du solde du compte adhérent.")
    elif invoice.payment_terms:
        _el(terms, "ram:Description", invoice.payment_terms)
    _day(terms, "ram:DueDateDateTime", invoice.due_on)

    totals = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(totals, "ram:LineTotalAmount", amount(invoice.total_net))
    _el(totals, "ram:TaxBasisTotalAmount", amount(invoice.total_net))
    _el(totals, "ram:TaxTotalAmount", amount(invoice.total_vat), currencyID=CURRENCY)
    _el(totals, "ram:GrandTotalAmount", amount(invoice.total_gross))
    _el(totals, "ram:DuePayableAmount", amount(invoice.total_gross))
    if credit_note and invoice.corrects_id:
        corrected = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(corrected, "ram:IssuerAssignedID", invoice.corrects.number)
        _day(corrected, "ram:FormattedIssueDateTime", invoice.corrects.issued_on, qualified=True)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
