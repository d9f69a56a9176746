"""Forms of the people pages: inviting, rights, removal with a successor, end dates, the team."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.accounts.models import StaffRole

from .models import MemberRole, MembershipKind
from .rights import ROLE_PRESETS, preset_rights, rights_grouped


class RightsFormMixin:
    """A role, a role preset and the rights of the organisation's enabled modules, grouped by module.

    Without JavaScript, a preset chosen with no right ticked gives the preset's rights; with it,
    choosing a preset ticks its rights (static/access/rights.js) and the ticks are what counts.
    """

    def _rights_fields(self, enabled_modules) -> None:
        self.enabled_modules = list(enabled_modules)
        self.groups = rights_grouped(self.enabled_modules)
        self.fields["role"] = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=MemberRole.choices)
        self.fields["preset"] = forms.ChoiceField(
            label=gettext_lazy("Profil type"),
            required=False,
            choices=[("", _("Aucun (cocher les autorisations)"))] + [(p.key, p.label) for p in ROLE_PRESETS],
            help_text=gettext_lazy("Coche les autorisations habituelles d'un profil ; vous pouvez les ajuster."),
        )
        self.fields["rights"] = forms.MultipleChoiceField(
            label=gettext_lazy("Autorisations"),
            required=False,
            choices=[(right.codename, right.label) for group in self.groups for right in group.rights],
            widget=forms.CheckboxSelectMultiple,
        )

    def rights_groups(self) -> list[tuple]:
        """(group, its checkboxes) for the template: one fieldset per module."""
        boxes = {box.data["value"]: box for box in self["rights"]}
        return [(group, [boxes[right.codename] for right in group.rights]) for group in self.groups]

    def presets(self) -> list[dict]:
        """Each preset with the labels and codenames of its rights offered here (the disclosure and the JS)."""
        labels = {right.codename: right.label for group in self.groups for right in group.rights}
        shown = []
        for preset in ROLE_PRESETS:
            codenames = preset_rights(preset.key, self.enabled_modules)
            shown.append(
                {
                    "key": preset.key,
                    "label": preset.label,
                    "codenames": " ".join(codenames),
                    "labels": [labels[codename] for codename in codenames],
                }
            )
        return shown

    def chosen_rights(self) -> list[str]:
        rights = self.cleaned_data.get("rights") or []
        preset = self.cleaned_data.get("preset")
        if not rights and preset:
            rights = preset_rights(preset, self.enabled_modules)
        return list(rights)


class InviteForm(RightsFormMixin, forms.Form):
    email = forms.EmailField(
        label=gettext_lazy("Adresse e-mail"), max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "off"})
    )
    full_name = forms.CharField(label=gettext_lazy("Nom"), max_length=200, required=False)
    kind = forms.ChoiceField(
        label=gettext_lazy("Type d'utilisateur"),
        choices=MembershipKind.choices,
        initial=MembershipKind.CONTACT,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "Un utilisateur externe (cabinet comptable, siège) peut agir pour plusieurs adhérents avec le même compte."
        ),
    )

    def __init__(self, *args, enabled_modules, **kwargs):
        super().__init__(*args, **kwargs)
        self._rights_fields(enabled_modules)
        self.fields["role"].initial = MemberRole.USER


class MembershipForm(RightsFormMixin, forms.Form):
    """A person's role and rights for one member."""

    def __init__(self, *args, enabled_modules, **kwargs):
        super().__init__(*args, **kwargs)
        self._rights_fields(enabled_modules)


class RemoveForm(forms.Form):
    """Removing a person; a last administrator names who takes over."""

    successor = forms.TypedChoiceField(
        label=gettext_lazy("Successeur (devient administrateur)"),
        coerce=int,
        required=False,
        empty_value=None,
    )

    def __init__(self, *args, successors, needs_successor: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.successors = {membership.pk: membership for membership in successors}
        self.needs_successor = needs_successor
        field = self.fields["successor"]
        field.choices = [("", _("Aucun"))] + [
            (membership.pk, f"{membership.user} ({membership.user.email})") for membership in successors
        ]
        # Never required by the form: without a successor the service's own refusal (the last
        # administrator rule, in French) is what the person reads next to the form.
        if needs_successor:
            field.help_text = _(
                "Cette personne est le dernier administrateur : choisissez qui devient administrateur à sa place."
            )

    def chosen_successor(self):
        pk = self.cleaned_data.get("successor")
        return self.successors.get(pk) if pk else None


class ExpiryForm(forms.Form):
    expires_on = forms.DateField(
        label=gettext_lazy("Accès valable jusqu'au"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Le compte cesse de fonctionner ce jour-là. Laissez vide pour un accès sans fin."),
    )


class SwitchForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class SwitchSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Rechercher un adhérent"), required=False, max_length=100)


class StaffInviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Adresse e-mail"), max_length=254)
    full_name = forms.CharField(label=gettext_lazy("Nom"), max_length=200, required=False)
    staff_role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=StaffRole.choices, initial=StaffRole.JURIST)


class StaffRoleForm(forms.Form):
    staff_role = forms.ChoiceField(label=gettext_lazy("Rôle"), choices=StaffRole.choices)
