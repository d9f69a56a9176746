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
        help_text=_("Vendredi saint et 26 décembre chômés (Bas-Rhin, Haut-Rhin, Moselle)."),
    )
    attachment_max_mb = forms.IntegerField(
        label=_("Taille maximale d'une pièce jointe (Mo)"), min_value=1, max_value=50
    )
    attachment_max_count = forms.IntegerField(
        label=_("Nombre maximal de pièces jointes par message"), min_value=1, max_value=20
    )
