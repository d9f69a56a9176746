"""Reminders on the organisation's schedule: data sheets before the deadline to members that have
not declared, unpaid invoices after their due day; each sent once, to the people who hold the
right and kept the notification, by e-mail (caught by the SMTP sink)."""

from datetime import timedelta
from decimal import Decimal

import pytest

from core.access.models import Membership
from core.access.services import membership_update
from core.members.models import MembershipStatus
from core.members.services import member_create
from core.modules.settings import module_settings_get, module_settings_save
from core.notifications.models import Notification
from core.notifications.services import notification_preference_set
from modules.billing.models import CampaignStatus, ReminderSent
from modules.billing.services.declarations import campaign_update
from modules.billing.services.invoices import LineInput, credit_note_issue, invoice_issue
from modules.billing.services.payments import payment_record
from modules.billing.services.reminders import declaration_reminders_send, overdue_reminders_send
from modules.billing.tasks import billing_reminders
from tests.world import siret_for

from .conftest import DEADLINE, admin, declare, member, user

D = Decimal
DECLARATION_SUBJECT = "Fiche de renseignements 2027 à compléter avant le 31/12/2026"


@pytest.fixture
def sink(mail_sink):
    mail_sink.clear()
    return mail_sink


@pytest.fixture
def sent(sink, django_capture_on_commit_callbacks):
    """Run a reminder job and deliver its e-mails as the commit would; returns (count, messages)."""

    def run(job, **kwargs):
        sink.clear()
        with django_capture_on_commit_callbacks(execute=True):
            count = job(**kwargs)
        # The sink reads a folded (encoded) subject with the space of its folding: strip it.
        return count, sorted((m.recipients, m.subject.strip(), m.body) for m in sink.messages)

    return run


def settings_change(**values) -> None:
    module_settings_save(actor=admin(), key="billing", values={**module_settings_get("billing"), **values})


def days_before_deadline(days: int):
    return DEADLINE - timedelta(days=days)


def recipients(messages) -> list[tuple[str, ...]]:
    return [message[0] for message in messages]


# Declarations --------------------------------------------------------------------------------


def test_members_that_have_not_declared_are_reminded_on_the_configured_days(campaign, sent):
    declare(campaign)  # Société Un has declared; Société Deux has not
    count, messages = sent(declaration_reminders_send, today=days_before_deadline(7))
    assert count == 1
    ((to, subject, body),) = messages
    assert to == ("m2-admin@alpha.test",) and subject == DECLARATION_SUBJECT
    assert "La fiche de renseignements 2027 de Société Deux n'a pas encore été transmise" in body
    assert "avant le 31/12/2026" in body and "/billing/declaration/" in body
    notification = Notification.objects.get(kind="billing.declaration_reminder")
    assert (notification.member, notification.user) == (member("Société Deux"), user("m2-admin@alpha.test"))


@pytest.mark.parametrize("days", [14, 8, 6, 2, 0, 30])
def test_no_reminder_on_other_days(campaign, sent, days):
    assert sent(declaration_reminders_send, today=days_before_deadline(days)) == (0, [])


def test_each_reminder_is_sent_once_even_if_the_job_runs_twice(campaign, sent):
    day = days_before_deadline(15).isoformat()
    first = sent(lambda: billing_reminders.delay(day).get())
    assert first[0] == 2 and recipients(first[1]) == [("m1-admin@alpha.test",), ("m2-admin@alpha.test",)]
    assert sent(lambda: billing_reminders.delay(day).get()) == (0, [])
    assert sent(declaration_reminders_send, today=days_before_deadline(15)) == (0, [])
    # The next configured day is another reminder.
    assert sent(declaration_reminders_send, today=days_before_deadline(1))[0] == 2
    assert ReminderSent.objects.filter(key__startswith="declaration:").count() == 4


def test_only_people_with_the_right_who_kept_the_notification_are_reminded(campaign, sent):
    declare(campaign, member_name="Société Deux", email="m2-admin@alpha.test")
    # Société Un: its administrator holds every right; its user and its accounting firm do not
    # hold the right to declare.
    assert recipients(sent(declaration_reminders_send, today=days_before_deadline(15))[1]) == [("m1-admin@alpha.test",)]
    user_membership = Membership.objects.get(user=user("m1-user@alpha.test"))
    membership_update(
        actor=user("m1-admin@alpha.test"),
        membership=user_membership,
        role="user",
        rights=["billing.submit_declaration"],
    )
    assert recipients(sent(declaration_reminders_send, today=days_before_deadline(7))[1]) == [
        ("m1-admin@alpha.test",),
        ("m1-user@alpha.test",),
    ]
    notification_preference_set(
        actor=user("m1-user@alpha.test"),
        membership=user_membership,
        kind="billing.declaration_reminder",
        enabled=False,
    )
    assert recipients(sent(declaration_reminders_send, today=days_before_deadline(1))[1]) == [("m1-admin@alpha.test",)]


def test_prospects_are_not_reminded(campaign, sent):
    declare(campaign)
    declare(campaign, member_name="Société Deux", email="m2-admin@alpha.test")
    member_create(actor=admin(), name="Prospect SARL", identifier=siret_for(700), status=MembershipStatus.PROSPECT)
    assert sent(declaration_reminders_send, today=days_before_deadline(7)) == (0, [])
    assert not ReminderSent.objects.exists()


def test_a_closed_campaign_sends_no_reminder(campaign, sent):
    campaign_update(actor=admin(), campaign=campaign, deadline=campaign.deadline, status=CampaignStatus.CLOSED)
    assert sent(declaration_reminders_send, today=days_before_deadline(7)) == (0, [])


def test_the_organisation_chooses_the_days(campaign, sent):
    settings_change(declaration_reminder_days="10, 3")
    assert sent(declaration_reminders_send, today=days_before_deadline(7)) == (0, [])
    assert sent(declaration_reminders_send, today=days_before_deadline(10))[0] == 2
    assert sent(declaration_reminders_send, today=days_before_deadline(3))[0] == 2


# Overdue invoices ----------------------------------------------------------------------------


def one_off(member_name="Société Un", amount="100"):
    return invoice_issue(actor=admin(), member=member(member_name), lines=[LineInput("Formation", D(amount), D("20"))])


def pay(invoice, amount):
    payment_record(actor=admin(), invoice=invoice, method="transfer", amount=amount, received_on=invoice.issued_on)


def test_unpaid_invoices_are_reminded_on_the_configured_days_after_their_due_day(in_alpha, sent):
    unpaid = one_off()
    paid = one_off("Société Deux")
    pay(paid, "120")
    count, messages = sent(overdue_reminders_send, today=unpaid.due_on + timedelta(days=7))
    assert count == 1
    ((to, subject, body),) = messages
    assert to == ("m1-admin@alpha.test",)
    assert subject == "Relance : facture FAC-000001 en attente de règlement"
    assert f"la facture FAC-000001 de Société Un, échue le {unpaid.due_on:%d/%m/%Y}, reste à régler : 120,00 €" in body
    assert f"/billing/factures/{unpaid.pk}/" in body


@pytest.mark.parametrize("days", [0, 1, 6, 8, 29, 31])
def test_no_overdue_reminder_on_other_days(in_alpha, sent, days):
    invoice = one_off()
    assert sent(overdue_reminders_send, today=invoice.due_on + timedelta(days=days)) == (0, [])


def test_each_overdue_reminder_is_sent_once(in_alpha, sent):
    invoice = one_off()
    week_late, month_late = invoice.due_on + timedelta(days=7), invoice.due_on + timedelta(days=30)
    assert sent(overdue_reminders_send, today=week_late)[0] == 1
    assert sent(overdue_reminders_send, today=week_late) == (0, [])
    assert sent(lambda: billing_reminders.delay(week_late.isoformat()).get()) == (0, [])
    assert sent(overdue_reminders_send, today=month_late)[0] == 1
    assert sent(overdue_reminders_send, today=month_late) == (0, [])


def test_a_partly_paid_invoice_is_reminded_of_what_remains(in_alpha, sent):
    invoice = one_off()
    pay(invoice, "100")
    ((_to, _subject, body),) = sent(overdue_reminders_send, today=invoice.due_on + timedelta(days=7))[1]
    assert "reste à régler : 20,00 €." in body


def test_paid_and_credited_invoices_and_credit_notes_get_no_reminder(in_alpha, sent):
    paid, credited = one_off(), one_off()
    pay(paid, "120")
    credit_note_issue(actor=admin(), invoice=credited, reason="Annulation")
    assert sent(overdue_reminders_send, today=paid.due_on + timedelta(days=7)) == (0, [])
    assert not ReminderSent.objects.exists()


def test_the_organisation_chooses_the_overdue_days(in_alpha, sent):
    settings_change(overdue_reminder_days="15")
    invoice = one_off()
    assert sent(overdue_reminders_send, today=invoice.due_on + timedelta(days=7)) == (0, [])
    assert sent(overdue_reminders_send, today=invoice.due_on + timedelta(days=15))[0] == 1
