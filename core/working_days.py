"""French working days: Monday to Friday except public holidays, from the `holidays` package.

Alsace-Moselle (Bas-Rhin, Haut-Rhin, Moselle) adds Good Friday and 26 December; an organisation
says whether it applies. Deadlines count whole days in Europe/Paris.
"""

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays
from django.utils import timezone

# `holidays` names Alsace-Moselle's local law by the department of Moselle; Bas-Rhin and Haut-Rhin
# ("6AE") share the same two extra days.
ALSACE_MOSELLE = "57"


@lru_cache(maxsize=64)
def _holidays(year: int, alsace_moselle: bool) -> frozenset[date]:
    calendar = holidays.country_holidays("FR", subdiv=ALSACE_MOSELLE if alsace_moselle else None, years=year)
    return frozenset(calendar)


def is_working_day(day: date, *, alsace_moselle: bool = False) -> bool:
    return day.weekday() < 5 and day not in _holidays(day.year, alsace_moselle)


def working_days_add(start: date, days: int, *, alsace_moselle: bool = False) -> date:
    """The `days`-th working day after `start` (`start` itself when `days` is 0; before it when
    `days` is negative).

    A question received on Friday with 5 days to answer is due the next Friday; one received on
    Saturday is due the Friday after (Monday is its first working day).
    """
    day = start
    step = timedelta(days=1 if days >= 0 else -1)
    remaining = abs(days)
    while remaining > 0:
        day += step
        if is_working_day(day, alsace_moselle=alsace_moselle):
            remaining -= 1
    return day


def working_days_between(start: date, end: date, *, alsace_moselle: bool = False) -> int:
    """Working days in (start, end]: how many `working_days_add` steps lead from `start` to `end`;
    negative when `end` is before `start`."""
    if end < start:
        return -working_days_between(end, start, alsace_moselle=alsace_moselle)
    count, day = 0, start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, alsace_moselle=alsace_moselle):
            count += 1
    return count


def local_date(moment: datetime) -> date:
    """The day `moment` falls on in Europe/Paris."""
    return timezone.localtime(moment).date()
