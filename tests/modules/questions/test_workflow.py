"""The state machine: every action from every status, as documented, and through the services a
refused move changes nothing (status, revision, exchange, files, journal, e-mails)."""

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from core.audit.models import AuditEntry
from core.errors import Conflict
from core.mail.models import OutgoingEmail
from core.notifications.models import Notification
from modules.questions.models import Attachment, Message, Question, QuestionStatus
from modules.questions.services import (
    question_answer,
    question_assign,
    question_close,
    question_info_request,
    question_reopen,
    question_reply,
)
from modules.questions.workflow import ACTION_LABELS, Clock, allowed_actions, transition_target
from tests.modules.questions.conftest import ask, pdf_file, user

NEW, IN_PROGRESS, WAITING, ANSWERED = "new", "in_progress", "waiting_member", "answered"
STATUSES = (NEW, IN_PROGRESS, WAITING, ANSWERED)

# The documented moves (docs/architecture.md, "The questions module"), written out independently
# of `workflow.TRANSITIONS`: a change to the machine must change this table too.
EXPECTED = {
    ("assign", NEW): IN_PROGRESS,
    ("assign", IN_PROGRESS): IN_PROGRESS,
    ("assign", WAITING): WAITING,
    ("request_info", NEW): WAITING,
    ("request_info", IN_PROGRESS): WAITING,
    ("member_reply", NEW): NEW,
    ("member_reply", IN_PROGRESS): IN_PROGRESS,
    ("member_reply", WAITING): IN_PROGRESS,
    ("answer", NEW): ANSWERED,
    ("answer", IN_PROGRESS): ANSWERED,
    ("answer", WAITING): ANSWERED,
    ("close", NEW): ANSWERED,
    ("close", IN_PROGRESS): ANSWERED,
    ("close", WAITING): ANSWERED,
    ("reopen", ANSWERED): IN_PROGRESS,
}
ACTIONS = ("assign", "request_info", "member_reply", "answer", "close", "reopen")
PAIRS = [(action, status) for action in ACTIONS for status in STATUSES]
REFUSED = [pair for pair in PAIRS if pair not in EXPECTED]


def test_every_action_has_a_french_label():
    assert set(ACTION_LABELS) == set(ACTIONS)


@pytest.mark.parametrize(("action", "status"), PAIRS)
def test_transition_target_follows_the_documented_table(action, status):
    if (action, status) in EXPECTED:
        assert transition_target(status, action) == EXPECTED[action, status]
        assert action in allowed_actions(status)
        return
    assert action not in allowed_actions(status)
    with pytest.raises(Conflict) as refused:
        transition_target(status, action)
    error = refused.value
    assert error.status == 409 and error.code == "transition_not_allowed"
    assert error.errors == {"status": [error.message]}
    assert QuestionStatus(status).label.lower() in error.message.lower()


def test_a_treated_question_tells_the_member_to_ask_a_new_one():
    with pytest.raises(Conflict) as refused:
        transition_target(ANSWERED, "member_reply")
    assert "Posez une nouvelle question en rappelant son numéro" in refused.value.message


def test_other_refusals_name_the_action_and_the_status():
    with pytest.raises(Conflict) as refused:
        transition_target(WAITING, "request_info")
    assert refused.value.message == (
        "Impossible de demander des précisions sur une question au statut « Attente réponse adhérent »."
    )


def test_callback_deadline_keeps_the_paris_time_across_a_clock_change():
    # Friday 27 March 2026, 10:00 in Paris (09:00 UTC); clocks go forward on Sunday 29.
    requested = datetime(2026, 3, 27, 9, 0, tzinfo=ZoneInfo("UTC"))
    due = Clock().callback_due(requested)
    paris = due.astimezone(ZoneInfo("Europe/Paris"))
    assert (paris.date().isoformat(), paris.hour) == ("2026-03-31", 10)


# --- through the services --------------------------------------------------------------------


def jurist():
    return user("jurist@alpha.test")


def question_in(status: str) -> Question:
    """A question of M1 brought to `status` through the services."""
    question = ask()
    if status in (IN_PROGRESS, WAITING):
        question = question_assign(actor=jurist(), question=question, assignee=jurist())
    if status == WAITING:
        question = question_info_request(actor=jurist(), question=question, body="Quel contrat ?")
    if status == ANSWERED:
        question = question_answer(actor=jurist(), question=question, body="Oui.")
    assert question.status == status
    return Question.objects.get(pk=question.pk)


def run(action: str, question: Question) -> Question:
    """The service behind `action`, given a file wherever the action takes one."""
    if action == "assign":
        return question_assign(actor=jurist(), question=question, assignee=jurist())
    if action == "request_info":
        return question_info_request(actor=jurist(), question=question, body="Précisez.", attachments=[pdf_file()])
    if action == "member_reply":
        return question_reply(
            actor=user("m1-admin@alpha.test"), question=question, body="Voici.", attachments=[pdf_file()]
        )
    if action == "answer":
        return question_answer(actor=jurist(), question=question, body="Réponse.", attachments=[pdf_file()])
    if action == "close":
        return question_close(actor=jurist(), question=question, note="Réglé par téléphone.")
    return question_reopen(actor=jurist(), question=question, note="Un point à revoir.")


def stored_files() -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / "alpha" / "questions"
    return {path for path in folder.rglob("*") if path.is_file()}


def state(question: Question) -> dict:
    fresh = Question.objects.get(pk=question.pk)
    return {
        "status": fresh.status,
        "revision": fresh.revision,
        "due_on": fresh.due_on,
        "paused_days": fresh.paused_days,
        "messages": Message.objects.filter(question=question).count(),
        "attachments": Attachment.objects.filter(question=question).count(),
        "files": stored_files(),
        "audit": AuditEntry.objects.count(),
        "emails": OutgoingEmail.objects.count(),
        "notifications": Notification.objects.count(),
    }


@pytest.mark.parametrize(("action", "status"), sorted(EXPECTED))
def test_allowed_moves_reach_the_documented_status(in_alpha, action, status):
    question = question_in(status)
    revision = question.revision
    audit = AuditEntry.objects.count()
    done = run(action, question)
    fresh = Question.objects.get(pk=question.pk)
    assert done.status == fresh.status == EXPECTED[action, status]
    assert fresh.revision == revision + 1
    assert AuditEntry.objects.count() == audit + 1


@pytest.mark.parametrize(("action", "status"), REFUSED)
def test_refused_moves_change_nothing(in_alpha, action, status):
    question = question_in(status)
    before = state(question)
    with pytest.raises(Conflict) as refused:
        run(action, question)
    assert refused.value.code == "transition_not_allowed"
    assert QuestionStatus(status).label.lower() in refused.value.message.lower()
    assert state(question) == before
