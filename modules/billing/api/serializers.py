"""Serializers of the billing API: they type the input and shape the output; services check and write.

A body naming a field the caller may not set (`member`, `status`, `number`, or any unknown name)
is refused with a 400 naming each field, never silently applied or dropped. Amounts are Decimal,
given as strings with two decimals ("6036.00"), in euros.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.access.api.serializers import StrictInputMixin

from ..bases import DECLARATION_FIELDS
from ..models import CampaignStatus, PaymentMethod
from ..selectors import InvoiceState

# Database ids are 32-bit: a larger number in a filter would be an error, not an empty answer.
ID_MAX = 2**31 - 1
YEAR_MIN, YEAR_MAX = 2000, 2100
STATE_VALUES = (
    InvoiceState.DUE,
    InvoiceState.PARTLY_PAID,
    InvoiceState.PAID,
    InvoiceState.CANCELLED,
    InvoiceState.OVERDUE,
    InvoiceState.CREDIT_NOTE,
)
OFFLINE_METHODS = (PaymentMethod.TRANSFER, PaymentMethod.CHEQUE)


def absolute(request, name: str, **kwargs) -> str:
    path = reverse(f"api-billing:{name}", kwargs=kwargs)
    return request.build_absolute_uri(path) if request is not None else path


def money(**kwargs) -> serializers.DecimalField:
    """An amount in euros as it is shown: a string with two decimals."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, **kwargs)


# Errors -------------------------------------------------------------------------------------


class BillingErrorSerializer(serializers.Serializer):
    """The shape of every refusal (400, 403, 404, 409): French message and per-field messages."""

    code = serializers.CharField(
        help_text=gettext_lazy("Code stable : invalid, not_found, permission_denied, already_submitted…")
    )
    message = serializers.CharField(help_text=gettext_lazy("Message en français pour l'utilisateur."))
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Messages par champ (nom du champ → liste de messages)."),
    )


# Input --------------------------------------------------------------------------------------


class InvoiceFilterSerializer(serializers.Serializer):
    """The query string of the invoice list."""

    year = serializers.IntegerField(min_value=YEAR_MIN, max_value=YEAR_MAX, required=False)
    state = serializers.ChoiceField(choices=STATE_VALUES, required=False)
    member = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)


class MemberQuerySerializer(serializers.Serializer):
    """`member`: the member staff ask about (a member person always reads their active member)."""

    member = serializers.IntegerField(min_value=1, max_value=ID_MAX, required=False)


class DeclarationInputSerializer(StrictInputMixin, serializers.Serializer):
    """The data sheet's figures of year N-2; only the fields the campaign asks for are accepted.

    Numbers or strings ("1250000.50", "1 250 000,50"); the service checks them field by field."""

    payroll = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=40, help_text=gettext_lazy("Euros.")
    )
    contracts = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=40, help_text=gettext_lazy("Nombre entier.")
    )
    headcount = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=40, help_text=gettext_lazy("Nombre entier.")
    )
    fte = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        max_length=40,
        help_text=gettext_lazy("Équivalent temps plein, deux décimales au plus, pas plus que le nombre de salariés."),
    )


class CheckoutInputSerializer(StrictInputMixin, serializers.Serializer):
    invoices = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        min_length=1,
        max_length=100,
        help_text=gettext_lazy(
            "Identifiants des factures de l'adhérent actif à régler (ce qui reste à payer sur chacune)."
        ),
    )


@extend_schema_field({"type": "string", "enum": [method.value for method in OFFLINE_METHODS]})
class OfflineMethodField(serializers.ChoiceField):
    """A method staff record by hand; described inline, so no "MethodEnum" competes with another module's."""

    def __init__(self, **kwargs):
        super().__init__(choices=[(method.value, method.label) for method in OFFLINE_METHODS], **kwargs)


class PaymentInputSerializer(StrictInputMixin, serializers.Serializer):
    """A transfer or a cheque received for an invoice (partial payments allowed)."""

    method = OfflineMethodField(help_text=gettext_lazy("transfer (virement) ou cheque (chèque)."))
    amount = serializers.DecimalField(
        max_digits=14, decimal_places=2, help_text=gettext_lazy("Montant reçu en euros, au plus ce qui reste à payer.")
    )
    received_on = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text=gettext_lazy("Date de réception ; aujourd'hui par défaut."),
    )
    reference = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=100, help_text=gettext_lazy("N° de chèque, libellé…")
    )

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs.setdefault("received_on", timezone.localdate())
        return attrs


class CreditNoteInputSerializer(StrictInputMixin, serializers.Serializer):
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        required=False,
        allow_null=True,
        default=None,
        help_text=gettext_lazy("Montant TTC à annuler ; absent : tout ce qui n'est pas encore annulé."),
    )
    reason = serializers.CharField(max_length=1000, allow_blank=True, help_text=gettext_lazy("Motif de l'avoir."))


# Output: invoices ---------------------------------------------------------------------------


class BillingMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class InvoiceRefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True)


class InvoiceListSerializer(serializers.Serializer):
    """A row of the invoice list: an invoice or a credit note with what remains to pay."""

    id = serializers.IntegerField(read_only=True)
    kind = serializers.CharField(read_only=True, help_text=gettext_lazy("invoice (facture) ou credit_note (avoir)."))
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    number = serializers.CharField(read_only=True, help_text=gettext_lazy("Numéro continu, ex. FAC-000042."))
    year = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Année de la cotisation."))
    member = BillingMemberSerializer(read_only=True)
    issued_on = serializers.DateField(read_only=True)
    due_on = serializers.DateField(read_only=True)
    total_net = money()
    total_vat = money()
    total_gross = money(help_text=gettext_lazy("Total TTC."))
    paid = money(help_text=gettext_lazy("Payé (paiements imputés sur la facture)."))
    credited = money(help_text=gettext_lazy("Annulé par des avoirs."))
    outstanding = money(help_text=gettext_lazy("Reste à payer (0 pour un avoir)."))
    state = serializers.CharField(
        read_only=True, help_text=gettext_lazy("due, partly_paid, paid, overdue ou credit_note.")
    )
    state_label = serializers.SerializerMethodField()
    estimated = serializers.BooleanField(
        read_only=True, help_text=gettext_lazy("Cotisation estimée faute de déclaration de l'année.")
    )
    corrects = InvoiceRefSerializer(
        read_only=True, allow_null=True, help_text=gettext_lazy("Avoir : la facture qu'il corrige.")
    )
    url = serializers.SerializerMethodField()
    pdf_url = serializers.SerializerMethodField(help_text=gettext_lazy("Facture PDF (Factur-X), en téléchargement."))

    def get_state_label(self, invoice) -> str:
        return InvoiceState.LABELS[invoice.state]

    def get_url(self, invoice) -> str:
        return absolute(self.context.get("request"), "invoice-detail", invoice_id=invoice.pk)

    def get_pdf_url(self, invoice) -> str:
        return absolute(self.context.get("request"), "invoice-pdf", invoice_id=invoice.pk)


class InvoiceLineSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)
    quantity = serializers.DecimalField(max_digits=12, decimal_places=2, read_only=True)
    unit_price = money(help_text=gettext_lazy("Prix unitaire HT."))
    vat_rate = serializers.DecimalField(
        max_digits=5, decimal_places=2, read_only=True, help_text=gettext_lazy("Taux de TVA en %.")
    )
    total_net = money()
    total_vat = money()


class PaymentShareSerializer(serializers.Serializer):
    """A payment as far as it pays this invoice."""

    payment = serializers.IntegerField(source="payment_id", read_only=True)
    method = serializers.CharField(source="payment.method", read_only=True)
    method_label = serializers.CharField(source="payment.get_method_display", read_only=True)
    received_on = serializers.DateField(source="payment.received_on", read_only=True)
    reference = serializers.CharField(source="payment.reference", read_only=True)
    amount = money(help_text=gettext_lazy("Part du paiement imputée sur la facture."))


class CreditNoteBriefSerializer(InvoiceRefSerializer):
    issued_on = serializers.DateField(read_only=True)
    total_gross = money()


class BankTransferSerializer(serializers.Serializer):
    """What a member needs to pay by bank transfer."""

    iban = serializers.CharField(read_only=True)
    bic = serializers.CharField(read_only=True)
    reference = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Référence structurée (ISO 11649) à indiquer dans le libellé.")
    )


class WorkingStepSerializer(serializers.Serializer):
    label = serializers.CharField(read_only=True)
    amount = serializers.CharField(read_only=True, allow_blank=True)


class InvoiceDetailSerializer(InvoiceListSerializer):
    """An invoice with its lines, what has been paid on it, its credit notes and how to pay it."""

    buyer_name = serializers.CharField(read_only=True)
    buyer_identifier = serializers.CharField(read_only=True)
    buyer_address = serializers.CharField(read_only=True)
    payment_terms = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True, help_text=gettext_lazy("Motif (avoirs, factures ponctuelles)."))
    payment_reference = serializers.CharField(
        read_only=True, help_text=gettext_lazy("Référence de paiement (ISO 11649, « RF… »).")
    )
    transfer = serializers.SerializerMethodField()
    working = WorkingStepSerializer(many=True, read_only=True, help_text=gettext_lazy("Le calcul de la cotisation."))
    lines = InvoiceLineSerializer(many=True, read_only=True)
    payments = serializers.SerializerMethodField()
    credit_notes = CreditNoteBriefSerializer(many=True, read_only=True)

    @extend_schema_field(BankTransferSerializer(allow_null=True))
    def get_transfer(self, invoice):
        """The organisation's bank details, for an invoice that still has something to pay (null when
        nothing is due or the organisation gave no IBAN)."""
        policy = self.context["policy"]
        if invoice.is_credit_note or invoice.outstanding <= 0 or not policy.iban:
            return None
        return BankTransferSerializer(
            {"iban": policy.iban, "bic": policy.bic, "reference": invoice.payment_reference}
        ).data

    @extend_schema_field(PaymentShareSerializer(many=True))
    def get_payments(self, invoice):
        return PaymentShareSerializer(self.context["allocations"], many=True).data


# Output: account ----------------------------------------------------------------------------


class BalanceSerializer(serializers.Serializer):
    member = BillingMemberSerializer(read_only=True)
    invoiced = money(help_text=gettext_lazy("Total TTC des factures."))
    credited = money(help_text=gettext_lazy("Total TTC des avoirs."))
    paid = money(help_text=gettext_lazy("Total des paiements reçus."))
    balance = money(
        source="amount", help_text=gettext_lazy("Factures − avoirs − paiements ; négatif : en faveur de l'adhérent.")
    )
    settled = serializers.BooleanField(read_only=True, help_text=gettext_lazy("À jour : rien n'est dû."))


class StatementEntrySerializer(serializers.Serializer):
    day = serializers.DateField(read_only=True)
    label = serializers.CharField(read_only=True)
    reference = serializers.CharField(read_only=True, help_text=gettext_lazy("Référence d'un paiement."))
    debit = money()
    credit = money()
    balance = money(help_text=gettext_lazy("Solde après le mouvement."))
    invoice = serializers.SerializerMethodField()

    @extend_schema_field(InvoiceRefSerializer(allow_null=True))
    def get_invoice(self, entry):
        return InvoiceRefSerializer(entry.invoice).data if entry.invoice is not None else None


class StatementSerializer(serializers.Serializer):
    member = BillingMemberSerializer(read_only=True)
    entries = StatementEntrySerializer(
        many=True, read_only=True, help_text=gettext_lazy("Du plus ancien au plus récent.")
    )
    balance = money(help_text=gettext_lazy("Solde final."))


class PaymentSerializer(serializers.Serializer):
    """Money received from a member and the invoices it pays."""

    id = serializers.IntegerField(read_only=True)
    member = BillingMemberSerializer(read_only=True)
    method = serializers.CharField(read_only=True, help_text=gettext_lazy("card, sepa_debit, transfer ou cheque."))
    method_label = serializers.CharField(source="get_method_display", read_only=True)
    amount = money()
    received_on = serializers.DateField(read_only=True)
    reference = serializers.CharField(read_only=True)
    invoices = serializers.SerializerMethodField()

    @extend_schema_field(
        {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer"},
                    "number": {"type": "string"},
                    "amount": {"type": "string", "format": "decimal"},
                },
            },
        }
    )
    def get_invoices(self, payment):
        return [
            {"id": allocation.invoice_id, "number": allocation.invoice.number, "amount": f"{allocation.amount:.2f}"}
            for allocation in payment.allocations.all()
        ]


# Output: declaration, checkout, runs --------------------------------------------------------


class DeclarationCampaignSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    year = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Année de la cotisation."))
    figures_year = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Année des chiffres (N-2)."))
    deadline = serializers.DateField(read_only=True)
    deadline_passed = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=gettext_lazy("open ou closed."))

    def get_deadline_passed(self, campaign) -> bool:
        return campaign.deadline < timezone.localdate()


class DeclarationFieldSerializer(serializers.Serializer):
    key = serializers.CharField(read_only=True)
    label = serializers.CharField(read_only=True)
    help_text = serializers.CharField(read_only=True)
    required = serializers.BooleanField(read_only=True)
    decimals = serializers.IntegerField(read_only=True, help_text=gettext_lazy("0 : nombre entier."))


class SubmittedDeclarationSerializer(serializers.Serializer):
    status = serializers.CharField(read_only=True, help_text=gettext_lazy("submitted ou corrected."))
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    submitted_by = serializers.SerializerMethodField()
    corrected_at = serializers.DateTimeField(read_only=True, allow_null=True)
    values = serializers.SerializerMethodField(help_text=gettext_lazy("Valeurs transmises (ou corrigées)."))

    def get_submitted_by(self, declaration) -> str | None:
        return str(declaration.submitted_by) if declaration.submitted_by is not None else None

    @extend_schema_field({"type": "object", "additionalProperties": {"type": "string", "nullable": True}})
    def get_values(self, declaration):
        keys = [item["key"] for item in declaration.campaign.fields]
        return {key: None if getattr(declaration, key) is None else str(getattr(declaration, key)) for key in keys}


class DeclarationStateSerializer(serializers.Serializer):
    """The open campaign's data sheet for the active member: what is asked and what was sent."""

    campaign = DeclarationCampaignSerializer(
        read_only=True, allow_null=True, help_text=gettext_lazy("null : aucune campagne.")
    )
    # Not "fields": that name is the serializer's own.
    form_fields = serializers.SerializerMethodField()
    declaration = SubmittedDeclarationSerializer(read_only=True, allow_null=True)
    can_submit = serializers.SerializerMethodField(
        help_text=gettext_lazy("La fiche peut être transmise (campagne ouverte, rien transmis encore).")
    )

    @extend_schema_field(DeclarationFieldSerializer(many=True))
    def get_form_fields(self, state):
        campaign = state["campaign"]
        if campaign is None:
            return []
        rows = []
        for item in campaign.fields:
            field = DECLARATION_FIELDS.get(item["key"])
            if field is None:
                continue
            rows.append(
                {
                    "key": field.key,
                    "label": str(field.label),
                    "help_text": str(field.help_text),
                    "required": bool(item["required"]),
                    "decimals": field.decimals,
                }
            )
        return DeclarationFieldSerializer(rows, many=True).data

    def get_can_submit(self, state) -> bool:
        campaign = state["campaign"]
        return campaign is not None and campaign.status == CampaignStatus.OPEN and state["declaration"] is None


class CheckoutSerializer(serializers.Serializer):
    key = serializers.UUIDField(read_only=True, help_text=gettext_lazy("Identifiant du paiement (page de retour)."))
    url = serializers.URLField(
        source="stripe_url", read_only=True, help_text=gettext_lazy("Page de paiement Stripe où envoyer l'adhérent.")
    )
    amount = money(help_text=gettext_lazy("Montant total demandé."))


class InvoicingRunSerializer(serializers.Serializer):
    """The annual invoicing run's progress."""

    id = serializers.IntegerField(read_only=True)
    campaign = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True, help_text=gettext_lazy("running ou done."))
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    total = serializers.IntegerField(read_only=True, help_text=gettext_lazy("Adhérents à facturer."))
    invoiced = serializers.SerializerMethodField()
    skipped = serializers.SerializerMethodField(help_text=gettext_lazy("Adhérents écartés (motif sur la page)."))
    percent = serializers.SerializerMethodField()
    started_at = serializers.DateTimeField(read_only=True)
    finished_at = serializers.DateTimeField(read_only=True, allow_null=True)

    @extend_schema_field({"type": "object", "properties": {"id": {"type": "integer"}, "year": {"type": "integer"}}})
    def get_campaign(self, run):
        return {"id": run.campaign_id, "year": run.campaign.year}

    def get_invoiced(self, run) -> int:
        return self.context["progress"].invoiced

    def get_skipped(self, run) -> int:
        return self.context["progress"].skipped

    def get_percent(self, run) -> int:
        return self.context["progress"].percent
