"""Filters of the journal."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class JournalFilterForm(forms.Form):
    action = forms.CharField(
        label=gettext_lazy("Action"),
        required=False,
        max_length=80,
        help_text=gettext_lazy("Début du code, par ex. « membership. » ou « document.add »."),
    )
    actor = forms.CharField(label=gettext_lazy("E-mail de l'auteur"), required=False, max_length=254)
    member = forms.CharField(
        label=gettext_lazy("Adhérent"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("Nom, SIRET ou numéro d'adhérent."),
    )
    date_from = forms.DateField(
        label=gettext_lazy("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=gettext_lazy("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, organisation_wide: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not organisation_wide:  # a member administrator sees their member only
            del self.fields["member"]
        for name in ("date_from", "date_to"):
            self.fields[name].input_formats = ["%Y-%m-%d", "%d/%m/%Y"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("La date de fin doit suivre la date de début."))
        return cleaned

    def filters(self) -> dict:
        """The valid filters, as `audit_entry_list` takes them (invalid ones are left out)."""
        data = getattr(self, "cleaned_data", {})
        return {
            "action": data.get("action", ""),
            "actor_email": data.get("actor", ""),
            "member": data.get("member", ""),
            "date_from": data.get("date_from"),
            "date_to": data.get("date_to") if "date_to" not in self.errors else None,
        }
