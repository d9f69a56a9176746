"""Files in and out of the questions' pages and API: the organisation's limits on what a request
may carry, and the printed question as a download."""

from django.http import FileResponse

from core.documents.uploads import file_download, form_refuse_cut_upload, upload_limit

from .. import services
from ..policy import attachment_limits


def attachments_limit(request) -> None:
    """Before anything reads the body: the organisation's limits on files (see `upload_limit`)."""
    limits = attachment_limits()
    upload_limit(request, max_size=limits.max_size, max_count=limits.max_count, field="attachments")


def attachments_refuse_cut(request, form) -> None:
    """The refusal of a file the size limit dropped, on the form's files (the form is then invalid)."""
    form_refuse_cut_upload(request, form, field="attachments", max_size=attachment_limits().max_size)


def question_pdf_download(question) -> FileResponse:
    """The question and its exchange printed (once per revision), as a download."""
    question = services.question_pdf_ensure(question=question)
    return file_download(question.pdf, filename=f"question-{question.number}.pdf", content_type="application/pdf")
