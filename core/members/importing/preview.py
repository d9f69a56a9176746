"""What an import would do (`ImportPreview`) and what it did (`ImportResult`)."""

from dataclasses import dataclass, field

from core.errors import DomainError


@dataclass
class ImportRow:
    """A checked row, ready to write."""

    line: int
    action: str  # "create" or "update"
    name: str
    identifier: str
    member_id: int | None
    fields: dict  # keyword arguments of member_create / member_update
    address: dict | None  # keyword arguments of address_set (head office), if the row has one
    admin_email: str = ""
    admin_name: str = ""


@dataclass
class RowProblem:
    line: int
    messages: list[str]

    @property
    def message(self) -> str:
        return " ".join(self.messages)


@dataclass
class ImportPreview:
    """What writing the file would do; `raw_rows` is kept to check again right before writing."""

    raw_rows: list[tuple[int, dict[str, str]]]
    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowProblem] = field(default_factory=list)
    notes: list[RowProblem] = field(default_factory=list)

    @property
    def to_create(self) -> int:
        return sum(row.action == "create" for row in self.rows)

    @property
    def to_update(self) -> int:
        return sum(row.action == "update" for row in self.rows)

    @property
    def can_apply(self) -> bool:
        return bool(self.rows) and not self.errors


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    invited: int


class ImportRefused(DomainError):
    """The file cannot be imported as it is; nothing was written."""
