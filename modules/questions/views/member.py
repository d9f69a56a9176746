"""Member pages of the questions module: the history, asking, a question with its exchange, the
member's replies and the downloads (files and the printed PDF).

Every question comes from `access_question` / `access_attachment`: a missing one and another
member's (or organisation's) answer the same 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.documents.uploads import BodyTooLarge, file_download
from core.errors import Conflict, DomainError
from core.web.forms import form_show_refusal
from core.web.lists import results_only, sortable_columns

from .. import services
from ..forms import HistoryFilterForm, QuestionForm, ReplyForm
from ..models import QuestionStatus
from ..policy import questions_clock
from ..selectors import QuestionFilters, access_attachment, access_question, question_search, theme_choices
from .files import attachments_limit, attachments_refuse_cut, question_pdf_download
from .panel import staff_panel_context

PAGE_SIZE = 25
DEFAULT_SORT = "-received"
RESULTS_TARGET = "question-results"

# The history's columns: sort key, header, the direction of a first click ("-": newest first).
COLUMNS = (
    ("number", gettext_lazy("Numéro"), "-"),
    ("received", gettext_lazy("Reçue le"), "-"),
    ("updated", gettext_lazy("Mise à jour"), "-"),
    ("contact", gettext_lazy("Contact"), ""),
    ("subject", gettext_lazy("Sujet"), ""),
    ("theme", gettext_lazy("Thème"), ""),
    ("status", gettext_lazy("Statut"), ""),
    ("due", gettext_lazy("Réponse attendue le"), ""),
)


# History ---------------------------------------------------------------------------------------


@login_required
def question_history(request):
    """The member's questions, filtered, searched, sorted and paginated (staff go to the queue)."""
    user = request.user
    if user.has_perm("questions.work_questions"):
        return redirect("questions:queue")
    if not user.has_perm("questions.use_questions"):
        raise PermissionDenied
    form = HistoryFilterForm(request.GET, themes=theme_choices(include_inactive=True))
    values = form.valid_values()
    sort = values.get("sort") or DEFAULT_SORT
    filters = QuestionFilters(
        status=values.get("status") or [],
        theme_id=values.get("theme"),
        received_from=values.get("received_from"),
        received_to=values.get("received_to"),
        search=values.get("q") or "",
        sort=sort,
    )
    page = Paginator(question_search(actor=user, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    partial = results_only(request, RESULTS_TARGET)
    context = {
        "form": form,
        "page": page,
        "sort": sort,
        "columns": sortable_columns(request, COLUMNS, sort),
        "filtered": any(values.get(name) for name in ("status", "theme", "received_from", "received_to", "q")),
        "member": request.active_member,
        "can_ask": user.has_perm("questions.ask_question"),
        "sees_all": user.has_perm("questions.view_member_questions"),
        "delay_days": questions_clock().delay_days,
        "partial": partial,
    }
    # The live filters swap only the results; a history restore needs the whole page.
    template = "questions/_history_results.html" if partial else "questions/history.html"
    response = render(request, template, context)
    # The same URL answers a fragment or a page: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


# Asking ----------------------------------------------------------------------------------------


def _asking_member(request):
    member = getattr(request, "active_member", None)
    if member is None or not request.user.has_perm("questions.ask_question", member):
        raise PermissionDenied
    return member


def _follow_up_initial(request) -> dict:
    """`?suite=<id>`: the subject quotes a question the person can see (nothing otherwise)."""
    question_id = request.GET.get("suite")
    if not question_id:
        return {}
    try:
        question = access_question(actor=request.user, question_id=question_id)
    except Http404:
        return {}
    initial = {"subject": _("Suite à la question %(number)s – ") % {"number": question.number}}
    if question.theme.is_active:
        initial["theme"] = question.theme_id
    return initial


def _ask_page(request, form, *, refusal: str | None = None, status: int = 200):
    context = {
        "form": form,
        "refusal": refusal,
        "member": request.active_member,
        "delay_days": questions_clock().delay_days,
    }
    return render(request, "questions/ask.html", context, status=status)


@csrf_exempt  # the CSRF check reads the body: `_ask` runs it once the size limit is in place
@login_required
def question_ask(request):
    """Ask a question for the active member: theme, subject, text, files, callback request."""
    member = _asking_member(request)
    if request.method == "POST":
        try:
            attachments_limit(request)
        except BodyTooLarge as refusal:
            return _ask_page(request, QuestionForm(themes=theme_choices()), refusal=refusal.message, status=413)
    return _ask(request, member)


@csrf_protect
def _ask(request, member):
    themes = list(theme_choices())
    if request.method != "POST":
        return _ask_page(request, QuestionForm(themes=themes, initial=_follow_up_initial(request)))
    form = QuestionForm(request.POST, request.FILES, themes=themes)
    attachments_refuse_cut(request, form)
    if form.is_valid():
        data = form.cleaned_data
        wants_callback = data["callback"]
        try:
            question = services.question_submit(
                actor=request.user,
                member=member,
                theme_id=data["theme"],
                sub_theme_id=data["sub_theme"],
                subject=data["subject"],
                body=data["body"],
                attachments=data["attachments"],
                callback_phone=data["callback_phone"] if wants_callback else "",
                callback_slot=data["callback_slot"] if wants_callback else "",
            )
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Votre question %(number)s a bien été envoyée. Réponse attendue au plus tard le %(date)s.")
                % {"number": question.number, "date": date_format(question.due_on, "DATE_FORMAT")},
            )
            return redirect("questions:detail", question_id=question.pk)
    # A browser never re-sends files: say so when some were chosen.
    refusal = _("Vos fichiers n'ont pas été conservés : joignez-les à nouveau.") if request.FILES else None
    return _ask_page(request, form, refusal=refusal)


@login_required
def sub_theme_options(request):
    """The <option>s of a theme's active sub-themes (the ask form refreshes its list with them)."""
    user = request.user
    if not (user.has_perm("questions.use_questions") or user.has_perm("questions.work_questions")):
        raise PermissionDenied
    theme_id = _number(request.GET.get("theme"))
    theme = theme_choices().filter(pk=theme_id).first() if theme_id else None
    sub_themes = theme.sub_themes.all() if theme else []
    return render(request, "questions/_sub_theme_options.html", {"sub_themes": sub_themes})


def _number(value) -> int | None:
    """A query string's id, or None for anything else (`theme=²` included)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


# A question ------------------------------------------------------------------------------------


def question_page(
    request, question, *, reply_form=None, refusal: str | None = None, staff_forms: dict | None = None, status=200
):
    """A question's page: its files, its exchange, the member's reply form while it is open, and
    the jurists' panel for staff (`staff_forms`: their forms sent back with errors)."""
    user = request.user
    can_ask = user.has_perm("questions.ask_question", question.member)
    can_reply = question.is_open and can_ask
    context = {
        "question": question,
        "exchange": question.messages.all(),
        "question_attachments": question.question_attachments,
        "can_reply": can_reply,
        "can_ask": can_ask,
        "reply_form": reply_form or (ReplyForm() if can_reply else None),
        "refusal": refusal,
        "waiting": question.status == QuestionStatus.WAITING,
        "staff_panel": False,
    }
    if user.has_perm("questions.work_questions"):
        context.update(staff_panel_context(request, question, forms=staff_forms))
    return render(request, "questions/detail.html", context, status=status)


@login_required
def question_detail(request, question_id: int):
    """A question, its files and its exchange; the reply form while it is open."""
    return question_page(request, access_question(actor=request.user, question_id=question_id, with_exchange=True))


@csrf_exempt  # the CSRF check reads the body: `_reply` runs it once the size limit is in place
@login_required
@require_POST
def question_reply(request, question_id: int):
    """The member completes an open question (and restarts the clock when awaited)."""
    question = access_question(actor=request.user, question_id=question_id, with_exchange=True)
    if not request.user.has_perm("questions.ask_question", question.member):
        raise PermissionDenied  # before a byte of the body is read
    try:
        attachments_limit(request)
    except BodyTooLarge as refusal:
        return question_page(request, question, refusal=refusal.message, status=413)
    return _reply(request, question)


@csrf_protect
def _reply(request, question):
    form = ReplyForm(request.POST, request.FILES)
    attachments_refuse_cut(request, form)
    if not form.is_valid():
        return question_page(request, question, reply_form=form)
    try:
        services.question_reply(
            actor=request.user,
            question=question,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["attachments"],
        )
    except Conflict as error:
        # The question moved meanwhile (treated by a jurist): show it as it is now.
        question = access_question(actor=request.user, question_id=question.pk, with_exchange=True)
        return question_page(request, question, reply_form=form, refusal=error.message, status=409)
    except DomainError as error:
        form_show_refusal(form, error)
        return question_page(request, question, reply_form=form)
    messages.success(
        request, _("Votre message a bien été ajouté à la question %(number)s.") % {"number": question.number}
    )
    return redirect("questions:detail", question_id=question.pk)


# Downloads -------------------------------------------------------------------------------------


@login_required
def question_pdf(request, question_id: int):
    """The question and its exchange as a PDF, for those who may see it."""
    return question_pdf_download(access_question(actor=request.user, question_id=question_id))


@login_required
def attachment_download(request, attachment_id: int):
    """A file of a question the person may see, under its original name."""
    attachment = access_attachment(actor=request.user, attachment_id=attachment_id)
    return file_download(attachment.file, filename=attachment.original_name, content_type=attachment.content_type)
