"""Pages of documents: the list, staff uploads for a member, download as an attachment."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from core.access.rules import is_organisation_staff
from core.access.selectors import access_member
from core.errors import DomainError
from core.web.forms import form_show_refusal
from core.web.redirects import same_site_url

from . import services
from .forms import DocumentForm
from .selectors import access_document, document_list
from .uploads import BodyTooLarge, file_download, form_refuse_cut_upload, upload_limit

PAGE_SIZE = 25


@login_required
def document_list_page(request):
    if not request.user.has_perm("members.view_documents"):  # staff, or the active member's right
        raise PermissionDenied
    documents = document_list(actor=request.user)
    page = Paginator(documents, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/list.html",
        {"page": page, "staff": is_organisation_staff(request.user), "member": request.active_member},
    )


def _back_to(request, member) -> str:
    return same_site_url(request, request.POST.get("next"), reverse("members:detail", kwargs={"member_id": member.pk}))


@csrf_exempt  # the CSRF check reads the body: `_upload` runs it once the size limit is in place
@login_required
def document_upload(request, member_id: int):
    member = access_member(actor=request.user, member_id=member_id, perm="documents.add_document")
    if request.method == "POST":
        try:
            upload_limit(request, max_size=services.MAX_SIZE)
        except BodyTooLarge as refusal:
            context = {"form": DocumentForm(), "member": member, "refusal": refusal.message}
            return render(request, "documents/upload.html", context, status=413)
    return _upload(request, member)


@csrf_protect
def _upload(request, member):
    form = DocumentForm(request.POST, request.FILES) if request.method == "POST" else DocumentForm()
    form_refuse_cut_upload(request, form, field="file", max_size=services.MAX_SIZE)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_add(
                actor=request.user,
                member=member,
                file=form.cleaned_data["file"],
                title=form.cleaned_data["title"],
                category=form.cleaned_data["category"],
            )
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("Document ajouté."))
            return redirect(_back_to(request, member))
    return render(
        request, "documents/upload.html", {"form": form, "member": member, "next": request.POST.get("next", "")}
    )


@login_required
def document_download(request, document_id: int):
    document = access_document(actor=request.user, document_id=document_id)
    return file_download(document.file, filename=document.original_name, content_type=document.content_type)


@login_required
@require_POST
def document_delete(request, document_id: int):
    document = access_document(actor=request.user, document_id=document_id)
    if not request.user.has_perm("documents.delete_document"):
        raise Http404
    member = document.member
    services.document_delete(actor=request.user, document=document)
    messages.success(request, _("Document supprimé."))
    return redirect(_back_to(request, member))
