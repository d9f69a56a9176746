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


def sheet_fields(campaign: DeclarationCampaign) -> dict[str, forms.CharField]:
    """The data sheet's fields the campaign asks for (fixed at its opening), in its order, as text
    boxes: "1 250 000,50" is welcome. The member's sheet and staff's correction both use them."""
    fields = {}
    for item in campaign.fields:
        declared = DECLARATION_FIELDS.get(item.get("key"))
        if declared is None:
            continue
        required = bool(item.get("required"))
        attrs = {"inputmode": "decimal" if declared.decimals else "numeric", "autocomplete": "off", "class": "figure"}
        if required:
            # Said to assistive technologies; the page checks nothing itself (novalidate): the
            # service's messages are the ones shown, a required field left blank included.
            attrs["aria-required"] = "true"
        fields[declared.key] = forms.CharField(
            label=format_lazy("{} {}", declared.label, _("(obligatoire)")) if required else declared.label,
            help_text=declared.help_text,
            required=False,
            max_length=30,
            strip=True,
            widget=forms.TextInput(attrs=attrs),
        )
    return fields


class DeclarationForm(forms.Form):
    """The member's data sheet: the campaign's figures (`sheet_fields`) and the campaign's id."""

    campaign = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, campaign: DeclarationCampaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].initial = campaign.pk
        figures = sheet_fields(campaign)
        self.fields.update(figures)
        self.keys = list(figures)

    def figures(self) -> dict:
        """The typed figures, for the service (call after `is_valid()`)."""
        return {key: self.cleaned_data.get(key, "") for key in self.keys}

    def figure_fields(self):
        """The bound fields of the figures, in the campaign's order (the hidden id aside)."""
        return [self[key] for key in self.keys]
