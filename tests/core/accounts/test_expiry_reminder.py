"""The reminder of the 20th: people whose account ends next month, and who answers for them."""

from datetime import date

import pytest
from django_tenants.utils import tenant_context

from core.accounts.expiry import expiry_reminders_send, next_month
from core.accounts.models import User
from core.accounts.tasks import accounts_remind_expiring
from core.jobs.scheduler import beat_schedule

from .conftest import outbox

pytestmark = pytest.mark.django_db

TWENTIETH = date(2026, 11, 20)


def ends(organisation, **dates: date) -> None:
    """Give accounts an end date: `ends(alpha, m1_user=date(...))` for m1-user@<slug>.test."""
    with tenant_context(organisation):
        for key, day in dates.items():
            email = f"{key.replace('_', '-')}@{organisation.slug}.test"
            assert User.objects.filter(email=email).update(expires_on=day) == 1


def sent_since(organisation, count_before: int) -> dict[str, str]:
    return {mail.to: mail.body for mail in outbox(organisation)[count_before:]}


def test_next_month_wraps_the_year():
    assert next_month(date(2026, 11, 20)) == (date(2026, 12, 1), date(2026, 12, 31))
    assert next_month(date(2026, 12, 20)) == (date(2027, 1, 1), date(2027, 1, 31))
    assert next_month(date(2027, 1, 20)) == (date(2027, 2, 1), date(2027, 2, 28))


def test_the_right_people_are_told_once(organisations, alpha):
    ends(alpha, m1_user=date(2026, 12, 15), jurist=date(2026, 12, 31), m2_admin=date(2027, 1, 5))
    ends(alpha, m1_delegate=date(2026, 11, 30))  # this month: past its reminder already
    before = len(outbox(alpha))
    with tenant_context(alpha):
        assert expiry_reminders_send(today=TWENTIETH) == 2
    sent = sent_since(alpha, before)
    assert set(sent) == {"m1-user@alpha.test", "jurist@alpha.test", "m1-admin@alpha.test", "admin@alpha.test"}
    assert "15/12/2026" in sent["m1-user@alpha.test"]
    assert "m1-user@alpha.test (Société Un)" in sent["m1-admin@alpha.test"]  # M1's administrator
    assert "jurist@alpha.test" in sent["admin@alpha.test"] and "m1-user" not in sent["admin@alpha.test"]
    assert "jurist" not in sent["m1-admin@alpha.test"]

    again = len(outbox(alpha))
    with tenant_context(alpha):
        assert expiry_reminders_send(today=TWENTIETH) == 0
    assert len(outbox(alpha)) == again


def test_a_new_end_date_gets_its_own_reminder(organisations, alpha):
    ends(alpha, m1_user=date(2026, 12, 15))
    with tenant_context(alpha):
        expiry_reminders_send(today=TWENTIETH)
    ends(alpha, m1_user=date(2026, 12, 28))
    with tenant_context(alpha):
        assert expiry_reminders_send(today=TWENTIETH) == 1


def test_an_administrator_ending_too_is_not_told_about_themselves(organisations, alpha):
    ends(alpha, m1_admin=date(2026, 12, 10), m1_user=date(2026, 12, 11))
    before = len(outbox(alpha))
    with tenant_context(alpha):
        expiry_reminders_send(today=TWENTIETH)
    sent = outbox(alpha)[before:]
    to_admin = [mail.body for mail in sent if mail.to == "m1-admin@alpha.test"]
    assert len(to_admin) == 2  # their own reminder, and one notice about m1-user only
    notice = next(body for body in to_admin if "mois prochain" in body)
    assert "m1-user@alpha.test" in notice and "m1-admin@alpha.test" not in notice


def test_the_task_runs_in_the_organisation_with_the_day_given(organisations, alpha, beta):
    ends(alpha, m1_user=date(2026, 12, 15))
    ends(beta, m1_user=date(2026, 12, 15))
    with tenant_context(alpha):
        assert accounts_remind_expiring.delay(today="2026-11-20").get() == 1
        assert accounts_remind_expiring.delay(today="2026-11-20").get() == 0
    with tenant_context(beta):
        assert User.objects.get(email="m1-user@beta.test").expiry_reminded_for is None


def test_the_job_is_scheduled_on_the_20th_in_every_organisation():
    entry = beat_schedule()["accounts.remind_expiring"]
    assert entry["task"] == "accounts.remind_expiring"
    assert entry["options"]["headers"]["_where"] == "tenants"
    schedule = entry["schedule"]
    assert schedule.day_of_month == {20} and schedule.hour == {8} and schedule.minute == {0}
