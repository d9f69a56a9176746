"""Billing API: a member's invoices, balance, statement, payments, data sheet and online payment;
staff's view of every member's invoices, payments and credit notes they record, and run progress.

Reads come from the billing selectors (`invoice_list`, `access_invoice`, `payment_list`,
`access_run`…), so a person sees only their active member's invoices and another member's or
organisation's id answers the same 404 as a missing one. Changes go through the services: their
refusals become the structured 400/409 of `core.web.api_errors`. Rights and refusals are those of
the pages: `billing.view_invoices` (and `billing.pay_invoices` to pay online) and
`billing.submit_declaration` on the active member, `billing.manage_billing` for the organisation's
staff; a list without the right is a 403, an object the caller may not see a 404.
"""

from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.mixins import ListModelMixin
from rest_framework.response import Response

from core.access.selectors import member_list
from core.documents.uploads import file_download, upload_limit
from core.errors import Conflict
from core.members.models import Member

from ..models import Invoice, InvoicingRun, Payment
from ..policy import billing_policy
from ..selectors import (
    access_invoice,
    access_run,
    campaign_current,
    declaration_of,
    invoice_list,
    invoice_payments,
    is_billing_staff,
    member_balance,
    member_of,
    member_statement,
    payment_list,
    run_progress,
)
from ..services.declarations import declaration_submit
from ..services.invoices import credit_note_issue, invoice_pdf_ensure
from ..services.payments import checkout_start, payment_record
from ..views.checkout import paying_member, return_url
from .serializers import (
    STATE_VALUES,
    BalanceSerializer,
    BillingErrorSerializer,
    CheckoutInputSerializer,
    CheckoutSerializer,
    CreditNoteInputSerializer,
    DeclarationInputSerializer,
    DeclarationStateSerializer,
    InvoiceDetailSerializer,
    InvoiceFilterSerializer,
    InvoiceListSerializer,
    InvoicingRunSerializer,
    MemberQuerySerializer,
    PaymentInputSerializer,
    PaymentSerializer,
    StatementSerializer,
)

MANAGE = "billing.manage_billing"
DECLARE = "billing.submit_declaration"


def _require(request, perm: str, obj=None) -> None:
    if not request.user.has_perm(perm, obj):
        raise PermissionDenied


def _require_reader(request) -> None:
    """Billing staff, or a person who may read the active member's invoices (the pages' rule)."""
    if not (is_billing_staff(request.user) or member_of(request.user) is not None):
        raise PermissionDenied


def _active_member(request, perm: str) -> Member:
    """The member the person acts for, if they hold `perm` on it; staff act for no member (403)."""
    member = getattr(request, "active_member", None)
    if member is None:
        raise PermissionDenied
    _require(request, perm, member)
    return member


def _account_member(request) -> Member:
    """Whose account is read: the active member for a person (with the right to read its
    invoices); for staff, the member named by `?member=` (required)."""
    params = MemberQuerySerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    wanted = params.validated_data.get("member")
    if is_billing_staff(request.user):
        if wanted is None:
            message = _("Indiquez l'adhérent.")
            raise serializers.ValidationError({"member": [message]})
        member = member_list(actor=request.user).filter(pk=wanted).first()
        if member is None:
            raise Http404
        return member
    own = member_of(request.user)
    if own is None:
        raise PermissionDenied
    if wanted is not None and wanted != own.pk:
        raise Http404
    return own


# Schema pieces -------------------------------------------------------------------------------

ERROR = BillingErrorSerializer


def _errors(*codes: int) -> dict:
    descriptions = {
        400: "Données refusées (message et erreurs par champ, en français).",
        403: "Droit manquant.",
        404: "Introuvable, ou pas accessible à l'appelant (même réponse).",
        409: "Impossible dans l'état actuel (déjà transmise, campagne close, paiement en ligne indisponible…).",
        413: "Requête trop volumineuse.",
    }
    return {code: OpenApiResponse(ERROR, description=descriptions[code]) for code in codes}


MEMBER_PARAMETER = OpenApiParameter(
    "member", OpenApiTypes.INT, description="Équipe : identifiant de l'adhérent (obligatoire pour l'équipe)."
)
INVOICE_FILTERS = [
    OpenApiParameter("year", OpenApiTypes.INT, description="Année de la cotisation (AAAA)."),
    OpenApiParameter(
        "state",
        OpenApiTypes.STR,
        enum=list(STATE_VALUES),
        description="Statut : à payer, partiellement payée, payée, en retard, avoir.",
    ),
    OpenApiParameter("member", OpenApiTypes.INT, description="Équipe : identifiant de l'adhérent."),
]


# Base views ----------------------------------------------------------------------------------


class BillingAPIView(GenericAPIView):
    """Common ground: a body refused from its declared length before anything reads it (no file
    is ever expected here), and the invoice as the caller may see it."""

    queryset = Invoice.objects.none()
    serializer_class = InvoiceDetailSerializer

    def initial(self, request, *args, **kwargs):
        # Before authentication: the session's CSRF check already parses a form body.
        if request.method == "POST":
            upload_limit(request._request, max_size=0, max_count=0)
        super().initial(request, *args, **kwargs)

    def invoice(self) -> Invoice:
        return access_invoice(actor=self.request.user, invoice_id=self.kwargs["invoice_id"])

    def invoice_data(self, invoice_id: int) -> dict:
        """The invoice as the caller now sees it: amounts, lines, payments, credit notes."""
        invoice = access_invoice(actor=self.request.user, invoice_id=invoice_id)
        context = {
            **self.get_serializer_context(),
            "policy": billing_policy(),
            "allocations": invoice_payments(invoice=invoice),
        }
        return InvoiceDetailSerializer(invoice, context=context).data


# Invoices ------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="billing_invoices_list",
        summary="Factures et avoirs visibles par l'appelant, du plus récent au plus ancien",
        description=(
            "Un adhérent voit ceux de l'adhérent actif avec le droit « Consulter les factures et le solde » ; "
            "l'équipe de facturation (administrateurs, comptables) voit ceux de tous les adhérents."
        ),
        parameters=INVOICE_FILTERS,
        responses={200: InvoiceListSerializer(many=True), **_errors(400, 403)},
    )
)
class InvoiceListView(ListModelMixin, BillingAPIView):
    serializer_class = InvoiceListSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Invoice.objects.none()
        params = InvoiceFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        data = params.validated_data
        member = None
        if "member" in data:
            member = member_list(actor=self.request.user).filter(pk=data["member"]).first()
            if member is None:
                return Invoice.objects.none()
        return invoice_list(actor=self.request.user, member=member, year=data.get("year"), state=data.get("state", ""))

    def get(self, request):
        _require_reader(request)
        return self.list(request)


@extend_schema_view(
    get=extend_schema(
        operation_id="billing_invoices_retrieve",
        summary="Une facture ou un avoir : lignes, montants, statut, paiements, avoirs et coordonnées de virement",
        description=(
            "`transfer` donne l'IBAN, le BIC de l'organisation et la référence à indiquer dans le libellé "
            "du virement, tant que la facture n'est pas soldée."
        ),
        responses={200: InvoiceDetailSerializer, **_errors(404)},
    )
)
class InvoiceDetailView(BillingAPIView):
    def get(self, request, invoice_id: int):
        return Response(self.invoice_data(invoice_id))


@extend_schema_view(
    get=extend_schema(
        operation_id="billing_invoices_pdf",
        summary="La facture en PDF Factur-X (PDF/A-3 avec sa facture électronique XML), en téléchargement",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY, **_errors(404)},
    )
)
class InvoicePdfView(BillingAPIView):
    def perform_content_negotiation(self, request, force=False):
        # A client asking for the file's type (Accept: application/pdf) must get it, not a 406.
        return super().perform_content_negotiation(request, force=True)

    def get(self, request, invoice_id: int):
        invoice = self.invoice()
        document = invoice_pdf_ensure(invoice=invoice)
        return file_download(document.file, filename=f"{invoice.number}.pdf", content_type="application/pdf")


@extend_schema_view(
    post=extend_schema(
        operation_id="billing_invoices_payment_record",
        summary="Enregistrer un virement ou un chèque reçu pour une facture (équipe) ; paiement partiel possible",
        description="Un montant supérieur au reste à payer est refusé (400).",
        request=PaymentInputSerializer,
        responses={201: PaymentSerializer, **_errors(400, 403, 404, 409, 413)},
    )
)
class PaymentRecordView(BillingAPIView):
    serializer_class = PaymentSerializer

    def post(self, request, invoice_id: int):
        invoice = self.invoice()
        _require(request, MANAGE)
        serializer = PaymentInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        payment = payment_record(actor=request.user, invoice=invoice, **serializer.validated_data)
        payment = payment_list(actor=request.user).get(pk=payment.pk)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    post=extend_schema(
        operation_id="billing_invoices_credit_note_issue",
        summary="Émettre un avoir sur une facture (équipe) : en totalité ou pour un montant TTC",
        description="La facture émise ne change jamais : l'avoir la corrige. Un avoir ne se corrige pas (409).",
        request=CreditNoteInputSerializer,
        responses={201: InvoiceDetailSerializer, **_errors(400, 403, 404, 409, 413)},
    )
)
class CreditNoteIssueView(BillingAPIView):
    def post(self, request, invoice_id: int):
        invoice = self.invoice()
        _require(request, MANAGE)
        serializer = CreditNoteInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credit_note = credit_note_issue(actor=request.user, invoice=invoice, **serializer.validated_data)
        response = Response(self.invoice_data(credit_note.pk), status=status.HTTP_201_CREATED)
        response["Location"] = request.build_absolute_uri(
            reverse("api-billing:invoice-detail", kwargs={"invoice_id": credit_note.pk})
        )
        return response


# The member's account ------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="billing_balance",
        summary="Solde du compte : factures − avoirs − paiements",
        parameters=[MEMBER_PARAMETER],
        responses={200: BalanceSerializer, **_errors(400, 403, 404)},
    )
)
class BalanceView(BillingAPIView):
    serializer_class = BalanceSerializer

    def get(self, request):
        member = _account_member(request)
        balance = member_balance(member=member)
        data = {
            "member": member,
            "invoiced": balance.invoiced,
            "credited": balance.credited,
            "paid": balance.paid,
            "amount": balance.amount,
            "settled": balance.settled,
        }
        return Response(BalanceSerializer(data).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="billing_statement",
        summary="Relevé de compte : factures au débit, avoirs et paiements au crédit, avec le solde courant",
        parameters=[MEMBER_PARAMETER],
        responses={200: StatementSerializer, **_errors(400, 403, 404)},
    )
)
class StatementView(BillingAPIView):
    serializer_class = StatementSerializer

    def get(self, request):
        member = _account_member(request)
        entries = member_statement(member=member)
        balance = entries[-1].balance if entries else Decimal("0.00")
        return Response(StatementSerializer({"member": member, "entries": entries, "balance": balance}).data)


@extend_schema_view(
    get=extend_schema(
        operation_id="billing_payments_list",
        summary="Paiements reçus (virements, chèques, paiements en ligne) et les factures qu'ils règlent",
        parameters=[OpenApiParameter("member", OpenApiTypes.INT, description="Équipe : identifiant de l'adhérent.")],
        responses={200: PaymentSerializer(many=True), **_errors(400, 403)},
    )
)
class PaymentListView(ListModelMixin, BillingAPIView):
    queryset = Payment.objects.none()
    serializer_class = PaymentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Payment.objects.none()
        params = MemberQuerySerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        member = None
        if "member" in params.validated_data:
            member = member_list(actor=self.request.user).filter(pk=params.validated_data["member"]).first()
            if member is None:
                return Payment.objects.none()
        return payment_list(actor=self.request.user, member=member).order_by("-received_on", "-id")

    def get(self, request):
        _require_reader(request)
        return self.list(request)


# The data sheet ------------------------------------------------------------------------------


def _declaration_state(member: Member) -> dict:
    campaign = campaign_current()
    declaration = declaration_of(campaign=campaign, member=member) if campaign is not None else None
    return {"campaign": campaign, "declaration": declaration}


@extend_schema_view(
    get=extend_schema(
        operation_id="billing_declaration_retrieve",
        summary="Fiche de renseignements de la campagne ouverte : champs demandés, date limite, fiche transmise",
        description="`campaign` est null quand aucune campagne n'est ouverte.",
        responses={200: DeclarationStateSerializer, **_errors(403)},
    ),
    post=extend_schema(
        operation_id="billing_declaration_submit",
        summary="Transmettre la fiche de renseignements (chiffres de l'année N-2), une seule fois",
        description=(
            "Seuls les champs demandés par la campagne sont acceptés. Valeurs négatives, non numériques, "
            "ETP supérieurs au nombre de salariés ou champ obligatoire manquant : 400 avec les erreurs par "
            "champ. Une fiche déjà transmise ne se modifie plus (409 already_submitted) : seule "
            "l'organisation peut la corriger."
        ),
        request=DeclarationInputSerializer,
        responses={201: DeclarationStateSerializer, **_errors(400, 403, 409, 413)},
    ),
)
class DeclarationView(BillingAPIView):
    serializer_class = DeclarationStateSerializer

    def get(self, request):
        member = _active_member(request, DECLARE)
        return Response(DeclarationStateSerializer(_declaration_state(member)).data)

    def post(self, request):
        member = _active_member(request, DECLARE)
        serializer = DeclarationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        campaign = campaign_current()
        if campaign is None:
            raise Conflict(_("Aucune fiche de renseignements n'est demandée en ce moment."), code="no_campaign")
        asked = {item["key"] for item in campaign.fields}
        not_asked = sorted(key for key in serializer.validated_data if key not in asked)
        if not_asked:
            message = _("Ce champ n'est pas demandé par la fiche de cette année.")
            raise serializers.ValidationError({key: [message] for key in not_asked})
        declaration_submit(actor=request.user, member=member, campaign=campaign, values=serializer.validated_data)
        return Response(DeclarationStateSerializer(_declaration_state(member)).data, status=status.HTTP_201_CREATED)


# Online payment ------------------------------------------------------------------------------


@extend_schema_view(
    post=extend_schema(
        operation_id="billing_checkout_start",
        summary="Payer en ligne une ou plusieurs factures (Stripe Checkout : carte ou prélèvement SEPA)",
        description=(
            "Ouvre une session de paiement pour ce qui reste à payer sur les factures choisies de l'adhérent "
            "actif (droits de consulter et de payer ses factures) et renvoie l'adresse de la page de paiement. "
            "Le paiement n'est enregistré qu'à la confirmation de Stripe. Aucune facture payable parmi celles "
            "données : 400 ; paiement en ligne non proposé par l'organisation : 409."
        ),
        request=CheckoutInputSerializer,
        responses={201: CheckoutSerializer, **_errors(400, 403, 409, 413)},
    )
)
class CheckoutView(BillingAPIView):
    serializer_class = CheckoutSerializer

    def post(self, request):
        member = paying_member(request.user)  # the pages' rule: the return page is theirs to read
        serializer = CheckoutInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attempt = checkout_start(
            actor=request.user,
            member=member,
            invoice_ids=serializer.validated_data["invoices"],
            success_url=return_url(request, "billing:checkout_return"),
            cancel_url=return_url(request, "billing:checkout_cancel"),
        )
        return Response(CheckoutSerializer(attempt).data, status=status.HTTP_201_CREATED)


# Invoicing runs ------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        operation_id="billing_runs_retrieve",
        summary="Avancement d'une facturation annuelle (équipe) : adhérents facturés, écartés, pourcentage",
        responses={200: InvoicingRunSerializer, **_errors(404)},
    )
)
class RunDetailView(BillingAPIView):
    queryset = InvoicingRun.objects.none()
    serializer_class = InvoicingRunSerializer

    def get(self, request, run_id: int):
        run = access_run(actor=request.user, run_id=run_id)
        return Response(InvoicingRunSerializer(run, context={"progress": run_progress(run=run)}).data)
