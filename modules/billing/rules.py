"""Rights of the billing module.

Member side, granted per member by its administrator: read invoices and the balance, pay online,
fill the data sheet. Organisation side: administrators and accountants run the billing;
administrators alone set the payment keys.
"""

import rules

from core.access.rules import is_organisation_staff, member_right
from core.accounts.models import StaffRole
from core.accounts.rules import is_organisation_admin

BILLING_ROLES = (StaffRole.ADMIN, StaffRole.ACCOUNTANT)

views_invoices = member_right("billing.view_invoices")
pays_invoices = member_right("billing.pay_invoices")
submits_declaration = member_right("billing.submit_declaration")


@rules.predicate
def is_billing_staff(user) -> bool:
    """An accountant or an administrator of the organisation: they invoice and record payments."""
    return bool(is_organisation_staff(user) and user.staff_role in BILLING_ROLES)


rules.set_perm("billing.view_invoices", views_invoices)
rules.set_perm("billing.pay_invoices", pays_invoices)
rules.set_perm("billing.submit_declaration", submits_declaration)
rules.set_perm("billing.manage_billing", is_billing_staff)
rules.set_perm("billing.configure_payments", is_organisation_admin)
