"""The jurists' daily digest: who gets what, nothing on holidays or quiet days, once a day."""

import zoneinfo
from datetime import date, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.accounts.models import StaffRole, User
from core.mail.models import OutgoingEmail
from core.modules.models import ModuleSettings
from modules.questions.models import DigestSent, Question, QuestionStatus
from modules.questions.selectors import question_workers
from modules.questions.tasks import questions_digest, questions_digest_send
from tests.modules.questions.conftest import ask, user

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
TUESDAY = date(2026, 3, 10)
MONDAY, WEDNESDAY, NEXT_TUESDAY = date(2026, 3, 9), date(2026, 3, 11), date(2026, 3, 17)


def question(subject: str, *, due_on: date, status=QuestionStatus.IN_PROGRESS, assignee=None, **fields) -> Question:
    asked = ask(subject=subject)
    Question.objects.filter(pk=asked.pk).update(
        due_on=due_on, status=status, assignee=user(assignee) if assignee else None, **fields
    )
    return Question.objects.get(pk=asked.pk)


def digests() -> dict[str, str]:
    return {email.to: email.body for email in OutgoingEmail.objects.filter(subject__startswith="Questions juridiques")}


def test_each_jurist_gets_one_email_with_their_own_questions_first(in_alpha):
    late_jurist = question("Retard du juriste", due_on=MONDAY, assignee="jurist@alpha.test")
    late_admin = question("Retard de l'administrateur", due_on=MONDAY, assignee="admin@alpha.test")
    due = question("À rendre demain", due_on=WEDNESDAY, status=QuestionStatus.NEW)
    untaken = question("Personne ne l'a prise", due_on=NEXT_TUESDAY, status=QuestionStatus.NEW)
    question("En attente de l'adhérent", due_on=MONDAY, status=QuestionStatus.WAITING, paused_days=2)
    question("Déjà traitée", due_on=MONDAY, status=QuestionStatus.ANSWERED)
    question("Prise et pas urgente", due_on=NEXT_TUESDAY, assignee="jurist@alpha.test")
    callback = question(
        "Rappel du jour",
        due_on=NEXT_TUESDAY,
        assignee="jurist@alpha.test",
        callback_phone="01 23 45 67 89",
        callback_slot="morning",
        callback_due_at=datetime(2026, 3, 10, 15, 0, tzinfo=PARIS),
    )
    question(
        "Rappel plus tard",
        due_on=NEXT_TUESDAY,
        assignee="jurist@alpha.test",
        callback_phone="01 98 76 54 32",
        callback_due_at=datetime(2026, 3, 12, 10, 0, tzinfo=PARIS),
    )

    assert questions_digest_send(today=TUESDAY) == 2

    sent = digests()
    assert set(sent) == {"jurist@alpha.test", "admin@alpha.test"}
    subject = OutgoingEmail.objects.filter(to="jurist@alpha.test").values_list("subject", flat=True).get()
    assert subject == "Questions juridiques : le point du mardi 10 mars 2026"
    jurist, admin = sent["jurist@alpha.test"], sent["admin@alpha.test"]
    for body in (jurist, admin):
        for listed in (late_jurist, late_admin, due, untaken, callback):
            assert f"{listed.number} « {listed.subject} »" in body
            assert f"/questions/{listed.pk}/" in body
        assert "En attente de l'adhérent" not in body and "Déjà traitée" not in body
        assert "Prise et pas urgente" not in body and "Rappel plus tard" not in body
        assert "== En retard (2) ==" in body
        assert "Rappeler au 01 23 45 67 89 (Le matin (9 h - 12 h)) avant le mardi 10 mars à 15:00" in body
        assert "non attribuée" in body and "/questions/a-traiter/" in body
    # Each one's own late question comes first, marked as theirs.
    assert jurist.index(late_jurist.subject) < jurist.index(late_admin.subject)
    assert admin.index(late_admin.subject) < admin.index(late_jurist.subject)
    assert "Retard du juriste » — Société Un\n  Réponse attendue le lundi 9 mars · En cours · vous" in jurist
    assert DigestSent.objects.filter(day=TUESDAY).exists()


def test_a_quiet_day_sends_nothing(in_alpha):
    question("Pas urgente", due_on=NEXT_TUESDAY, assignee="jurist@alpha.test")
    assert questions_digest_send(today=TUESDAY) == 0
    assert digests() == {} and not DigestSent.objects.exists()


def test_nothing_is_sent_on_a_public_holiday(in_alpha):
    question("En retard", due_on=date(2026, 4, 2), assignee="jurist@alpha.test")
    assert questions_digest_send(today=date(2026, 5, 1)) == 0  # Fête du travail, a Friday
    assert digests() == {}
    # Good Friday is a working day, except in Alsace-Moselle.
    good_friday = date(2026, 4, 3)
    ModuleSettings.objects.update_or_create(key="questions", defaults={"values": {"alsace_moselle": True}})
    assert questions_digest_send(today=good_friday) == 0
    ModuleSettings.objects.filter(key="questions").update(values={"alsace_moselle": False})
    assert questions_digest_send(today=good_friday) == 2


def test_the_digest_is_sent_once_a_day_even_when_run_twice(in_alpha):
    question("En retard", due_on=MONDAY, assignee="jurist@alpha.test")
    assert questions_digest.delay(TUESDAY.isoformat()).get() == 2
    assert questions_digest.delay(TUESDAY.isoformat()).get() == 0
    assert questions_digest_send(today=TUESDAY) == 0
    assert OutgoingEmail.objects.filter(subject__startswith="Questions juridiques").count() == 2
    assert questions_digest_send(today=WEDNESDAY) == 2  # the next day has its own digest


def test_people_who_do_not_work_the_questions_get_nothing(in_alpha):
    jurist = user("jurist@alpha.test")
    jurist.is_active = False
    jurist.save(update_fields=["is_active"])
    question("En retard", due_on=MONDAY, assignee="admin@alpha.test")
    assert questions_digest_send(today=TUESDAY) == 1
    assert set(digests()) == {"admin@alpha.test"}


def test_the_digest_reads_the_questions_once_whatever_the_number_of_jurists(in_alpha):
    question("En retard", due_on=MONDAY, assignee="jurist@alpha.test")
    question(
        "Rappel en retard",
        due_on=NEXT_TUESDAY,
        callback_phone="01 23 45 67 89",
        callback_due_at=datetime(2026, 3, 10, 9, 0, tzinfo=PARIS),
    )

    def question_reads(day: date) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert questions_digest_send(today=day) == question_workers().count()
        return len([query for query in queries if '"questions_question"' in query["sql"]])

    # Late, due soon, untaken and callbacks: one read each.
    assert question_reads(TUESDAY) == 4
    for index in range(3):
        User.objects.create_user(f"juriste-{index}@alpha.test", None, staff_role=StaffRole.JURIST)
    assert question_reads(WEDNESDAY) == 4
    assert "Rappel en retard" in digests()["juriste-2@alpha.test"]
