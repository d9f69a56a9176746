"""Rights of the questions module, granted per member by its administrator."""

import rules

from core.access.rules import member_right

rules.set_perm("questions.ask_question", member_right("questions.ask_question"))
rules.set_perm("questions.view_member_questions", member_right("questions.view_member_questions"))
