"""Rights of the health module, granted per member by its administrator."""

import rules

from core.access.rules import member_right

rules.set_perm("health.manage_employees", member_right("health.manage_employees"))
rules.set_perm("health.request_visits", member_right("health.request_visits"))
rules.set_perm("health.declare_headcount", member_right("health.declare_headcount"))
