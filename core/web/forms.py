"""Show a service's refusal on the form that asked for the change."""

from core.errors import DomainError


def form_show_refusal(form, error: DomainError, *, summary: bool = False) -> None:
    """Put each message beside its field (or above the form for unknown fields); the refusal's own
    message goes above the form when asked for, or when no field message says anything."""
    if summary:
        form.add_error(None, error.message)
    placed = False
    for field, messages in error.errors.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
            placed = True
    if not summary and not placed:
        form.add_error(None, error.message)
