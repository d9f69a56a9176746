"""The print of a question and its whole exchange, with the organisation's branding (WeasyPrint).

Printing goes through `core.documents.printing`, which fetches nothing but `data:` URIs.
"""

from django.conf import settings
from django.db import connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from core.documents.printing import PARIS, brand_colour, html_to_pdf, logo_data_uri

from .models import QuestionStatus
from .selectors import question_with_exchange

TEMPLATE = "questions/pdf/question.html"


def question_pdf_bytes(*, question_id: int) -> bytes:
    """Render the question and its exchange as a PDF in the organisation's colours."""
    question = question_with_exchange(question_id=question_id)
    organisation = getattr(connection, "tenant", None)
    # Dates read the same whoever (or whichever worker) prints: French, Europe/Paris.
    with translation.override(settings.LANGUAGE_CODE), timezone.override(PARIS):
        context = {
            "question": question,
            "messages": list(question.messages.all()),
            "organisation_name": getattr(organisation, "name", "Adhera"),
            "identity_scheme": getattr(organisation, "identity_scheme", ""),
            "colour": brand_colour(organisation),
            "logo": logo_data_uri(organisation),
            "waiting": question.status == QuestionStatus.WAITING,
            "printed_at": timezone.now(),
        }
        html = render_to_string(TEMPLATE, context)
    return html_to_pdf(html)
