"""The upload form (the service checks the file itself)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import DocumentCategory
from .sniffing import ALLOWED

ACCEPT = ",".join(extension for file_type in ALLOWED for extension in file_type.accepted_extensions)


class DocumentForm(forms.Form):
    title = forms.CharField(
        label=_("Titre"), max_length=200, required=False, help_text=_("Par défaut, le nom du fichier.")
    )
    category = forms.ChoiceField(label=_("Catégorie"), choices=DocumentCategory.choices)
    # Last: a refused oversize file cuts the parsing short, so the fields before it still arrive.
    file = forms.FileField(
        label=_("Fichier"),
        help_text=_("PDF, PNG, JPEG, XLSX, DOCX, CSV ou TXT ; 10 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={"required": _("Choisissez un fichier."), "empty": _("Le fichier est vide.")},
    )
