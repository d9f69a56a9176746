"""Settings form of the questions module (its organisation administrator fills it)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class QuestionsSettingsForm(forms.Form):
    answer_delay_working_days = forms.IntegerField(
        label=_("Délai de réponse (jours ouvrés)"),
        min_value=1,
        max_value=30,
        help_text=_("Délai annoncé aux adhérents, compté en jours ouvrés."),
    )
    alsace_moselle = forms.BooleanField(
        label=_("Appliquer les jours fériés d'Alsace-Moselle"),
        required=False,
    )
