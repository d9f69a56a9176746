"""Template filters of the billing pages: money and rates in French, invoice states in words."""

from decimal import Decimal, InvalidOperation

from django import template

from ..contribution import euros as euros_text
from ..contribution import percent as percent_text
from ..selectors import InvoiceState, member_balance

register = template.Library()


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


@register.filter
def euros(value) -> str:
    """1234.5 → "1 234,50 €"; nothing (or not a number) → "—"."""
    number = _decimal(value)
    return "—" if number is None else euros_text(number)


@register.filter
def euros_abs(value) -> str:
    """The amount without its sign (a balance in the member's favour is said in words)."""
    number = _decimal(value)
    return "—" if number is None else euros_text(abs(number))


@register.filter
def rate(value) -> str:
    """20.00 → "20 %"."""
    number = _decimal(value)
    return "—" if number is None else percent_text(number)


@register.filter
def state_label(state: str) -> str:
    """An invoice's state (selectors.InvoiceState) in French."""
    return str(InvoiceState.LABELS.get(state, ""))


@register.simple_tag
def member_balance_of(member):
    """The member's balance (two queries); only for templates that already checked the right."""
    return member_balance(member=member)
