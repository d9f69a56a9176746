"""The erasure's confirmation."""

from django import forms
from django.utils.translation import gettext_lazy as _


class EraseConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Je confirme l'effacement : il est définitif."),
        error_messages={"required": _("Cochez la case pour confirmer l'effacement.")},
    )
