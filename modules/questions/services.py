"""Writes on questions: asking, the jurists' work, the member's replies, callbacks and themes.

Every change locks the question's row, checks the move against the state machine
(`workflow.TRANSITIONS`), writes its message, files, audit entry and e-mails in one transaction,
and bumps the question's revision. Files are checked before anything is written and removed if
the transaction does not commit: nothing is ever half-saved.
"""

import re
import uuid

from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import SearchVector
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.audit.services import audit_record
from core.documents import checks
from core.documents.files import files_removed_on_failure, upload_store
from core.errors import Conflict, DomainError
from core.jobs.dispatch import enqueue_on_commit
from core.mail.services import email_queue
from core.notifications.services import email_link, notify
from core.working_days import local_date

from .models import (
    Attachment,
    CallbackSlot,
    Message,
    MessageKind,
    Question,
    QuestionStatus,
    SubTheme,
    Theme,
)
from .policy import attachment_limits, questions_clock
from .richtext import rich_text_clean, rich_text_is_empty
from .selectors import SEARCH_CONFIG, question_workers
from .workflow import transition_target

SUBJECT_MAX = Question._meta.get_field("subject").max_length
BODY_MAX = 20_000
PHONE = re.compile(r"^\+?[0-9 .\-()]{10,20}$")
NAME_MAX = Theme._meta.get_field("name").max_length


def _refuse(field: str, message: str) -> DomainError:
    return DomainError(message, errors={field: [message]})


def _require(actor, perm: str, obj=None) -> None:
    if not actor.has_perm(perm, obj):
        raise PermissionDenied


# Files ---------------------------------------------------------------------------------------


def _attachments_check(files) -> list[checks.CheckedUpload]:
    """Every file checked (count, size, type from the content) before any is written."""
    files = [file for file in files or () if file is not None]
    if not files:
        return []
    limits = attachment_limits()
    if len(files) > limits.max_count:
        raise _refuse(
            "attachments",
            ngettext(
                "Vous pouvez joindre au plus %(count)d fichier.",
                "Vous pouvez joindre au plus %(count)d fichiers.",
                limits.max_count,
            )
            % {"count": limits.max_count},
        )
    checked = []
    for file in files:
        try:
            checked.append(checks.upload_accept(file, max_size=limits.max_size, field="attachments"))
        except DomainError as error:
            # Several files go in one field: the message says which one was refused.
            name = checks.upload_display_name(getattr(file, "name", ""))
            raise _refuse("attachments", f"« {name} » : {error.message}") from error
    return checked


def _attachments_save(*, actor, question: Question, message: Message | None, checked, written) -> list[Attachment]:
    """Store checked files with the question (or one of its messages), listed in `written` so
    that they are removed if the write fails (see `files_removed_on_failure`)."""
    saved = []
    for upload in checked:
        attachment = Attachment(question=question, message=message, uploaded_by=actor)
        upload_store(attachment, upload, written=written)
        attachment.save()
        saved.append(attachment)
    return saved


# Search --------------------------------------------------------------------------------------


def question_search_index(*, questions: QuerySet[Question]) -> None:
    """Index the subject, the question and the whole exchange of `questions` for French
    full-text search (the services keep it current; the bench fills it in bulk)."""
    exchange = (
        Message.objects.filter(question_id=OuterRef("pk"))
        .values("question_id")
        .annotate(text=StringAgg("body", " "))
        .values("text")
    )
    questions.update(
        search_vector=SearchVector("subject", weight="A", config=SEARCH_CONFIG)
        + SearchVector("body", weight="B", config=SEARCH_CONFIG)
        + SearchVector(
            Coalesce(Subquery(exchange, output_field=TextField()), Value(""), output_field=TextField()),
            weight="C",
            config=SEARCH_CONFIG,
        )
    )


# Shared steps --------------------------------------------------------------------------------


def _locked(question: Question) -> Question:
    """The question re-read under a row lock: concurrent jurists act one after the other."""
    return (
        Question.objects.select_for_update(of=("self",))
        .select_related("member", "asked_by", "assignee")
        .get(pk=question.pk)
    )


def _text(body: str, *, field: str = "body", required: bool = True) -> str:
    body = (body or "").strip()
    if required and not body:
        raise _refuse(field, _("Écrivez votre message."))
    if len(body) > BODY_MAX:
        raise _refuse(field, _("Le message ne peut dépasser %(max)d caractères.") % {"max": BODY_MAX})
    return body


def _rich(body: str, *, required: bool = True) -> str:
    html = rich_text_clean(_text(body, required=required))
    if rich_text_is_empty(html):
        if required:
            raise _refuse("body", _("Écrivez votre message."))
        return ""  # an optional note left blank in the editor is no note
    return html


def _touch(question: Question, now, fields: list[str]) -> None:
    """Save the changed fields and bump the revision (the stored PDF no longer matches)."""
    question.updated_at = now
    question.revision += 1
    question.save(update_fields=[*fields, "updated_at", "revision"])
    question_search_index(questions=Question.objects.filter(pk=question.pk))


def _message_write(*, actor, question: Question, kind: str, body: str, checked, written, now) -> Message:
    """One turn of the exchange, with its files."""
    message = Message.objects.create(question=question, kind=kind, author=actor, body=body, created_at=now)
    _attachments_save(actor=actor, question=question, message=message, checked=checked, written=written)
    return message


def _question_url(question: Question) -> str:
    return reverse("questions:detail", kwargs={"question_id": question.pk})


def _tell_member(*, question: Question, kind: str, subject: str, template: str, message: Message) -> None:
    notify(
        member=question.member,
        kind=kind,
        subject=subject % {"number": question.number},
        template=template,
        context={"question": question, "message": message},
        url=_question_url(question),
        include=[question.asked_by],
    )


def _tell_staff(*, user, question: Question, subject: str, template: str) -> None:
    email_queue(
        to=user.email,
        subject=subject % {"number": question.number},
        template=template,
        context={"question": question, "recipient": user, "url": email_link(_question_url(question))},
    )


def _audit(*, actor, action: str, question: Question, before: dict | None = None, after: dict | None = None):
    audit_record(
        actor=actor, action=f"questions.{action}", target=question, member=question.member, before=before, after=after
    )


# Asking --------------------------------------------------------------------------------------


def _theme_pick(theme_id, sub_theme_id) -> tuple[Theme, SubTheme | None]:
    try:
        theme = Theme.objects.get(pk=int(theme_id), is_active=True)
    except (Theme.DoesNotExist, TypeError, ValueError) as exc:
        raise _refuse("theme", _("Choisissez un thème de la liste.")) from exc
    if sub_theme_id in (None, ""):
        return theme, None
    try:
        sub_theme = SubTheme.objects.get(pk=int(sub_theme_id), theme=theme, is_active=True)
    except (SubTheme.DoesNotExist, TypeError, ValueError) as exc:
        raise _refuse("sub_theme", _("Choisissez un sous-thème du thème choisi.")) from exc
    return theme, sub_theme


def _callback(phone: str, slot: str) -> tuple[str, str]:
    phone = (phone or "").strip()
    if not phone:
        return "", ""
    if not PHONE.match(phone):
        raise _refuse("callback_phone", _("Indiquez un numéro de téléphone valide, par exemple 01 23 45 67 89."))
    slot = slot or CallbackSlot.ANY
    if slot not in CallbackSlot.values:
        raise _refuse("callback_slot", _("Choisissez un moment de la liste."))
    return phone, slot


def question_submit(
    *,
    actor,
    member,
    theme_id,
    subject: str,
    body: str,
    sub_theme_id=None,
    attachments=(),
    callback_phone: str = "",
    callback_slot: str = "",
) -> Question:
    """Record a member's question, due a number of working days after today (the organisation's
    answer time); a phone number asks for a callback within two working days."""
    _require(actor, "questions.ask_question", member)
    theme, sub_theme = _theme_pick(theme_id, sub_theme_id)
    subject = (subject or "").strip()
    if not subject:
        raise _refuse("subject", _("Indiquez le sujet de votre question."))
    if len(subject) > SUBJECT_MAX:
        raise _refuse("subject", _("Le sujet ne peut dépasser %(max)d caractères.") % {"max": SUBJECT_MAX})
    body = _text(body)
    phone, slot = _callback(callback_phone, callback_slot)
    checked = _attachments_check(attachments)
    clock = questions_clock()
    now = timezone.now()
    with files_removed_on_failure() as written, transaction.atomic():
        question = Question.objects.create(
            member=member,
            asked_by=actor,
            theme=theme,
            sub_theme=sub_theme,
            subject=subject,
            body=body,
            received_at=now,
            updated_at=now,
            due_on=clock.due_on(now),
            callback_phone=phone,
            callback_slot=slot,
            callback_due_at=clock.callback_due(now) if phone else None,
        )
        saved = _attachments_save(actor=actor, question=question, message=None, checked=checked, written=written)
        question_search_index(questions=Question.objects.filter(pk=question.pk))
        _audit(
            actor=actor,
            action="submit",
            question=question,
            after={
                "subject": subject,
                "theme": theme.name,
                "due_on": question.due_on.isoformat(),
                "attachments": [attachment.original_name for attachment in saved],
                "callback": bool(phone),
            },
        )
    return question


# The jurists' work ---------------------------------------------------------------------------


def question_assign(*, actor, question: Question, assignee) -> Question:
    """Give the question to a jurist (oneself or a colleague); a new question is then in progress."""
    _require(actor, "questions.work_questions")
    if assignee is None or not question_workers().filter(pk=assignee.pk).exists():
        raise _refuse("assignee", _("Choisissez un juriste de l'organisation."))
    with transaction.atomic():
        question = _locked(question)
        before = {"status": question.status, "assignee": getattr(question.assignee, "email", None)}
        question.status = transition_target(question.status, "assign")
        question.assignee = assignee
        _touch(question, timezone.now(), ["status", "assignee"])
        _audit(actor=actor, action="assign", question=question, before=before, after={"assignee": assignee.email})
        if assignee.pk != actor.pk:
            _tell_staff(
                user=assignee,
                question=question,
                subject=_("Question %(number)s attribuée"),
                template="questions/email/assigned.txt",
            )
    return question


def _staff_turn(
    *, actor, question: Question, action: str, kind: str, body: str, written, attachments=(), required: bool = True
) -> tuple[Question, Message, str]:
    """Check the jurist's text and files, lock the question, move it by `action` (taken by the
    jurist if nobody had it) and write the message; returns the question, message, former status."""
    html = _rich(body, required=required)
    checked = _attachments_check(attachments)
    question = _locked(question)
    before = question.status
    question.status = transition_target(question.status, action)
    if question.assignee_id is None:
        question.assignee = actor
    message = _message_write(
        actor=actor, question=question, kind=kind, body=html, checked=checked, written=written, now=timezone.now()
    )
    return question, message, before


def question_info_request(*, actor, question: Question, body: str, attachments=()) -> Question:
    """Ask the member for more: the clock stops, keeping the working days that were left."""
    _require(actor, "questions.work_questions")
    with files_removed_on_failure() as written, transaction.atomic():
        question, message, before = _staff_turn(
            actor=actor,
            question=question,
            action="request_info",
            kind=MessageKind.INFO_REQUEST,
            body=body,
            attachments=attachments,
            written=written,
        )
        now = message.created_at
        question.paused_days = questions_clock().days_left(question.due_on, now)
        _touch(question, now, ["status", "paused_days", "assignee"])
        _audit(
            actor=actor,
            action="info_request",
            question=question,
            before={"status": before},
            after={"status": question.status, "paused_days": question.paused_days},
        )
        _tell_member(
            question=question,
            kind="questions.info_requested",
            subject=_("Question %(number)s : des précisions sont nécessaires"),
            template="questions/email/info_requested.txt",
            message=message,
        )
    return question


TREATED_FIELDS = ["status", "paused_days", "closed_at", "first_answered_at", "answered_on_time", "assignee"]


def _question_treat(
    *, actor, question: Question, action: str, kind: str, body: str, attachments, required: bool, subject: str, template
) -> Question:
    """Answer or close: the question is treated, its first answer measured against the due day
    (the clock being stopped while the member was awaited), the asker and the chosen contacts
    told by e-mail, and its PDF printed in the background."""
    _require(actor, "questions.work_questions")
    with files_removed_on_failure() as written, transaction.atomic():
        question, message, before = _staff_turn(
            actor=actor,
            question=question,
            action=action,
            kind=kind,
            body=body,
            attachments=attachments,
            required=required,
            written=written,
        )
        now = message.created_at
        if question.first_answered_at is None:
            paused = question.paused_days
            due = question.due_on if paused is None else questions_clock().resume(paused, now)
            question.first_answered_at = now
            question.answered_on_time = local_date(now) <= due
        question.paused_days = None
        question.closed_at = now
        _touch(question, now, TREATED_FIELDS)
        _audit(
            actor=actor,
            action=action,
            question=question,
            before={"status": before},
            after={"status": question.status, "on_time": question.answered_on_time},
        )
        _tell_member(question=question, kind="questions.answered", subject=subject, template=template, message=message)
        _pdf_render_later(question)
    return question


def question_answer(*, actor, question: Question, body: str, attachments=()) -> Question:
    """Answer the question in writing: it is treated, the asker and the chosen contacts are told by
    e-mail, and its PDF is printed in the background."""
    return _question_treat(
        actor=actor,
        question=question,
        action="answer",
        kind=MessageKind.ANSWER,
        body=body,
        attachments=attachments,
        required=True,
        subject=_("Question %(number)s : notre réponse"),
        template="questions/email/answered.txt",
    )


def question_close(*, actor, question: Question, note: str = "") -> Question:
    """Treat the question without a written answer (answered by phone, a duplicate...), with an
    optional note the member sees; the closing shows in the exchange even without one."""
    return _question_treat(
        actor=actor,
        question=question,
        action="close",
        kind=MessageKind.CLOSING,
        body=note,
        attachments=(),
        required=False,
        subject=_("Question %(number)s traitée"),
        template="questions/email/closed.txt",
    )


def question_reopen(*, actor, question: Question, note: str = "") -> Question:
    """Reopen a treated question: in progress again, with a new full answer time from today."""
    _require(actor, "questions.work_questions")
    with files_removed_on_failure() as written, transaction.atomic():
        question, message, before = _staff_turn(
            actor=actor,
            question=question,
            action="reopen",
            kind=MessageKind.REOPENING,
            body=note,
            required=False,
            written=written,
        )
        now = message.created_at
        question.due_on = questions_clock().due_on(now)
        question.closed_at = None
        _touch(question, now, ["status", "due_on", "closed_at", "assignee"])
        _audit(
            actor=actor,
            action="reopen",
            question=question,
            before={"status": before},
            after={"status": question.status, "due_on": question.due_on.isoformat()},
        )
    return question


def callback_done(*, actor, question: Question) -> Question:
    """Record that the member was called back."""
    _require(actor, "questions.work_questions")
    with transaction.atomic():
        question = _locked(question)
        if question.callback_due_at is None:
            raise Conflict(_("Aucun rappel n'a été demandé pour cette question."), code="no_callback")
        if question.callback_done_at is not None:
            raise Conflict(_("Ce rappel est déjà noté comme effectué."), code="callback_done")
        now = timezone.now()
        question.callback_done_at, question.callback_done_by = now, actor
        _touch(question, now, ["callback_done_at", "callback_done_by"])
        _audit(
            actor=actor, action="callback_done", question=question, after={"on_time": now <= question.callback_due_at}
        )
    return question


# The member's replies ------------------------------------------------------------------------


def question_reply(*, actor, question: Question, body: str, attachments=()) -> Question:
    """The member completes an open question; an answer to a request for information restarts
    the clock with the working days that were left, and the jurist is told."""
    _require(actor, "questions.ask_question", question.member)
    # The right to ask is not the right to read a colleague's question (see `question_list`).
    if question.asked_by_id != actor.pk:
        _require(actor, "questions.view_member_questions", question.member)
    body = _text(body)
    checked = _attachments_check(attachments)
    with files_removed_on_failure() as written, transaction.atomic():
        question = _locked(question)
        waiting = question.status == QuestionStatus.WAITING
        question.status = transition_target(question.status, "member_reply")
        now = timezone.now()
        _message_write(
            actor=actor,
            question=question,
            kind=MessageKind.MEMBER_REPLY,
            body=body,
            checked=checked,
            written=written,
            now=now,
        )
        if waiting:
            question.due_on = questions_clock().resume(question.paused_days or 0, now)
            question.paused_days = None
        _touch(question, now, ["status", "due_on", "paused_days"])
        _audit(
            actor=actor,
            action="reply",
            question=question,
            after={"status": question.status, "due_on": question.due_on.isoformat(), "restarted": waiting},
        )
        if question.assignee_id and question.assignee.is_active:
            _tell_staff(
                user=question.assignee,
                question=question,
                subject=_("Question %(number)s : l'adhérent a répondu"),
                template="questions/email/member_replied.txt",
            )
    return question


# PDF -----------------------------------------------------------------------------------------


def _pdf_render_later(question: Question) -> None:
    from .tasks import question_pdf_render  # tasks.py imports this module

    enqueue_on_commit(question_pdf_render, question.pk)


def question_pdf_ensure(*, question: Question) -> Question:
    """The question with its PDF printed for its current revision: printed once per revision,
    under the row lock so that two downloads do not print it twice."""
    # WeasyPrint takes half a second to import: only the processes that print load it.
    from .pdf import question_pdf_bytes

    if question.pdf and question.pdf_revision == question.revision:
        return question
    with files_removed_on_failure() as written, transaction.atomic():
        locked = _locked(question)
        if locked.pdf and locked.pdf_revision == locked.revision:
            return locked
        content = question_pdf_bytes(question_id=locked.pk)
        previous = locked.pdf.name if locked.pdf else None
        storage = locked.pdf.storage
        locked.pdf.save(
            f"{locked.number}-{locked.revision}-{uuid.uuid4().hex[:8]}.pdf", ContentFile(content), save=False
        )
        written.append((storage, locked.pdf.name))
        locked.pdf_revision = locked.revision
        locked.save(update_fields=["pdf", "pdf_revision"])
        if previous:
            transaction.on_commit(lambda: storage.delete(previous))
    return locked


# Themes --------------------------------------------------------------------------------------


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise _refuse("name", _("Indiquez un nom."))
    if len(name) > NAME_MAX:
        raise _refuse("name", _("Le nom ne peut dépasser %(max)d caractères.") % {"max": NAME_MAX})
    return name


def _next_position(siblings: QuerySet) -> int:
    """The position after the last of `siblings`: a new theme or sub-theme comes last."""
    return (siblings.aggregate(last=Max("position"))["last"] or 0) + 1


def theme_save(*, actor, theme: Theme | None = None, name: str, is_active: bool = True) -> Theme:
    """Create a theme (placed last) or rename / switch one; switched-off themes keep their
    questions and are no longer offered to members."""
    _require(actor, "questions.manage_themes")
    name = _name(name)
    try:
        with transaction.atomic():
            if Theme.objects.filter(name__iexact=name).exclude(pk=getattr(theme, "pk", None)).exists():
                raise _refuse("name", _("Un thème porte déjà ce nom."))
            before = None
            if theme is None:
                theme = Theme.objects.create(
                    name=name, is_active=is_active, position=_next_position(Theme.objects.all())
                )
            else:
                theme = Theme.objects.select_for_update().get(pk=theme.pk)
                before = {"name": theme.name, "is_active": theme.is_active}
                theme.name, theme.is_active = name, is_active
                theme.save(update_fields=["name", "is_active"])
            audit_record(
                actor=actor,
                action="questions.theme_save",
                target=theme,
                before=before,
                after={"name": name, "is_active": is_active},
            )
    except IntegrityError as exc:  # the same name created at the same moment
        raise _refuse("name", _("Un thème porte déjà ce nom.")) from exc
    return theme


def sub_theme_save(
    *, actor, theme: Theme, sub_theme: SubTheme | None = None, name: str, is_active: bool = True
) -> SubTheme:
    """Create a sub-theme of `theme` (placed last) or rename / switch one."""
    _require(actor, "questions.manage_themes")
    name = _name(name)
    if sub_theme is not None and sub_theme.theme_id != theme.pk:
        raise _refuse("theme", _("Ce sous-thème appartient à un autre thème."))
    try:
        with transaction.atomic():
            clash = SubTheme.objects.filter(theme=theme, name__iexact=name).exclude(pk=getattr(sub_theme, "pk", None))
            if clash.exists():
                raise _refuse("name", _("Ce thème a déjà un sous-thème de ce nom."))
            before = None
            if sub_theme is None:
                position = _next_position(theme.sub_themes.all())
                sub_theme = SubTheme.objects.create(theme=theme, name=name, is_active=is_active, position=position)
            else:
                sub_theme = SubTheme.objects.select_for_update().get(pk=sub_theme.pk, theme=theme)
                before = {"name": sub_theme.name, "is_active": sub_theme.is_active}
                sub_theme.name, sub_theme.is_active = name, is_active
                sub_theme.save(update_fields=["name", "is_active"])
            audit_record(
                actor=actor,
                action="questions.sub_theme_save",
                target=sub_theme,
                before=before,
                after={"theme": theme.name, "name": name, "is_active": is_active},
            )
    except IntegrityError as exc:  # the same name created at the same moment
        raise _refuse("name", _("Ce thème a déjà un sous-thème de ce nom.")) from exc
    return sub_theme


def theme_move(*, actor, item: Theme | SubTheme, offset: int) -> None:
    """Move a theme (or a sub-theme among its theme's) one place up (-1) or down (+1)."""
    _require(actor, "questions.manage_themes")
    model = type(item)
    with transaction.atomic():
        siblings = model.objects.select_for_update()
        if isinstance(item, SubTheme):
            siblings = siblings.filter(theme_id=item.theme_id)
        ordered = list(siblings.order_by("position", "name", "id"))
        index = next(i for i, sibling in enumerate(ordered) if sibling.pk == item.pk)
        target = index + offset
        if not 0 <= target < len(ordered):
            return
        ordered[index], ordered[target] = ordered[target], ordered[index]
        for position, sibling in enumerate(ordered, start=1):
            if sibling.position != position:
                sibling.position = position
                sibling.save(update_fields=["position"])
        audit_record(actor=actor, action="questions.theme_move", target=item, after={"position": target + 1})
