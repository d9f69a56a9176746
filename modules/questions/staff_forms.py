"""Forms of the jurists' pages (queue filters, actions on a question, statistics) and of the themes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import MultipleFileField
from .models import OPEN_STATUSES, QuestionStatus
from .services import BODY_MAX

# The queue's sortable columns (keys of `selectors.SORTS`), in the order of the table.
QUEUE_SORTS = ("number", "member", "subject", "theme", "status", "received", "due", "assignee")
QUEUE_DEFAULT_SORT = "due"
DEFAULT_STATUSES = [str(status) for status in OPEN_STATUSES]


def _rich_text(label, *, required: bool, rows: int = 8) -> forms.CharField:
    """A textarea that `richtext.js` turns into a small editor; plain text works without it."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": rows, "data-richtext": ""}),
        error_messages={"required": _("Écrivez votre message.")},
    )


def _attachments() -> MultipleFileField:
    return MultipleFileField(
        label=_("Pièces jointes"),
        error_messages={"empty": _("Le fichier est vide."), "invalid": _("Ce fichier n'a pas pu être lu.")},
    )


class AssignForm(forms.Form):
    """Whom the question goes to: oneself ("Moi", first) or a colleague (the service checks them)."""

    assignee = forms.ChoiceField(
        label=_("Attribuer à"), error_messages={"invalid_choice": _("Choisissez un juriste de l'organisation.")}
    )

    def __init__(self, *args, workers, actor, **kwargs):
        kwargs.setdefault("auto_id", "assign_%s")
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [(str(actor.pk), _("Moi"))] + [
            (str(worker.pk), str(worker)) for worker in workers if worker.pk != actor.pk
        ]


class StaffMessageForm(forms.Form):
    """An answer or a request for information: rich text and files."""

    body = _rich_text(_("Message"), required=True)
    # Last: an oversize file cuts the parsing short, the text before it still arrives.
    attachments = _attachments()

    def __init__(self, *args, body_label=None, files_help="", **kwargs):
        super().__init__(*args, **kwargs)
        if body_label:
            self.fields["body"].label = body_label
        self.fields["attachments"].help_text = files_help


class NoteForm(forms.Form):
    """An optional note with a closing or a reopening, shown to the member."""

    note = _rich_text(_("Note (facultative)"), required=False, rows=4)


class QueueFilterForm(forms.Form):
    """The queue's filters; a value that does not validate is ignored, its French error shown."""

    q = forms.CharField(
        label=_("Rechercher"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_("Dans le sujet, la question et les échanges."),
    )
    status = forms.MultipleChoiceField(
        label=_("Statut"), choices=QuestionStatus.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    due = forms.ChoiceField(
        label=_("Échéance"),
        required=False,
        choices=[("", _("Toutes")), ("late", _("En retard")), ("soon", _("Échéance proche"))],
    )
    theme = forms.TypedChoiceField(label=_("Thème"), coerce=int, required=False, empty_value=None)
    assignee = forms.ChoiceField(label=_("Attribuée à"), required=False)
    member = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    sort = forms.ChoiceField(
        required=False,
        choices=[(f"{prefix}{key}", key) for key in QUEUE_SORTS for prefix in ("", "-")],
        widget=forms.HiddenInput,
    )

    def __init__(self, *args, themes, workers, actor, **kwargs):
        super().__init__(*args, **kwargs)
        # Themes switched off since keep their past questions: they stay a filter.
        self.fields["theme"].choices = [("", _("Tous les thèmes"))] + [(theme.pk, theme.name) for theme in themes]
        self.fields["assignee"].choices = [
            ("", _("Tout le monde")),
            ("me", _("Moi")),
            ("none", _("Non attribuées")),
        ] + [(str(worker.pk), str(worker)) for worker in workers if worker.pk != actor.pk]

    def valid_values(self) -> dict:
        """The filters that validated (the others are ignored)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


class StatisticsForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Période"),
        coerce=int,
        required=False,
        empty_value=12,
        choices=[(6, _("6 derniers mois")), (12, _("12 derniers mois")), (24, _("24 derniers mois"))],
    )


class ThemeNameForm(forms.Form):
    """A new theme's or sub-theme's name (offered to members from the start)."""

    name = forms.CharField(
        label=_("Nom"),
        max_length=120,
        error_messages={
            "required": _("Indiquez un nom."),
            "max_length": _("Le nom ne peut dépasser 120 caractères."),
        },
    )


class ThemeForm(ThemeNameForm):
    """A theme's or a sub-theme's name and whether members are offered it."""

    is_active = forms.BooleanField(
        label=_("Proposé aux adhérents"),
        required=False,
        help_text=_("Décoché : n'est plus proposé pour une nouvelle question ; les questions passées le gardent."),
    )
