"""Writes on documents: adding a checked file for a member (and telling its people), deleting one."""

import posixpath
import re
import uuid

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core.audit.services import audit_record
from core.errors import DomainError
from core.members.models import Member
from core.notifications.services import notify

from .models import Document, DocumentCategory
from .sniffing import ALLOWED, file_type_sniff

MAX_SIZE = 10 * 1024 * 1024
MAX_SIZE_LABEL = "10 Mo"
UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")


def too_large_message() -> str:
    return _("Le fichier dépasse la taille maximale autorisée (%(size)s).") % {"size": MAX_SIZE_LABEL}


def _refuse(message: str) -> DomainError:
    return DomainError(message, errors={"file": [message]})


def _display_name(name: str) -> str:
    """The uploaded name as shown and offered on download: no folders, no control characters."""
    name = posixpath.basename((name or "").replace("\\", "/"))
    name = UNSAFE_NAME_CHARACTERS.sub("", name).strip().lstrip(".")
    return name[-255:] or "document"


def _checked_type(file, name: str):
    size = file.size
    if not size:
        raise _refuse(_("Le fichier est vide."))
    if size > MAX_SIZE:
        raise _refuse(too_large_message())
    file_type = file_type_sniff(file, name=name)
    if file_type is None:
        labels = ", ".join(allowed.label for allowed in ALLOWED)
        raise _refuse(_("Ce type de fichier n'est pas accepté. Types acceptés : %(types)s.") % {"types": labels})
    extension = posixpath.splitext(name)[1].lower()
    if extension and extension not in file_type.accepted_extensions:
        raise _refuse(
            _("Le contenu du fichier (%(type)s) ne correspond pas à son extension « %(extension)s ».")
            % {"type": file_type.label, "extension": extension}
        )
    return file_type


def document_add(*, actor, member: Member, file, title: str = "", category: str = DocumentCategory.GENERAL) -> Document:
    """Store `file` for `member` under a server-generated name, after checking its size and its
    type from its content; the member's recipients of "members.documents" are notified."""
    if category not in DocumentCategory.values:
        raise DomainError(_("Catégorie inconnue."), errors={"category": [_("Catégorie inconnue.")]})
    name = _display_name(getattr(file, "name", ""))
    file_type = _checked_type(file, name)
    if not posixpath.splitext(name)[1]:
        name = f"{name}{file_type.extension}"
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
