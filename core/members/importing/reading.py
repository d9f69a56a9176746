"""Reading a members file (CSV in UTF-8 with `;` or `,`, or XLSX) into rows of text, with limits."""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator

from django.utils.translation import gettext as _

from ..checks import plain_words
from .columns import HEADER_KEYS, columns_for, identifier_column
from .preview import ImportRefused

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_ROWS = 2000
# Lines read at most, blank ones included (a sheet can hold formatted but empty rows).
MAX_LINES = 10 * MAX_ROWS
# An XLSX is a zip: refuse one that would inflate beyond this (a "zip bomb").
MAX_XLSX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024

XLSX_SIGNATURE = b"PK\x03\x04"
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"


def _refuse_file(message: str) -> ImportRefused:
    return ImportRefused(message, errors={"file": [message]}, code="import_refused")


def too_large_message() -> str:
    """What a person reads when their file passes `MAX_FILE_BYTES`."""
    return _("Le fichier dépasse %(size)d Mo : découpez-le en plusieurs fichiers.") % {
        "size": MAX_FILE_BYTES // (1024 * 1024)
    }


def _cell_text(value) -> str:
    """A cell as text: integral floats lose their `.0`, dates become ISO dates."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


def _csv_records(content: bytes) -> Iterable[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _refuse_file(
            _("Le fichier n'est pas encodé en UTF-8 : dans Excel, enregistrez-le au format « CSV UTF-8 ».")
        ) from exc
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _xlsx_records(content: bytes) -> Iterator[list[str]]:
    """The first sheet's rows, read lazily: the caller stops as soon as the file is too long."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    unreadable = _("Ce fichier Excel est illisible : enregistrez-le à nouveau au format .xlsx.")
    # A broken part of the archive: malformed XML surfaces as a SyntaxError (ElementTree's ParseError).
    broken = (
        zipfile.BadZipFile,
        InvalidFileException,
        IndexError,
        KeyError,
        ValueError,
        TypeError,
        OSError,
        SyntaxError,
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            if sum(info.file_size for info in archive.infolist()) > MAX_XLSX_UNCOMPRESSED_BYTES:
                raise _refuse_file(_("Ce fichier Excel est trop volumineux une fois décompressé."))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except broken as exc:
        raise _refuse_file(unreadable) from exc
    try:
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            yield [_cell_text(value) for value in values]
    except broken as exc:
        raise _refuse_file(unreadable) from exc
    finally:
        workbook.close()


def _header_key(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", plain_words(title)).strip("_")


def import_read(*, content: bytes, organisation=None) -> list[tuple[int, dict[str, str]]]:
    """The file's rows as `(line number, {column: text})`, blank rows skipped; a refusal names
    what is wrong with the file as a whole (size, format, columns, number of rows)."""
    if len(content) > MAX_FILE_BYTES:
        raise _refuse_file(too_large_message())
    if content.startswith(XLS_SIGNATURE):
        raise _refuse_file(_("Le format .xls n'est pas pris en charge : enregistrez le fichier en .xlsx ou en CSV."))
    # The type comes from the content, never from the file's name.
    records = iter(_xlsx_records(content) if content.startswith(XLSX_SIGNATURE) else _csv_records(content))
    try:
        return _rows_of(records, organisation)
    finally:
        if hasattr(records, "close"):  # an XLSX generator: close the workbook now
            records.close()


def _too_long() -> ImportRefused:
    return _refuse_file(
        _("Le fichier compte plus de %(max)d adhérents : découpez-le en plusieurs fichiers.") % {"max": MAX_ROWS}
    )


def _rows_of(records: Iterator[list], organisation) -> list[tuple[int, dict[str, str]]]:
    try:
        header = next(records)
    except (StopIteration, csv.Error) as exc:
        raise _refuse_file(_("Le fichier est vide.")) from exc
    keys = _columns_check([_cell_text(title) for title in header], organisation)
    rows = []
    try:
        for line, record in enumerate(records, start=2):
            if line > MAX_LINES:
                raise _refuse_file(
                    _("Le fichier dépasse %(max)d lignes : supprimez les lignes vides ou découpez-le.")
                    % {"max": MAX_LINES}
                )
            values = {key: _cell_text(value) for key, value in zip(keys, record, strict=False) if key}
            if not any(values.values()):
                continue
            if len(rows) == MAX_ROWS:
                raise _too_long()
            rows.append((line, values))
    except csv.Error as exc:
        raise _refuse_file(_("Le fichier CSV est mal formé : %(error)s.") % {"error": exc}) from exc
    if not rows:
        raise _refuse_file(_("Le fichier ne contient aucun adhérent sous la ligne d'en-tête."))
    return rows


def _columns_check(titles: list[str], organisation) -> list[str | None]:
    """The column key of each header cell; unknown, missing or repeated columns refuse the file."""
    allowed = {column.key for column in columns_for(organisation)}
    keys, problems = [], []
    for title in titles:
        if not title:
            keys.append(None)
            continue
        key = HEADER_KEYS.get(_header_key(title))
        if key not in allowed:
            problems.append(_("colonne inconnue « %(title)s »") % {"title": title})
        elif key in keys:
            problems.append(_("colonne « %(title)s » en double") % {"title": title})
        keys.append(key)
    for required in ("raison_sociale", identifier_column(organisation)):
        if required not in keys:
            problems.append(_("colonne « %(key)s » manquante") % {"key": required})
    if problems:
        raise _refuse_file(
            _("En-tête du fichier à corriger : %(problems)s. Les colonnes attendues sont listées sur cette page.")
            % {"problems": ", ".join(problems)}
        )
    return keys
