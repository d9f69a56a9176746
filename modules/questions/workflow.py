"""The questions' state machine: which action leads from which status to which, and the clock.

    À traiter ──assign──▶ En cours ──request_info──▶ Attente réponse adhérent
        │                    ▲  │                          │
        │                    └──┼────── member_reply ◀─────┘
        └──── answer / close ───┴──▶ Traitée ──reopen──▶ En cours

An action not listed from the current status is refused with a French `Conflict`.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import Conflict
from core.working_days import is_working_day, local_date, working_days_add, working_days_between

from .models import QuestionStatus

NEW, IN_PROGRESS, WAITING, ANSWERED = (
    QuestionStatus.NEW,
    QuestionStatus.IN_PROGRESS,
    QuestionStatus.WAITING,
    QuestionStatus.ANSWERED,
)

# The statuses whose clock runs: a question awaiting the member, or treated, is neither late nor due.
CLOCK_RUNNING = (NEW, IN_PROGRESS)

# action -> {from status: to status}; None as target keeps the status.
TRANSITIONS: dict[str, dict[str, str | None]] = {
    "assign": {NEW: IN_PROGRESS, IN_PROGRESS: None, WAITING: None},
    "request_info": {NEW: WAITING, IN_PROGRESS: WAITING},
    # A member may add to a question still open; their answer to a request restarts the clock.
    "member_reply": {NEW: None, IN_PROGRESS: None, WAITING: IN_PROGRESS},
    "answer": {NEW: ANSWERED, IN_PROGRESS: ANSWERED, WAITING: ANSWERED},
    "close": {NEW: ANSWERED, IN_PROGRESS: ANSWERED, WAITING: ANSWERED},
    "reopen": {ANSWERED: IN_PROGRESS},
}

ACTION_LABELS = {
    "assign": gettext_lazy("attribuer"),
    "request_info": gettext_lazy("demander des précisions sur"),
    "member_reply": gettext_lazy("compléter"),
    "answer": gettext_lazy("répondre à"),
    "close": gettext_lazy("clôturer"),
    "reopen": gettext_lazy("rouvrir"),
}


def transition_target(status: str, action: str) -> str:
    """The status `action` leads to from `status`; `Conflict` when it is not allowed from there."""
    allowed = TRANSITIONS[action]
    if status not in allowed:
        if action == "member_reply" and status == ANSWERED:
            message = _(
                "Cette question est traitée et son fil est clos. Posez une nouvelle question en "
                "rappelant son numéro dans le sujet."
            )
        else:
            message = _("Impossible de %(action)s une question au statut « %(status)s ».") % {
                "action": ACTION_LABELS[action],
                "status": QuestionStatus(status).label,
            }
        raise Conflict(message, errors={"status": [message]}, code="transition_not_allowed")
    return allowed[status] or status


def allowed_actions(status: str) -> frozenset[str]:
    """The actions allowed from `status`."""
    return frozenset(action for action, moves in TRANSITIONS.items() if status in moves)


@dataclass(frozen=True)
class Clock:
    """The organisation's answer-time rules (the questions module's settings)."""

    delay_days: int = 5
    alsace_moselle: bool = False

    def due_on(self, received: datetime) -> date:
        return working_days_add(local_date(received), self.delay_days, alsace_moselle=self.alsace_moselle)

    def days_left(self, due_on: date, moment: datetime) -> int:
        """Working days left on the clock at `moment`; negative when already late, so that a
        question paused after its due day is still late when the clock restarts."""
        return working_days_between(local_date(moment), due_on, alsace_moselle=self.alsace_moselle)

    def resume(self, paused_days: int, moment: datetime) -> date:
        """The new due day when the clock restarts at `moment` with `paused_days` left (a day
        before `moment` when the question was already late)."""
        return working_days_add(local_date(moment), paused_days, alsace_moselle=self.alsace_moselle)

    def callback_due(self, requested: datetime) -> datetime:
        """Callbacks are due within 48 working hours: the same time two working days later."""
        # Counted on the Paris wall clock: a day added in UTC drifts by an hour across a clock change.
        moment = timezone.localtime(requested)
        remaining = 2
        while remaining:
            moment += timedelta(days=1)
            if is_working_day(local_date(moment), alsace_moselle=self.alsace_moselle):
                remaining -= 1
        return moment

    def due_soon_until(self, today: date) -> date:
        """The last due day that counts as "due soon" on `today`: the next working day."""
        return working_days_add(today, 1, alsace_moselle=self.alsace_moselle)

    def is_due_soon(self, due_on: date, today: date) -> bool:
        """Due today or on the next working day (flagged in the queue), not yet late."""
        return today <= due_on <= self.due_soon_until(today)
