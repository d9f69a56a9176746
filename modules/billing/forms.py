"""Forms of the member's billing pages: the year filter of the invoices and the annual data sheet.

The data sheet's figures are checked by `services.declarations.declaration_values_clean` (the API
uses the same): the form only carries the typed text, so a refusal keeps everything as typed.
"""

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .bases import DECLARATION_FIELDS
from .models import DeclarationCampaign


class InvoiceYearForm(forms.Form):
    """Which year's invoices to show; a year the member has no invoice for is ignored."""

    year = forms.TypedChoiceField(label=_("Année"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("Toutes les années")), *((year, str(year)) for year in years)]

    def chosen_year(self) -> int | None:
        """The year asked for, or None (all years) when none or an unknown one was asked."""
        return self.cleaned_data.get("year") if self.is_valid() else None


class DeclarationForm(forms.Form):
    """The fields the campaign asks for (fixed at its opening), as text: "1 250 000,50" is welcome."""

    campaign = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, campaign: DeclarationCampaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].initial = campaign.pk
        self.keys = []
        for item in campaign.fields:
            declared = DECLARATION_FIELDS.get(item.get("key"))
            if declared is None:
                continue
            required = bool(item.get("required"))
            attrs = {
                "inputmode": "decimal" if declared.decimals else "numeric",
                "autocomplete": "off",
                "class": "figure",
            }
            if required:
                # Said to assistive technologies; the page checks nothing itself (novalidate):
                # the service's messages are the ones shown.
                attrs["aria-required"] = "true"
            label = format_lazy("{} {}", declared.label, _("(obligatoire)")) if required else declared.label
            self.fields[declared.key] = forms.CharField(
                label=label,
                help_text=declared.help_text,
                required=False,
                max_length=30,
                strip=True,
                widget=forms.TextInput(attrs=attrs),
            )
            self.keys.append(declared.key)

    def figures(self) -> dict:
        """The typed figures, for the service (call after `is_valid()`)."""
        return {key: self.cleaned_data.get(key, "") for key in self.keys}

    def figure_fields(self):
        """The bound fields of the figures, in the campaign's order (the hidden id aside)."""
        return [self[key] for key in self.keys]
