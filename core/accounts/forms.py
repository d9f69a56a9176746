"""Login and invitation forms."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": gettext_lazy("Adresse e-mail ou mot de passe incorrect."),
        "inactive": gettext_lazy("Ce compte est désactivé."),
    }


class PasswordChoiceForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Mot de passe"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=gettext_lazy("Au moins 12 caractères ; une phrase de passe est idéale."),
    )
    password_confirm = forms.CharField(
        label=gettext_lazy("Confirmation"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") != cleaned.get("password_confirm"):
            self.add_error("password_confirm", _("Les deux mots de passe ne correspondent pas."))
        return cleaned
