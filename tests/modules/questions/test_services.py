"""The questions' services: asking, callbacks, the jurists' work, the member's replies, e-mails,
search, figures and themes; what each refuses, and that a refusal leaves nothing behind."""

from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

import modules.questions.services as services
from core.access.models import Membership
from core.access.services import membership_update
from core.audit.models import AuditEntry
from core.errors import Conflict, DomainError
from core.mail.models import OutgoingEmail
from core.modules.settings import module_settings_save
from core.notifications.models import Notification
from core.notifications.services import notification_preference_set
from core.working_days import working_days_add
from modules.questions.models import Attachment, Message, MessageKind, Question, QuestionStatus, SubTheme, Theme
from modules.questions.selectors import QuestionFilters, callback_list, question_search, theme_choices
from modules.questions.services import (
    callback_done,
    question_answer,
    question_assign,
    question_close,
    question_info_request,
    question_reopen,
    question_reply,
    sub_theme_save,
    theme_move,
    theme_save,
)
from modules.questions.statistics import question_statistics
from tests.modules.questions.conftest import PDF, ask, member, pdf_file, theme, user

PARIS = ZoneInfo("Europe/Paris")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DEFAULT_SETTINGS = {
    "answer_delay_working_days": 5,
    "alsace_moselle": False,
    "attachment_max_mb": 10,
    "attachment_max_count": 5,
}


def jurist():
    return user("jurist@alpha.test")


def settings_set(**values) -> None:
    """The organisation's questions settings, changed through the settings service."""
    module_settings_save(actor=user("admin@alpha.test"), key="questions", values={**DEFAULT_SETTINGS, **values})


def frozen(monkeypatch, moment: datetime) -> None:
    """`now` is `moment` inside the questions' services only (their clock, not the database's)."""
    monkeypatch.setattr(services, "timezone", SimpleNamespace(now=lambda: moment))


def today() -> date:
    return timezone.localdate()


def rights_set(email: str, rights: list[str]) -> None:
    membership = Membership.objects.get(user__email=email, member__name="Société Un")
    membership_update(actor=None, membership=membership, role=membership.role, rights=rights)


def stored_files() -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / "alpha" / "questions"
    return {path for path in folder.rglob("*") if path.is_file()}


def footprint() -> dict:
    """Everything a service could have written."""
    return {
        "questions": Question.objects.count(),
        "messages": Message.objects.count(),
        "attachments": Attachment.objects.count(),
        "audit": AuditEntry.objects.count(),
        "emails": OutgoingEmail.objects.count(),
        "notifications": Notification.objects.count(),
        "files": stored_files(),
    }


def reload(question: Question) -> Question:
    return Question.objects.get(pk=question.pk)


# --- asking ----------------------------------------------------------------------------------


def test_a_question_is_recorded_with_its_files_in_the_organisations_folder(in_alpha):
    sub_theme = SubTheme.objects.get(name="Embauche")
    question = ask(
        sub_theme_id=sub_theme.pk,
        attachments=[pdf_file("Contrat signé.pdf"), SimpleUploadedFile("fiche", PNG, content_type="text/plain")],
    )
    assert question.status == QuestionStatus.NEW and question.revision == 1
    assert question.asked_by == user("m1-admin@alpha.test") and question.member == member()
    assert (question.theme.name, question.sub_theme.name) == ("Contrat de travail", "Embauche")
    files = list(question.attachments.order_by("id"))
    assert [(f.original_name, f.content_type, f.message) for f in files] == [
        ("Contrat signé.pdf", "application/pdf", None),
        ("fiche.png", "image/png", None),  # named after its content, not its declared type
    ]
    for attachment in files:
        # A server-generated name in alpha's own folder, under the question's id.
        assert attachment.file.name.startswith(f"questions/{question.pk}/")
        assert "Contrat" not in attachment.file.name
        path = Path(settings.MEDIA_ROOT) / "alpha" / attachment.file.name
        assert path.is_file() and path.stat().st_size == attachment.size
    entry = AuditEntry.objects.get(action="questions.submit", target_id=str(question.pk))
    assert entry.member_id == member().pk and entry.actor_email == "m1-admin@alpha.test"
    assert entry.after["attachments"] == ["Contrat signé.pdf", "fiche.png"]


def test_a_long_name_without_extension_is_shortened_to_fit(in_alpha):
    question = ask(attachments=[pdf_file("n" * 300)])
    name = question.attachments.get().original_name
    assert len(name) == 255 and name.endswith("nnn.pdf")


def test_due_day_follows_the_organisations_delay(in_alpha, monkeypatch):
    frozen(monkeypatch, datetime(2026, 11, 16, 10, tzinfo=PARIS))  # a Monday
    assert ask().due_on == date(2026, 11, 23)
    settings_set(answer_delay_working_days=10)
    assert ask().due_on == date(2026, 11, 30)


def test_alsace_moselle_setting_adds_its_holidays(in_alpha, monkeypatch):
    # Monday 22 December 2025: Christmas Thursday; Friday 26 is a holiday in Alsace-Moselle only.
    frozen(monkeypatch, datetime(2025, 12, 22, 10, tzinfo=PARIS))
    assert ask().due_on == date(2025, 12, 30)
    settings_set(alsace_moselle=True)
    assert ask().due_on == date(2025, 12, 31)


def test_received_late_on_sunday_evening_in_utc_counts_from_monday_in_paris(in_alpha, monkeypatch):
    frozen(monkeypatch, datetime(2026, 11, 22, 23, 30, tzinfo=ZoneInfo("UTC")))  # Monday 00:30 in Paris
    assert ask().due_on == date(2026, 11, 30)


# --- callbacks -------------------------------------------------------------------------------


def test_a_callback_is_due_48_working_hours_later_and_done_once(in_alpha, monkeypatch):
    frozen(monkeypatch, datetime(2026, 11, 19, 15, tzinfo=PARIS))  # Thursday 15:00
    question = ask(callback_phone="01 23 45 67 89", callback_slot="morning")
    assert question.callback_due_at == datetime(2026, 11, 23, 15, tzinfo=PARIS)  # Monday 15:00
    assert (question.callback_phone, question.callback_slot) == ("01 23 45 67 89", "morning")
    assert list(callback_list(actor=jurist())) == [question]
    assert list(callback_list(actor=user("m1-admin@alpha.test"))) == []
    done = callback_done(actor=jurist(), question=question)
    assert done.callback_done_by == jurist() and done.callback_done_at == datetime(2026, 11, 19, 15, tzinfo=PARIS)
    assert done.status == QuestionStatus.NEW and reload(question).revision == 2
    assert list(callback_list(actor=jurist())) == []
    before = footprint()
    with pytest.raises(Conflict) as twice:
        callback_done(actor=jurist(), question=question)
    assert twice.value.status == 409 and twice.value.code == "callback_done"
    assert twice.value.message == "Ce rappel est déjà noté comme effectué."
    assert footprint() == before and reload(question).revision == 2


def test_callback_slot_defaults_to_any_and_none_without_a_phone(in_alpha):
    with_phone = ask(callback_phone="+33 1 23 45 67 89")
    assert with_phone.callback_slot == "any" and with_phone.callback_due_at is not None
    without = ask(callback_slot="morning")
    assert (without.callback_phone, without.callback_slot, without.callback_due_at) == ("", "", None)
    with pytest.raises(Conflict) as refused:
        callback_done(actor=jurist(), question=without)
    assert refused.value.code == "no_callback"
    with pytest.raises(PermissionDenied):
        callback_done(actor=user("m1-admin@alpha.test"), question=with_phone)
    assert reload(with_phone).callback_done_at is None


# --- refusals: nothing written ---------------------------------------------------------------


def _sub_theme_of_another_theme():
    return {"sub_theme_id": SubTheme.objects.get(name="Temps partiel").pk}


def _inactive_theme():
    Theme.objects.filter(name="Contrat de travail").update(is_active=False)
    return {"theme_id": theme().pk}


def _inactive_sub_theme():
    SubTheme.objects.filter(name="Embauche").update(is_active=False)
    return {"sub_theme_id": SubTheme.objects.get(name="Embauche").pk}


def _too_many_files():
    settings_set(attachment_max_count=2)
    return {"attachments": [pdf_file("a.pdf"), pdf_file("b.pdf"), pdf_file("c.pdf")]}


def _oversize_file():
    settings_set(attachment_max_mb=1)
    big = PDF + b"0" * (1024 * 1024 + 1 - len(PDF))
    return {"attachments": [pdf_file("petit.pdf"), pdf_file("gros.pdf", big)]}


REFUSALS = {
    "unknown theme": (lambda: {"theme_id": 999_999}, "theme", "Choisissez un thème de la liste."),
    "theme not a number": (lambda: {"theme_id": "abc"}, "theme", "Choisissez un thème de la liste."),
    "inactive theme": (_inactive_theme, "theme", "Choisissez un thème de la liste."),
    "sub-theme of another theme": (_sub_theme_of_another_theme, "sub_theme", "Choisissez un sous-thème"),
    "inactive sub-theme": (_inactive_sub_theme, "sub_theme", "Choisissez un sous-thème"),
    "empty subject": (lambda: {"subject": "   "}, "subject", "Indiquez le sujet de votre question."),
    "subject too long": (lambda: {"subject": "x" * 201}, "subject", "ne peut dépasser 200 caractères"),
    "empty body": (lambda: {"body": "\n "}, "body", "Écrivez votre message."),
    "body too long": (lambda: {"body": "x" * 20_001}, "body", "ne peut dépasser 20000 caractères"),
    "bad phone": (lambda: {"callback_phone": "appelez-moi"}, "callback_phone", "numéro de téléphone valide"),
    "bad slot": (
        lambda: {"callback_phone": "0123456789", "callback_slot": "nuit"},
        "callback_slot",
        "Choisissez un moment",
    ),
    "too many files": (_too_many_files, "attachments", "Vous pouvez joindre au plus 2 fichiers."),
    "oversize file": (
        _oversize_file,
        "attachments",
        "« gros.pdf » : Le fichier dépasse la taille maximale autorisée (1 Mo).",
    ),
    "empty file": (
        lambda: {"attachments": [pdf_file("vide.pdf", b"")]},
        "attachments",
        "« vide.pdf » : Le fichier est vide.",
    ),
    "image disguised as a PDF": (
        lambda: {"attachments": [pdf_file(), pdf_file("facture.pdf", PNG)]},
        "attachments",
        "Le contenu du fichier (PNG) ne correspond pas à son extension « .pdf ».",
    ),
    "web page disguised as a PDF": (
        lambda: {"attachments": [pdf_file("page.pdf", b"<html><script>alert(1)</script></html>")]},
        "attachments",
        "Ce type de fichier n'est pas accepté.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_question_leaves_nothing(in_alpha, case):
    prepare, field, message = REFUSALS[case]
    values = prepare()
    before = footprint()
    with pytest.raises(DomainError) as refused:
        ask(**values)
    assert list(refused.value.errors) == [field]
    assert message in refused.value.errors[field][0] and message in refused.value.message
    assert footprint() == before


def test_files_written_before_a_failure_are_removed(in_alpha, monkeypatch):
    def broken(*, questions):
        raise RuntimeError("database gone")

    before = footprint()
    monkeypatch.setattr(services, "question_search_index", broken)
    with pytest.raises(RuntimeError):
        ask(attachments=[pdf_file("a.pdf"), pdf_file("b.pdf")])
    assert footprint() == before


def test_files_of_the_exchange_are_checked_and_kept_with_their_message(in_alpha):
    settings_set(attachment_max_count=1, attachment_max_mb=1)
    question = ask()
    before = footprint()
    with pytest.raises(DomainError) as too_many:
        question_answer(
            actor=jurist(), question=question, body="Oui.", attachments=[pdf_file("a.pdf"), pdf_file("b.pdf")]
        )
    assert too_many.value.errors == {"attachments": ["Vous pouvez joindre au plus 1 fichier."]}
    with pytest.raises(DomainError) as disguised:
        question_reply(
            actor=user("m1-admin@alpha.test"), question=question, body="Voici.", attachments=[pdf_file("kbis.png")]
        )
    assert "ne correspond pas à son extension « .png »" in disguised.value.errors["attachments"][0]
    assert footprint() == before and reload(question).revision == 1
    answered = question_answer(actor=jurist(), question=question, body="Oui.", attachments=[pdf_file("modèle.pdf")])
    attachment = answered.attachments.get()
    assert attachment.message == answered.messages.get() and attachment.uploaded_by == jurist()
    assert attachment.original_name == "modèle.pdf"


# --- rights ----------------------------------------------------------------------------------


def test_only_people_with_the_right_ask_for_their_own_member(in_alpha):
    before = footprint()
    with pytest.raises(PermissionDenied):
        ask(email="m1-user@alpha.test")
    with pytest.raises(PermissionDenied):
        ask(email="m2-admin@alpha.test")  # for Société Un, which they do not act for
    with pytest.raises(PermissionDenied):
        ask(email="jurist@alpha.test")  # staff act for the organisation, never for a member
    assert footprint() == before
    rights_set("m1-user@alpha.test", ["questions.ask_question"])
    assert ask(email="m1-user@alpha.test").asked_by == user("m1-user@alpha.test")


@pytest.mark.parametrize(
    "work",
    [
        lambda actor, q: question_assign(actor=actor, question=q, assignee=actor),
        lambda actor, q: question_info_request(actor=actor, question=q, body="?"),
        lambda actor, q: question_answer(actor=actor, question=q, body="Oui."),
        lambda actor, q: question_close(actor=actor, question=q),
    ],
    ids=["assign", "info_request", "answer", "close"],
)
def test_member_people_cannot_do_the_jurists_work(in_alpha, work):
    question = ask()
    before = footprint()
    for email in ("m1-admin@alpha.test", "m1-delegate@alpha.test", "m2-admin@alpha.test"):
        with pytest.raises(PermissionDenied):
            work(user(email), question)
    assert footprint() == before and reload(question).status == QuestionStatus.NEW
    assert work(jurist(), question).status != QuestionStatus.NEW  # a jurist can
    assert work(user("admin@alpha.test"), ask()).status != QuestionStatus.NEW  # so can an administrator


def test_a_member_person_cannot_reopen(in_alpha):
    question = question_answer(actor=jurist(), question=ask(), body="Oui.")
    with pytest.raises(PermissionDenied):
        question_reopen(actor=user("m1-admin@alpha.test"), question=question)
    assert reload(question).status == QuestionStatus.ANSWERED


def test_a_question_goes_to_a_jurist_only(in_alpha):
    question = ask()
    before = footprint()
    with pytest.raises(DomainError) as refused:
        question_assign(actor=jurist(), question=question, assignee=user("m1-admin@alpha.test"))
    assert refused.value.errors == {"assignee": ["Choisissez un juriste de l'organisation."]}
    assert footprint() == before
    colleague = user("admin@alpha.test")
    assigned = question_assign(actor=jurist(), question=question, assignee=colleague)
    assert (assigned.status, assigned.assignee) == (QuestionStatus.IN_PROGRESS, colleague)
    # The colleague is told by e-mail; assigning oneself tells nobody.
    assert OutgoingEmail.objects.filter(to="admin@alpha.test", subject__contains=question.number).count() == 1


def test_a_person_cannot_reply_to_a_question_they_cannot_see(in_alpha):
    question = ask()
    rights_set("m1-user@alpha.test", ["questions.ask_question"])
    before = footprint()
    with pytest.raises(PermissionDenied):
        question_reply(actor=user("m2-admin@alpha.test"), question=question, body="Je m'invite.")
    # A colleague who may ask questions, but only sees their own, cannot reply either.
    with pytest.raises(PermissionDenied):
        question_reply(actor=user("m1-user@alpha.test"), question=question, body="Moi aussi.")
    assert footprint() == before
    # Granted every question of the member, they can.
    rights_set("m1-user@alpha.test", ["questions.ask_question", "questions.view_member_questions"])
    replied = question_reply(actor=user("m1-user@alpha.test"), question=question, body="Précision.")
    assert replied.messages.get().author == user("m1-user@alpha.test")


# --- the clock's pause -----------------------------------------------------------------------


def test_an_info_request_keeps_the_days_left(in_alpha):
    question = ask()
    due = working_days_add(today(), 3)
    Question.objects.filter(pk=question.pk).update(due_on=due)
    waiting = question_info_request(actor=jurist(), question=question, body="Quel contrat ?")
    assert (waiting.status, waiting.paused_days, waiting.due_on) == (QuestionStatus.WAITING, 3, due)
    assert waiting.assignee == jurist()  # asking is taking the question


def test_a_question_paused_late_stays_late_after_the_reply(in_alpha):
    question = ask()
    Question.objects.filter(pk=question.pk).update(due_on=working_days_add(today(), -2))
    waiting = question_info_request(actor=jurist(), question=question, body="?")
    assert waiting.paused_days == -2  # two working days late when paused
    replied = question_reply(actor=user("m1-admin@alpha.test"), question=waiting, body="Voici.")
    assert replied.due_on == working_days_add(today(), -2) and replied.due_on < today()
    answered = question_answer(actor=jurist(), question=replied, body="Réponse.")
    assert answered.answered_on_time is False


def test_the_members_reply_gives_the_days_back_from_the_reply_day(in_alpha):
    question = ask()
    Question.objects.filter(pk=question.pk).update(due_on=working_days_add(today(), 2))
    question_info_request(actor=jurist(), question=question, body="Quel contrat ?")
    # As if the request had been made weeks ago: the old due day has long passed while waiting.
    Question.objects.filter(pk=question.pk).update(due_on=today() - timedelta(days=20))
    replied = question_reply(actor=user("m1-admin@alpha.test"), question=question, body="Un CDD.")
    assert replied.status == QuestionStatus.IN_PROGRESS and replied.paused_days is None
    assert replied.due_on == working_days_add(today(), 2)
    # The jurist who asked is told.
    assert OutgoingEmail.objects.filter(to="jurist@alpha.test", subject__contains="l'adhérent a répondu").count() == 1


def test_a_reply_to_a_running_question_keeps_its_due_day(in_alpha):
    question = ask()
    due = reload(question).due_on
    replied = question_reply(actor=user("m1-admin@alpha.test"), question=question, body="J'oubliais.")
    assert (replied.status, replied.due_on) == (QuestionStatus.NEW, due)


# --- answering on time -----------------------------------------------------------------------


def test_an_answer_by_the_due_day_is_on_time(in_alpha):
    answered = question_answer(actor=jurist(), question=ask(), body="Oui.")
    assert answered.answered_on_time is True and answered.first_answered_at is not None
    assert answered.closed_at == answered.first_answered_at and answered.assignee == jurist()


def test_a_late_answer_is_not_on_time(in_alpha):
    question = ask()
    Question.objects.filter(pk=question.pk).update(due_on=today() - timedelta(days=1))
    assert question_answer(actor=jurist(), question=question, body="Oui.").answered_on_time is False


def test_an_answer_while_the_clock_is_stopped_is_on_time(in_alpha):
    question = ask()
    Question.objects.filter(pk=question.pk).update(due_on=working_days_add(today(), 1))
    question_info_request(actor=jurist(), question=question, body="Quel contrat ?")
    Question.objects.filter(pk=question.pk).update(due_on=today() - timedelta(days=10))  # passed while waiting
    answered = question_answer(actor=jurist(), question=question, body="Sans nouvelles, voici notre réponse.")
    assert answered.answered_on_time is True and answered.paused_days is None


def test_reopening_gives_a_fresh_delay_and_keeps_the_first_answer(in_alpha):
    settings_set(answer_delay_working_days=7)
    question = ask()
    Question.objects.filter(pk=question.pk).update(due_on=today() - timedelta(days=1))
    first = question_answer(actor=jurist(), question=question, body="Oui.")
    reopened = question_reopen(actor=jurist(), question=question, note="Un point à revoir.")
    assert reopened.status == QuestionStatus.IN_PROGRESS and reopened.closed_at is None
    assert reopened.due_on == working_days_add(today(), 7)
    again = question_answer(actor=jurist(), question=question, body="Précision.")
    assert again.first_answered_at == first.first_answered_at and again.answered_on_time is False
    assert list(again.messages.values_list("kind", flat=True)) == ["answer", "reopening", "answer"]


def test_closing_without_a_note_leaves_an_empty_closing_message(in_alpha):
    closed = question_close(actor=jurist(), question=ask())
    assert closed.status == QuestionStatus.ANSWERED
    assert list(closed.messages.values_list("kind", "body")) == [(MessageKind.CLOSING, "")]
    blank = question_close(actor=jurist(), question=ask(), note="<p>&nbsp;</p>")  # the editor left empty
    assert list(blank.messages.values_list("body", flat=True)) == [""]
    noted = question_close(actor=jurist(), question=ask(), note="Réglé par téléphone.")
    assert noted.messages.get().kind == MessageKind.CLOSING


# --- e-mails ---------------------------------------------------------------------------------


@pytest.fixture
def readers(in_alpha):
    """M1's delegate may read every question and keeps the default (receive); M1's administrator
    switched answers off; M1's user may only ask."""
    rights_set("m1-delegate@alpha.test", ["members.change_member", "questions.view_member_questions"])
    rights_set("m1-user@alpha.test", ["questions.ask_question"])
    admin = Membership.objects.get(user__email="m1-admin@alpha.test")
    for kind in ("questions.answered", "questions.info_requested"):
        notification_preference_set(actor=admin.user, membership=admin, kind=kind, enabled=False)


def told(question: Question, kind: str) -> tuple[set[str], set[str]]:
    """Who got an in-app notification and who an e-mail about `question`."""
    notified = set(
        Notification.objects.filter(kind=kind, subject__contains=question.number).values_list("user__email", flat=True)
    )
    emailed = set(OutgoingEmail.objects.filter(subject__contains=question.number).values_list("to", flat=True))
    return notified, emailed


def test_the_answer_goes_to_the_asker_even_opted_out_and_to_readers_who_chose_it(readers):
    question = ask(email="m1-admin@alpha.test", subject="Période d'essai renouvelée")
    question_answer(actor=jurist(), question=question, body="La réponse confidentielle.")
    expected = {"m1-admin@alpha.test", "m1-delegate@alpha.test"}
    assert told(question, "questions.answered") == (expected, expected)
    email = OutgoingEmail.objects.get(to="m1-delegate@alpha.test", subject__contains=question.number)
    assert email.subject == f"Question {question.number} : notre réponse"
    # The e-mail carries a link, not the answer.
    assert f"/questions/{question.pk}/" in email.body and "confidentielle" not in email.body
    assert "Période d'essai renouvelée" in email.body and "Société Un" in email.body


def test_a_contact_who_may_only_ask_hears_of_their_own_questions_only(readers):
    own = ask(email="m1-user@alpha.test")
    question_answer(actor=jurist(), question=own, body="Oui.")
    # The administrator opted out and is not the asker this time.
    expected = {"m1-user@alpha.test", "m1-delegate@alpha.test"}
    assert told(own, "questions.answered") == (expected, expected)
    others = ask(email="m1-admin@alpha.test")
    question_info_request(actor=jurist(), question=others, body="Précisez.")
    notified, emailed = told(others, "questions.info_requested")
    assert "m1-user@alpha.test" not in notified | emailed
    assert notified == emailed == {"m1-admin@alpha.test", "m1-delegate@alpha.test"}
    assert not {"m2-admin@alpha.test"} & (notified | emailed)


def test_a_refused_answer_sends_nothing(in_alpha):
    question = question_answer(actor=jurist(), question=ask(), body="Oui.")
    before = footprint()
    with pytest.raises(Conflict):
        question_answer(actor=jurist(), question=question, body="Encore ?")
    assert footprint() == before


# --- rich text -------------------------------------------------------------------------------


def test_a_jurists_answer_is_sanitised(in_alpha):
    body = (
        '<p onclick="steal()">Voir <a href="javascript:alert(1)">ceci</a> et '
        '<a href="https://www.legifrance.gouv.fr/">le code</a>.</p><script>alert("x")</script>'
        '<img src="https://tracker.example/p.gif"><style>p{}</style><strong>Important</strong>'
    )
    answered = question_answer(actor=jurist(), question=ask(), body=body)
    html = answered.messages.get().body
    for gone in ("<script", "alert", "onclick", "javascript:", "<img", "tracker", "<style"):
        assert gone not in html
    assert '<a href="https://www.legifrance.gouv.fr/" rel="noopener noreferrer">le code</a>' in html
    assert "<strong>Important</strong>" in html


def test_plain_text_becomes_escaped_paragraphs(in_alpha):
    answered = question_answer(actor=jurist(), question=ask(), body="Durée < 2 mois & renouvelable\nune fois.")
    assert answered.messages.get().body == "<p>Durée &lt; 2 mois &amp; renouvelable<br>une fois.</p>"


def test_an_answer_with_no_visible_text_is_refused(in_alpha):
    question = ask()
    before = footprint()
    for body in ("<p><br></p>", "<p>&nbsp;</p>", "<p> &#160;<br></p>", "<script>alert(1)</script>", "   "):
        with pytest.raises(DomainError) as refused:
            question_answer(actor=jurist(), question=question, body=body)
        assert refused.value.errors == {"body": ["Écrivez votre message."]}
    assert footprint() == before


def test_a_members_reply_is_kept_as_plain_text(in_alpha):
    replied = question_reply(actor=user("m1-admin@alpha.test"), question=ask(), body="<b>Urgent</b>")
    message = replied.messages.get()
    assert message.body == "<b>Urgent</b>" and not message.is_html  # escaped where shown


# --- full-text search ------------------------------------------------------------------------


@pytest.fixture
def library(in_alpha):
    dismissal = ask(subject="Licenciement économique", body="Quelle procédure pour un salarié protégé ?")
    leave = ask(subject="Congés payés", body="Combien de jours en cas de maladie pendant les congés ?")
    hours = ask(subject="Temps de travail des cadres", body="Quel régime choisir ?")
    answer = "<p>Le <strong>forfait annuel</strong> exige un accord collectif.</p>"
    question_answer(actor=jurist(), question=hours, body=answer)
    return {"dismissal": dismissal, "leave": leave, "hours": hours}


def found(words: str, actor=None) -> list[int]:
    questions = question_search(actor=actor or jurist(), filters=QuestionFilters(search=words))
    return [question.pk for question in questions]


def test_search_understands_french_word_forms(library):
    assert found("licenciements économiques") == [library["dismissal"].pk]
    assert found("salariés") == [library["dismissal"].pk]
    assert found("congé") == [library["leave"].pk]


def test_search_ignores_case_and_accents_where_french_stemming_drops_them(library):
    assert found("CONGÉS") == [library["leave"].pk]
    assert found("conges") == [library["leave"].pk]  # the stem of "congés" is "cong"


def test_search_reads_the_answers_too(library):
    assert found("accords collectifs") == [library["hours"].pk]
    assert found("strong") == []  # the markup is not text


def test_search_takes_web_syntax_and_ranks_the_subject_first(library):
    assert set(found("forfait or licenciement")) == {library["hours"].pk, library["dismissal"].pk}
    assert found("congés -maladie") == []
    both = ask(subject="Maladie", body="Arrêt maladie pendant les congés payés.")
    assert found("maladie") == [both.pk, library["leave"].pk]  # in the subject before the body


def test_search_stays_within_what_the_actor_may_see(library):
    other = user("m2-admin@alpha.test")
    other.active_membership = Membership.objects.get(user=other)
    assert found("licenciement", actor=other) == []
    own = user("m1-admin@alpha.test")
    own.active_membership = Membership.objects.get(user=own)
    assert found("licenciement", actor=own) == [library["dismissal"].pk]


# --- statistics ------------------------------------------------------------------------------


def test_statistics_of_a_known_data_set(in_alpha):
    contract, hours = theme("Contrat de travail"), theme("Durée du travail")

    def made(received: datetime, theme_, answered_after: timedelta | None = None, on_time: bool | None = None):
        question = ask()
        Question.objects.filter(pk=question.pk).update(
            received_at=received,
            theme=theme_,
            first_answered_at=received + answered_after if answered_after else None,
            answered_on_time=on_time,
        )

    made(datetime(2026, 1, 10, 10, tzinfo=PARIS), contract, timedelta(hours=24), True)
    made(datetime(2026, 2, 5, 10, tzinfo=PARIS), contract, timedelta(hours=72), False)
    # 23:30 UTC on 28 February is 1 March in Paris: a March question.
    made(datetime(2026, 2, 28, 23, 30, tzinfo=ZoneInfo("UTC")), hours, timedelta(hours=48), True)
    made(datetime(2026, 3, 10, 10, tzinfo=PARIS), contract)  # not answered yet
    made(datetime(2025, 12, 31, 10, tzinfo=PARIS), hours, timedelta(hours=1), False)  # before the period

    with CaptureQueriesContext(connection) as queries:
        figures = question_statistics(months=3, today=date(2026, 3, 15))
    assert len(queries) == 2  # counts per theme and month, then the answers' figures
    assert figures.months == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert [(row.name, row.counts, row.total) for row in figures.themes] == [
        ("Contrat de travail", [1, 1, 1], 3),
        ("Durée du travail", [0, 0, 1], 1),
    ]
    assert figures.monthly_totals == [1, 1, 2] and figures.total == 4
    assert (figures.answered, figures.answered_on_time) == (3, 2)
    assert figures.on_time_share == pytest.approx(2 / 3)
    assert figures.median_answer_hours == 48.0


def test_statistics_of_an_empty_period(in_alpha):
    figures = question_statistics(months=2, today=date(2030, 1, 20))
    assert figures.months == [date(2029, 12, 1), date(2030, 1, 1)]
    assert (figures.themes, figures.total, figures.on_time_share, figures.median_answer_hours) == ([], 0, None, None)


# --- themes ----------------------------------------------------------------------------------


def names(queryset) -> list[str]:
    return [item.name for item in queryset]


def test_theme_names_are_unique_whatever_the_case(in_alpha):
    admin = user("admin@alpha.test")
    before = (Theme.objects.count(), AuditEntry.objects.count())
    with pytest.raises(DomainError) as refused:
        theme_save(actor=admin, name="  contrat DE travail ")
    assert refused.value.errors == {"name": ["Un thème porte déjà ce nom."]}
    with pytest.raises(DomainError):
        theme_save(actor=admin, theme=theme("Durée du travail"), name="Contrat de travail")
    with pytest.raises(DomainError) as empty:
        theme_save(actor=admin, name=" ")
    assert empty.value.errors == {"name": ["Indiquez un nom."]}
    assert (Theme.objects.count(), AuditEntry.objects.count()) == before
    created = theme_save(actor=admin, name="Formation professionnelle")
    assert names(theme_choices())[-1] == "Formation professionnelle"
    assert AuditEntry.objects.filter(action="questions.theme_save", target_id=str(created.pk)).count() == 1


def test_sub_theme_names_are_unique_within_their_theme(in_alpha):
    admin = user("admin@alpha.test")
    with pytest.raises(DomainError) as refused:
        sub_theme_save(actor=admin, theme=theme("Contrat de travail"), name="embauche")
    assert refused.value.errors == {"name": ["Ce thème a déjà un sous-thème de ce nom."]}
    elsewhere = sub_theme_save(actor=admin, theme=theme("Durée du travail"), name="Embauche")
    assert elsewhere.theme == theme("Durée du travail") and elsewhere.position == 4


def test_a_switched_off_theme_keeps_its_questions_and_is_no_longer_offered(in_alpha):
    admin = user("admin@alpha.test")
    contract = theme("Contrat de travail")
    earlier = ask(sub_theme_id=SubTheme.objects.get(name="Embauche").pk)
    theme_save(actor=admin, theme=contract, name="Contrat de travail", is_active=False)
    assert reload(earlier).theme == contract and reload(earlier).sub_theme.name == "Embauche"
    assert "Contrat de travail" not in names(theme_choices())
    assert "Contrat de travail" in names(theme_choices(include_inactive=True))
    with pytest.raises(DomainError) as refused:
        ask()
    assert list(refused.value.errors) == ["theme"]
    theme_save(actor=admin, theme=contract, name="Contrat de travail", is_active=True)
    hiring = SubTheme.objects.get(name="Embauche")
    sub_theme_save(actor=admin, theme=contract, sub_theme=hiring, name="Embauche", is_active=False)
    offered = next(t for t in theme_choices() if t.name == "Contrat de travail")
    assert "Embauche" not in names(offered.sub_themes.all()) and reload(earlier).sub_theme == hiring


def test_themes_move_up_and_down(in_alpha):
    admin = user("admin@alpha.test")
    first_two = names(theme_choices())[:2]
    assert first_two == ["Contrat de travail", "Durée du travail"]
    theme_move(actor=admin, item=theme("Durée du travail"), offset=-1)
    assert names(theme_choices())[:2] == ["Durée du travail", "Contrat de travail"]
    theme_move(actor=admin, item=theme("Durée du travail"), offset=-1)  # already first: nothing moves
    assert names(theme_choices())[:2] == ["Durée du travail", "Contrat de travail"]
    last = names(theme_choices())[-1]
    theme_move(actor=admin, item=theme(last), offset=1)
    assert names(theme_choices())[-1] == last
    contract = theme("Contrat de travail")
    theme_move(actor=admin, item=SubTheme.objects.get(name="Embauche"), offset=1)
    assert names(contract.sub_themes.order_by("position"))[:2] == ["Période d'essai", "Embauche"]
    assert AuditEntry.objects.filter(action="questions.theme_move").count() == 2
    with pytest.raises(PermissionDenied):
        theme_move(actor=jurist(), item=contract, offset=1)
    with pytest.raises(PermissionDenied):
        theme_save(actor=user("m1-admin@alpha.test"), name="Nouveau")


# --- journal and revisions -------------------------------------------------------------------


def test_every_change_is_journaled_and_bumps_the_revision(in_alpha):
    question = ask(callback_phone="0123456789")
    steps = [
        ("assign", lambda: question_assign(actor=jurist(), question=question, assignee=jurist())),
        ("info_request", lambda: question_info_request(actor=jurist(), question=question, body="?")),
        ("reply", lambda: question_reply(actor=user("m1-admin@alpha.test"), question=question, body="Voici.")),
        ("callback_done", lambda: callback_done(actor=jurist(), question=question)),
        ("answer", lambda: question_answer(actor=jurist(), question=question, body="Oui.")),
        ("reopen", lambda: question_reopen(actor=jurist(), question=question)),
        ("close", lambda: question_close(actor=jurist(), question=question)),
    ]
    assert reload(question).revision == 1
    for revision, (_action, step) in enumerate(steps, start=2):
        step()
        assert reload(question).revision == revision
    entries = AuditEntry.objects.filter(target_type="questions.question", target_id=str(question.pk)).order_by("id")
    assert [entry.action for entry in entries] == ["questions.submit"] + [f"questions.{a}" for a, _s in steps]
    assert {entry.member_id for entry in entries} == {member().pk}
    assert entries.get(action="questions.info_request").after == {"status": "waiting_member", "paused_days": 5}


def test_theme_names_are_unique_whatever_the_case_in_the_database_too(in_alpha):
    from django.db import IntegrityError, transaction

    Theme.objects.create(name="Droit social", position=99)
    with pytest.raises(IntegrityError), transaction.atomic():
        Theme.objects.create(name="DROIT SOCIAL", position=100)
    parent = Theme.objects.get(name="Droit social")
    SubTheme.objects.create(theme=parent, name="Préavis")
    with pytest.raises(IntegrityError), transaction.atomic():
        SubTheme.objects.create(theme=parent, name="préavis")
