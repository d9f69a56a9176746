"""The jurists' panel on a question's page, and what the queue and the callbacks say of a question:
its due-day flag, a late callback, the number to dial, the forms of the actions."""

import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .. import selectors
from ..models import QuestionStatus
from ..policy import questions_clock
from ..staff_forms import AssignForm, NoteForm, StaffMessageForm
from ..workflow import CLOCK_RUNNING, allowed_actions

PHONE_DIAL = re.compile(r"[^0-9+]")  # what a `tel:` link keeps of a number typed with spaces or dots
# The actions that take a message (the others take an optional note), with the label of its text.
MESSAGE_LABELS = {
    "answer": gettext_lazy("Votre réponse"),
    "info_request": gettext_lazy("Précisions demandées à l'adhérent"),
}


@dataclass(frozen=True)
class DueFlag:
    """What the queue and the panel say about a question's due day, in words (not colour only)."""

    code: str  # "late", "soon" or "paused"
    label: str


def due_flag(question, *, today: date, soon_until: date) -> DueFlag | None:
    """Late, due soon, or paused while the member is awaited; None for the others."""
    if question.status == QuestionStatus.WAITING:
        days = question.paused_days or 0
        if days < 0:  # paused after its due day: still late when the member answers
            label = ngettext(
                "En pause (en retard de %(days)d jour ouvré)", "En pause (en retard de %(days)d jours ouvrés)", -days
            ) % {"days": -days}
        else:
            label = ngettext(
                "En pause (%(days)d jour ouvré restant)", "En pause (%(days)d jours ouvrés restants)", days
            ) % {"days": days}
        return DueFlag("paused", label)
    if question.status in CLOCK_RUNNING:
        if question.due_on < today:
            return DueFlag("late", _("En retard"))
        if question.due_on <= soon_until:
            return DueFlag("soon", _("Échéance proche"))
    return None


def callback_pending(question) -> bool:
    """A callback was asked for and is not made yet."""
    return question.callback_due_at is not None and question.callback_done_at is None


def callback_late(question, *, now: datetime) -> bool:
    """A callback still to make past its 48-hour deadline."""
    return callback_pending(question) and question.callback_due_at < now


def phone_dial(number: str) -> str:
    """The number as a `tel:` link dials it."""
    return PHONE_DIAL.sub("", number)


def staff_form(kind: str, data=None, files=None) -> StaffMessageForm | NoteForm:
    """The form of a jurist's action: a message for an answer or a request for information, an
    optional note for a closing or a reopening."""
    if kind in MESSAGE_LABELS:
        return StaffMessageForm(data, files, auto_id=f"{kind}_%s", body_label=MESSAGE_LABELS[kind])
    return NoteForm(data, auto_id=f"{kind}_%s")


def staff_panel_context(request, question, *, forms: dict | None = None) -> dict:
    """Everything `questions/_staff_panel.html` needs: assignee, actions allowed from the status,
    due-day flag, callback, and the actions' forms (`forms`: those sent back with their errors)."""
    actor, now, today = request.user, timezone.now(), timezone.localdate()
    clock = questions_clock()
    forms = forms or {}
    actions = allowed_actions(question.status)
    workers = list(selectors.question_workers()) if "assign" in actions else []
    current = str(question.assignee_id or actor.pk)
    return {
        "staff_panel": True,
        "question": question,
        "staff_actions": actions,
        "staff_flag": due_flag(question, today=today, soon_until=clock.due_soon_until(today)),
        "staff_days_left": clock.days_left(question.due_on, now) if question.status in CLOCK_RUNNING else None,
        "staff_assign_form": AssignForm(workers=workers, actor=actor, initial={"assignee": current}),
        "staff_answer_form": forms.get("answer") or staff_form("answer"),
        "staff_info_form": forms.get("info_request") or staff_form("info_request"),
        "staff_close_form": forms.get("close") or staff_form("close"),
        "staff_reopen_form": forms.get("reopen") or staff_form("reopen"),
        "staff_callback_pending": callback_pending(question),
        "staff_callback_late": callback_late(question, now=now),
        "staff_dial": phone_dial(question.callback_phone),
    }
