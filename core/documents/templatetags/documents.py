"""`{% member_documents member as documents %}`: a member's documents the viewer may see."""

from django import template

from core.documents.forms import DocumentForm
from core.documents.selectors import document_list

register = template.Library()

RECORD_PAGE_LIMIT = 50


@register.simple_tag(takes_context=True)
def member_documents(context, member):
    """The newest documents of `member` visible to the request's user (one query)."""
    request = context.get("request")
    if request is None or member is None:
        return []
    return list(document_list(actor=request.user, member=member)[:RECORD_PAGE_LIMIT])


@register.simple_tag
def document_upload_form():
    """A blank upload form whose ids cannot clash with the other forms of the record page."""
    return DocumentForm(auto_id="document_%s")
