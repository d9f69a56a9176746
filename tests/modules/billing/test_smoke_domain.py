from modules.billing.selectors import InvoiceState, invoice_list, member_balance

from .conftest import EXPECTED_GROSS, admin, declare, issue_cotisation, member


def test_a_declared_member_is_invoiced_and_the_balance_follows(campaign, mail_sink):
    declare(campaign)
    invoice = issue_cotisation(campaign)
    assert invoice.total_gross == EXPECTED_GROSS
    assert invoice.number == "FAC-000001"
    assert member_balance(member=member()).amount == EXPECTED_GROSS
    (listed,) = invoice_list(actor=admin())
    assert listed.state == InvoiceState.DUE
