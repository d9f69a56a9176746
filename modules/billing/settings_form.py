"""The organisation's billing settings form (Modules → Cotisations et factures → Réglages)."""

from django import forms
from django.utils.translation import gettext_lazy as _
from stdnum import bic, iban
from stdnum.exceptions import ValidationError
from stdnum.fr import siret, tva

from .bases import DECLARATION_FIELDS
from .policy import reminder_days_parse

FIELD_CHOICES = [(key, field.label) for key, field in DECLARATION_FIELDS.items()]


class BillingSettingsForm(forms.Form):
    seller_name = forms.CharField(label=_("Raison sociale sur les factures"), max_length=200, required=False)
    seller_address = forms.CharField(
        label=_("Adresse sur les factures"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500, required=False
    )
    seller_siret = forms.CharField(label=_("SIRET de l'organisation"), max_length=20, required=False)
    seller_vat_number = forms.CharField(label=_("N° de TVA intracommunautaire"), max_length=20, required=False)
    mention_late_penalties = forms.CharField(label=_("Pénalités de retard"), max_length=500)
    mention_recovery_fee = forms.CharField(label=_("Indemnité forfaitaire pour frais de recouvrement"), max_length=500)
    mention_discount = forms.CharField(label=_("Escompte pour paiement anticipé"), max_length=500)
    legal_mentions = forms.CharField(
        label=_("Autres mentions des factures"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )
    iban = forms.CharField(label=_("IBAN pour les virements"), max_length=40, required=False)
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)
    payment_terms_days = forms.IntegerField(label=_("Délai de paiement (jours)"), min_value=0, max_value=60)
    online_payment = forms.BooleanField(label=_("Proposer le paiement en ligne (Stripe)"), required=False)
    declaration_fields = forms.MultipleChoiceField(
        label=_("Champs de la fiche de renseignements"),
        choices=FIELD_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    declaration_required = forms.MultipleChoiceField(
        label=_("Champs obligatoires"), choices=FIELD_CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    declaration_reminder_days = forms.CharField(
        label=_("Relances de déclaration (jours avant la date limite)"),
        help_text=_("Par exemple « 15, 7, 1 »."),
        max_length=60,
        required=False,
    )
    overdue_reminder_days = forms.CharField(
        label=_("Relances d'impayés (jours après l'échéance)"),
        help_text=_("Par exemple « 7, 30 »."),
        max_length=60,
        required=False,
    )

    def clean_iban(self):
        value = self.cleaned_data["iban"]
        if not value:
            return ""
        try:
            return iban.format(iban.validate(value))
        except ValidationError:
            raise forms.ValidationError(_("Cet IBAN n'est pas valide (vérifiez la clé et la longueur).")) from None

    def clean_bic(self):
        value = self.cleaned_data["bic"]
        if not value:
            return ""
        try:
            return bic.validate(value)
        except ValidationError:
            raise forms.ValidationError(_("Ce BIC n'est pas valide.")) from None

    def clean_seller_siret(self):
        value = self.cleaned_data["seller_siret"]
        if not value:
            return ""
        try:
            return siret.validate(value)
        except ValidationError:
            raise forms.ValidationError(_("Ce numéro SIRET n'est pas valide.")) from None

    def clean_seller_vat_number(self):
        value = self.cleaned_data["seller_vat_number"]
        if not value:
            return ""
        try:
            number = tva.validate(value)
        except ValidationError:
            raise forms.ValidationError(_("Ce numéro de TVA n'est pas valide.")) from None
        return number if number.startswith("FR") else f"FR{number}"

    def _offsets(self, name: str) -> str:
        value = self.cleaned_data[name]
        try:
            days = reminder_days_parse(value)
        except ValueError:
            raise forms.ValidationError(_("Indiquez des nombres de jours séparés par des virgules.")) from None
        if any(day < 0 or day > 365 for day in days):
            raise forms.ValidationError(_("Chaque délai doit être compris entre 0 et 365 jours."))
        return ", ".join(str(day) for day in days)

    def clean_declaration_reminder_days(self):
        return self._offsets("declaration_reminder_days")

    def clean_overdue_reminder_days(self):
        return self._offsets("overdue_reminder_days")

    def clean(self):
        cleaned = super().clean()
        asked = set(cleaned.get("declaration_fields") or [])
        if set(cleaned.get("declaration_required") or []) - asked:
            self.add_error("declaration_required", _("Un champ obligatoire doit faire partie de la fiche."))
        return cleaned
