"""Cotisations: the annual declaration, the rule that prices it, invoices, payments and Stripe's traces.

Money is `Decimal` with two places, in euros. An issued invoice (or credit note) never changes: its
row and its lines are refused any UPDATE or DELETE by a database trigger (migration 0002); its PDF
lives beside it in `InvoiceDocument`, and what has been paid comes from `PaymentAllocation` rows.
"""

import posixpath
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from stdnum.iso7064 import mod_97_10

ZERO = Decimal("0.00")


def money_field(label, **options) -> models.DecimalField:
    return models.DecimalField(label, max_digits=14, decimal_places=2, **options)


# --- Declaration -----------------------------------------------------------------------------


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Ouverte")
    CLOSED = "closed", _("Close")


class DeclarationCampaign(models.Model):
    """A year's call for data sheets; the cotisation of `year` is computed from figures of `year - 2`."""

    year = models.PositiveSmallIntegerField(_("année de cotisation"), unique=True)
    deadline = models.DateField(_("date limite de déclaration"))
    status = models.CharField(_("statut"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    # The data sheet's fields for this campaign, fixed at opening: [{"key", "required"}...] (see bases.py).
    fields = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("campagne de déclaration")

    def __str__(self) -> str:
        return f"{self.year}"

    @property
    def figures_year(self) -> int:
        return self.year - 2


class DeclarationStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Transmise")
    CORRECTED = "corrected", _("Corrigée par l'organisation")


class AnnualDeclaration(models.Model):
    """A member's data sheet for a campaign; submitted once, then corrected only by staff."""

    campaign = models.ForeignKey(DeclarationCampaign, on_delete=models.PROTECT, related_name="declarations")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="declarations")
    payroll = money_field(_("masse salariale (N-2)"), null=True, blank=True)
    contracts = models.PositiveIntegerField(_("nombre de contrats (N-2)"), null=True, blank=True)
    headcount = models.PositiveIntegerField(_("nombre de salariés (N-2)"), null=True, blank=True)
    fte = models.DecimalField(_("salariés en ETP (N-2)"), max_digits=9, decimal_places=2, null=True, blank=True)
    status = models.CharField(_("statut"), max_length=12, choices=DeclarationStatus.choices)
    submitted_at = models.DateTimeField()
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    corrected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-campaign__year", "member__name"]
        verbose_name = _("déclaration annuelle")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "member"], name="declaration_once_per_campaign"),
            models.CheckConstraint(condition=Q(payroll__gte=0), name="declaration_payroll_not_negative"),
            models.CheckConstraint(condition=Q(fte__gte=0), name="declaration_fte_not_negative"),
            models.CheckConstraint(
                condition=Q(fte__isnull=True) | Q(headcount__isnull=True) | Q(fte__lte=F("headcount")),
                name="declaration_fte_within_headcount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} — {self.member}"


class ReminderSent(models.Model):
    """One reminder sent (declaration before its deadline, invoice after its due day): sent once."""

    key = models.CharField(max_length=120, unique=True)  # "declaration:<campaign>:<member>:<days>" ...
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key


# --- Cotisation rule -----------------------------------------------------------------------------


class ContributionRule(models.Model):
    """How a campaign's cotisation is priced: brackets on one basis, a part per head, a fixed part,
    bounds, and VAT. The working of each amount is shown before invoicing (see contribution.py)."""

    campaign = models.OneToOneField(DeclarationCampaign, on_delete=models.CASCADE, related_name="rule")
    label = models.CharField(_("libellé de la ligne"), max_length=200, default="Cotisation annuelle")
    rate_basis = models.CharField(_("assiette des tranches"), max_length=60, default="payroll")
    head_basis = models.CharField(_("assiette de la part par tête"), max_length=60, default="headcount")
    per_head_amount = money_field(_("montant par tête"), default=ZERO, validators=[MinValueValidator(ZERO)])
    fixed_amount = money_field(_("part fixe"), default=ZERO, validators=[MinValueValidator(ZERO)])
    minimum = money_field(_("minimum"), default=ZERO, validators=[MinValueValidator(ZERO)])
    maximum = money_field(_("maximum"), null=True, blank=True, validators=[MinValueValidator(ZERO)])
    vat_rate = models.DecimalField(_("taux de TVA (%)"), max_digits=5, decimal_places=2, default=Decimal("20.00"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("règle de cotisation")
        constraints = [
            models.CheckConstraint(
                condition=Q(maximum__isnull=True) | Q(maximum__gte=F("minimum")), name="rule_maximum_above_minimum"
            ),
            models.CheckConstraint(condition=Q(vat_rate__gte=0, vat_rate__lte=100), name="rule_vat_rate_percent"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.campaign_id})"


class ContributionBracket(models.Model):
    """From `floor` of the basis upwards (until the next bracket), `rate` percent is due."""

    rule = models.ForeignKey(ContributionRule, on_delete=models.CASCADE, related_name="brackets")
    floor = money_field(_("à partir de"), validators=[MinValueValidator(ZERO)])
    rate = models.DecimalField(_("taux (%)"), max_digits=7, decimal_places=4, validators=[MinValueValidator(ZERO)])

    class Meta:
        ordering = ["floor"]
        constraints = [models.UniqueConstraint(fields=["rule", "floor"], name="bracket_floor_unique")]

    def __str__(self) -> str:
        return f"{self.floor} → {self.rate} %"


# --- Invoices ------------------------------------------------------------------------------------


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", _("Facture")
    CREDIT_NOTE = "credit_note", _("Avoir")


class NumberSeries(models.Model):
    """The next number of a kind of invoice; locked while an invoice takes it, so numbers never skip."""

    kind = models.CharField(max_length=20, choices=InvoiceKind.choices, unique=True)
    prefix = models.CharField(max_length=10)
    next_value = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.prefix}{self.next_value:06d}"


class Invoice(models.Model):
    """An issued invoice or credit note (`kind`): numbered at creation, never changed afterwards."""

    kind = models.CharField(_("type"), max_length=20, choices=InvoiceKind.choices, default=InvoiceKind.INVOICE)
    number = models.CharField(_("numéro"), max_length=30, unique=True)
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="invoices")
    campaign = models.ForeignKey(
        DeclarationCampaign, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    # A credit note names the invoice it corrects.
    corrects = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes")
    year = models.PositiveSmallIntegerField(_("année"))  # of the cotisation; the issue year otherwise
    issued_on = models.DateField(_("date d'émission"))
    due_on = models.DateField(_("échéance"))
    payment_terms = models.TextField(_("conditions de paiement"), blank=True)
    # Who it is addressed to, as it was at issue (the member's record may change later).
    buyer_name = models.CharField(max_length=200)
    buyer_identifier = models.CharField(max_length=40, blank=True)
    buyer_address = models.TextField(blank=True)
    total_net = money_field(_("total HT"))
    total_vat = money_field(_("TVA"))
    total_gross = money_field(_("total TTC"))
    # The cotisation came from an estimate, not a declaration (shown on the invoice).
    estimated = models.BooleanField(default=False)
    working = models.JSONField(default=list, blank=True)  # the computation's steps, for the record
    note = models.TextField(_("motif"), blank=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-issued_on", "-id"]
        verbose_name = _("facture")
        constraints = [
            # The annual run may be resumed any number of times: one cotisation invoice per member.
            models.UniqueConstraint(
                fields=["campaign", "member"],
                condition=Q(kind="invoice", campaign__isnull=False),
                name="one_cotisation_invoice_per_campaign",
            ),
            models.CheckConstraint(condition=Q(total_gross=F("total_net") + F("total_vat")), name="invoice_totals_add"),
            models.CheckConstraint(condition=Q(total_gross__gte=0), name="invoice_total_not_negative"),
            models.CheckConstraint(
                condition=Q(kind="invoice", corrects__isnull=True) | Q(kind="credit_note", corrects__isnull=False),
                name="credit_note_corrects_an_invoice",
            ),
        ]
        indexes = [models.Index(fields=["member", "-year", "-issued_on"], name="invoice_member_year_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def working_source(self) -> str:
        """Where the cotisation's figures came from ("Déclaration 2027", "Estimation d'après la
        déclaration 2026"): the first step stored, the one without an amount."""
        first = self.working[0] if self.working else None
        return first.get("label", "") if isinstance(first, dict) and not first.get("amount") else ""

    @property
    def working_steps(self) -> list[dict]:
        """The computation's steps with their amounts ({"label", "amount": Decimal})."""
        return [
            {"label": step.get("label", ""), "amount": Decimal(step["amount"])}
            for step in self.working or []
            if isinstance(step, dict) and step.get("amount")
        ]

    @property
    def payment_reference(self) -> str:
        """A structured creditor reference (ISO 11649, "RF…") to quote on a bank transfer."""
        body = "".join(char for char in self.number if char.isalnum()).upper()
        return f"RF{mod_97_10.calc_check_digits(body + 'RF')}{body}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    label = models.CharField(_("désignation"), max_length=300)
    quantity = models.DecimalField(_("quantité"), max_digits=12, decimal_places=2, default=Decimal("1"))
    unit_price = money_field(_("prix unitaire HT"))
    vat_rate = models.DecimalField(_("taux de TVA (%)"), max_digits=5, decimal_places=2)
    total_net = money_field(_("total HT"))
    total_vat = money_field(_("TVA"))

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.label


def invoice_pdf_path(document: "InvoiceDocument", filename: str) -> str:
    return f"billing/invoices/{document.invoice_id}/{posixpath.basename(filename)}"


class InvoiceDocument(models.Model):
    """The invoice's Factur-X PDF, printed once."""

    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="document")
    file = models.FileField(upload_to=invoice_pdf_path, max_length=300)
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.file.name


# --- Payments ------------------------------------------------------------------------------------


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Carte bancaire")
    SEPA_DEBIT = "sepa_debit", _("Prélèvement SEPA")
    TRANSFER = "transfer", _("Virement")
    CHEQUE = "cheque", _("Chèque")


ONLINE_METHODS = (PaymentMethod.CARD, PaymentMethod.SEPA_DEBIT)


class Payment(models.Model):
    """Money received from a member, spread over invoices by its allocations."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("moyen"), max_length=20, choices=PaymentMethod.choices)
    amount = money_field(_("montant"), validators=[MinValueValidator(Decimal("0.01"))])
    received_on = models.DateField(_("date de réception"))
    reference = models.CharField(_("référence"), max_length=100, blank=True)
    # Online payments: the PaymentIntent that carried it (one payment per intent, whatever the events).
    stripe_payment_intent = models.CharField(max_length=100, null=True, blank=True, unique=True)
    checkout = models.ForeignKey(
        "CheckoutAttempt", on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        verbose_name = _("paiement")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive")]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount} €"


class PaymentAllocation(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    amount = money_field(_("montant"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "invoice"], name="allocation_once_per_invoice"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} € → {self.invoice_id}"


class CheckoutStatus(models.TextChoices):
    OPEN = "open", _("En attente du paiement")
    PROCESSING = "processing", _("Paiement en cours de traitement")
    PAID = "paid", _("Payé")
    FAILED = "failed", _("Paiement refusé")
    EXPIRED = "expired", _("Abandonné")
    MISMATCH = "mismatch", _("Montant incohérent, à vérifier")


class CheckoutAttempt(models.Model):
    """A member's online payment of one or several invoices through Stripe Checkout."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # idempotency key and URL id
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="checkouts")
    # {"<invoice id>": "<amount>"}: what each invoice receives when the payment succeeds.
    allocations = models.JSONField()
    amount = money_field(_("montant"))
    currency = models.CharField(max_length=3, default="eur")
    status = models.CharField(max_length=12, choices=CheckoutStatus.choices, default=CheckoutStatus.OPEN)
    stripe_session = models.CharField(max_length=100, unique=True, null=True, blank=True)
    stripe_url = models.URLField(max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return str(self.key)


class StripeEvent(models.Model):
    """A webhook event received: stored once (its id is unique), handled once by a task."""

    event_id = models.CharField(max_length=100, unique=True)
    type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)
    relays = models.PositiveSmallIntegerField(default=0)  # times sent again after its task was lost or failed

    class Meta:
        indexes = [models.Index(fields=["handled_at", "received_at"], name="stripe_event_pending_idx")]

    def __str__(self) -> str:
        return self.event_id


class PaymentAccount(models.Model):
    """The organisation's Stripe keys, encrypted at rest (see secrets.py). One row at most."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    publishable_key = models.CharField(max_length=200, blank=True)
    secret_key_encrypted = models.TextField(blank=True)
    webhook_secret_encrypted = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return "Stripe"


# --- Annual invoicing run ------------------------------------------------------------------------


class RunStatus(models.TextChoices):
    RUNNING = "running", _("En cours")
    DONE = "done", _("Terminée")


class InvoicingRun(models.Model):
    """Staff's annual invoicing of a campaign, done by background batches; resumable."""

    campaign = models.ForeignKey(DeclarationCampaign, on_delete=models.PROTECT, related_name="runs")
    status = models.CharField(max_length=10, choices=RunStatus.choices, default=RunStatus.RUNNING)
    total = models.PositiveIntegerField(default=0)  # members to consider
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            # One run at a time per campaign: starting twice resumes the one running.
            models.UniqueConstraint(fields=["campaign"], condition=Q(status="running"), name="one_running_run")
        ]

    def __str__(self) -> str:
        return f"Facturation {self.campaign_id} #{self.pk}"


class RunSkip(models.Model):
    """A member the run did not invoice, and why (French, for the report)."""

    run = models.ForeignKey(InvoicingRun, on_delete=models.CASCADE, related_name="skips")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["member__name"]
        constraints = [models.UniqueConstraint(fields=["run", "member"], name="skip_once_per_run")]

    def __str__(self) -> str:
        return self.reason
