"""The onboarding form of the operator console."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.modules.registry import registry

from ..models import IdentityScheme, LoginMethod, OrganisationKind
from ..services import OrganisationInput


class OrganisationForm(forms.Form):
    name = forms.CharField(label=_("Nom de l'organisation"), max_length=200)
    slug = forms.CharField(
        label=_("Identifiant (sous-domaine)"),
        max_length=40,
        help_text=_(
            "Minuscules, chiffres et tirets ; l'espace sera servi sur <identifiant>.<domaine de la plateforme>."
        ),
    )
    kind = forms.ChoiceField(label=_("Type"), choices=OrganisationKind.choices)
    identity_scheme = forms.ChoiceField(label=_("Identification des adhérents"), choices=IdentityScheme.choices)
    member_number_pattern = forms.CharField(
        label=_("Format du numéro d'adhérent"),
        required=False,
        help_text=_("Expression régulière du numéro complet, par ex. \\d{7} pour 7 chiffres."),
    )
    login_methods = forms.MultipleChoiceField(
        label=_("Modes de connexion autorisés"),
        choices=LoginMethod.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[LoginMethod.PASSWORD],
    )
    allowed_modules = forms.MultipleChoiceField(
        label=_("Modules de l'offre"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Ils sont activés à la création ; l'administrateur de l'organisation pourra les désactiver."),
    )
    extra_domains = forms.CharField(
        label=_("Domaines supplémentaires"),
        required=False,
        help_text=_("Séparés par des virgules, par ex. adherents.mon-syndicat.fr."),
    )
    primary_colour = forms.CharField(
        label=_("Couleur principale"), initial="#1f4e79", widget=forms.TextInput(attrs={"type": "color"})
    )
    logo = forms.FileField(label=_("Logo (PNG, JPEG ou WebP, 1 Mo au plus)"), required=False)
    admin_email = forms.EmailField(
        label=_("E-mail du premier administrateur"),
        help_text=_("Il recevra une invitation pour choisir son mot de passe."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allowed_modules"].choices = [(spec.key, spec.label) for spec in registry.all()]

    def to_input(self) -> OrganisationInput:
        data = self.cleaned_data
        return OrganisationInput(
            name=data["name"],
            slug=data["slug"],
            kind=data["kind"],
            identity_scheme=data["identity_scheme"],
            member_number_pattern=data["member_number_pattern"],
            login_methods=data["login_methods"],
            allowed_modules=data["allowed_modules"],
            extra_domains=[d.strip().lower() for d in data["extra_domains"].split(",") if d.strip()],
            primary_colour=data["primary_colour"],
            logo=data["logo"],
            admin_email=data["admin_email"],
        )


class PlanForm(forms.Form):
    allowed_modules = forms.MultipleChoiceField(
        label=_("Modules de l'offre"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Un module retiré est désactivé (ses données sont conservées) ; "
            "un module ajouté reste désactivé jusqu'à ce que l'organisation l'active."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["allowed_modules"].choices = [(spec.key, spec.label) for spec in registry.all()]
