"""Settings form of the questions module (its organisation administrator fills it)."""

from django import forms


class QuestionsSettingsForm(forms.Form):
    answer_delay_working_days = forms.IntegerField(
        label="Délai de réponse (jours ouvrés)",
        min_value=1,
        max_value=30,
        help_text="Délai annoncé aux adhérents, compté en jours ouvrés.",
    )
    alsace_moselle = forms.BooleanField(
        label="Appliquer les jours fériés d'Alsace-Moselle",
        required=False,
    )
