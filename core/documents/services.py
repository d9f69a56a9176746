"""Writes on documents: adding a checked file for a member (and telling its people), deleting one."""

import posixpath

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.errors import DomainError
from core.members.models import Member
from core.notifications.services import notify

from . import checks
from .files import files_removed_on_failure, upload_store
from .models import Document, DocumentCategory

MAX_SIZE = 10 * 1024 * 1024


def document_add(*, actor, member: Member, file, title: str = "", category: str = DocumentCategory.GENERAL) -> Document:
    """Store `file` for `member` under a server-generated name, after checking its size and its
    type from its content; the member's recipients of "members.documents" are notified."""
    if category not in DocumentCategory.values:
        raise DomainError(_("Catégorie inconnue."), errors={"category": [_("Catégorie inconnue.")]})
    upload = checks.upload_accept(file, max_size=MAX_SIZE)
    title = (title or "").strip()[:200] or posixpath.splitext(upload.name)[0][:200]
    with files_removed_on_failure() as written, transaction.atomic():
        document = Document(member=member, title=title, category=category, uploaded_by=actor)
        upload_store(document, upload, written=written)
        document.save()
        audit_record(
            actor=actor,
            action="document.add",
            target=document,
            member=member,
            after={
                "title": title,
                "category": category,
                "original_name": document.original_name,
                "content_type": document.content_type,
                "size": document.size,
            },
        )
        notify(
            member=member,
            kind="members.documents",
            subject=_("Nouveau document : %(title)s") % {"title": title},
            template="documents/email/document_added.txt",
            context={"document": document},
            url=reverse("documents:list"),
        )
    return document


def document_delete(*, actor, document: Document) -> None:
    """Delete a document; its file goes once the deletion is committed."""
    storage, name = document.file.storage, document.file.name
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="document.delete",
            target=document,
            member=document.member_id,
            before={"title": document.title, "original_name": document.original_name},
        )
        document.delete()
        transaction.on_commit(lambda: storage.delete(name))
