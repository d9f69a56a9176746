"""Writes on documents: adding a checked file for a member (and telling its people), deleting one."""

import posixpath
import uuid

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.errors import DomainError
from core.members.models import Member
from core.notifications.services import notify

from . import checks
from .models import Document, DocumentCategory

MAX_SIZE = 10 * 1024 * 1024


def too_large_message() -> str:
    return checks.too_large_message(MAX_SIZE)


def document_add(*, actor, member: Member, file, title: str = "", category: str = DocumentCategory.GENERAL) -> Document:
    """Store `file` for `member` under a server-generated name, after checking its size and its
    type from its content; the member's recipients of "members.documents" are notified."""
    if category not in DocumentCategory.values:
        raise DomainError(_("Catégorie inconnue."), errors={"category": [_("Catégorie inconnue.")]})
    name = checks.upload_display_name(getattr(file, "name", ""))
    file_type = checks.upload_check(file, name=name, max_size=MAX_SIZE)
    name = checks.stored_name(name, file_type)
    title = (title or "").strip()[:200] or posixpath.splitext(name)[0][:200]
    with transaction.atomic():
        document = Document(
            member=member,
            title=title,
            category=category,
            original_name=name,
            content_type=file_type.content_type,
            size=file.size,
            uploaded_by=actor,
        )
        document.file.save(f"{uuid.uuid4().hex}{file_type.extension}", file, save=False)
        try:
            document.save()
            audit_record(
                actor=actor,
                action="document.add",
                target=document,
                member=member,
                after={
                    "title": title,
                    "category": category,
                    "original_name": name,
                    "content_type": file_type.content_type,
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
        except BaseException:
            # The row was not written: do not keep its file.
            document.file.storage.delete(document.file.name)
            raise
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
