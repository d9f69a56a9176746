"""Checks every uploaded file passes, whichever app keeps it: not empty, not too large, of an
allowed type found in its content and matching its name; and the name it is shown under."""

import posixpath
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import DomainError

from .sniffing import ALLOWED, FileType, file_type_sniff

UNSAFE_NAME_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
NAME_MAX = 255  # the `original_name` column of every model that keeps uploads


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file that passed the checks: the name it is shown under and its real type."""

    file: object
    name: str
    type: FileType


def size_label(max_size: int) -> str:
    """`10 Mo` for 10 MiB: how the limit reads in French messages."""
    megabytes = max_size / (1024 * 1024)
    return f"{megabytes:g} Mo" if megabytes >= 1 else f"{max_size // 1024} Ko"


def too_large_message(max_size: int) -> str:
    return _("Le fichier dépasse la taille maximale autorisée (%(size)s).") % {"size": size_label(max_size)}


def upload_refusal(message: str, *, field: str = "file") -> DomainError:
    return DomainError(message, errors={field: [message]})


def upload_display_name(name: str) -> str:
    """The uploaded name as shown and offered on download: no folders, no control characters."""
    name = posixpath.basename((name or "").replace("\\", "/"))
    name = UNSAFE_NAME_CHARACTERS.sub("", name).strip().lstrip(".")
    return name[-NAME_MAX:] or "document"


def upload_check(file, *, name: str, max_size: int, field: str = "file") -> FileType:
    """The allowed type of `file`, read from its content; a French `DomainError` on `field` when
    it is empty, larger than `max_size` bytes, of a refused type or disguised under another name."""
    size = file.size
    if not size:
        raise upload_refusal(_("Le fichier est vide."), field=field)
    if size > max_size:
        raise upload_refusal(too_large_message(max_size), field=field)
    file_type = file_type_sniff(file, name=name)
    if file_type is None:
        labels = ", ".join(allowed.label for allowed in ALLOWED)
        raise upload_refusal(
            _("Ce type de fichier n'est pas accepté. Types acceptés : %(types)s.") % {"types": labels},
            field=field,
        )
    extension = posixpath.splitext(name)[1].lower()
    if extension and extension not in file_type.accepted_extensions:
        raise upload_refusal(
            _("Le contenu du fichier (%(type)s) ne correspond pas à son extension « %(extension)s ».")
            % {"type": file_type.label, "extension": extension},
            field=field,
        )
    return file_type


def stored_name(name: str, file_type: FileType) -> str:
    """The display name, given the extension of its type when it had none (still `NAME_MAX` long
    at most, so that it fits its column)."""
    if posixpath.splitext(name)[1]:
        return name
    return name[: NAME_MAX - len(file_type.extension)] + file_type.extension


def upload_accept(file, *, max_size: int, field: str = "file") -> CheckedUpload:
    """`file` checked (see `upload_check`), with the name it will be shown under."""
    name = upload_display_name(getattr(file, "name", ""))
    file_type = upload_check(file, name=name, max_size=max_size, field=field)
    return CheckedUpload(file=file, name=stored_name(name, file_type), type=file_type)
