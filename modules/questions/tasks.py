"""Background work of the questions module: printing PDFs and the jurists' daily digest."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from core.accounts.models import User
from core.jobs.base import tenant_task
from core.mail.services import email_queue
from core.notifications.services import email_link
from core.working_days import is_working_day, working_days_add

from .models import DigestSent, Question, QuestionStatus
from .policy import questions_clock
from .selectors import callback_list, open_questions, question_workers

DIGEST_TEMPLATE = "questions/email/digest.txt"


@tenant_task(name="questions.pdf_render", acks_late=True)
def question_pdf_render(question_id: int) -> bool:
    """Print the question's PDF for its current revision (nothing to do if already printed)."""
    from .services import question_pdf_ensure

    question = Question.objects.filter(pk=question_id).first()
    if question is None:
        return False
    question_pdf_ensure(question=question)
    return True


# The jurists' daily digest -------------------------------------------------------------------


@dataclass
class DigestSection:
    title: str
    questions: list[Question] = field(default_factory=list)
    callbacks: bool = False


@dataclass
class Digest:
    recipient: User
    sections: list[DigestSection]


def _mine_first(questions, recipient) -> list[Question]:
    # A stable sort: the recipient's own questions first, each group still in urgency order.
    return sorted(questions, key=lambda question: question.assignee_id != recipient.pk)


def _linked(questions: list[Question]) -> list[Question]:
    for question in questions:
        question.link = email_link(reverse("questions:detail", kwargs={"question_id": question.pk}))
    return questions


def _digests(today: date, alsace_moselle: bool) -> list[Digest]:
    """What each working jurist should hear of today; people with nothing to hear are left out."""
    next_working_day = working_days_add(today, 1, alsace_moselle=alsace_moselle)
    # While the member is awaited the clock is stopped: such questions are neither late nor due.
    running = open_questions().filter(status__in=(QuestionStatus.NEW, QuestionStatus.IN_PROGRESS))
    late = _linked(list(running.filter(due_on__lt=today).order_by("due_on", "received_at", "id")))
    due = _linked(
        list(running.filter(due_on__gte=today, due_on__lte=next_working_day).order_by("due_on", "received_at", "id"))
    )
    # New questions nobody took that are not already listed above as late or due.
    untaken = _linked(
        list(
            running.filter(status=QuestionStatus.NEW, assignee__isnull=True, due_on__gt=next_working_day).order_by(
                "received_at", "id"
            )
        )
    )
    end_of_day = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    digests = []
    for recipient in question_workers():
        callbacks = _linked(list(callback_list(actor=recipient).filter(callback_due_at__lt=end_of_day)))
        sections = [
            DigestSection(_("En retard"), _mine_first(late, recipient)),
            DigestSection(_("À rendre aujourd'hui ou au prochain jour ouvré"), _mine_first(due, recipient)),
            DigestSection(_("Nouvelles questions non attribuées"), untaken),
            DigestSection(_("Rappels téléphoniques à faire aujourd'hui ou en retard"), callbacks, callbacks=True),
        ]
        digest = Digest(recipient=recipient, sections=[section for section in sections if section.questions])
        if digest.sections:
            digests.append(digest)
    return digests


def questions_digest_send(*, today: date) -> int:
    """E-mail each working jurist the day's late, due and untaken questions and callbacks, once
    per day and only on working days; returns how many e-mails were queued."""
    alsace_moselle = questions_clock().alsace_moselle
    if not is_working_day(today, alsace_moselle=alsace_moselle):
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        digests = _digests(today, alsace_moselle)
        if not digests:
            return 0
        queue_link = email_link(reverse("questions:queue"))
        with transaction.atomic():
            # The day's row and the e-mails commit together: a second run, or the same task
            # delivered again after a worker died, stops here (a concurrent run waits on the
            # unique index, then fails on it).
            try:
                with transaction.atomic():
                    DigestSent.objects.create(day=today)
            except IntegrityError:
                return 0
            for digest in digests:
                email_queue(
                    to=digest.recipient.email,
                    subject=_("Questions juridiques : le point du %(day)s") % {"day": _day_label(today)},
                    template=DIGEST_TEMPLATE,
                    context={"digest": digest, "recipient": digest.recipient, "today": today, "queue_url": queue_link},
                )
    return len(digests)


def _day_label(day: date) -> str:
    return date_format(day, "l j F Y")


@tenant_task(name="questions.digest", acks_late=True)
def questions_digest(day: str | None = None) -> int:
    """The jurists' daily digest (scheduled on working days at 07:30); `day` (ISO) for a replay."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    return questions_digest_send(today=today)
