"""Figures of the legal service: questions per theme and month, answers on time, median answer time.

Computed in PostgreSQL in two queries whatever the number of questions: counts per theme and
month, then the answers (how many, how many on time, the median time).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Aggregate, Count, F, FloatField, Q
from django.db.models.functions import Extract, TruncMonth
from django.utils import timezone

from .models import Question


@dataclass(frozen=True)
class ThemeRow:
    name: str
    counts: list[int]  # one per month of `QuestionStatistics.months`
    total: int


@dataclass(frozen=True)
class QuestionStatistics:
    months: list[date]  # first day of each month, oldest first
    themes: list[ThemeRow]
    monthly_totals: list[int]
    answered: int  # questions of the period answered at least once
    answered_on_time: int
    median_answer_hours: float | None

    @property
    def on_time_share(self) -> float | None:
        """Share of answered questions whose first answer came by the due day (0 to 1)."""
        return self.answered_on_time / self.answered if self.answered else None

    @property
    def total(self) -> int:
        return sum(self.monthly_totals)


def _months(today: date, count: int) -> list[date]:
    first = today.replace(day=1)
    months = []
    for back in range(count - 1, -1, -1):
        index = first.year * 12 + first.month - 1 - back
        months.append(date(index // 12, index % 12 + 1, 1))
    return months


class _Median(Aggregate):
    # An aggregate, not a plain function: `aggregate()` refuses anything else.
    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def question_statistics(*, months: int = 12, today: date | None = None) -> QuestionStatistics:
    """Figures over the last `months` months (this one included) of questions received."""
    today = today or timezone.localdate()
    month_list = _months(today, months)
    received = Question.objects.filter(received_at__date__gte=month_list[0])
    per_theme_month = (
        received.annotate(month=TruncMonth("received_at"))
        .values("theme__name", "theme__position", "month")
        .annotate(count=Count("id"))
        .order_by("theme__position", "theme__name")
    )
    index = {month: position for position, month in enumerate(month_list)}
    rows: dict[str, list[int]] = {}
    for row in per_theme_month:
        counts = rows.setdefault(row["theme__name"], [0] * len(month_list))
        position = index.get(timezone.localtime(row["month"]).date().replace(day=1))
        if position is not None:
            counts[position] += row["count"]
    themes = [ThemeRow(name, counts, sum(counts)) for name, counts in rows.items()]
    totals = [sum(row.counts[position] for row in themes) for position in range(len(month_list))]
    answers = received.filter(first_answered_at__isnull=False).aggregate(
        answered=Count("id"),
        on_time=Count("id", filter=Q(answered_on_time=True)),
        median_seconds=_Median(Extract(F("first_answered_at") - F("received_at"), "epoch")),
    )
    median = answers["median_seconds"]
    return QuestionStatistics(
        months=month_list,
        themes=themes,
        monthly_totals=totals,
        answered=answers["answered"],
        answered_on_time=answers["on_time"],
        median_answer_hours=round(median / 3600, 1) if median is not None else None,
    )
