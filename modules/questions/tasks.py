"""Background work of the questions module: printing PDFs and the jurists' daily digest."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from core.accounts.models import User
from core.jobs.base import tenant_task
from core.mail.services import email_queue
from core.notifications.services import email_link
from core.working_days import is_working_day

from .models import DigestSent, Question, QuestionStatus
from .policy import questions_clock
from .selectors import callbacks_pending, open_questions, question_workers, questions_by_due
from .services import question_pdf_ensure

DIGEST_TEMPLATE = "questions/email/digest.txt"


@tenant_task(name="questions.pdf_render", acks_late=True)
def question_pdf_render(question_id: int) -> bool:
    """Print the question's PDF for its current revision (nothing to do if already printed)."""
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


def _linked(questions) -> list[Question]:
    """The questions, each with the link to its page that the e-mail shows."""
    questions = list(questions)
    for question in questions:
        question.link = email_link(reverse("questions:detail", kwargs={"question_id": question.pk}))
    return questions


def _digests(today: date) -> list[Digest]:
    """What each working jurist should hear of today; people with nothing to hear are left out.
    The lists are read once for everybody (a query each, whatever the number of jurists)."""
    urgency = ("due_on", "received_at", "id")
    late = _linked(questions_by_due(open_questions(), due="late", today=today).order_by(*urgency))
    due = _linked(questions_by_due(open_questions(), due="soon", today=today).order_by(*urgency))
    # New questions nobody took that are not already listed above as late or due.
    untaken = _linked(
        open_questions()
        .filter(status=QuestionStatus.NEW, assignee__isnull=True, due_on__gt=questions_clock().due_soon_until(today))
        .order_by("received_at", "id")
    )
    end_of_day = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    callbacks = _linked(callbacks_pending().filter(callback_due_at__lt=end_of_day))
    digests = []
    for recipient in question_workers():
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
    if not is_working_day(today, alsace_moselle=questions_clock().alsace_moselle):
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        digests = _digests(today)
        if not digests:
            return 0
        subject = _("Questions juridiques : le point du %(day)s") % {"day": date_format(today, "l j F Y")}
        queue_link = email_link(reverse("questions:queue"))
        with transaction.atomic():
            # The day's row and the e-mails commit together: a second run, or the same task
            # delivered again after a worker died, stops here (a concurrent run waits on the
            # unique index, then finds the row).
            _sent, created = DigestSent.objects.get_or_create(day=today)
            if not created:
                return 0
            for digest in digests:
                email_queue(
                    to=digest.recipient.email,
                    subject=subject,
                    template=DIGEST_TEMPLATE,
                    context={"digest": digest, "recipient": digest.recipient, "today": today, "queue_url": queue_link},
                )
    return len(digests)


@tenant_task(name="questions.digest", acks_late=True)
def questions_digest(day: str | None = None) -> int:
    """The jurists' daily digest (scheduled on working days at 07:30); `day` (ISO) for a replay."""
    today = date.fromisoformat(day) if day else timezone.localdate()
    return questions_digest_send(today=today)
