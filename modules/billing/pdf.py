"""The printed invoice or credit note: WeasyPrint PDF/A-3 with its Factur-X XML embedded.

Printing goes through `core.documents.printing`, which fetches nothing but `data:` URIs, so a
buyer's name or a label can never make the server fetch a URL. The figures shown are formatted
here (French), the template only lays them out.
"""

from collections import defaultdict
from decimal import Decimal

import facturx
from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.documents.printing import PARIS, brand_colour, html_to_pdf, logo_data_uri

from .contribution import euros, percent
from .facturx import LEVEL, invoice_cii_xml
from .models import Invoice
from .policy import billing_policy
from .selectors import invoice_for_print
from .services.payments import online_payment_available

TEMPLATE = "billing/pdf/invoice.html"


def _quantity(value: Decimal) -> str:
    text = f"{Decimal(value).normalize():f}"
    return text.replace(".", ",")


def _context(invoice: Invoice, policy, organisation) -> dict:
    lines = list(invoice.lines.all())
    by_rate: dict[Decimal, list[Decimal]] = defaultdict(lambda: [Decimal("0.00"), Decimal("0.00")])
    for line in lines:
        by_rate[line.vat_rate][0] += line.total_net
        by_rate[line.vat_rate][1] += line.total_vat
    working = [{"label": step["label"], "amount": euros(step["amount"])} for step in invoice.working_steps]
    identity_scheme = getattr(organisation, "identity_scheme", "")
    return {
        "invoice": invoice,
        "is_credit_note": invoice.is_credit_note,
        "seller": {
            "name": policy.seller_name or getattr(organisation, "name", ""),
            "address": policy.seller_address,
            "siret": policy.seller_siret,
            "vat_number": policy.seller_vat_number,
        },
        "buyer_identifier_label": "SIRET" if identity_scheme == "siret" else "N° d'adhérent",
        "lines": [
            {
                "label": line.label,
                "quantity": _quantity(line.quantity),
                "unit_price": euros(line.unit_price),
                "vat_rate": percent(line.vat_rate),
                "total_net": euros(line.total_net),
            }
            for line in lines
        ],
        "vat_rows": [
            {"rate": percent(rate), "basis": euros(basis), "vat": euros(vat)}
            for rate, (basis, vat) in sorted(by_rate.items())
        ],
        "total_net": euros(invoice.total_net),
        "total_vat": euros(invoice.total_vat),
        "total_gross": euros(invoice.total_gross),
        "estimate_source": invoice.working_source if invoice.estimated else "",
        "working": working,
        "policy": policy,
        "online_payment": online_payment_available(),
        "colour": brand_colour(organisation),
        "logo": logo_data_uri(organisation),
    }


def invoice_pdf_bytes(*, invoice_id: int) -> bytes:
    """Render the invoice (or credit note) as a Factur-X EN 16931 PDF/A-3 in the organisation's colours."""
    invoice = invoice_for_print(invoice_id=invoice_id)
    policy = billing_policy()
    organisation = getattr(connection, "tenant", None)
    # Dates and figures read the same whoever (or whichever worker) prints: French, Europe/Paris.
    with translation.override(settings.LANGUAGE_CODE), timezone.override(PARIS):
        context = _context(invoice, policy, organisation)
        html = render_to_string(TEMPLATE, context)
    pdf = html_to_pdf(html, pdf_variant="pdf/a-3b")
    xml = invoice_cii_xml(invoice, policy=policy, organisation=organisation)
    kind = "Avoir" if invoice.is_credit_note else "Facture"
    seller = context["seller"]["name"]
    return facturx.generate_from_binary(
        pdf,
        xml,
        flavor="factur-x",
        level=LEVEL,
        check_xsd=True,
        pdf_metadata={
            "author": seller,
            "keywords": f"{kind}, Factur-X",
            "title": f"{kind} {invoice.number} — {seller}",
            "subject": f"{kind} {invoice.number} du {invoice.issued_on:%d/%m/%Y} pour {invoice.buyer_name}",
        },
        lang="fr-FR",
    )
