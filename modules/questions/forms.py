"""Forms of the questions module: its settings, asking, replying and filtering the history."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.documents.checks import size_label
from core.documents.forms import ACCEPT
from core.web.lists import FilterForm

from .models import CallbackSlot, QuestionStatus
from .policy import attachment_limits


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


# Several files in one input: the pattern of Django's documentation ("Uploading multiple files").
class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A list of uploaded files (empty when none); their content is checked by the services."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single_file_clean = super().clean
        if isinstance(data, list | tuple):
            files = [single_file_clean(item, initial) for item in data]
        else:
            files = [single_file_clean(data, initial)]
        return [file for file in files if file]


ACCEPTED_TYPES = _("PDF, Word (DOCX), Excel (XLSX), images (PNG, JPEG), CSV, texte")


def attachments_field() -> MultipleFileField:
    """The files of a question or a message; its help (the organisation's limits) is `attachments_help`."""
    return MultipleFileField(
        label=_("Pièces jointes"),
        error_messages={"empty": _("Le fichier est vide."), "invalid": _("Ce fichier n'a pas pu être lu.")},
    )


def attachments_help() -> str:
    """The organisation's limits on files, said beside the file input."""
    limits = attachment_limits()
    return ngettext(
        "Facultatif. Jusqu'à %(count)d fichier de %(size)s au plus. Types acceptés : %(types)s.",
        "Facultatif. Jusqu'à %(count)d fichiers de %(size)s chacun au plus. Types acceptés : %(types)s.",
        limits.max_count,
    ) % {"count": limits.max_count, "size": size_label(limits.max_size), "types": ACCEPTED_TYPES}


class QuestionForm(forms.Form):
    """A member's question; the service checks the theme, the files and the phone number again."""

    theme = forms.TypedChoiceField(
        label=_("Thème"),
        coerce=int,
        error_messages={
            "required": _("Choisissez un thème."),
            "invalid_choice": _("Choisissez un thème de la liste."),
        },
    )
    sub_theme = forms.TypedChoiceField(
        label=_("Sous-thème (facultatif)"),
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": _("Choisissez un sous-thème du thème choisi.")},
    )
    subject = forms.CharField(
        label=_("Sujet"),
        max_length=200,
        help_text=_("Pour faire suite à une question traitée, rappelez son numéro (Q000123)."),
        error_messages={"required": _("Indiquez le sujet de votre question.")},
    )
    body = forms.CharField(
        label=_("Description détaillée"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 10}),
        error_messages={"required": _("Écrivez votre question.")},
    )
    callback = forms.BooleanField(label=_("Je souhaite être rappelé par un juriste sous 48 h"), required=False)
    callback_phone = forms.CharField(
        label=_("Téléphone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    callback_slot = forms.ChoiceField(
        label=_("Moment préféré"), choices=CallbackSlot.choices, initial=CallbackSlot.ANY, required=False
    )
    # Last in the page too: an oversize file stops the parsing, the fields before it still arrive.
    attachments = attachments_field()

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()
        themes = list(themes)
        self.fields["theme"].choices = [("", _("— Choisissez un thème —"))] + [
            (theme.pk, theme.name) for theme in themes
        ]
        # With htmx, choosing a theme narrows the sub-theme list to that theme's.
        self.fields["theme"].widget.attrs.update(
            {
                "hx-get": reverse("questions:sub_themes"),
                "hx-target": "#id_sub_theme",
                "hx-trigger": "change",
                "aria-controls": "id_sub_theme",
            }
        )
        # Without JavaScript every active sub-theme is offered, grouped by theme.
        self.fields["sub_theme"].choices = [("", _("— Aucun —"))] + [
            (theme.name, [(sub_theme.pk, sub_theme.name) for sub_theme in theme.sub_themes.all()])
            for theme in themes
            if theme.sub_themes.all()
        ]

    def clean(self):
        data = super().clean()
        if data.get("callback") and not data.get("callback_phone"):
            self.add_error("callback_phone", _("Indiquez le numéro auquel le juriste doit vous rappeler."))
        return data


class ReplyForm(forms.Form):
    """The member's addition to an open question."""

    body = forms.CharField(
        label=_("Votre message"),
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Écrivez votre message.")},
    )
    attachments = attachments_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attachments"].help_text = attachments_help()


class QuestionFilterForm(FilterForm):
    """Filters of a list of questions; a value that does not validate is ignored, its French error shown."""

    sorts: tuple[str, ...] = ()  # the sortable columns (keys of `selectors.SORTS`)

    q = forms.CharField(
        label=_("Rechercher"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("licenciement, période d'essai…")}),
        help_text=_("Dans le sujet, la question et les échanges."),
    )
    status = forms.MultipleChoiceField(
        label=_("Statut"), choices=QuestionStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    theme = forms.TypedChoiceField(label=_("Thème"), coerce=int, required=False, empty_value=None)
    sort = forms.ChoiceField(label=_("Tri"), required=False, widget=forms.HiddenInput)

    def __init__(self, *args, themes, **kwargs):
        super().__init__(*args, **kwargs)
        # Past questions keep a theme switched off since: it stays a filter.
        self.fields["theme"].choices = [("", _("Tous les thèmes"))] + [(theme.pk, theme.name) for theme in themes]
        self.fields["sort"].choices = [(f"{prefix}{key}", key) for key in self.sorts for prefix in ("", "-")]


class HistoryFilterForm(QuestionFilterForm):
    """The member's history: the common filters and the day a question was received."""

    sorts = ("number", "received", "updated", "contact", "subject", "theme", "status", "due")

    received_from = forms.DateField(
        label=_("Reçue à partir du"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    received_to = forms.DateField(
        label=_("Reçue jusqu'au"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("Cette date précède la date de début."))
        return data
