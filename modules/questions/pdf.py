"""The print of a question and its whole exchange, with the organisation's branding (WeasyPrint).

WeasyPrint would fetch any URL a document names (images, style sheets, fonts), `file://` included.
Our fetcher refuses everything but `data:` URIs, so neither a jurist's link nor crafted CSS can
make the server call a URL or read a local file; the logo is embedded as a `data:` URI.
"""

import base64
import re
import zoneinfo

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from tenants.branding import LOGO_CONTENT_TYPES

from .models import QuestionStatus
from .selectors import question_with_exchange

TEMPLATE = "questions/pdf/question.html"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
DEFAULT_COLOUR = "#1f4e79"


class DataOnlyFetcher(URLFetcher):
    """A WeasyPrint fetcher that serves `data:` URIs and refuses every other URL."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=("data",), allow_redirects=False)

    def fetch(self, url, headers=None):
        # Checked here as well as by `allowed_protocols`: the refusal must not depend on how a
        # later WeasyPrint parses schemes.
        if not str(url).lower().startswith("data:"):
            raise ValueError("Only data: URIs are embedded in printed documents.")
        return super().fetch(url, headers)


def html_to_pdf(html: str) -> bytes:
    """PDF bytes of an HTML document that may embed `data:` URIs and nothing else."""
    return HTML(string=html, base_url=None, url_fetcher=DataOnlyFetcher()).write_pdf()


def _logo_data_uri(organisation) -> str:
    """The organisation's logo as a `data:` URI, or "" when it has none (or it cannot be read)."""
    logo = getattr(organisation, "logo", None)
    if not logo:
        return ""
    extension = logo.name.rsplit(".", 1)[-1].lower()
    content_type = LOGO_CONTENT_TYPES.get(extension)
    if content_type is None:
        return ""
    try:
        with logo.open("rb") as file:
            content = file.read()
    except OSError:
        # A missing logo file must not stop the print: the name still brands it.
        return ""
    return f"data:{content_type};base64,{base64.b64encode(content).decode('ascii')}"


def question_pdf_bytes(*, question_id: int) -> bytes:
    """Render the question and its exchange as a PDF in the organisation's colours."""
    question = question_with_exchange(question_id=question_id)
    organisation = getattr(connection, "tenant", None)
    colour = getattr(organisation, "primary_colour", "") or ""
    # Dates read the same whoever (or whichever worker) prints: French, Europe/Paris.
    with translation.override(settings.LANGUAGE_CODE), timezone.override(PARIS):
        context = {
            "question": question,
            "messages": list(question.messages.all()),
            "organisation_name": getattr(organisation, "name", "Adhera"),
            "identity_scheme": getattr(organisation, "identity_scheme", ""),
            "colour": colour if COLOUR.match(colour) else DEFAULT_COLOUR,
            "logo": _logo_data_uri(organisation),
            "waiting": question.status == QuestionStatus.WAITING,
            "printed_at": timezone.now(),
        }
        html = render_to_string(TEMPLATE, context)
    return html_to_pdf(html)
