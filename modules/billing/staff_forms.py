"""Forms of the organisation's billing pages: campaigns, the cotisation rule, declarations' corrections.

The forms collect and check what was typed (French decimals with a comma, dates, bounds); the
services check again and have the last word, their refusals shown beside the same fields.
"""

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from core.members.forms import DateInput

from .bases import DECLARATION_FIELDS, basis_choices
from .contribution import number_text
from .forms import sheet_fields
from .models import CampaignStatus

BRACKET_ROWS_MIN = 5  # rows offered on the rule's form, blank ones ignored
BRACKET_ROWS_SPARE = 2  # blank rows after the existing brackets


def french_number(value) -> str:
    """Decimal("0.5000") → "0,5", Decimal("500000.00") → "500000": a stored figure as typed back."""
    if value is None or value == "":
        return ""
    number = Decimal(value).normalize()
    return f"{number:f}".replace(".", ",")


class FrenchDecimalField(forms.DecimalField):
    """A decimal typed the French way ("1 250 000,50"), in a text box with a numeric keyboard."""

    widget = forms.TextInput

    def __init__(self, *, maximum: Decimal | None = None, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("min_value", Decimal("0"))
        messages = {
            "invalid": _("Indiquez un nombre."),
            "min_value": _("Indiquez un nombre positif ou nul."),
            "max_value": _("Ce nombre est trop grand."),
            "max_digits": _("Ce nombre est trop grand."),
            "max_whole_digits": _("Ce nombre est trop grand."),
            "max_decimal_places": _("Trop de décimales."),
            "required": _("Ce champ est obligatoire."),
        }
        messages.update(kwargs.pop("error_messages", {}))
        super().__init__(error_messages=messages, **kwargs)
        if maximum is not None:
            self.validators.append(MaxValueValidator(maximum, message=self.error_messages["max_value"]))

    def to_python(self, value):
        if isinstance(value, str):
            value = number_text(value)
        return super().to_python(value)

    def prepare_value(self, value):
        return french_number(value) if isinstance(value, Decimal) else value

    def widget_attrs(self, widget):
        return {"inputmode": "decimal", "autocomplete": "off"}


def percent_field(label, **kwargs) -> FrenchDecimalField:
    return FrenchDecimalField(
        label=label,
        max_digits=7,
        decimal_places=4,
        maximum=Decimal("100"),
        error_messages={"max_value": _("Un pourcentage entre 0 et 100.")},
        **kwargs,
    )


# Campaigns -----------------------------------------------------------------------------------


class CampaignOpenForm(forms.Form):
    """A new campaign: the cotisation year (figures of year − 2 are asked) and the deadline."""

    year = forms.IntegerField(
        label=_("Année de cotisation"),
        min_value=2000,
        max_value=2100,
        help_text=_("Les adhérents déclarent les chiffres de l'année N-2."),
        error_messages={
            "required": _("Indiquez l'année de cotisation."),
            "invalid": _("Indiquez une année."),
            "min_value": _("Indiquez une année entre 2000 et 2100."),
            "max_value": _("Indiquez une année entre 2000 et 2100."),
        },
    )
    deadline = forms.DateField(
        label=_("Date limite de déclaration"),
        widget=DateInput(),
        error_messages={"required": _("Indiquez la date limite."), "invalid": _("Indiquez une date.")},
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "open_%s")
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.attrs.update({"inputmode": "numeric"})


class CampaignUpdateForm(forms.Form):
    """A campaign's deadline and whether members may still declare."""

    deadline = forms.DateField(
        label=_("Date limite de déclaration"),
        widget=DateInput(),
        error_messages={"required": _("Indiquez la date limite."), "invalid": _("Indiquez une date.")},
    )
    status = forms.ChoiceField(
        label=_("Statut"),
        choices=CampaignStatus.choices,
        help_text=_("Une campagne close n'accepte plus de fiche des adhérents."),
    )


class CampaignMembersFilterForm(forms.Form):
    """The campaign's members list: a search and whether they declared."""

    q = forms.CharField(
        label=_("Rechercher un adhérent"),
        required=False,
        max_length=200,
        help_text=_("Raison sociale, SIRET ou numéro d'adhérent."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    declared = forms.ChoiceField(
        label=_("Fiche"),
        required=False,
        choices=[("", _("Toutes")), ("yes", _("Transmise")), ("no", _("Non transmise"))],
    )

    def values(self) -> dict:
        """The valid filters (an invalid one is ignored, as a search box should)."""
        if not self.is_valid():
            return {"q": "", "declared": ""}
        return {"q": self.cleaned_data["q"].strip(), "declared": self.cleaned_data["declared"]}


# The cotisation rule -------------------------------------------------------------------------


class RuleForm(forms.Form):
    """The campaign's cotisation rule, brackets aside (`BracketFormSet`)."""

    label = forms.CharField(
        label=_("Libellé de la ligne de facture"),
        max_length=200,
        error_messages={"required": _("Indiquez le libellé de la ligne.")},
    )
    rate_basis = forms.ChoiceField(
        label=_("Assiette des tranches"), help_text=_("Le chiffre auquel les taux s'appliquent.")
    )
    head_basis = forms.ChoiceField(
        label=_("Assiette de la part par tête"), help_text=_("Le nombre multiplié par le montant par tête.")
    )
    per_head_amount = FrenchDecimalField(label=_("Montant par tête (€ HT)"), required=False)
    fixed_amount = FrenchDecimalField(label=_("Part fixe (€ HT)"), required=False)
    minimum = FrenchDecimalField(label=_("Minimum (€ HT)"), required=False)
    maximum = FrenchDecimalField(
        label=_("Maximum (€ HT)"), required=False, help_text=_("Laissez vide pour ne pas plafonner.")
    )
    vat_rate = percent_field(_("Taux de TVA (%)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(basis.key, basis.label) for basis in basis_choices()]
        self.fields["rate_basis"].choices = choices
        self.fields["head_basis"].choices = choices

    def clean(self):
        cleaned = super().clean()
        minimum, maximum = cleaned.get("minimum"), cleaned.get("maximum")
        if maximum is not None and minimum is not None and maximum < minimum:
            self.add_error("maximum", _("Le maximum doit être supérieur ou égal au minimum."))
        return cleaned


class BracketForm(forms.Form):
    """One bracket: from `floor` of the basis upwards, `rate` percent; a blank row is ignored."""

    floor = FrenchDecimalField(label=_("À partir de (€)"), required=False)
    rate = percent_field(_("Taux (%)"), required=False)

    def clean(self):
        cleaned = super().clean()
        floor, rate = cleaned.get("floor"), cleaned.get("rate")
        if self.errors:
            return cleaned
        if floor is None and rate is not None:
            self.add_error("floor", _("Indiquez le seuil de cette tranche."))
        elif rate is None and floor is not None:
            self.add_error("rate", _("Indiquez le taux de cette tranche."))
        return cleaned

    @property
    def filled(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return data.get("floor") is not None and data.get("rate") is not None


class BaseBracketFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        floors = [form.cleaned_data["floor"] for form in self.forms if form.filled]
        if len(set(floors)) != len(floors):
            raise forms.ValidationError(_("Deux tranches ne peuvent pas commencer au même seuil."))
        if floors and min(floors) != 0:
            raise forms.ValidationError(_("La première tranche doit commencer à 0."))

    def brackets(self) -> list[tuple[Decimal, Decimal]]:
        """The filled rows, by floor."""
        rows = [(form.cleaned_data["floor"], form.cleaned_data["rate"]) for form in self.forms if form.filled]
        return sorted(rows)


BracketFormSet = forms.formset_factory(BracketForm, formset=BaseBracketFormSet, extra=0, max_num=50, absolute_max=50)


def bracket_formset(data=None, *, brackets=()) -> BaseBracketFormSet:
    """The brackets' rows: the existing ones, then blank rows (at least `BRACKET_ROWS_MIN` rows)."""
    initial = [{"floor": bracket.floor, "rate": bracket.rate} for bracket in brackets]
    blanks = max(BRACKET_ROWS_MIN - len(initial), BRACKET_ROWS_SPARE)
    initial += [{} for _blank in range(blanks)]
    if data is not None:
        return BracketFormSet(data, prefix="brackets")
    formset = BracketFormSet(prefix="brackets", initial=initial)
    formset.extra = 0
    return formset


class SampleForm(forms.Form):
    """Figures to try the rule on (the rule page's example)."""

    rate_figure = FrenchDecimalField(label=_("Assiette des tranches"), required=False)
    head_figure = FrenchDecimalField(label=_("Assiette par tête"), required=False)

    def __init__(self, *args, rate_label: str, head_label: str, **kwargs):
        kwargs.setdefault("auto_id", "sample_%s")
        super().__init__(*args, **kwargs)
        self.fields["rate_figure"].label = rate_label
        self.fields["head_figure"].label = head_label


# Declarations --------------------------------------------------------------------------------


class DeclarationCorrectForm(forms.Form):
    """Staff's correction of a member's data sheet: the campaign's fields and a mandatory reason.

    The figures are collected as typed; `declaration_values_clean` (through the service) checks them."""

    reason = forms.CharField(
        label=_("Motif de la correction"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Gardé dans le journal avec les chiffres avant et après."),
        error_messages={"required": _("Indiquez le motif de la correction.")},
    )

    def __init__(self, *args, campaign, **kwargs):
        kwargs.setdefault("auto_id", "correct_%s")
        super().__init__(*args, **kwargs)
        figures = sheet_fields(campaign)
        # The figures first, the reason last.
        self.fields = {**figures, "reason": self.fields["reason"]}
        self.figure_keys = list(figures)

    def values(self) -> dict:
        """The typed figures, for the service (call after `is_valid()`)."""
        return {key: self.cleaned_data.get(key, "") for key in self.figure_keys}


def declaration_initial(declaration) -> dict:
    """A declaration's figures as a person types them back, for the correction form."""
    return {key: french_number(getattr(declaration, key)) for key in DECLARATION_FIELDS}
