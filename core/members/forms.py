"""Forms of the members pages; the services do the real checking, the forms only collect input."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .identity import identifier_label
from .models import AddressKind, MembershipStatus


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class MemberProfileForm(forms.Form):
    """What a member's own people may change on its record."""

    name = forms.CharField(label=_("Raison sociale"), max_length=200)
    legal_form = forms.CharField(label=_("Forme juridique"), max_length=100, required=False)
    naf_code = forms.CharField(
        label=_("Code NAF/APE"), max_length=10, required=False, help_text=_("Par exemple 62.01Z.")
    )
    email = forms.CharField(label=_("E-mail de contact"), max_length=254, required=False)
    phone = forms.CharField(label=_("Téléphone"), max_length=30, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.input_type = "email"
        self.fields["phone"].widget.input_type = "tel"


class MemberForm(MemberProfileForm):
    """Everything staff set on a member, identity and membership included."""

    identifier = forms.CharField(max_length=40)
    status = forms.ChoiceField(label=_("Statut"), choices=MembershipStatus.choices)
    member_since = forms.DateField(label=_("Adhérent depuis"), required=False, widget=DateInput())
    member_until = forms.DateField(label=_("Adhérent jusqu'au"), required=False, widget=DateInput())

    field_order = ["name", "identifier", "legal_form", "naf_code", "email", "phone", "status"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["identifier"].label = identifier_label()


class AddressForm(forms.Form):
    line1 = forms.CharField(label=_("Adresse"), max_length=200)
    line2 = forms.CharField(label=_("Complément"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Code postal"), max_length=10)
    city = forms.CharField(label=_("Ville"), max_length=100)
    country = forms.CharField(label=_("Pays (code à deux lettres)"), max_length=2, initial="FR")


class EstablishmentForm(forms.Form):
    name = forms.CharField(label=_("Nom"), max_length=200)
    siret = forms.CharField(label=_("SIRET"), max_length=20)
    line1 = forms.CharField(label=_("Adresse"), max_length=200, required=False)
    postcode = forms.CharField(label=_("Code postal"), max_length=10, required=False)
    city = forms.CharField(label=_("Ville"), max_length=100, required=False)
    is_head_office = forms.BooleanField(label=_("Siège de l'adhérent"), required=False)


class MemberSearchForm(forms.Form):
    q = forms.CharField(label=_("Rechercher"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Statut"), required=False, choices=[("", _("Tous les statuts")), *MembershipStatus.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].help_text = _("Raison sociale, SIRET ou SIREN, numéro d'adhérent, e-mail.")


class MemberImportForm(forms.Form):
    # Its size is limited while it arrives (see `import_views`), and `import_read` checks it again.
    file = forms.FileField(label=_("Fichier CSV ou Excel (.xlsx)"))


ADDRESS_SLUGS = {
    "siege": AddressKind.HEAD_OFFICE,
    "correspondance": AddressKind.MAILING,
    "facturation": AddressKind.BILLING,
}
SLUG_OF_KIND = {kind: slug for slug, kind in ADDRESS_SLUGS.items()}
