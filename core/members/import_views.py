"""Pages of the members import: upload a file and see its preview, then confirm to write it.

Between the two steps the file's rows (as text, already read) and what the preview showed for
them wait in the person's session, which lives server-side in the organisation's schema, under a
random id that the confirm form sends back: an old tab or another preview cannot confirm rows it
did not show. Confirming checks the rows again against the current members and writes them all in
one transaction only if they would still do what the preview showed.
"""

import secrets
from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.documents.uploads import SizeLimitUploadHandler
from core.web.forms import form_show_refusal

from .forms import MemberImportForm
from .importing import (
    MAX_FILE_BYTES,
    MAX_ROWS,
    ImportPreview,
    ImportRefused,
    ImportRow,
    columns_for,
    import_apply,
    import_check,
    import_parse,
    too_large_message,
)

SESSION_KEY = "members_import"
PREVIEW_ROWS_SHOWN = 200
# Room for the CSRF token and the multipart boundaries around a file at the limit.
FORM_OVERHEAD = 64 * 1024


def _require_staff(request) -> None:
    if not request.user.has_perm("members.manage_members"):
        raise PermissionDenied


def _accept_url_template(request) -> str:
    return request.build_absolute_uri(reverse("access:accept", args=["TOKEN"])).replace("TOKEN", "{token}")


def _upload_page(request, form, status=200):
    context = {
        "form": form,
        "columns": columns_for(),
        "max_rows": MAX_ROWS,
        "max_megabytes": MAX_FILE_BYTES // (1024 * 1024),
    }
    return render(request, "members/import.html", context, status=status)


def _preview_page(request, preview: ImportPreview, *, import_id: str | None, refusal=None, status=200):
    context = {
        "preview": preview,
        "import_id": import_id,
        "refusal": refusal,
        "rows_shown": preview.rows[:PREVIEW_ROWS_SHOWN],
        "rows_hidden": max(0, len(preview.rows) - PREVIEW_ROWS_SHOWN),
    }
    return render(request, "members/import_preview.html", context, status=status)


def _too_large_form() -> MemberImportForm:
    form = MemberImportForm(data={}, files={})
    form.is_valid()
    form.errors.pop("file", None)
    form.add_error("file", too_large_message())
    return form


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_exempt  # the CSRF check runs in `_member_import_check`, once the upload handler is in place
@login_required
def member_import_page(request):
    """Step 1: read and check the file, write nothing, show what would happen."""
    _require_staff(request)
    if request.method == "POST":
        if _declared_length(request) > MAX_FILE_BYTES + FORM_OVERHEAD:  # refused before reading the body
            return _upload_page(request, _too_large_form(), status=413)
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request, limit=MAX_FILE_BYTES))
    return _member_import_check(request)


@csrf_protect
def _member_import_check(request):
    form = MemberImportForm(request.POST or None, request.FILES or None)
    if request.method != "POST":
        return _upload_page(request, form)
    if getattr(request, "upload_too_large", False):
        return _upload_page(request, _too_large_form(), status=400)
    if not form.is_valid():
        return _upload_page(request, form, status=400)
    try:
        preview = import_parse(content=form.cleaned_data["file"].read())
    except ImportRefused as error:
        form_show_refusal(form, error)
        return _upload_page(request, form, status=400)
    import_id = None
    request.session.pop(SESSION_KEY, None)
    if preview.can_apply:
        import_id = secrets.token_urlsafe(16)
        request.session[SESSION_KEY] = {
            "id": import_id,
            "raw_rows": preview.raw_rows,
            "rows": [asdict(row) for row in preview.rows],
        }
    return _preview_page(request, preview, import_id=import_id)


@login_required
@require_POST
def member_import_confirm(request):
    """Step 2: write every checked row in one transaction, or nothing."""
    _require_staff(request)
    stored = request.session.get(SESSION_KEY)
    if not stored or not secrets.compare_digest(stored["id"], request.POST.get("import_id", "")):
        messages.error(request, _("Cet import n'est plus disponible : déposez à nouveau le fichier."))
        return redirect("members:import")
    preview = ImportPreview(
        raw_rows=[(line, values) for line, values in stored["raw_rows"]],
        rows=[ImportRow(**row) for row in stored["rows"]],
    )
    try:
        result = import_apply(actor=request.user, preview=preview, accept_url_template=_accept_url_template(request))
    except ImportRefused as error:
        # The members changed since the preview: show the rows as they now stand.
        del request.session[SESSION_KEY]
        return _preview_page(
            request, import_check(raw_rows=preview.raw_rows), import_id=None, refusal=error, status=400
        )
    del request.session[SESSION_KEY]
    messages.success(
        request,
        _(
            "Import terminé : %(created)d adhérent(s) créé(s), %(updated)d mis à jour, "
            "%(invited)d invitation(s) envoyée(s)."
        )
        % {"created": result.created, "updated": result.updated, "invited": result.invited},
    )
    return redirect("members:list")
