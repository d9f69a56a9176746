"""Rights of the billing module, granted per member by its administrator."""

import rules

from core.access.rules import member_right

rules.set_perm("billing.view_invoices", member_right("billing.view_invoices"))
rules.set_perm("billing.pay_invoices", member_right("billing.pay_invoices"))
rules.set_perm("billing.submit_declaration", member_right("billing.submit_declaration"))
