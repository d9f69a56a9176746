"""Forms of the organisation's ledger pages (invoices, payments, payment keys) and the filtered reads
they drive, shared by the lists and their CSV exports so that both always show the same rows."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.members.forms import DateInput
from core.web.lists import FilterForm

from .contribution import euros, number_text
from .models import InvoiceKind, PaymentMethod
from .searches import INVOICE_SORTS
from .selectors import InvoiceState
from .services.payments import OFFLINE_METHODS


def amount_parse(text) -> Decimal | None:
    """ "1 234,50" or "1234.5" → Decimal("1234.50"); None when it is no amount at all."""
    try:
        amount = Decimal(number_text(text or ""))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


def amount_input(amount: Decimal) -> str:
    """An amount as a person would type it in a form field ("6036,00")."""
    return f"{amount:.2f}".replace(".", ",")


class AmountField(forms.CharField):
    """An amount in euros typed the French way; the services judge whether it is acceptable."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    default_error_messages = {"invalid": _("Indiquez un montant en euros, par exemple 1 250,00.")}

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        amount = amount_parse(value)
        if amount is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return amount


def _search_field(placeholder) -> forms.CharField:
    return forms.CharField(
        label=_("Rechercher un adhérent"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": placeholder}),
    )


# Invoices ------------------------------------------------------------------------------------


class InvoiceFilterForm(FilterForm):
    """The invoice list's filters and sort (`years`: those offered in the year list)."""

    q = _search_field(_("raison sociale, SIRET, n° d'adhérent ou de facture"))
    # A number, not a choice among the years shown: the export takes it without reading the years.
    year = forms.IntegerField(label=_("Année"), required=False, min_value=2000, max_value=2100, widget=forms.Select)
    state = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[("", _("Tous")), *InvoiceState.LABELS.items()],
    )
    kind = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Factures et avoirs")), *InvoiceKind.choices]
    )
    sort = forms.ChoiceField(
        label=_("Tri"),
        required=False,
        widget=forms.HiddenInput,
        choices=[(f"{prefix}{key}", key) for key in INVOICE_SORTS for prefix in ("", "-")],
    )

    def __init__(self, *args, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Raison sociale, SIRET, numéro d'adhérent ou numéro de facture.")
        self.fields["year"].widget.choices = [("", _("Toutes les années"))] + [(year, str(year)) for year in years]


# Payments ------------------------------------------------------------------------------------


class PaymentFilterForm(FilterForm):
    """The payment list's filters."""

    q = _search_field(_("raison sociale, SIRET, n° d'adhérent ou référence"))
    method = forms.ChoiceField(
        label=_("Moyen de paiement"), required=False, choices=[("", _("Tous")), *PaymentMethod.choices]
    )
    received_from = forms.DateField(label=_("Reçu à partir du"), required=False, widget=DateInput)
    received_to = forms.DateField(label=_("Reçu jusqu'au"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Raison sociale, SIRET, numéro d'adhérent ou référence du paiement.")

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Cette date précède la date de début."))
        return data


# Actions on an invoice -----------------------------------------------------------------------


class PaymentRecordForm(forms.Form):
    """A transfer or a cheque received for an invoice (the service refuses more than what remains)."""

    method = forms.ChoiceField(
        label=_("Moyen de paiement"),
        choices=[(method.value, method.label) for method in OFFLINE_METHODS],
        initial=PaymentMethod.TRANSFER,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choisissez virement ou chèque."),
            "invalid_choice": _("Choisissez virement ou chèque."),
        },
    )
    amount = AmountField(label=_("Montant reçu (€)"), error_messages={"required": _("Indiquez le montant reçu.")})
    received_on = forms.DateField(
        label=_("Reçu le"),
        widget=DateInput,
        error_messages={"required": _("Indiquez la date de réception."), "invalid": _("Indiquez une date.")},
    )
    reference = forms.CharField(
        label=_("Référence (facultative)"),
        max_length=100,
        required=False,
        help_text=_("Libellé du virement, numéro du chèque…"),
    )

    def __init__(self, *args, outstanding: Decimal | None = None, **kwargs):
        kwargs.setdefault("auto_id", "payment_%s")
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        if outstanding is not None:
            kwargs["initial"].setdefault("amount", amount_input(outstanding))
        super().__init__(*args, **kwargs)


class CreditNoteForm(forms.Form):
    """A credit note on an invoice: all that remains creditable, or part of it (TTC)."""

    FULL, PARTIAL = "full", "partial"

    scope = forms.ChoiceField(
        label=_("Montant de l'avoir"),
        choices=[(FULL, _("Tout le montant restant")), (PARTIAL, _("Une partie (montant TTC)"))],
        initial=FULL,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choisissez le montant de l'avoir.")},
    )
    amount = AmountField(label=_("Montant TTC de l'avoir partiel (€)"), required=False)
    reason = forms.CharField(
        label=_("Motif"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Figure sur l'avoir envoyé à l'adhérent."),
        error_messages={"required": _("Indiquez le motif de l'avoir.")},
    )

    def __init__(self, *args, creditable: Decimal | None = None, **kwargs):
        kwargs.setdefault("auto_id", "credit_%s")
        super().__init__(*args, **kwargs)
        if creditable is not None:
            self.fields["scope"].choices = [
                (self.FULL, _("Tout le montant restant : %(amount)s") % {"amount": euros(creditable)}),
                (self.PARTIAL, _("Une partie (montant TTC)")),
            ]

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.PARTIAL and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", _("Indiquez le montant TTC de l'avoir partiel."))
        return data

    def service_amount(self) -> Decimal | None:
        """What the service takes: None for the whole creditable amount."""
        return self.cleaned_data["amount"] if self.cleaned_data["scope"] == self.PARTIAL else None


# Payment keys --------------------------------------------------------------------------------


class SecretInput(forms.PasswordInput):
    """A secret typed in, never sent back to the browser (not even after a refusal)."""

    def __init__(self):
        super().__init__(attrs={"autocomplete": "new-password", "spellcheck": "false"}, render_value=False)


class PaymentKeysForm(forms.Form):
    """The organisation's Stripe keys; a secret left blank keeps the stored one."""

    publishable_key = forms.CharField(
        label=_("Clé publique (pk_…)"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    secret_key = forms.CharField(
        label=_("Clé secrète (sk_… ou rk_…)"), max_length=200, required=False, widget=SecretInput()
    )
    webhook_secret = forms.CharField(
        label=_("Secret de signature du webhook (whsec_…)"), max_length=200, required=False, widget=SecretInput()
    )

    def __init__(self, *args, states: dict[str, str], **kwargs):
        """`states`: per secret, "stored", "unreadable" (sealed under another key) or ""."""
        super().__init__(*args, **kwargs)
        helps = {
            "secret_key": {
                "stored": _("•••• enregistrée. Laissez vide pour la conserver."),
                "unreadable": _("Enregistrée mais illisible (clé de chiffrement changée) : saisissez-la de nouveau."),
                "": _("Aucune clé enregistrée."),
            },
            "webhook_secret": {
                "stored": _("•••• enregistré. Laissez vide pour le conserver."),
                "unreadable": _("Enregistré mais illisible (clé de chiffrement changée) : saisissez-le de nouveau."),
                "": _("Aucun secret enregistré."),
            },
        }
        for name, texts in helps.items():
            self.fields[name].help_text = texts[states.get(name, "")]
