"""What an uploaded file really is, from its first bytes (never from its name or declared type).

Only the types of `ALLOWED` are recognised; anything else (HTML, SVG, scripts, executables, other
archives) is None. Office files are zip archives: their `[Content_Types].xml` says which kind.
"""

import re
import zipfile
from dataclasses import dataclass

# Control characters other than tab, line feed, form feed and carriage return: not text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
MARKUP_SIGNS = ("<!doctype", "<html", "<script", "<svg", "<?xml", "<body", "<head", "<iframe", "<object")
# Beyond this, [Content_Types].xml is not an Office file's (it is a few kilobytes): do not inflate it.
CONTENT_TYPES_MAX = 1_000_000


@dataclass(frozen=True)
class FileType:
    content_type: str
    extension: str  # of the stored file
    accepted_extensions: tuple[str, ...]  # of the uploaded name
    label: str


PDF = FileType("application/pdf", ".pdf", (".pdf",), "PDF")
PNG = FileType("image/png", ".png", (".png",), "PNG")
JPEG = FileType("image/jpeg", ".jpg", (".jpg", ".jpeg"), "JPEG")
XLSX = FileType("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx", (".xlsx",), "XLSX")
DOCX = FileType("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx", (".docx",), "DOCX")
CSV = FileType("text/csv", ".csv", (".csv",), "CSV")
TXT = FileType("text/plain", ".txt", (".txt",), "TXT")
ALLOWED = (PDF, PNG, JPEG, XLSX, DOCX, CSV, TXT)

_OFFICE_MAIN_PARTS = {
    XLSX: ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xl/workbook.xml"),
    DOCX: ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "word/document.xml"),
}


def _office_type(file) -> FileType | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > CONTENT_TYPES_MAX:
                return None
            content_types = archive.read(info).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, ValueError, EOFError, NotImplementedError):
        return None
    for file_type, (main_part, main_name) in _OFFICE_MAIN_PARTS.items():
        if main_part in content_types and main_name in names:
            return file_type
    return None


def _decoded_text(file) -> str | None:
    """The file as text (UTF-8, or Windows-1252 as French spreadsheets export it), or None."""
    data = file.read()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _text_type(file, name: str) -> FileType | None:
    text = _decoded_text(file)
    if text is None or CONTROL_CHARACTERS.search(text):
        return None
    lowered = text.lstrip().lower()
    # Markup would be rendered by a browser that ignores our headers: never accept it as text.
    if lowered.startswith("<") or any(sign in lowered for sign in MARKUP_SIGNS):
        return None
    return CSV if name.lower().endswith(".csv") else TXT


def file_type_sniff(file, *, name: str = "") -> FileType | None:
    """The allowed type of `file` (a binary file object, read from the start), or None.

    `name` only tells CSV from plain text, which no content can; the file is rewound afterwards.
    """
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            return _office_type(file)
        if not head:
            return None
        return _text_type(file, name)
    finally:
        file.seek(0)
