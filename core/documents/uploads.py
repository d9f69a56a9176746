"""Uploaded files over HTTP: a body refused from its declared length before a byte is read, a file
dropped as soon as it passes the size limit, and stored files served back as safe downloads.

A view that takes files calls `upload_limit` before anything reads the body. Django's CSRF check
reads it, so such a page is `csrf_exempt` and checks CSRF itself (`csrf_protect`) once the limit
is in place; the API does the same in its view's `initial`.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import DomainError

from .checks import size_label, too_large_message

# Room for the text fields (a message of 20,000 characters, escaped) and the multipart boundaries.
FORM_OVERHEAD = 256 * 1024


class SizeLimitUploadHandler(FileUploadHandler):
    """Put first in `request.upload_handlers`: past `limit` bytes the file is dropped (the rest of
    the body is read and discarded, never buffered) and `request.upload_too_large` is set."""

    def __init__(self, request, *, limit: int):
        super().__init__(request)
        self.limit = limit

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self.limit:
            self.request.upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


class BodyTooLarge(DomainError):
    """A body longer than its files and fields may weigh, refused before it is read."""

    status = 413
    code = "too_large"


def _declared_length(request) -> int:
    # Django reads a missing or malformed length as 0 and then reads no body: nothing to refuse.
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _body_too_large_message(*, max_size: int, max_count: int) -> str:
    if not max_count:
        return _("La requête est trop volumineuse.")
    return ngettext(
        "L'envoi dépasse la taille autorisée : %(count)d fichier de %(size)s au plus.",
        "L'envoi dépasse la taille autorisée : %(count)d fichiers de %(size)s au plus.",
        max_count,
    ) % {"count": max_count, "size": size_label(max_size)}


def upload_limit(request, *, max_size: int, max_count: int = 1, field: str = "file") -> None:
    """Before anything reads the body: raise `BodyTooLarge` when its declared length passes what
    `max_count` files of `max_size` and the fields around them may weigh; otherwise put the handler
    that drops a file past `max_size` (see `upload_cut_short`). `max_count=0`: no file expected."""
    if _declared_length(request) > max_count * max_size + FORM_OVERHEAD:
        message = _body_too_large_message(max_size=max_size, max_count=max_count)
        raise BodyTooLarge(message, errors={field: [message]} if max_count else {})
    if max_count:
        request.upload_handlers.insert(0, SizeLimitUploadHandler(request, limit=max_size))


def upload_cut_short(request) -> bool:
    """Whether the size limit dropped a file of this request's body."""
    return getattr(request, "upload_too_large", False)


def form_refuse_cut_upload(request, form, *, field: str, max_size: int) -> None:
    """When the size limit dropped a file, say so on `form`'s `field` (instead of what the missing
    file made it say), which makes the form invalid; its other fields keep their own errors."""
    if upload_cut_short(request):
        form.is_valid()
        form.errors.pop(field, None)
        form.add_error(field, too_large_message(max_size))


def file_download(stored, *, filename: str, content_type: str) -> FileResponse:
    """A stored file as a download: an attachment under `filename`, never sniffed into another type
    nor kept by a shared cache; 404 when the file is missing."""
    try:
        handle = stored.open("rb")
    except (FileNotFoundError, ValueError) as exc:  # ValueError: the field holds no file at all
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
