"""The cotisation's arithmetic: brackets on one figure, a part per head, a fixed part, bounds, VAT.

Pure functions over `Terms` and a member's figures, so the working shown to staff before invoicing
is the very computation that prices the invoice. Every step is rounded to the cent (half up, as
French invoices are) and the total is the sum of the rounded steps, so the working adds up.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
NARROW_SPACE = "\u202f"  # French thousands separator
HUNDRED = Decimal("100")


def cents(amount: Decimal) -> Decimal:
    return Decimal(amount).quantize(CENT, rounding=ROUND_HALF_UP)


# Spaces people type or paste in numbers, including those French formatting puts in.
SPACES = (" ", "\u00a0", "\u202f")


def without_spaces(text: str) -> str:
    """ "1 250 000,50" → "1250000,50": a number or a SIRET as typed, its spaces of any kind removed."""
    for space in SPACES:
        text = text.replace(space, "")
    return text


def number_text(value) -> str:
    """A number as a French user types it ("1 250,5") in the form `Decimal()` reads ("1250.5")."""
    return without_spaces(str(value).strip()).replace(",", ".")


def euros(amount: Decimal) -> str:
    """1234.5 → "1 234,50 €" (French formatting for the working's labels)."""
    whole, _sep, decimals = f"{cents(amount):.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = []
    while digits:
        groups.insert(0, digits[-3:])
        digits = digits[:-3]
    return f"{sign}{NARROW_SPACE.join(groups) or '0'},{decimals} €"


def percent(rate: Decimal) -> str:
    text = f"{Decimal(rate).normalize():f}".replace(".", ",")
    return f"{text} %"


@dataclass(frozen=True)
class Bracket:
    floor: Decimal
    rate: Decimal  # percent


@dataclass(frozen=True)
class Terms:
    """A campaign's rule, detached from the database."""

    label: str
    rate_basis: str
    head_basis: str
    brackets: tuple[Bracket, ...] = ()
    per_head_amount: Decimal = Decimal("0")
    fixed_amount: Decimal = Decimal("0")
    minimum: Decimal = Decimal("0")
    maximum: Decimal | None = None
    vat_rate: Decimal = Decimal("20")

    @classmethod
    def of(cls, rule) -> "Terms":
        return cls(
            label=rule.label,
            rate_basis=rule.rate_basis,
            head_basis=rule.head_basis,
            brackets=tuple(Bracket(b.floor, b.rate) for b in rule.brackets.all()),
            per_head_amount=rule.per_head_amount,
            fixed_amount=rule.fixed_amount,
            minimum=rule.minimum,
            maximum=rule.maximum,
            vat_rate=rule.vat_rate,
        )

    @property
    def bases_needed(self) -> tuple[str, ...]:
        needed = []
        if self.brackets:
            needed.append(self.rate_basis)
        if self.per_head_amount:
            needed.append(self.head_basis)
        return tuple(needed)


@dataclass(frozen=True)
class Step:
    label: str
    amount: Decimal


@dataclass(frozen=True)
class Contribution:
    """The priced cotisation of one member and how it was reached."""

    net: Decimal
    vat: Decimal
    gross: Decimal
    vat_rate: Decimal
    steps: tuple[Step, ...] = field(default_factory=tuple)
    estimated: bool = False
    source: str = ""  # "Déclaration 2025" or "Estimation d'après la déclaration 2024"

    def working(self) -> list[dict]:
        """The steps as stored with the invoice (JSON)."""
        return [{"label": step.label, "amount": str(step.amount)} for step in self.steps]


class MissingFigure(Exception):
    """The rule needs a figure the member has not given; `label` names it in French."""

    def __init__(self, label: str):
        super().__init__(label)
        self.label = label


def _bracket_steps(terms: Terms, value: Decimal, basis_label: str) -> list[Step]:
    steps = []
    brackets = sorted(terms.brackets, key=lambda bracket: bracket.floor)
    for index, bracket in enumerate(brackets):
        ceiling = brackets[index + 1].floor if index + 1 < len(brackets) else None
        if value <= bracket.floor:
            break
        part = (min(value, ceiling) if ceiling is not None else value) - bracket.floor
        amount = cents(part * bracket.rate / HUNDRED)
        if ceiling is None:
            span = _("au-delà de %(floor)s") % {"floor": euros(bracket.floor)}
        else:
            span = _("de %(floor)s à %(ceiling)s") % {"floor": euros(bracket.floor), "ceiling": euros(ceiling)}
        steps.append(
            Step(
                _("%(basis)s %(span)s : %(part)s × %(rate)s")
                % {"basis": basis_label, "span": span, "part": euros(part), "rate": percent(bracket.rate)},
                amount,
            )
        )
    return steps


def contribution_compute(
    *, terms: Terms, figures: dict[str, Decimal | None], labels: dict[str, str], estimated=False, source=""
) -> Contribution:
    """Price the cotisation of a member with `figures` (basis key → value) under `terms`.

    Raises MissingFigure when the rule needs a figure that is absent or negative (a module's
    provider could give one; no company has a negative payroll or headcount)."""
    for key in terms.bases_needed:
        value = figures.get(key)
        if value is None or value < 0:
            raise MissingFigure(labels.get(key, key))
    steps: list[Step] = []
    if terms.brackets:
        steps += _bracket_steps(
            terms, Decimal(figures[terms.rate_basis]), labels.get(terms.rate_basis, terms.rate_basis)
        )
    if terms.per_head_amount:
        heads = Decimal(figures[terms.head_basis])
        steps.append(
            Step(
                _("%(basis)s : %(heads)s × %(amount)s")
                % {
                    "basis": labels.get(terms.head_basis, terms.head_basis),
                    "heads": f"{heads.normalize():f}".replace(".", ","),
                    "amount": euros(terms.per_head_amount),
                },
                cents(heads * terms.per_head_amount),
            )
        )
    if terms.fixed_amount:
        steps.append(Step(_("Part fixe"), cents(terms.fixed_amount)))
    computed = sum((step.amount for step in steps), Decimal("0.00"))
    net = computed
    if net < terms.minimum:
        net = cents(terms.minimum)
        steps.append(Step(_("Minimum de cotisation appliqué (%(amount)s)") % {"amount": euros(net)}, net - computed))
    elif terms.maximum is not None and net > terms.maximum:
        net = cents(terms.maximum)
        steps.append(Step(_("Plafond de cotisation appliqué (%(amount)s)") % {"amount": euros(net)}, net - computed))
    vat = cents(net * terms.vat_rate / HUNDRED)
    return Contribution(
        net=net,
        vat=vat,
        gross=net + vat,
        vat_rate=terms.vat_rate,
        steps=tuple(steps),
        estimated=estimated,
        source=source,
    )
