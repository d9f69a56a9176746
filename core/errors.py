"""The one domain error that services raise, carrying French messages for the user."""


class DomainError(Exception):
    """A refused change. `errors` maps field names (or "__all__") to French messages."""

    status = 400
    code = "invalid"

    def __init__(self, message: str, *, errors: dict[str, list[str]] | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if code:
            self.code = code


class Conflict(DomainError):
    """The change clashes with the current state (e.g. a transition not allowed from it)."""

    status = 409
    code = "conflict"


class Unavailable(DomainError):
    """A service we depend on (a payment provider...) cannot be reached now: try again later."""

    status = 503
    code = "unavailable"
