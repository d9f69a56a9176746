"""The jurists' pages: the work queue, the actions on a question, the callbacks and the statistics.

Every page needs `questions.work_questions` (403 otherwise); a question comes from
`selectors.access_question` first, so a missing id and another organisation's answer the same 404.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.access.selectors import member_list
from core.documents.uploads import BodyTooLarge
from core.errors import Conflict, DomainError
from core.web.forms import form_show_refusal
from core.web.lists import results_only, sortable_columns
from core.web.redirects import same_site_url

from .. import selectors, services
from ..policy import questions_clock
from ..selectors import QuestionFilters
from ..staff_forms import DEFAULT_STATUSES, QUEUE_DEFAULT_SORT, AssignForm, QueueFilterForm, StatisticsForm
from ..statistics import question_statistics
from .files import attachments_limit, attachments_refuse_cut
from .member import question_page
from .panel import callback_late, due_flag, phone_dial, staff_form

PAGE_SIZE = 25
WORK = "questions.work_questions"

# The queue's columns: sort key (None: not sortable), header, the direction of a first click.
QUEUE_COLUMNS = (
    ("number", gettext_lazy("Numéro"), ""),
    ("member", gettext_lazy("Adhérent"), ""),
    ("subject", gettext_lazy("Sujet"), ""),
    ("theme", gettext_lazy("Thème"), ""),
    ("status", gettext_lazy("Statut"), ""),
    ("received", gettext_lazy("Reçue le"), ""),
    ("due", gettext_lazy("Échéance"), ""),
    ("assignee", gettext_lazy("Attribuée à"), ""),
    (None, gettext_lazy("Rappel"), ""),
)


def _require_worker(request) -> None:
    if not request.user.has_perm(WORK):
        raise PermissionDenied


# Actions on a question -----------------------------------------------------------------------


@dataclass(frozen=True)
class FormAction:
    """A jurist's action sent with a form: the service doing it and what the jurist is told."""

    service: Callable
    done: str
    refused: str


FORM_ACTIONS = {
    "answer": FormAction(
        services.question_answer,
        gettext_lazy("Réponse envoyée : la question %(number)s est traitée."),
        gettext_lazy("Le message n'a pas été envoyé : corrigez les erreurs indiquées."),
    ),
    "info_request": FormAction(
        services.question_info_request,
        gettext_lazy("Demande de précisions envoyée : le délai de la question %(number)s est suspendu."),
        gettext_lazy("Le message n'a pas été envoyé : corrigez les erreurs indiquées."),
    ),
    "close": FormAction(
        services.question_close,
        gettext_lazy("La question %(number)s est clôturée."),
        gettext_lazy("La question n'a pas été clôturée : corrigez les erreurs indiquées."),
    ),
    "reopen": FormAction(
        services.question_reopen,
        gettext_lazy("La question %(number)s est rouverte, avec un nouveau délai de réponse."),
        gettext_lazy("La question n'a pas été rouverte : corrigez les erreurs indiquées."),
    ),
}


def _worked_question(request, question_id):
    """A question the person may see (404 otherwise), and their right to work it (403 otherwise)."""
    question = selectors.access_question(actor=request.user, question_id=question_id)
    _require_worker(request)
    return question


def _detail_url(question) -> str:
    return reverse("questions:detail", kwargs={"question_id": question.pk})


def _back(request, question):
    """Back to the page the action came from (a local `next`), or to the question."""
    return redirect(same_site_url(request, request.POST.get("next"), _detail_url(question)))


def _page_again(request, question, *, forms: dict | None = None, status: int):
    """The question's page again, read afresh, its jurist's form showing the refusal and what was typed."""
    question = selectors.access_question(actor=request.user, question_id=question.pk, with_exchange=True)
    return question_page(request, question, staff_forms=forms, status=status)


def _form_action(request, question, kind: str, form):
    """Do the action `kind` with its bound form: back to the question once done, or its page again
    saying why not (a question changed meanwhile is shown as it is now)."""
    action = FORM_ACTIONS[kind]
    if form.is_valid():
        try:
            action.service(actor=request.user, question=question, **form.cleaned_data)
        except Conflict as error:
            messages.error(request, error.message)
            return redirect(_detail_url(question))
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, action.done % {"number": question.number})
            return redirect(_detail_url(question))
    messages.error(request, action.refused)
    return _page_again(request, question, forms={kind: form}, status=400)


def _message_action(request, question_id: int, kind: str):
    """An answer or a request for information: its body refused before it is read when too large."""
    question = _worked_question(request, question_id)
    try:
        attachments_limit(request)
    except BodyTooLarge as refusal:
        messages.error(request, refusal.message)
        return _page_again(request, question, status=413)
    return _message_checked(request, question, kind)


@csrf_protect
def _message_checked(request, question, kind: str):
    form = staff_form(kind, request.POST, request.FILES)
    attachments_refuse_cut(request, form)
    return _form_action(request, question, kind, form)


@csrf_exempt  # the CSRF check reads the body: `_message_checked` runs it once the size limit is in place
@login_required
@require_POST
def question_answer(request, question_id: int):
    return _message_action(request, question_id, "answer")


@csrf_exempt  # as above
@login_required
@require_POST
def question_info_request(request, question_id: int):
    return _message_action(request, question_id, "info_request")


@login_required
@require_POST
def question_close(request, question_id: int):
    question = _worked_question(request, question_id)
    return _form_action(request, question, "close", staff_form("close", request.POST))


@login_required
@require_POST
def question_reopen(request, question_id: int):
    question = _worked_question(request, question_id)
    return _form_action(request, question, "reopen", staff_form("reopen", request.POST))


@login_required
@require_POST
def question_assign(request, question_id: int):
    question = _worked_question(request, question_id)
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


@login_required
@require_POST
def callback_done(request, question_id: int):
    question = _worked_question(request, question_id)
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


@login_required
def question_queue(request):
    _require_worker(request)
    actor, now, today = request.user, timezone.now(), timezone.localdate()
    soon_until = questions_clock().due_soon_until(today)
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
        question.callback_late = callback_late(question, now=now)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "columns": sortable_columns(request, QUEUE_COLUMNS, sort),
        "sort": sort,
        "filtered_member": (
            member_list(actor=actor).filter(pk=filters.member_id).first() if filters.member_id else None
        ),
    }
    if results_only(request, "queue-results"):
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
        question.callback_late = callback_late(question, now=now)
        question.dial = phone_dial(question.callback_phone)
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
    """A share as a French percentage ("87 %"), a dash when there is nothing to count."""
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
    """Bars of questions per theme, the longest at full width."""
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
