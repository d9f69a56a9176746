"""Rights of the questions module.

Member side, granted per member by its administrator: ask questions (and follow one's own), and
see every question of the member. Organisation side: jurists and administrators work the queue;
administrators manage the themes.
"""

import rules

from core.access.rules import is_organisation_staff, member_right
from core.accounts.models import StaffRole
from core.accounts.rules import is_organisation_admin

WORKING_ROLES = (StaffRole.ADMIN, StaffRole.JURIST)

asks_questions = member_right("questions.ask_question")
views_member_questions = member_right("questions.view_member_questions")


@rules.predicate
def is_questions_staff(user) -> bool:
    """A jurist or an administrator of the organisation: they answer the questions."""
    return bool(is_organisation_staff(user) and user.staff_role in WORKING_ROLES)


rules.set_perm("questions.ask_question", asks_questions)
rules.set_perm("questions.view_member_questions", views_member_questions)
# The member side of the module: the person's own questions, or all of the member's.
rules.set_perm("questions.use_questions", asks_questions | views_member_questions)
rules.set_perm("questions.work_questions", is_questions_staff)
rules.set_perm("questions.manage_themes", is_organisation_admin)
