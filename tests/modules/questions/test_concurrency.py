"""Two jurists acting on the same question at the same moment, in real threads with committed
data: the row lock lets one through and refuses the other, and the member is e-mailed once."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

import modules.questions.services as services
from core.accounts.models import StaffRole, User
from core.audit.models import AuditEntry
from core.errors import Conflict
from core.mail.models import OutgoingEmail
from core.notifications.models import Notification
from modules.questions.models import Message, MessageKind, Question, QuestionStatus
from tests.concurrency import in_own_connection, race
from tests.modules.questions.conftest import ask, user

pytestmark = pytest.mark.django_db

JURISTS = ("jurist@alpha.test", "jurist-b@alpha.test")


@pytest.fixture
def contested(alpha, mail_sink):
    """A second jurist and a question of M1 with a callback, committed; all removed after."""

    def create():
        User.objects.create_user(JURISTS[1], None, staff_role=StaffRole.JURIST, full_name="Juriste B")
        question = ask(subject="Question disputée", callback_phone="01 23 45 67 89")
        return question.pk, question.number

    created = in_own_connection(alpha, create)
    assert "error" not in created, created
    question_id, number = created["value"]
    yield question_id, number

    def clean():
        AuditEntry.objects.filter(target_type="questions.question", target_id=str(question_id)).delete()
        Notification.objects.filter(subject__contains=number).delete()
        OutgoingEmail.objects.filter(subject__contains=number).delete()
        Question.objects.filter(pk=question_id).delete()
        User.objects.filter(email=JURISTS[1]).delete()

    assert "error" not in in_own_connection(alpha, clean)
    shutil.rmtree(Path(settings.MEDIA_ROOT) / "alpha" / "questions" / str(question_id), ignore_errors=True)


def test_two_jurists_answering_at_once_give_one_answer_and_one_email(alpha, contested, monkeypatch, mail_sink):
    question_id, number = contested

    def answer(email: str, text: str):
        def work():
            question = Question.objects.get(pk=question_id)
            return services.question_answer(actor=user(email), question=question, body=text).status

        return work

    outcomes = race(
        alpha,
        monkeypatch,
        module=services,
        meeting_point="_touch",
        works=[answer(JURISTS[0], "Réponse A."), answer(JURISTS[1], "Réponse B.")],
    )
    errors = [outcome.get("error") for outcome in outcomes]
    assert sum(error is None for error in errors) == 1, errors
    refusal = next(error for error in errors if error is not None)
    assert isinstance(refusal, Conflict) and refusal.status == 409 and refusal.code == "transition_not_allowed"
    assert "« Traitée »" in refusal.message

    def after():
        question = Question.objects.get(pk=question_id)
        return {
            "status": question.status,
            "revision": question.revision,
            "answers": list(Message.objects.filter(question_id=question_id).values_list("kind", "body")),
            "audit": AuditEntry.objects.filter(target_id=str(question_id), action="questions.answer").count(),
            "emails": list(OutgoingEmail.objects.filter(subject__contains=number).values_list("to", "sent_at")),
        }

    state = in_own_connection(alpha, after)["value"]
    assert state["status"] == QuestionStatus.ANSWERED and state["revision"] == 2
    assert len(state["answers"]) == 1 and state["answers"][0][0] == MessageKind.ANSWER
    assert state["audit"] == 1
    # The asker is M1's only reader: one e-mail, written once and delivered once.
    assert [to for to, _sent in state["emails"]] == ["m1-admin@alpha.test"]
    assert all(sent is not None for _to, sent in state["emails"])
    delivered = [message for message in mail_sink.messages if number in message.subject]
    assert [message.recipients for message in delivered] == [("m1-admin@alpha.test",)]


def test_a_callback_noted_by_two_jurists_at_once_is_done_once(alpha, contested, monkeypatch):
    question_id, _number = contested

    def done(email: str):
        def work():
            question = Question.objects.get(pk=question_id)
            return services.callback_done(actor=user(email), question=question).callback_done_by.email

        return work

    outcomes = race(
        alpha, monkeypatch, module=services, meeting_point="_touch", works=[done(JURISTS[0]), done(JURISTS[1])]
    )
    errors = [outcome.get("error") for outcome in outcomes]
    assert sum(error is None for error in errors) == 1, errors
    assert any(isinstance(error, Conflict) and error.code == "callback_done" for error in errors)
    winner = next(outcome["value"] for outcome in outcomes if "value" in outcome)
    stored = in_own_connection(
        alpha,
        lambda: (
            Question.objects.select_related("callback_done_by").get(pk=question_id).callback_done_by.email,
            AuditEntry.objects.filter(target_id=str(question_id), action="questions.callback_done").count(),
        ),
    )
    assert stored["value"] == (winner, 1)


def test_the_main_connection_saw_nothing_of_the_race(in_alpha):
    """The racers' rows were removed: the world of the other tests is as it was."""
    assert not Question.objects.filter(subject="Question disputée").exists()
    assert not User.objects.filter(email=JURISTS[1]).exists()
