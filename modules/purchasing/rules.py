"""Rights of the purchasing module, granted per member by its administrator."""

import rules

from core.access.rules import member_right

rules.set_perm("purchasing.view_discount_codes", member_right("purchasing.view_discount_codes"))
rules.set_perm("purchasing.request_audit", member_right("purchasing.request_audit"))
