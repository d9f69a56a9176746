"""Forms of logging in and of choosing a password."""

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .backends import EXPIRED_REFUSAL, refusal_of
from .expiry import EXPIRED
from .throttling import LOCKED_OUT, is_locked_out

PASSWORD_HELP = gettext_lazy(
    "Au moins 12 caractères, sans autre règle : une phrase de quelques mots est idéale. "
    "Les mots de passe trop courants ou faciles à deviner sont refusés."
)
CODE_REFUSED = gettext_lazy("Code incorrect ou expiré. Vérifiez-le ou demandez un nouveau code.")


def _refusal(request, default: ValidationError) -> ValidationError:
    """The message for a failed login: locked out, expired after correct credentials, or the default."""
    if is_locked_out(request):
        return ValidationError(LOCKED_OUT, code="locked_out")
    if refusal_of(request) == EXPIRED_REFUSAL:
        return ValidationError(EXPIRED, code="expired")
    return default


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        "invalid_login": gettext_lazy("Adresse e-mail ou mot de passe incorrect."),
        "inactive": gettext_lazy("Ce compte est désactivé."),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError as error:
            raise _refusal(self.request, error) from None


class EmailForm(forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class CodeForm(forms.Form):
    """The code e-mailed to the address kept in the session; authenticates on success."""

    code = forms.CharField(
        label=gettext_lazy("Code reçu par e-mail"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autofocus": True, "autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
        help_text=gettext_lazy("Six chiffres, valables 10 minutes."),
    )

    def __init__(self, *args, request, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.request, self.email, self.user = request, email, None

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("code")
        if code:
            self.user = authenticate(self.request, email=self.email, code=code)
            if self.user is None:
                raise _refusal(self.request, ValidationError(CODE_REFUSED, code="code_refused"))
        return cleaned


class FirstConnectionForm(forms.Form):
    identifier = forms.CharField(
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def __init__(self, *args, identity_scheme: str, **kwargs):
        super().__init__(*args, **kwargs)
        by = _("numéro SIRET") if identity_scheme == "siret" else _("numéro d'adhérent")
        self.fields["identifier"].label = _("Votre %(by)s ou votre adresse e-mail") % {"by": by}


def meter_attrs() -> dict:
    """htmx attributes that ask the server to score the password as it is typed."""
    return {
        "hx-post": reverse("accounts:password_strength"),
        "hx-trigger": "input changed delay:300ms",  # typing, pasting and autofill alike
        "hx-target": "#password-meter",
        "hx-swap": "innerHTML",
        # Only the new password goes to the meter, never the current one or the confirmation.
        "hx-params": "password",
        "aria-describedby": "password-meter id_password_helptext",
    }


class PasswordChoiceForm(forms.Form):
    password = forms.CharField(
        label=gettext_lazy("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_HELP,
    )
    password_confirm = forms.CharField(
        label=gettext_lazy("Confirmation"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].widget.attrs.update(meter_attrs())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") != cleaned.get("password_confirm"):
            self.add_error("password_confirm", _("Les deux mots de passe ne correspondent pas."))
        return cleaned


class PasswordChangeForm(PasswordChoiceForm):
    old_password = forms.CharField(
        label=gettext_lazy("Mot de passe actuel"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["old_password", "password", "password_confirm"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Nouveau mot de passe")


class StrengthForm(forms.Form):
    """What the meter receives: the password being typed (capped before scoring)."""

    password = forms.CharField(strip=False, required=False, max_length=1024)
