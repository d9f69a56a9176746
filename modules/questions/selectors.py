"""Reads of questions, always filtered to what the actor may see.

Staff who work the questions see them all; a member person sees their active member's questions
they asked, or all of that member's with `questions.view_member_questions`; anyone else, none.
Functions without an actor (`open_questions`, `callbacks_pending`, `question_with_exchange`)
serve scheduled jobs and prints whose caller has already checked the right.
"""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db.models import Case, Count, F, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from core.access.acting import active_membership_of
from core.accounts.models import User

from .models import OPEN_STATUSES, Attachment, Message, Question, QuestionStatus, SubTheme, Theme
from .policy import questions_clock
from .rules import WORKING_ROLES
from .workflow import CLOCK_RUNNING

SEARCH_CONFIG = "french"

# Sortable columns of the history and the queue: name in the query string -> field.
SORTS = {
    "number": "id",
    "received": "received_at",
    "updated": "updated_at",
    "contact": "asked_by__full_name",
    "member": "member__name",
    "status": "status",
    "subject": "subject",
    "theme": "theme__name",
    "due": "due_on",
    "assignee": "assignee__full_name",
    "callback": "callback_due_at",
}


def _base() -> QuerySet[Question]:
    return Question.objects.select_related("member", "asked_by", "theme", "sub_theme", "assignee").defer(
        "search_vector"
    )


def _one(queryset: QuerySet, object_id):
    """The object of `queryset` with id `object_id`: the same 404 for a missing one, one the
    queryset leaves out and an id that is not a number, so that ids leak nothing."""
    try:
        return queryset.get(pk=int(object_id))
    except (queryset.model.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc


def _with_exchange(questions: QuerySet[Question]) -> QuerySet[Question]:
    """With the messages (their authors and files) and the question's own files, in three queries."""
    return questions.prefetch_related(
        Prefetch("messages", Message.objects.select_related("author").prefetch_related("attachments")),
        Prefetch("attachments", Attachment.objects.filter(message__isnull=True), to_attr="question_attachments"),
    )


# Questions -----------------------------------------------------------------------------------


def question_list(*, actor) -> QuerySet[Question]:
    """Every question the actor may see, newest first."""
    questions = _base()
    if actor.has_perm("questions.work_questions"):
        return questions
    membership = active_membership_of(actor)
    if membership is None:
        return questions.none()
    member = membership.member
    if actor.has_perm("questions.view_member_questions", member):
        return questions.filter(member_id=member.pk)
    if actor.has_perm("questions.ask_question", member):
        return questions.filter(member_id=member.pk, asked_by=actor)
    return questions.none()


def access_question(*, actor, question_id, with_exchange: bool = False) -> Question:
    """A question the actor may see; the same 404 for a missing one and another's."""
    questions = question_list(actor=actor)
    return _one(_with_exchange(questions) if with_exchange else questions, question_id)


def access_attachment(*, actor, attachment_id) -> Attachment:
    """An attachment of a question the actor may see; 404 otherwise."""
    visible = question_list(actor=actor).values("pk")
    return _one(Attachment.objects.select_related("question").filter(question__in=visible), attachment_id)


def question_with_exchange(*, question_id: int) -> Question:
    """A question with everything its print shows (no right checked: the caller did)."""
    return _with_exchange(_base()).get(pk=question_id)


def open_questions() -> QuerySet[Question]:
    """Every question not yet treated (no actor: for scheduled jobs)."""
    return _base().filter(status__in=OPEN_STATUSES)


# The history and the queue: filters, sorting, search -----------------------------------------


@dataclass
class QuestionFilters:
    """What the history and the queue can be narrowed and sorted by (already validated)."""

    status: list[str] = field(default_factory=list)
    theme_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    search: str = ""
    sort: str = "-received"
    # Queue only
    assignee: str = ""  # "", "me", "none" or a staff user's id
    due: str = ""  # "", "late", "soon"
    member_id: int | None = None


def _ordering(sort: str) -> list:
    descending = sort.startswith("-")
    column = SORTS.get(sort.lstrip("-"), "received_at")
    expression = F(column).desc(nulls_last=True) if descending else F(column).asc(nulls_last=True)
    return [expression, "-id" if descending else "id"]


def _late(today: date) -> Q:
    return Q(status__in=CLOCK_RUNNING, due_on__lt=today)


def _due_soon(today: date, until: date) -> Q:
    return Q(status__in=CLOCK_RUNNING, due_on__gte=today, due_on__lte=until)


def questions_by_due(questions: QuerySet[Question], *, due: str, today: date) -> QuerySet[Question]:
    """`questions` narrowed to the late ones (`due="late"`) or to those due today or on the next
    working day (`"soon"`); a stopped clock is neither. Any other `due` narrows nothing."""
    if due == "late":
        return questions.filter(_late(today))
    if due == "soon":
        return questions.filter(_due_soon(today, questions_clock().due_soon_until(today)))
    return questions


def question_search(*, actor, filters: QuestionFilters, today: date | None = None) -> QuerySet[Question]:
    """The actor's questions narrowed by `filters` and sorted; full-text search in French over
    the subject, the question and the exchange, best match first when no sort is asked."""
    questions = question_list(actor=actor)
    if filters.status:
        questions = questions.filter(status__in=filters.status)
    if filters.theme_id:
        questions = questions.filter(theme_id=filters.theme_id)
    if filters.member_id:
        questions = questions.filter(member_id=filters.member_id)
    if filters.received_from:
        questions = questions.filter(received_at__date__gte=filters.received_from)
    if filters.received_to:
        questions = questions.filter(received_at__date__lte=filters.received_to)
    if filters.assignee == "me":
        questions = questions.filter(assignee=actor)
    elif filters.assignee == "none":
        questions = questions.filter(assignee__isnull=True)
    elif filters.assignee.isdigit():
        questions = questions.filter(assignee_id=int(filters.assignee))
    if filters.due:
        questions = questions_by_due(questions, due=filters.due, today=today or timezone.localdate())
    ordering = _ordering(filters.sort)
    words = filters.search.strip()
    if words:
        query = SearchQuery(words, config=SEARCH_CONFIG, search_type="websearch")
        questions = questions.filter(search_vector=query)
        if not filters.sort or filters.sort == "-received":
            questions = questions.annotate(rank=SearchRank(F("search_vector"), query))
            ordering = [F("rank").desc(), *ordering]
    return questions.order_by(*ordering)


def queue_search(*, actor, filters: QuestionFilters, today: date | None = None) -> QuerySet[Question]:
    """The jurists' queue: `question_search`, except that by due day the running questions come
    first; a paused clock's or a treated question's due day no longer means anything."""
    questions = question_search(actor=actor, filters=filters, today=today)
    if filters.sort.lstrip("-") != "due":
        return questions
    stopped = Case(
        When(status=QuestionStatus.WAITING, then=Value(1)),
        When(status=QuestionStatus.ANSWERED, then=Value(2)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return questions.order_by(stopped, *_ordering(filters.sort))


def queue_counters(*, actor, today: date, due_soon_until: date) -> dict[str, int]:
    """The queue's counters in one query: late, due soon, not assigned, callbacks to make."""
    return question_list(actor=actor).aggregate(
        late=Count("id", filter=_late(today)),
        soon=Count("id", filter=_due_soon(today, due_soon_until)),
        unassigned=Count("id", filter=Q(status__in=OPEN_STATUSES, assignee__isnull=True)),
        callbacks=Count("id", filter=Q(callback_due_at__isnull=False, callback_done_at__isnull=True)),
    )


# Callbacks -----------------------------------------------------------------------------------


def callbacks_pending() -> QuerySet[Question]:
    """Callbacks still to make, the most urgent first (no actor: for scheduled jobs)."""
    return (
        _base().filter(callback_due_at__isnull=False, callback_done_at__isnull=True).order_by("callback_due_at", "id")
    )


def callback_list(*, actor) -> QuerySet[Question]:
    """Callbacks still to make, the most urgent first (staff who work the questions only)."""
    if not actor.has_perm("questions.work_questions"):
        return Question.objects.none()
    return callbacks_pending()


def callback_done_list(*, actor, limit: int = 20) -> QuerySet[Question]:
    """The last callbacks made, the latest first (staff who work the questions only)."""
    if not actor.has_perm("questions.work_questions"):
        return Question.objects.none()
    done = _base().select_related("callback_done_by").filter(callback_done_at__isnull=False)
    return done.order_by("-callback_done_at", "-id")[:limit]


# Themes and people ---------------------------------------------------------------------------


def theme_choices(*, include_inactive: bool = False) -> QuerySet[Theme]:
    """Themes with their sub-themes, in the organisation's order (the active ones for members)."""
    sub_themes = SubTheme.objects.all() if include_inactive else SubTheme.objects.filter(is_active=True)
    themes = Theme.objects.all() if include_inactive else Theme.objects.filter(is_active=True)
    return themes.prefetch_related(Prefetch("sub_themes", sub_themes.order_by("position", "name", "id")))


def theme_overview() -> QuerySet[Theme]:
    """Every theme, switched off too, with all its sub-themes and its number of questions."""
    # A GROUP BY query drops the model's default ordering: it is given again.
    themes = theme_choices(include_inactive=True).annotate(question_count=Count("questions"))
    return themes.order_by("position", "name", "id")


def access_theme(*, actor, theme_id) -> Theme:
    """A theme the actor may manage; the same 404 for a missing one."""
    themes = Theme.objects.all() if actor.has_perm("questions.manage_themes") else Theme.objects.none()
    return _one(themes, theme_id)


def access_sub_theme(*, actor, sub_theme_id) -> SubTheme:
    """A sub-theme (with its theme) the actor may manage; the same 404 for a missing one."""
    sub_themes = SubTheme.objects.select_related("theme")
    return _one(sub_themes if actor.has_perm("questions.manage_themes") else sub_themes.none(), sub_theme_id)


def question_workers() -> QuerySet[User]:
    """The organisation's people who can be given a question: active jurists and administrators."""
    return User.objects.filter(staff_role__in=WORKING_ROLES, is_active=True).order_by("full_name", "email")
