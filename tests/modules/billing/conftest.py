"""Fixtures of the billing tests: a 2027 campaign in alpha with a bracketed rule, declarations,
cotisation invoices issued through the services, and Stripe keys for the local Stripe server."""

import logging
from datetime import date
from decimal import Decimal

import pytest
from django_tenants.utils import tenant_context

from core.accounts.models import User
from core.members.models import Member
from core.modules.settings import module_settings_get, module_settings_save
from modules.billing.models import DeclarationCampaign, Invoice
from modules.billing.services.declarations import campaign_open, declaration_submit, rule_save
from modules.billing.services.invoices import contribution_invoice, contributions_price

YEAR = 2027
DEADLINE = date(2026, 12, 31)
WEBHOOK_SECRET = "whsec_adhera_tests"
SECRET_KEY = "sk_test_adhera"


@pytest.fixture
def in_alpha(alpha):
    """Run the test inside alpha's schema, its identity as a seller set (SIRET, VAT number)."""
    with tenant_context(alpha):
        seller_identify()
        yield alpha


@pytest.fixture
def billing_log():
    """The billing module's log records (kept by a handler of our own: tests run without caplog)."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    logger = logging.getLogger("modules.billing")
    handler, level = Keep(logging.DEBUG), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    yield records
    logger.removeHandler(handler)
    logger.setLevel(level)


def user(email: str) -> User:
    return User.objects.get(email=email)


def member(name: str = "Société Un") -> Member:
    return Member.objects.get(name=name)


def admin() -> User:
    return user("admin@alpha.test")


# Who invoices: without a SIRET and a VAT number the organisation may not invoice with VAT.
SELLER_IDENTITY = {"seller_siret": "73282932000074", "seller_vat_number": "FR44732829320"}


def seller_identify() -> None:
    values = module_settings_get("billing")
    if not values["seller_siret"]:
        module_settings_save(actor=admin(), key="billing", values={**values, **SELLER_IDENTITY})


# The tests' rule: 0.5 % of payroll up to 500 000 €, 0.3 % beyond, 15 € per head, 100 € fixed,
# between 300 € and 10 000 € net, VAT 20 % (the label is the campaign's).
RULE_TERMS = dict(
    rate_basis="payroll",
    head_basis="headcount",
    brackets=[("0", "0.5"), ("500000", "0.3")],
    per_head_amount="15",
    fixed_amount="100",
    minimum="300",
    maximum="10000",
    vat_rate="20",
)


def open_campaign(year: int = YEAR, **rule) -> DeclarationCampaign:
    """A campaign with the tests' rule (`RULE_TERMS`, overridden by `rule`); the organisation's
    identity is set."""
    seller_identify()
    campaign = campaign_open(actor=admin(), year=year, deadline=DEADLINE)
    terms = {"label": f"Cotisation annuelle {year}", **RULE_TERMS, **rule}
    rule_save(actor=admin(), campaign=campaign, **terms)
    return DeclarationCampaign.objects.select_related("rule").get(pk=campaign.pk)


@pytest.fixture
def campaign(in_alpha) -> DeclarationCampaign:
    return open_campaign()


def declare(campaign, *, member_name="Société Un", email="m1-admin@alpha.test", **values):
    figures = {"payroll": "1250000", "contracts": "10", "headcount": "12", "fte": "10.5", **values}
    return declaration_submit(actor=user(email), member=member(member_name), campaign=campaign, values=figures)


def issue_cotisation(campaign, member_name="Société Un") -> Invoice:
    """The member's cotisation invoice, issued as the annual run does."""
    campaign = DeclarationCampaign.objects.select_related("rule").get(pk=campaign.pk)
    (priced,) = contributions_price(campaign=campaign, members=[member(member_name)])
    assert not priced.skip, priced.skip
    return contribution_invoice(actor=admin(), campaign=campaign, priced=priced)


# The cotisation of a member who declared the default figures above, as the rule prices it:
# 2 500 + 2 250 + 12 × 15 + 100 = 5 030 € net, 1 006 € VAT.
EXPECTED_NET, EXPECTED_GROSS = Decimal("5030.00"), Decimal("6036.00")
