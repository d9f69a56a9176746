"""Answer times in French working days: weekends, public holidays, Alsace-Moselle, the clock's pause."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from core.working_days import is_working_day, working_days_add, working_days_between
from modules.questions.workflow import Clock

PARIS = ZoneInfo("Europe/Paris")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=PARIS)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 11, 16), date(2026, 11, 23)),  # Monday: the next Monday
        (date(2026, 11, 20), date(2026, 11, 27)),  # Friday: the next Friday, the weekend skipped
        (date(2026, 11, 21), date(2026, 11, 27)),  # Saturday: Monday is its first working day
        (date(2026, 11, 22), date(2026, 11, 27)),  # Sunday: likewise
        (date(2026, 7, 10), date(2026, 7, 20)),  # Friday before 14 July (Tuesday): one more day
        (date(2026, 5, 11), date(2026, 5, 19)),  # Monday before Ascension (Thursday 14 May)
        (date(2026, 12, 21), date(2026, 12, 29)),  # Christmas (Friday) skipped; 26 Dec is a Saturday
        (date(2025, 12, 22), date(2025, 12, 30)),  # Christmas Thursday; Friday 26 Dec works outside Alsace
        (date(2026, 5, 21), date(2026, 5, 29)),  # Whit Monday (25 May) skipped
    ],
)
def test_due_day_counts_working_days(received, due):
    assert Clock(delay_days=5).due_on(at(received)) == due


def test_alsace_moselle_adds_good_friday_and_saint_stephen():
    # 26 December 2025 is a Friday: a working day in Paris, a holiday in Strasbourg or Metz.
    assert is_working_day(date(2025, 12, 26))
    assert not is_working_day(date(2025, 12, 26), alsace_moselle=True)
    assert Clock(delay_days=5, alsace_moselle=True).due_on(at(date(2025, 12, 22))) == date(2025, 12, 31)
    # Good Friday 2026 is 3 April.
    assert is_working_day(date(2026, 4, 3)) and not is_working_day(date(2026, 4, 3), alsace_moselle=True)
    assert Clock(delay_days=1, alsace_moselle=True).due_on(at(date(2026, 4, 2))) == date(2026, 4, 7)


def test_due_day_follows_the_paris_date_not_utc():
    # 23:30 UTC on Sunday is already Monday 00:30 in Paris: due Tuesday, not Monday.
    sunday_night_utc = datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("UTC"))
    assert Clock(delay_days=1).due_on(sunday_night_utc) == date(2026, 11, 24)
    assert Clock(delay_days=1).due_on(datetime(2026, 11, 22, 22, 30, tzinfo=ZoneInfo("UTC"))) == date(2026, 11, 23)


def test_delay_is_the_organisations():
    assert Clock(delay_days=10).due_on(at(date(2026, 11, 16))) == date(2026, 11, 30)


def test_between_is_the_inverse_of_add():
    start = date(2026, 12, 18)
    for days in range(-15, 15):
        assert working_days_between(start, working_days_add(start, days)) == days
    assert working_days_between(date(2026, 11, 27), date(2026, 11, 23)) == -4


def test_pause_keeps_the_days_left_and_gives_them_back():
    clock = Clock(delay_days=5)
    received = at(date(2026, 11, 16))  # Monday, due Monday 23
    due = clock.due_on(received)
    # Information asked on Wednesday 18: Thursday, Friday and Monday are left.
    left = clock.days_left(due, at(date(2026, 11, 18)))
    assert left == 3
    # The member answers on Tuesday 24 (after the due day): three working days from then.
    assert clock.resume(left, at(date(2026, 11, 24))) == date(2026, 11, 27)
    # Answered the same day as asked: the due day does not move.
    assert clock.resume(clock.days_left(due, at(date(2026, 11, 18))), at(date(2026, 11, 18))) == due


def test_pause_across_christmas():
    clock = Clock(delay_days=5)
    due = clock.due_on(at(date(2026, 12, 17)))  # Thursday: due Thursday 24
    assert due == date(2026, 12, 24)
    left = clock.days_left(due, at(date(2026, 12, 22)))  # paused Tuesday: Wednesday and Thursday left
    assert left == 2
    assert clock.resume(left, at(date(2026, 12, 24))) == date(2026, 12, 29)  # Friday 25 skipped


def test_a_question_paused_late_is_still_late_when_the_clock_restarts():
    clock = Clock(delay_days=5)
    # Due Monday 16, paused Friday 20: four working days late.
    assert clock.days_left(date(2026, 11, 16), at(date(2026, 11, 20))) == -4
    # The member answers on Tuesday 24: due four working days before, Wednesday 18.
    assert clock.resume(-4, at(date(2026, 11, 24))) == date(2026, 11, 18)


def test_callback_is_due_two_working_days_later_at_the_same_time():
    clock = Clock()
    assert clock.callback_due(at(date(2026, 11, 19), 15)) == at(date(2026, 11, 23), 15)  # Thursday -> Monday
    assert clock.callback_due(at(date(2026, 7, 13), 9)) == at(date(2026, 7, 16), 9)  # 14 July skipped


def test_due_soon_is_today_or_the_next_working_day():
    clock = Clock()
    friday = date(2026, 11, 20)
    assert clock.is_due_soon(friday, friday)
    assert clock.is_due_soon(date(2026, 11, 23), friday)  # Monday is the next working day
    assert not clock.is_due_soon(date(2026, 11, 24), friday)
    assert not clock.is_due_soon(date(2026, 11, 19), friday)  # late, not "soon"
