"""Forms of the jurists' pages (queue filters, actions on a question, statistics) and of the themes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .forms import QuestionFilterForm, attachments_field, attachments_help
from .models import OPEN_STATUSES
from .services import BODY_MAX

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
    attachments = attachments_field()

    def __init__(self, *args, body_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if body_label:
            self.fields["body"].label = body_label
        self.fields["attachments"].help_text = attachments_help()


class NoteForm(forms.Form):
    """An optional note with a closing or a reopening, shown to the member."""

    note = _rich_text(_("Note (facultative)"), required=False, rows=4)


class QueueFilterForm(QuestionFilterForm):
    """The queue's filters: the common ones, the due day, the assignee and a member."""

    sorts = ("number", "member", "subject", "theme", "status", "received", "due", "assignee")
    field_order = ("q", "status", "due", "theme", "assignee")

    due = forms.ChoiceField(
        label=_("Échéance"),
        required=False,
        choices=[("", _("Toutes")), ("late", _("En retard")), ("soon", _("Échéance proche"))],
    )
    assignee = forms.ChoiceField(label=_("Attribuée à"), required=False)
    member = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, themes, workers, actor, **kwargs):
        super().__init__(*args, themes=themes, **kwargs)
        self.fields["assignee"].choices = [
            ("", _("Tout le monde")),
            ("me", _("Moi")),
            ("none", _("Non attribuées")),
        ] + [(str(worker.pk), str(worker)) for worker in workers if worker.pk != actor.pk]


class StatisticsForm(forms.Form):
    """The period the statistics cover."""

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
