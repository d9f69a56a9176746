"""Import of members from a CSV or XLSX file: read and check every row without writing
(`import_parse` gives an `ImportPreview`), then write them all in one transaction (`import_apply`).

Rows are matched to existing members on their identifier (SIRET or member number): a known
identifier updates the member with the file's non-empty cells, an unknown one creates it. The
import never changes who acts for an existing member: `email_administrateur` only invites the
administrator of a member the file creates.
"""

from .checking import import_check, import_parse
from .columns import COLUMNS, Column, columns_for, identifier_column
from .preview import ImportPreview, ImportRefused, ImportResult, ImportRow, RowProblem
from .reading import MAX_FILE_BYTES, MAX_ROWS, import_read, too_large_message
from .writing import import_apply

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "Column",
    "ImportPreview",
    "ImportRefused",
    "ImportResult",
    "ImportRow",
    "RowProblem",
    "columns_for",
    "identifier_column",
    "import_apply",
    "import_check",
    "import_parse",
    "import_read",
    "too_large_message",
]
