"""Reads of documents: lists filtered to what the actor may see, and `access_document`."""

from django.db.models import QuerySet
from django.http import Http404

from core.access.acting import active_membership_of
from core.access.rules import is_organisation_staff

from .models import Document


def _visible_member_id(actor):
    """The member whose documents a member user sees: their active member, with the right."""
    membership = active_membership_of(actor)
    if membership is None or not actor.has_perm("members.view_documents", membership.member):
        return None
    return membership.member_id


def document_list(*, actor, member=None) -> QuerySet[Document]:
    """Documents the actor may see (of `member` when given): every member's for staff, the
    active member's for a person holding `members.view_documents`, none otherwise."""
    documents = Document.objects.select_related("member", "uploaded_by")
    if is_organisation_staff(actor):
        return documents if member is None else documents.filter(member=member)
    member_id = _visible_member_id(actor)
    if member_id is None or (member is not None and member.pk != member_id):
        return documents.none()
    return documents.filter(member_id=member_id)


def access_document(*, actor, document_id) -> Document:
    """A document the actor may download; the same 404 for absent and not-theirs."""
    try:
        document = Document.objects.select_related("member").get(pk=int(document_id))
    except (Document.DoesNotExist, TypeError, ValueError) as exc:
        raise Http404 from exc
    if is_organisation_staff(actor) or document.member_id == _visible_member_id(actor):
        return document
    raise Http404
