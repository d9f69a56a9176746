"""The jurists' pages: the work queue, the actions on a question, the callbacks and the statistics.

Every page needs `questions.work_questions` (403 otherwise); a question comes from
`selectors.access_question`, so a missing id and another organisation's answer the same 404.
"""

import copy
import re
from dataclasses import dataclass
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.access.selectors import member_list
from core.documents.checks import size_label, too_large_message
from core.documents.sniffing import ALLOWED
from core.documents.uploads import SizeLimitUploadHandler
from core.errors import Conflict, DomainError
from core.web.forms import form_show_refusal
from core.web.redirects import same_site_url
from core.working_days import working_days_add

from .. import selectors, services
from ..models import QuestionStatus
from ..policy import attachment_limits, questions_clock
from ..selectors import QuestionFilters
from ..staff_forms import (
    DEFAULT_STATUSES,
    QUEUE_DEFAULT_SORT,
    AssignForm,
    NoteForm,
    QueueFilterForm,
    StaffMessageForm,
    StatisticsForm,
)
from ..statistics import question_statistics
from ..workflow import allowed_actions

PAGE_SIZE = 25
WORK = "questions.work_questions"
# Room for the text (up to BODY_MAX characters of 4 bytes) and the multipart boundaries.
FORM_OVERHEAD = 64 * 1024 + 4 * services.BODY_MAX
RUNNING = (QuestionStatus.NEW, QuestionStatus.IN_PROGRESS)
PHONE_DIAL = re.compile(r"[^0-9+]")  # what a `tel:` link keeps of a number typed with spaces or dots

QUEUE_COLUMNS = (
    ("number", gettext_lazy("Numéro")),
    ("member", gettext_lazy("Adhérent")),
    ("subject", gettext_lazy("Sujet")),
    ("theme", gettext_lazy("Thème")),
    ("status", gettext_lazy("Statut")),
    ("received", gettext_lazy("Reçue le")),
    ("due", gettext_lazy("Échéance")),
    ("assignee", gettext_lazy("Attribuée à")),
    (None, gettext_lazy("Rappel")),
)


def _require_worker(request) -> None:
    if not request.user.has_perm(WORK):
        raise PermissionDenied


# Due-day flags -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueFlag:
    """What the queue and the panel say about a question's due day, in words (not colour only)."""

    code: str  # "late", "soon" or "paused"
    label: str


def _soon_until(today: date, clock) -> date:
    """The last day that counts as "due soon": the next working day."""
    return working_days_add(today, 1, alsace_moselle=clock.alsace_moselle)


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
    if question.status in RUNNING:
        if question.due_on < today:
            return DueFlag("late", _("En retard"))
        if question.due_on <= soon_until:
            return DueFlag("soon", _("Échéance proche"))
    return None


# The panel on a question's page --------------------------------------------------------------


def _message_form(kind: str, limits, data=None, files=None) -> StaffMessageForm:
    label = _("Votre réponse") if kind == "answer" else _("Précisions demandées à l'adhérent")
    files_help = _("Jusqu'à %(count)d fichiers de %(size)s au plus chacun (%(types)s).") % {
        "count": limits.max_count,
        "size": size_label(limits.max_size),
        "types": ", ".join(str(file_type.label) for file_type in ALLOWED),
    }
    return StaffMessageForm(data, files, auto_id=f"{kind}_%s", body_label=label, files_help=files_help)


def _note_form(kind: str, data=None) -> NoteForm:
    return NoteForm(data, auto_id=f"{kind}_%s")


def staff_panel_context(request, question) -> dict:
    """Everything `questions/_staff_panel.html` needs: assignee, actions allowed from the status,
    due-day flag, callback; a few queries whatever the question."""
    actor = request.user
    clock = questions_clock()
    today = timezone.localdate()
    actions = allowed_actions(question.status)
    # Forms sent back with their errors by an action below (see `_detail_again`).
    bound = getattr(request, "questions_staff_forms", {})
    workers = list(selectors.question_workers()) if "assign" in actions else []
    current = str(question.assignee_id or actor.pk)
    assign_form = bound.get("assign") or AssignForm(workers=workers, actor=actor, initial={"assignee": current})
    callback_pending = question.callback_due_at is not None and question.callback_done_at is None
    limits = attachment_limits()
    return {
        "question": question,
        "staff_actions": actions,
        "staff_flag": due_flag(question, today=today, soon_until=_soon_until(today, clock)),
        "staff_days_left": clock.days_left(question.due_on, timezone.now()) if question.status in RUNNING else None,
        "staff_assign_form": assign_form,
        "staff_answer_form": bound.get("answer") or _message_form("answer", limits),
        "staff_info_form": bound.get("info_request") or _message_form("info_request", limits),
        "staff_close_form": bound.get("close") or _note_form("close"),
        "staff_reopen_form": bound.get("reopen") or _note_form("reopen"),
        "staff_callback_pending": callback_pending,
        "staff_callback_late": callback_pending and question.callback_due_at < timezone.now(),
        "staff_dial": PHONE_DIAL.sub("", question.callback_phone),
    }


def _detail_url(question) -> str:
    return reverse("questions:detail", kwargs={"question_id": question.pk})


def _back(request, question):
    """Back to the page the action came from (a local `next`), or to the question."""
    return redirect(same_site_url(request, request.POST.get("next"), _detail_url(question)))


def _detail_again(request, question, *, forms: dict | None = None, status: int):
    """The question's page again, its jurist's form showing the refusal and what was typed."""
    from . import member  # imported here: the member views import this module

    request.questions_staff_forms = forms or {}
    # The page is drawn as for a GET: nothing of this POST must be read or re-bound by it.
    page = copy.copy(request)
    page.method = "GET"
    page._post, page._files = QueryDict(), MultiValueDict()
    response = member.question_detail(page, question_id=question.pk)
    response.status_code = status
    return response


def _question(request, question_id):
    _require_worker(request)
    return selectors.access_question(actor=request.user, question_id=question_id)


# Actions -------------------------------------------------------------------------------------


@login_required
@require_POST
def question_assign(request, question_id: int):
    question = _question(request, question_id)
    workers = list(selectors.question_workers())
    form = AssignForm(request.POST, workers=workers, actor=request.user)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("assignee", [_("Choisissez un juriste de l'organisation.")])))
        return _back(request, question)
    choice = form.cleaned_data["assignee"]
    assignee = next((worker for worker in workers if str(worker.pk) == choice), None)
    try:
        services.question_assign(actor=request.user, question=question, assignee=assignee)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if assignee.pk == request.user.pk:
            text = _("Vous avez pris en charge la question %(number)s.") % {"number": question.number}
        else:
            text = _("Question %(number)s attribuée à %(name)s.") % {"number": question.number, "name": assignee}
        messages.success(request, text)
    return _back(request, question)


def _upload_guarded(request, question_id: int, kind: str):
    """Refuse a body too large before reading it, and stop reading a file past the limit."""
    question = _question(request, question_id)
    limits = attachment_limits()
    declared = request.META.get("CONTENT_LENGTH") or ""
    if declared.isdigit() and int(declared) > limits.max_count * limits.max_size + FORM_OVERHEAD:
        messages.error(request, too_large_message(limits.max_size))
        return _detail_again(request, question, status=413)
    request.upload_handlers.insert(0, SizeLimitUploadHandler(request, limit=limits.max_size))
    return _staff_message(request, question, kind, limits)


@csrf_protect
def _staff_message(request, question, kind: str, limits):
    form = _message_form(kind, limits, request.POST, request.FILES)
    if getattr(request, "upload_too_large", False):
        form.is_valid()
        form.errors.pop("attachments", None)
        form.add_error("attachments", too_large_message(limits.max_size))
    elif form.is_valid():
        service = services.question_answer if kind == "answer" else services.question_info_request
        try:
            service(
                actor=request.user,
                question=question,
                body=form.cleaned_data["body"],
                attachments=form.cleaned_data["attachments"],
            )
        except Conflict as error:
            messages.error(request, error.message)
            return redirect(_detail_url(question))
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            if kind == "answer":
                text = _("Réponse envoyée : la question %(number)s est traitée.")
            else:
                text = _("Demande de précisions envoyée : le délai de la question %(number)s est suspendu.")
            messages.success(request, text % {"number": question.number})
            return redirect(_detail_url(question))
    messages.error(request, _("Le message n'a pas été envoyé : corrigez les erreurs indiquées."))
    return _detail_again(request, question, forms={kind: form}, status=400)


@csrf_exempt  # the CSRF check runs in `_staff_message`, once the upload handler is in place
@login_required
@require_POST
def question_answer(request, question_id: int):
    return _upload_guarded(request, question_id, "answer")


@csrf_exempt  # as above
@login_required
@require_POST
def question_info_request(request, question_id: int):
    return _upload_guarded(request, question_id, "info_request")


def _note_action(request, question_id: int, kind: str):
    question = _question(request, question_id)
    form = _note_form(kind, request.POST)
    if form.is_valid():
        service = services.question_close if kind == "close" else services.question_reopen
        try:
            service(actor=request.user, question=question, note=form.cleaned_data["note"])
        except Conflict as error:
            messages.error(request, error.message)
            return redirect(_detail_url(question))
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            if kind == "close":
                text = _("La question %(number)s est clôturée.")
            else:
                text = _("La question %(number)s est rouverte, avec un nouveau délai de réponse.")
            messages.success(request, text % {"number": question.number})
            return redirect(_detail_url(question))
    return _detail_again(request, question, forms={kind: form}, status=400)


@login_required
@require_POST
def question_close(request, question_id: int):
    return _note_action(request, question_id, "close")


@login_required
@require_POST
def question_reopen(request, question_id: int):
    return _note_action(request, question_id, "reopen")


@login_required
@require_POST
def callback_done(request, question_id: int):
    question = _question(request, question_id)
    try:
        services.callback_done(actor=request.user, question=question)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request, _("Rappel de la question %(number)s noté comme effectué.") % {"number": question.number}
        )
    return _back(request, question)


# The queue -----------------------------------------------------------------------------------


def _columns(request, sort: str) -> list[dict]:
    """The table's headers: a link that sorts by the column (again: the other way) and `aria-sort`."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    columns = []
    for key, label in QUEUE_COLUMNS:
        if key is None:
            columns.append({"label": label})
            continue
        params = request.GET.copy()
        params.pop("page", None)
        params["sort"] = (key if descending else f"-{key}") if key == current else key
        sorted_by = key == current
        columns.append(
            {
                "label": label,
                "url": f"?{params.urlencode()}",
                "aria_sort": ("descending" if descending else "ascending") if sorted_by else "",
                "arrow": ("▼" if descending else "▲") if sorted_by else "",
            }
        )
    return columns


@login_required
def question_queue(request):
    _require_worker(request)
    actor = request.user
    clock = questions_clock()
    today = timezone.localdate()
    soon_until = _soon_until(today, clock)
    workers = list(selectors.question_workers())
    themes = list(selectors.theme_choices(include_inactive=True))
    data = request.GET.copy()
    if not data.getlist("status"):
        data.setlist("status", DEFAULT_STATUSES)  # the open questions unless asked otherwise
    form = QueueFilterForm(data, themes=themes, workers=workers, actor=actor)
    values = form.valid_values()
    sort = values.get("sort") or QUEUE_DEFAULT_SORT
    filters = QuestionFilters(
        status=values.get("status") or DEFAULT_STATUSES,
        theme_id=values.get("theme"),
        search=values.get("q", ""),
        sort=sort,
        assignee=values.get("assignee", ""),
        due=values.get("due", ""),
        member_id=values.get("member"),
    )
    questions = selectors.queue_search(actor=actor, filters=filters, today=today)
    page = Paginator(questions, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    for question in rows:
        question.due_flag = due_flag(question, today=today, soon_until=soon_until)
        question.callback_late = (
            question.callback_due_at is not None
            and question.callback_done_at is None
            and question.callback_due_at < timezone.now()
        )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "columns": _columns(request, sort),
        "sort": sort,
        "filtered_member": (
            member_list(actor=actor).filter(pk=filters.member_id).first() if filters.member_id else None
        ),
    }
    if request.htmx and request.htmx.target == "queue-results" and not request.htmx.history_restore_request:
        return render(request, "questions/_queue_results.html", context)
    context["counters"] = selectors.queue_counters(actor=actor, today=today, due_soon_until=soon_until)
    return render(request, "questions/queue.html", context)


# Callbacks -----------------------------------------------------------------------------------


@login_required
def callback_list_page(request):
    _require_worker(request)
    now = timezone.now()
    pending = list(selectors.callback_list(actor=request.user))
    for question in pending:
        question.callback_late = question.callback_due_at < now
        question.dial = PHONE_DIAL.sub("", question.callback_phone)
    done = list(selectors.callback_done_list(actor=request.user, limit=20))
    for question in done:
        question.callback_on_time = question.callback_done_at <= question.callback_due_at
    return render(request, "questions/callbacks.html", {"pending": pending, "done": done})


# Statistics ----------------------------------------------------------------------------------

MONTH_SLOT = 48  # width of a month's bar and its gap in the chart's own units
MONTH_BAR = 32
CHART_HEIGHT = 200
THEME_ROW = 48
THEME_WIDTH = 600
THEME_BAR_MAX = 500
DEFAULT_MONTHS = 12


def answer_time_label(hours: float | None) -> str:
    """A median in hours as French reads it: "2 jours et 5 heures", "3 heures"."""
    if hours is None:
        return _("Aucune réponse sur la période")
    rounded = round(hours)
    if rounded == 0:
        return _("moins d'une heure")
    days, rest = divmod(rounded, 24)
    parts = []
    if days:
        parts.append(ngettext("%(count)d jour", "%(count)d jours", days) % {"count": days})
    if rest:
        parts.append(ngettext("%(count)d heure", "%(count)d heures", rest) % {"count": rest})
    return _(" et ").join(parts)


def percent_label(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}\u00a0%"


def _month_chart(stats) -> dict:
    """Bars of questions per month, drawn in the chart's own units (the SVG scales to the page)."""
    top = max(stats.monthly_totals, default=0) or 1
    bars = []
    for index, (month, count) in enumerate(zip(stats.months, stats.monthly_totals, strict=True)):
        height = round(count / top * CHART_HEIGHT)
        x = index * MONTH_SLOT + (MONTH_SLOT - MONTH_BAR) // 2
        bars.append(
            {
                "x": x,
                "y": 24 + CHART_HEIGHT - height,
                "height": height,
                "width": MONTH_BAR,
                "centre": x + MONTH_BAR // 2,
                "count": count,
                "month": date_format(month, "N"),
                "year": date_format(month, "Y"),
                "label": date_format(month, "F Y"),
            }
        )
    summary = _("Questions reçues par mois : %(figures)s.") % {
        "figures": ", ".join(f"{bar['label']} : {bar['count']}" for bar in bars)
    }
    return {
        "width": len(bars) * MONTH_SLOT,
        "height": CHART_HEIGHT + 68,
        "base": 24 + CHART_HEIGHT,
        "bars": bars,
        "summary": summary,
    }


def _theme_chart(stats) -> dict:
    top = max((row.total for row in stats.themes), default=0) or 1
    bars = []
    for index, row in enumerate(stats.themes):
        width = round(row.total / top * THEME_BAR_MAX)
        bars.append({"name": row.name, "total": row.total, "width": width, "y": index * THEME_ROW, "end": width + 8})
    summary = _("Questions reçues par thème : %(figures)s.") % {
        "figures": ", ".join(f"{bar['name']} : {bar['total']}" for bar in bars)
    }
    return {"width": THEME_WIDTH, "height": max(1, len(bars)) * THEME_ROW, "bars": bars, "summary": summary}


@login_required
def statistics_page(request):
    _require_worker(request)
    form = StatisticsForm(request.GET if "months" in request.GET else None, initial={"months": DEFAULT_MONTHS})
    months = form.cleaned_data["months"] if form.is_valid() else DEFAULT_MONTHS
    stats = question_statistics(months=months)
    share = stats.on_time_share
    month_labels = [date_format(month, "F Y") for month in stats.months]
    context = {
        "form": form,
        "stats": stats,
        "months": months,
        "month_labels": month_labels,
        "table_rows": [
            {"name": row.name, "cells": list(zip(month_labels, row.counts, strict=True)), "total": row.total}
            for row in stats.themes
        ],
        "month_chart": _month_chart(stats),
        "theme_chart": _theme_chart(stats),
        "on_time_label": percent_label(share),
        "on_time_width": round((share or 0) * THEME_WIDTH),
        "late_answers": stats.answered - stats.answered_on_time,
        "median_label": answer_time_label(stats.median_answer_hours),
    }
    return render(request, "questions/statistics.html", context)
