"""Issuing invoices and credit notes: numbered at issue under a lock, never changed afterwards."""

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.documents.files import files_removed_on_failure
from core.errors import Conflict
from core.jobs.dispatch import enqueue_on_commit
from core.members.models import AddressKind, Member
from core.members.selectors import member_addresses
from core.notifications.services import notify

from ..bases import DECLARATION_FIELDS, basis_choices, module_basis_values
from ..contribution import Contribution, MissingFigure, Terms, cents, contribution_compute, euros
from ..models import (
    AnnualDeclaration,
    DeclarationCampaign,
    Invoice,
    InvoiceDocument,
    InvoiceKind,
    InvoiceLine,
    NumberSeries,
)
from ..policy import BillingPolicy, billing_policy
from ..selectors import declaration_latest_before, with_amounts
from .common import refusals_logged, refuse, require

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class LineInput:
    label: str
    unit_price: Decimal
    vat_rate: Decimal
    quantity: Decimal = Decimal("1")
    vat: Decimal | None = None  # given when the line is derived from an amount including VAT


def number_take(*, kind: str) -> str:
    """The next number of the series, taken under the series' row lock: concurrent issuers wait
    for each other, and a rolled-back issue gives its number back, so numbers never skip."""
    series = NumberSeries.objects.select_for_update().get(kind=kind)
    value = series.next_value
    series.next_value = value + 1
    series.save(update_fields=["next_value"])
    return f"{series.prefix}{value:06d}"


def _buyer_address(member: Member) -> str:
    addresses = member_addresses(member=member)
    address = addresses.get(AddressKind.BILLING) or addresses.get(AddressKind.HEAD_OFFICE)
    if address is None:
        return ""
    lines = [address.line1, address.line2, f"{address.postcode} {address.city}"]
    if address.country and address.country != "FR":
        lines.append(address.country.upper())  # ISO 3166 code, read back by facturx.py
    return "\n".join(line for line in lines if line.strip())


def _invoice_write(
    *,
    actor,
    member: Member,
    kind: str,
    lines: list[LineInput],
    year: int,
    campaign: DeclarationCampaign | None = None,
    corrects: Invoice | None = None,
    estimated: bool = False,
    working: list | None = None,
    note: str = "",
    today: date | None = None,
    policy: BillingPolicy | None = None,
) -> Invoice:
    """Write one numbered invoice or credit note with its lines (inside the caller's transaction);
    `policy` is read here unless the caller, issuing many, read it once for all."""
    today = today or timezone.localdate()
    policy = policy or billing_policy()
    rows, total_net, total_vat = [], Decimal("0.00"), Decimal("0.00")
    for position, line in enumerate(lines):
        net = cents(line.unit_price * line.quantity)
        vat = line.vat if line.vat is not None else cents(net * line.vat_rate / 100)
        rows.append((position, line, net, vat))
        total_net += net
        total_vat += vat
    invoice = Invoice.objects.create(
        kind=kind,
        number=number_take(kind=kind),
        member=member,
        campaign=campaign,
        corrects=corrects,
        year=year,
        issued_on=today,
        due_on=today + timedelta(days=policy.payment_terms_days) if kind == InvoiceKind.INVOICE else today,
        payment_terms=policy.payment_terms if kind == InvoiceKind.INVOICE else "",
        buyer_name=member.name,
        buyer_identifier=member.identifier,
        buyer_address=_buyer_address(member),
        total_net=total_net,
        total_vat=total_vat,
        total_gross=total_net + total_vat,
        estimated=estimated,
        working=working or [],
        note=note,
        issued_by=actor,
    )
    InvoiceLine.objects.bulk_create(
        InvoiceLine(
            invoice=invoice,
            position=position,
            label=line.label,
            quantity=line.quantity,
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            total_net=net,
            total_vat=vat,
        )
        for position, line, net, vat in rows
    )
    audit_record(
        actor=actor,
        action=f"billing.{kind}_issue",
        target=invoice,
        member=member,
        after={"number": invoice.number, "total_gross": str(invoice.total_gross), "year": year},
    )
    _pdf_render_later(invoice)
    return invoice


def _tell_member(invoice: Invoice) -> None:
    what = _("Nouvel avoir") if invoice.is_credit_note else _("Nouvelle facture")
    notify(
        member=invoice.member,
        kind="billing.invoice_issued",
        subject=f"{what} {invoice.number}",
        template="billing/email/invoice_issued.txt",
        context={"invoice": invoice},
        url=f"/billing/factures/{invoice.pk}/",
    )


# Cotisations ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Priced:
    """A member's cotisation for a campaign, or why it cannot be priced (`skip`)."""

    member: Member
    contribution: Contribution | None = None
    skip: str = ""


def _figures(declaration: AnnualDeclaration | None) -> dict[str, Decimal | None]:
    if declaration is None:
        return {}
    return {
        key: None if getattr(declaration, key) is None else Decimal(getattr(declaration, key))
        for key in DECLARATION_FIELDS
    }


def contributions_price(*, campaign: DeclarationCampaign, members: list[Member]) -> list[Priced]:
    """Price each member's cotisation from its declaration, or estimate it from its latest earlier
    declaration (flagged), in a constant number of queries."""
    terms = Terms.of(campaign.rule)
    labels = {basis.key: str(basis.label) for basis in basis_choices()}
    ids = [member.pk for member in members]
    declared = {d.member_id: d for d in AnnualDeclaration.objects.filter(campaign=campaign, member_id__in=ids)}
    earlier = declaration_latest_before(campaign=campaign, member_ids=[pk for pk in ids if pk not in declared])
    module_figures = {
        key: module_basis_values(key=key, member_ids=ids, year=campaign.figures_year)
        for key in terms.bases_needed
        if key not in DECLARATION_FIELDS
    }
    priced = []
    for member in members:
        declaration, estimated = declared.get(member.pk), False
        if declaration is not None:
            source = _("Déclaration %(year)s") % {"year": campaign.year}
        elif member.pk in earlier:
            declaration, estimated = earlier[member.pk], True
            source = _("Estimation d'après la déclaration %(year)s") % {"year": declaration.campaign.year}
        else:
            source = ""
        figures = {**_figures(declaration), **{key: values.get(member.pk) for key, values in module_figures.items()}}
        if declaration is None and any(key in DECLARATION_FIELDS for key in terms.bases_needed):
            priced.append(Priced(member, skip=_("Aucune déclaration, ni antérieure pour l'estimer.")))
            continue
        try:
            contribution = contribution_compute(
                terms=terms, figures=figures, labels=labels, estimated=estimated, source=source
            )
        except MissingFigure as missing:
            priced.append(Priced(member, skip=_("Donnée manquante : %(label)s.") % {"label": missing.label}))
            continue
        if contribution.gross <= 0:
            priced.append(Priced(member, skip=_("Cotisation nulle.")))
            continue
        priced.append(Priced(member, contribution=contribution))
    return priced


def contribution_invoice(
    *, actor, campaign: DeclarationCampaign, priced: Priced, policy: BillingPolicy | None = None
) -> Invoice | None:
    """Issue the member's cotisation invoice for the campaign, unless one exists (then None).
    The annual run passes the organisation's `policy`, read once per batch."""
    contribution = priced.contribution
    label = campaign.rule.label
    if contribution.estimated:
        label = f"{label} ({contribution.source.lower()})"
    try:
        with transaction.atomic():
            invoice = _invoice_write(
                actor=actor,
                member=priced.member,
                kind=InvoiceKind.INVOICE,
                lines=[LineInput(label=label, unit_price=contribution.net, vat_rate=contribution.vat_rate)],
                year=campaign.year,
                campaign=campaign,
                estimated=contribution.estimated,
                working=[{"label": contribution.source, "amount": ""}, *contribution.working()],
                policy=policy,
            )
            _tell_member(invoice)
    except IntegrityError as exc:
        if _constraint_of(exc) == ONE_COTISATION_INVOICE:
            # Already invoiced (a resumed run, or two runs racing): the constraint keeps it single.
            return None
        logger.exception("Cotisation invoice of member %s refused by the database.", priced.member.pk)
        raise InvoiceRefused(
            _("Facture refusée par la base de données (%(cause)s).") % {"cause": _constraint_of(exc)}
        ) from exc
    return invoice


ONE_COTISATION_INVOICE = "one_cotisation_invoice_per_campaign"


class InvoiceRefused(Exception):
    """The database refused a cotisation invoice for another reason than its being issued already;
    `str()` is the French reason the run reports."""


def _constraint_of(exc: IntegrityError) -> str:
    diag = getattr(exc.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None) or ""


def seller_check(*, vat_charged: bool) -> None:
    """Refuse to invoice before the organisation's identity is set: an invoice without the seller's
    SIRET (and VAT number when VAT is charged) breaks EN 16931 and French invoicing rules."""
    policy = billing_policy()
    if not policy.seller_identified:
        raise Conflict(
            _("Renseignez le SIRET de l'organisation dans les réglages de la facturation avant de facturer.")
        )
    if vat_charged and not policy.seller_vat_number:
        raise Conflict(
            _("Renseignez le numéro de TVA intracommunautaire de l'organisation avant de facturer avec TVA.")
        )


@refusals_logged
def invoice_issue(*, actor, member: Member, lines: list[LineInput], note: str = "") -> Invoice:
    """A one-off invoice (a service, a correction after a credit note), numbered now."""
    require(actor, "billing.manage_billing")
    if not lines:
        raise refuse("lines", _("Ajoutez au moins une ligne."))
    for line in lines:
        if not line.label.strip():
            raise refuse("lines", _("Chaque ligne a une désignation."))
        if line.unit_price <= 0 or line.quantity <= 0:
            raise refuse(
                "lines", _("Les montants et quantités sont positifs (pour réduire une facture, émettez un avoir).")
            )
        if not 0 <= line.vat_rate <= 100:
            raise refuse("lines", _("Le taux de TVA est un pourcentage entre 0 et 100."))
    seller_check(vat_charged=any(line.vat_rate > 0 for line in lines))
    with transaction.atomic():
        invoice = _invoice_write(
            actor=actor, member=member, kind=InvoiceKind.INVOICE, lines=lines, year=timezone.localdate().year, note=note
        )
        _tell_member(invoice)
    return invoice


@refusals_logged
def credit_note_issue(*, actor, invoice: Invoice, amount: Decimal | None = None, reason: str) -> Invoice:
    """A credit note cancelling all (amount None) or part (TTC) of what remains on `invoice`."""
    require(actor, "billing.manage_billing")
    reason = (reason or "").strip()
    if not reason:
        raise refuse("reason", _("Indiquez le motif de l'avoir."))
    if invoice.is_credit_note:
        raise Conflict(_("Un avoir ne se corrige pas par un autre avoir."))
    with transaction.atomic():
        # The invoice row cannot be updated, but it can be locked: two credit notes wait in turn.
        locked = with_amounts(Invoice.objects.select_for_update(of=("self",)).filter(pk=invoice.pk)).get()
        creditable = locked.total_gross - locked.credited
        if creditable <= 0:
            raise Conflict(_("Cette facture est déjà entièrement annulée par des avoirs."))
        if amount is None:
            amount = creditable
        amount = cents(amount)
        if amount <= 0:
            raise refuse("amount", _("Le montant de l'avoir doit être positif."))
        if amount > creditable:
            raise refuse("amount", _("L'avoir ne peut dépasser %(amount)s.") % {"amount": euros(creditable)})
        lines = list(locked.lines.all())
        vat_rate = lines[0].vat_rate if lines else Decimal("0")
        if amount == locked.total_gross and locked.credited == 0:
            inputs = [LineInput(line.label, line.unit_price, line.vat_rate, line.quantity) for line in lines]
        elif len({line.vat_rate for line in lines}) > 1:
            # Which rate would a partial amount carry? Only the whole invoice can be credited.
            raise Conflict(
                _("Cette facture a plusieurs taux de TVA : seul un avoir de la totalité est possible."),
                code="mixed_vat_rates",
            )
        else:
            # An amount including VAT: the VAT is what remains once the net is rounded, so the
            # credit note's total is exactly the amount asked.
            net = cents(amount / (1 + vat_rate / 100))
            label = _("Avoir partiel sur la facture %(number)s") % {"number": locked.number}
            inputs = [LineInput(label, net, vat_rate, vat=amount - net)]
        credit_note = _invoice_write(
            actor=actor,
            member=locked.member,
            kind=InvoiceKind.CREDIT_NOTE,
            lines=inputs,
            year=locked.year,
            corrects=locked,
            note=reason,
        )
        _tell_member(credit_note)
    return credit_note


# PDF -----------------------------------------------------------------------------------------


def _pdf_render_later(invoice: Invoice) -> None:
    from ..tasks import invoice_pdf_render  # tasks.py imports this module

    enqueue_on_commit(invoice_pdf_render, invoice.pk)


def invoice_pdf_ensure(*, invoice: Invoice) -> InvoiceDocument:
    """The invoice's Factur-X PDF, printed once (two printers racing keep the first)."""
    existing = InvoiceDocument.objects.filter(invoice=invoice).first()
    if existing is not None:
        return existing
    from ..pdf import invoice_pdf_bytes  # WeasyPrint loads only where invoices are printed

    content = invoice_pdf_bytes(invoice_id=invoice.pk)
    try:
        with files_removed_on_failure() as written, transaction.atomic():
            document = InvoiceDocument(invoice=invoice, sha256=hashlib.sha256(content).hexdigest())
            document.file.save(f"{invoice.number}.pdf", ContentFile(content), save=False)
            written.append((document.file.storage, document.file.name))
            document.save()
    except IntegrityError:
        return InvoiceDocument.objects.get(invoice=invoice)
    return document
