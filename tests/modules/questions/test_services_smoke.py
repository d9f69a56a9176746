"""The life of one question through the services, from asking to reopening."""

from modules.questions.models import MessageKind, QuestionStatus
from modules.questions.services import (
    question_answer,
    question_assign,
    question_info_request,
    question_reopen,
    question_reply,
)
from tests.modules.questions.conftest import ask, pdf_file, user


def test_a_question_goes_from_asked_to_answered_and_back(in_alpha, mail_sink):
    question = ask(attachments=[pdf_file()])
    assert question.status == QuestionStatus.NEW and question.attachments.count() == 1
    jurist = user("jurist@alpha.test")
    question = question_assign(actor=jurist, question=question, assignee=jurist)
    assert question.status == QuestionStatus.IN_PROGRESS
    question = question_info_request(actor=jurist, question=question, body="<p>Quel <b>contrat</b> ?</p>")
    assert question.status == QuestionStatus.WAITING and question.paused_days is not None
    question = question_reply(actor=user("m1-admin@alpha.test"), question=question, body="Un CDI.")
    assert question.status == QuestionStatus.IN_PROGRESS and question.paused_days is None
    question = question_answer(actor=jurist, question=question, body="Oui, une fois.")
    assert question.status == QuestionStatus.ANSWERED and question.answered_on_time
    assert list(question.messages.values_list("kind", flat=True)) == [
        MessageKind.INFO_REQUEST,
        MessageKind.MEMBER_REPLY,
        MessageKind.ANSWER,
    ]
    question = question_reopen(actor=jurist, question=question)
    assert question.status == QuestionStatus.IN_PROGRESS and question.closed_at is None
