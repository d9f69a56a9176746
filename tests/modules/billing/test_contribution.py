"""The cotisation's arithmetic, without the database: brackets, per head, fixed part, bounds, VAT,
rounding to the cent at each step, the working adding up, and the French formatting of amounts."""

from decimal import Decimal

import pytest

from modules.billing.contribution import (
    Bracket,
    MissingFigure,
    Terms,
    contribution_compute,
    euros,
    percent,
)

D = Decimal
NNBSP = "\u202f"  # the narrow no-break space French puts between thousands
LABELS = {
    "payroll": "Masse salariale (N-2)",
    "headcount": "Nombre de salariés (N-2)",
    "fte": "Nombre de salariés ETP (N-2)",
    "contracts": "Nombre de contrats (N-2)",
}


def terms(**options) -> Terms:
    values = dict(label="Cotisation", rate_basis="payroll", head_basis="headcount", vat_rate=D("0"))
    values.update(options)
    return Terms(**values)


def price(rule: Terms, **figures):
    return contribution_compute(
        terms=rule, figures={key: None if value is None else D(value) for key, value in figures.items()}, labels=LABELS
    )


def amounts(contribution) -> list[Decimal]:
    return [step.amount for step in contribution.steps]


# 1 % up to 1 000 €, 2 % from 1 000 € to 5 000 €, 3 % beyond.
THREE_BRACKETS = (Bracket(D("0"), D("1")), Bracket(D("1000"), D("2")), Bracket(D("5000"), D("3")))


@pytest.mark.parametrize(
    "payroll, steps",
    [
        ("0", []),
        ("500", ["5.00"]),  # inside the first bracket
        ("1000", ["10.00"]),  # exactly at the second floor: nothing at 2 % yet
        ("1000.01", ["10.00", "0.00"]),  # one cent into the second bracket (0.0002 €, rounded)
        ("1500", ["10.00", "10.00"]),
        ("5000", ["10.00", "80.00"]),  # at the third floor
        ("6000", ["10.00", "80.00", "30.00"]),  # above it: every bracket is marginal, not the top rate on all
    ],
)
def test_brackets_are_marginal(payroll, steps):
    contribution = price(terms(brackets=THREE_BRACKETS), payroll=payroll)
    assert amounts(contribution) == [D(step) for step in steps]
    assert contribution.net == sum((D(step) for step in steps), D("0.00"))


def test_brackets_given_in_any_order_are_applied_by_floor():
    shuffled = (THREE_BRACKETS[2], THREE_BRACKETS[0], THREE_BRACKETS[1])
    assert price(terms(brackets=shuffled), payroll="6000").net == D("120.00")


def test_the_working_names_each_bracket_with_its_span_and_rate():
    contribution = price(terms(brackets=THREE_BRACKETS), payroll="6000")
    labels = [step.label for step in contribution.steps]
    assert labels == [
        f"Masse salariale (N-2) de 0,00 € à 1{NNBSP}000,00 € : 1{NNBSP}000,00 € × 1 %",
        f"Masse salariale (N-2) de 1{NNBSP}000,00 € à 5{NNBSP}000,00 € : 4{NNBSP}000,00 € × 2 %",
        f"Masse salariale (N-2) au-delà de 5{NNBSP}000,00 € : 1{NNBSP}000,00 € × 3 %",
    ]


def test_per_head_amount_multiplies_the_head_basis():
    contribution = price(terms(per_head_amount=D("15.50")), headcount="3")
    (step,) = contribution.steps
    assert step.amount == D("46.50")
    assert step.label == "Nombre de salariés (N-2) : 3 × 15,50 €"


def test_per_head_on_full_time_equivalents_keeps_the_decimals_in_the_label():
    contribution = price(terms(head_basis="fte", per_head_amount=D("10")), fte="2.5")
    (step,) = contribution.steps
    assert step.amount == D("25.00") and step.label == "Nombre de salariés ETP (N-2) : 2,5 × 10,00 €"


def test_fixed_part_alone_needs_no_figure():
    contribution = price(terms(fixed_amount=D("100")))
    assert [(step.label, step.amount) for step in contribution.steps] == [("Part fixe", D("100.00"))]
    assert contribution.net == D("100.00")


def test_all_parts_add_up():
    rule = terms(brackets=THREE_BRACKETS, per_head_amount=D("15"), fixed_amount=D("100"))
    contribution = price(rule, payroll="6000", headcount="4")
    assert amounts(contribution) == [D("10.00"), D("80.00"), D("30.00"), D("60.00"), D("100.00")]
    assert contribution.net == D("280.00")


def test_minimum_raises_the_cotisation_and_says_so():
    rule = terms(fixed_amount=D("50"), minimum=D("300"), maximum=D("1000"))
    contribution = price(rule)
    assert contribution.net == D("300.00")
    assert contribution.steps[-1].label == "Minimum de cotisation appliqué (300,00 €)"
    assert contribution.steps[-1].amount == D("250.00")


def test_maximum_caps_the_cotisation_and_says_so():
    rule = terms(brackets=THREE_BRACKETS, minimum=D("10"), maximum=D("100"))
    contribution = price(rule, payroll="6000")  # 120 € computed
    assert contribution.net == D("100.00")
    assert contribution.steps[-1].label == "Plafond de cotisation appliqué (100,00 €)"
    assert contribution.steps[-1].amount == D("-20.00")


def test_within_bounds_no_bound_step_is_added():
    rule = terms(fixed_amount=D("500"), minimum=D("300"), maximum=D("1000"))
    contribution = price(rule)
    assert contribution.net == D("500.00") and len(contribution.steps) == 1


def test_bounds_are_inclusive():
    at_minimum = price(terms(fixed_amount=D("300"), minimum=D("300"), maximum=D("1000")))
    at_maximum = price(terms(fixed_amount=D("1000"), minimum=D("300"), maximum=D("1000")))
    assert len(at_minimum.steps) == len(at_maximum.steps) == 1


def test_vat_is_added_on_the_net():
    contribution = price(terms(fixed_amount=D("5030"), vat_rate=D("20")))
    assert (contribution.net, contribution.vat, contribution.gross) == (D("5030.00"), D("1006.00"), D("6036.00"))
    assert contribution.vat_rate == D("20")


def test_no_vat_when_the_rate_is_zero():
    contribution = price(terms(fixed_amount=D("123.45"), vat_rate=D("0")))
    assert contribution.vat == D("0.00") and contribution.gross == D("123.45")


# Rounding: half up to the cent at each step. Decimal's default (half even) would give 0.00 € for
# 0.005 € and 0.02 € for 0.025 €.
@pytest.mark.parametrize(
    "payroll, expected",
    [
        ("1", "0.01"),  # 0.005 €
        ("5", "0.03"),  # 0.025 €
        ("3", "0.02"),  # 0.015 €
        ("0.5", "0.00"),  # 0.0025 €
        ("2.9", "0.01"),  # 0.0145 €: rounded once, not 0.0145 → 0.015 → 0.02
    ],
)
def test_bracket_amounts_round_half_up_to_the_cent(payroll, expected):
    contribution = price(terms(brackets=(Bracket(D("0"), D("0.5")),)), payroll=payroll)
    assert contribution.net == D(expected)


def test_each_bracket_is_rounded_before_adding():
    # Two brackets of 0.005 € each: 0.01 + 0.01, where rounding the sum would give 0.01.
    rule = terms(brackets=(Bracket(D("0"), D("0.5")), Bracket(D("1"), D("0.5"))))
    contribution = price(rule, payroll="2")
    assert amounts(contribution) == [D("0.01"), D("0.01")]
    assert contribution.net == D("0.02")


def test_per_head_amount_rounds_half_up():
    contribution = price(terms(head_basis="fte", per_head_amount=D("0.33")), fte="2.5")  # 0.825 €
    assert contribution.net == D("0.83")


@pytest.mark.parametrize(
    "net, rate, vat",
    [
        ("0.10", "5", "0.01"),  # 0.005
        ("0.30", "5", "0.02"),  # 0.015
        ("0.50", "5", "0.03"),  # 0.025
        ("2.45", "5.5", "0.13"),  # 0.13475
        ("10.05", "20", "2.01"),
        ("99.99", "2.1", "2.10"),  # 2.09979
        ("1234.56", "8.5", "104.94"),  # 104.9376
    ],
)
def test_vat_rounds_half_up_to_the_cent(net, rate, vat):
    contribution = price(terms(fixed_amount=D(net), vat_rate=D(rate)))
    assert contribution.vat == D(vat)
    assert contribution.gross == D(net) + D(vat)


def test_minimum_step_is_exactly_what_makes_up_the_difference_after_rounding():
    rule = terms(brackets=(Bracket(D("0"), D("0.5")),), minimum=D("1.005"))  # a minimum with a half cent
    contribution = price(rule, payroll="1")  # 0.01 € computed
    assert contribution.net == D("1.01")
    assert sum(amounts(contribution)) == contribution.net


@pytest.mark.parametrize(
    "payroll, headcount, fte",
    [("0", "0", "0"), ("1", "1", "0.5"), ("999.99", "3", "2.75"), ("1250000", "12", "10.5"), ("77777.77", "7", "6.33")],
)
@pytest.mark.parametrize(
    "bounds",
    [{}, {"minimum": D("300")}, {"minimum": D("0"), "maximum": D("1000")}, {"minimum": D("333.335")}],
    ids=["no bounds", "minimum", "maximum", "odd minimum"],
)
def test_the_working_adds_up_to_the_net(payroll, headcount, fte, bounds):
    rule = terms(
        brackets=(Bracket(D("0"), D("0.527")), Bracket(D("1000"), D("0.313")), Bracket(D("500000"), D("0.1"))),
        head_basis="fte",
        per_head_amount=D("13.33"),
        fixed_amount=D("0.07"),
        vat_rate=D("19.6"),
        **bounds,
    )
    contribution = price(rule, payroll=payroll, headcount=headcount, fte=fte)
    assert sum(amounts(contribution), D("0.00")) == contribution.net
    assert all(step.amount == step.amount.quantize(D("0.01")) for step in contribution.steps)
    assert contribution.gross == contribution.net + contribution.vat
    working = contribution.working()
    assert [item["amount"] for item in working] == [str(amount) for amount in amounts(contribution)]


@pytest.mark.parametrize(
    "rule, figures, missing",
    [
        (terms(brackets=THREE_BRACKETS), {"headcount": "3"}, "Masse salariale (N-2)"),
        (terms(brackets=THREE_BRACKETS), {"payroll": None}, "Masse salariale (N-2)"),
        (terms(per_head_amount=D("15")), {"payroll": "1000"}, "Nombre de salariés (N-2)"),
        (terms(head_basis="contracts", per_head_amount=D("15")), {"headcount": "3"}, "Nombre de contrats (N-2)"),
        (terms(brackets=THREE_BRACKETS), {"payroll": "-1"}, "Masse salariale (N-2)"),
    ],
)
def test_a_missing_figure_the_rule_needs_is_named(rule, figures, missing):
    with pytest.raises(MissingFigure) as refused:
        price(rule, **figures)
    assert refused.value.label == missing


def test_a_figure_the_rule_does_not_use_may_be_missing():
    rule = terms(brackets=THREE_BRACKETS)  # no amount per head: the headcount is not needed
    assert price(rule, payroll="500", headcount=None).net == D("5.00")


def test_a_module_basis_without_a_label_is_named_by_its_key():
    rule = terms(head_basis="health.headcount", per_head_amount=D("2"))
    with pytest.raises(MissingFigure) as refused:
        price(rule)
    assert refused.value.label == "health.headcount"


def test_estimate_and_source_are_carried():
    contribution = contribution_compute(
        terms=terms(fixed_amount=D("10")), figures={}, labels=LABELS, estimated=True, source="Estimation"
    )
    assert contribution.estimated and contribution.source == "Estimation"


@pytest.mark.parametrize(
    "amount, text",
    [
        ("0", "0,00 €"),
        ("0.005", "0,01 €"),
        ("0.004", "0,00 €"),
        ("7", "7,00 €"),
        ("999.995", f"1{NNBSP}000,00 €"),
        ("1234.5", f"1{NNBSP}234,50 €"),
        ("100000", f"100{NNBSP}000,00 €"),
        ("1234567.891", f"1{NNBSP}234{NNBSP}567,89 €"),
        ("-2000", f"-2{NNBSP}000,00 €"),
        ("-0.5", "-0,50 €"),
    ],
)
def test_euros_are_written_the_french_way(amount, text):
    assert euros(D(amount)) == text


@pytest.mark.parametrize("rate, text", [("20", "20 %"), ("5.5", "5,5 %"), ("0.5000", "0,5 %"), ("2.10", "2,1 %")])
def test_percentages_are_written_the_french_way(rate, text):
    assert percent(D(rate)) == text
