"""The jurists' pages: the panel on a question and its actions, the queue, the callbacks, the statistics."""

import html
import re
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import StaffRole, User
from core.modules.models import ModuleSettings
from modules.questions.models import Attachment, Message, MessageKind, Question, QuestionStatus
from modules.questions.services import question_answer, question_assign, question_info_request
from modules.questions.views.panel import staff_panel_context
from modules.questions.views.staff import answer_time_label
from tests.conftest import host_of
from tests.modules.questions.conftest import PDF, ask, member, pdf_file, theme, user
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

JURIST, ADMIN = "jurist@alpha.test", "admin@alpha.test"
QUEUE = "/questions/a-traiter/"


def text(response) -> str:
    return html.unescape(response.content.decode())


def stored_files(alpha) -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / alpha.schema_name / "questions"
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def new_question(alpha, **fields) -> Question:
    with tenant_context(alpha):
        return ask(**fields)


def fresh(alpha, question: Question) -> Question:
    with tenant_context(alpha):
        return Question.objects.select_related("assignee").get(pk=question.pk)


def url(question: Question, action: str) -> str:
    return f"/questions/{question.pk}/{action}/"


@pytest.fixture
def jurist(alpha, client_for):
    return client_for(alpha, JURIST)


# The actions through the pages ---------------------------------------------------------------


def test_assign_to_oneself_then_to_a_colleague(alpha, jurist):
    question = new_question(alpha)
    with tenant_context(alpha):
        me = user(JURIST)
    response = jurist.post(url(question, "attribuer"), {"assignee": str(me.pk)}, follow=True)
    page = text(response)
    assert f"Vous avez pris en charge la question {question.number}." in page
    question = fresh(alpha, question)
    assert question.status == QuestionStatus.IN_PROGRESS and question.assignee.email == JURIST
    with tenant_context(alpha):
        colleague = user(ADMIN)
    response = jurist.post(url(question, "attribuer"), {"assignee": str(colleague.pk)}, follow=True)
    assert f"Question {question.number} attribuée à" in text(response)
    assert fresh(alpha, question).assignee.email == ADMIN


def test_assigning_to_someone_who_is_not_a_jurist_is_refused(alpha, jurist):
    question = new_question(alpha)
    with tenant_context(alpha):
        contact = user("m1-admin@alpha.test")
    response = jurist.post(url(question, "attribuer"), {"assignee": str(contact.pk)}, follow=True)
    assert "Choisissez un juriste de l'organisation." in text(response)
    assert fresh(alpha, question).assignee is None


def test_information_request_with_a_file_stops_the_clock(alpha, jurist):
    question = new_question(alpha)
    response = jurist.post(
        url(question, "precisions"),
        {"body": "Quel est le <b>contrat</b> ?", "attachments": [pdf_file("modele.pdf")]},
        follow=True,
    )
    assert "Demande de précisions envoyée" in text(response)
    question = fresh(alpha, question)
    assert question.status == QuestionStatus.WAITING and question.paused_days is not None
    with tenant_context(alpha):
        message = Message.objects.get(question=question)
        assert message.kind == MessageKind.INFO_REQUEST and "<b>contrat</b>" in message.body
        assert [attachment.original_name for attachment in message.attachments.all()] == ["modele.pdf"]


def test_answer_with_rich_text_and_a_file_drops_scripts(alpha, jurist):
    question = new_question(alpha)
    body = '<p>Oui, <strong>une fois</strong>.</p><script>alert("x")</script><ul><li>CDI</li></ul>'
    response = jurist.post(url(question, "repondre"), {"body": body, "attachments": [pdf_file("note.pdf")]})
    assert response.status_code == 302 and response["Location"] == f"/questions/{question.pk}/"
    question = fresh(alpha, question)
    assert question.status == QuestionStatus.ANSWERED and question.assignee.email == JURIST
    with tenant_context(alpha):
        message = Message.objects.get(question=question, kind=MessageKind.ANSWER)
        assert "<strong>une fois</strong>" in message.body and "<li>CDI</li>" in message.body
        assert "script" not in message.body and "alert" not in message.body
        assert message.attachments.get().original_name == "note.pdf"
    page = text(jurist.get(f"/questions/{question.pk}/"))
    assert "Réponse envoyée : la question" in page and "<strong>une fois</strong>" in page


def test_close_with_a_note_then_reopen(alpha, jurist):
    question = new_question(alpha)
    response = jurist.post(url(question, "cloturer"), {"note": "Réponse donnée par téléphone."}, follow=True)
    assert f"La question {question.number} est clôturée." in text(response)
    assert fresh(alpha, question).status == QuestionStatus.ANSWERED
    response = jurist.post(url(question, "rouvrir"), {"note": ""}, follow=True)
    assert f"La question {question.number} est rouverte" in text(response)
    question = fresh(alpha, question)
    assert question.status == QuestionStatus.IN_PROGRESS and question.closed_at is None
    with tenant_context(alpha):
        kinds = list(Message.objects.filter(question=question).values_list("kind", flat=True))
    assert kinds == [MessageKind.CLOSING, MessageKind.REOPENING]


def test_callback_done_from_the_callbacks_page(alpha, jurist):
    question = new_question(alpha, callback_phone="01 23 45 67 89", callback_slot="morning")
    page = text(jurist.get("/questions/rappels/"))
    assert 'href="tel:0123456789"' in page and "Le matin (9 h - 12 h)" in page and "1 rappel à faire" in page
    response = jurist.post(url(question, "rappel-effectue"), {"next": "/questions/rappels/"}, follow=True)
    page = text(response)
    assert response.redirect_chain[-1][0] == "/questions/rappels/"
    assert f"Rappel de la question {question.number} noté comme effectué." in page
    assert "Aucun rappel en attente." in page and "Derniers rappels effectués" in page
    assert fresh(alpha, question).callback_done_at is not None
    again = jurist.post(url(question, "rappel-effectue"), follow=True)
    assert "Ce rappel est déjà noté comme effectué." in text(again)


# Refusals ------------------------------------------------------------------------------------


def test_answering_a_treated_question_is_refused_and_nothing_is_written(alpha, jurist):
    question = new_question(alpha)
    with tenant_context(alpha):
        question_answer(actor=user(JURIST), question=question, body="Première réponse.")
    before = stored_files(alpha)
    response = jurist.post(
        url(question, "repondre"), {"body": "Seconde réponse.", "attachments": [pdf_file()]}, follow=True
    )
    assert response.status_code == 200
    assert "Impossible de répondre à une question au statut « Traitée »." in text(response)
    with tenant_context(alpha):
        assert Message.objects.filter(question=question).count() == 1
        assert not Attachment.objects.filter(question=question).exists()
    assert stored_files(alpha) == before


def test_a_disguised_file_is_refused_with_the_answer_kept(alpha, jurist):
    question = new_question(alpha)
    before = stored_files(alpha)  # files of earlier tests stay on disk
    fake = SimpleUploadedFile("contrat.pdf", b"<html><script>alert(1)</script></html>", content_type="application/pdf")
    response = jurist.post(url(question, "repondre"), {"body": "Ma réponse détaillée", "attachments": [fake]})
    page = text(response)
    assert response.status_code == 400
    assert "« contrat.pdf »" in page and "Le message n'a pas été envoyé" in page
    assert "Ma réponse détaillée</textarea>" in page  # what the jurist typed is kept
    assert fresh(alpha, question).status == QuestionStatus.NEW
    with tenant_context(alpha):
        assert not Message.objects.filter(question=question).exists()
    assert stored_files(alpha) == before


def test_a_refused_closing_note_says_so_and_keeps_what_was_typed(alpha, jurist):
    question = new_question(alpha)
    response = jurist.post(url(question, "cloturer"), {"note": "Trop long. " + "x" * 20_001})
    page = text(response)
    assert response.status_code == 400 and "La question n'a pas été clôturée : corrigez les erreurs indiquées." in page
    assert "Trop long. xxx" in page  # the note, in its form opened again
    assert fresh(alpha, question).status == QuestionStatus.NEW


def test_an_empty_answer_is_refused(alpha, jurist):
    question = new_question(alpha)
    response = jurist.post(url(question, "repondre"), {"body": "<p><br></p>"})
    assert response.status_code == 400 and "Écrivez votre message." in text(response)
    assert fresh(alpha, question).status == QuestionStatus.NEW


def test_a_body_declared_too_large_is_refused_before_reading_it(alpha, jurist):
    question = new_question(alpha)
    before = stored_files(alpha)  # files of earlier tests stay on disk
    response = jurist.post(
        url(question, "repondre"), {"body": "Réponse", "attachments": [pdf_file()]}, CONTENT_LENGTH=str(10**9)
    )
    assert response.status_code == 413
    assert "L'envoi dépasse la taille autorisée : 5 fichiers de 10 Mo au plus." in text(response)
    assert fresh(alpha, question).status == QuestionStatus.NEW and stored_files(alpha) == before


def test_a_file_past_the_limit_is_cut_and_refused(alpha, jurist):
    question = new_question(alpha)
    before = stored_files(alpha)  # files of earlier tests stay on disk
    with tenant_context(alpha):
        ModuleSettings.objects.update_or_create(key="questions", defaults={"values": {"attachment_max_mb": 1}})
    big = pdf_file("gros.pdf", PDF + b"0" * (1024 * 1024 + 10))
    response = jurist.post(url(question, "precisions"), {"body": "Pouvez-vous préciser ?", "attachments": [big]})
    page = text(response)
    assert response.status_code == 400 and "Le fichier dépasse la taille maximale autorisée (1 Mo)." in page
    assert "Pouvez-vous préciser ?</textarea>" in page
    assert fresh(alpha, question).status == QuestionStatus.NEW and stored_files(alpha) == before


def test_member_people_are_refused_every_jurist_page(alpha, client_for):
    question = new_question(alpha)
    contact = client_for(alpha, "m1-admin@alpha.test")
    for path in (QUEUE, "/questions/rappels/", "/questions/statistiques/"):
        assert contact.get(path).status_code == 403, path
    others = new_question(alpha, email="m2-admin@alpha.test", member_name="Société Deux")
    for action in ("attribuer", "repondre", "precisions", "cloturer", "rouvrir", "rappel-effectue"):
        assert contact.post(url(question, action), {"body": "x", "assignee": "me"}).status_code == 403, action
        # Another member's question: the question is looked for first, the same 404 as a missing one.
        assert contact.post(url(others, action), {"body": "x", "assignee": "me"}).status_code == 404, action
    assert fresh(alpha, question).status == QuestionStatus.NEW


def test_another_organisations_jurist_reaches_nothing_of_alpha(alpha, beta, client_for):
    question = new_question(alpha)
    # Beta's jurist has no account on alpha's host: the login itself fails there.
    response = client_for(alpha).post("/compte/connexion/", {"username": "jurist@beta.test", "password": PASSWORD})
    assert response.status_code != 302
    # On beta's host alpha's question ids are nobody's: the same 404 as a missing one.
    beta_jurist = client_for(beta, "jurist@beta.test")
    for action in ("attribuer", "repondre", "cloturer", "rappel-effectue"):
        assert beta_jurist.post(url(question, action), {"body": "x", "assignee": "me"}).status_code == 404
    assert beta_jurist.post("/questions/999999/repondre/", {"body": "x"}).status_code == 404
    assert fresh(alpha, question).status == QuestionStatus.NEW


# The panel -----------------------------------------------------------------------------------


def panel(alpha, question: Question, email: str = JURIST) -> str:
    with tenant_context(alpha):
        request = RequestFactory().get("/", HTTP_HOST=host_of(alpha))
        request.user = user(email)
        context = staff_panel_context(request, Question.objects.select_related("assignee").get(pk=question.pk))
        return html.unescape(render_to_string("questions/_staff_panel.html", {**context, "user": request.user}))


def test_panel_of_a_new_question(alpha, jurist):
    question = new_question(alpha, callback_phone="06 12 34 56 78")
    with tenant_context(alpha):
        User.objects.create_user("ana@alpha.test", None, full_name="Ana Juriste", staff_role=StaffRole.JURIST)
    page = panel(alpha, question)
    options = re.findall(r"<option value=\"([^\"]*)\"[^>]*>([^<]*)</option>", page)
    with tenant_context(alpha):
        me = user(JURIST)
    assert options[0] == (str(me.pk), "Moi") and ("Ana Juriste" in [label for _, label in options])
    assert "jurist@alpha.test" not in [label for _, label in options]  # oneself is "Moi"
    assert "Non attribuée" in page and "Envoyer la réponse" in page and "Demander des précisions" in page
    assert "Clôturer" in page and "Rouvrir" not in page
    assert "Rappel effectué" in page and 'href="tel:0612345678"' in page
    assert 'data-richtext=""' in page
    assert "questions/richtext.js" in text(jurist.get(f"/questions/{question.pk}/"))  # the editor of those fields


def test_panel_flags_late_soon_and_paused(alpha):
    question = new_question(alpha)
    today = timezone.localdate()
    with tenant_context(alpha):
        Question.objects.filter(pk=question.pk).update(due_on=today - timedelta(days=10))
    assert "En retard" in panel(alpha, question)
    with tenant_context(alpha):
        Question.objects.filter(pk=question.pk).update(due_on=today)
    assert "Échéance proche" in panel(alpha, question)
    with tenant_context(alpha):
        Question.objects.filter(pk=question.pk).update(due_on=today + timedelta(days=30))
    page = panel(alpha, question)
    assert "En retard" not in page and "Échéance proche" not in page
    with tenant_context(alpha):
        question_info_request(actor=user(JURIST), question=question, body="Précisez.")
        Question.objects.filter(pk=question.pk).update(paused_days=2)
    page = panel(alpha, question)
    assert "En pause (2 jours ouvrés restants)" in page and "Envoyer la réponse" in page
    assert "Demander des précisions" not in page


def test_panel_of_a_treated_question_offers_to_reopen_only(alpha):
    question = new_question(alpha)
    with tenant_context(alpha):
        question_answer(actor=user(JURIST), question=question, body="Réponse.")
    page = panel(alpha, question)
    assert "Rouvrir" in page and "Traitée le" in page
    assert "Envoyer la réponse" not in page and "Attribuer" not in page and "Clôturer" not in page


def test_panel_query_count_does_not_depend_on_the_number_of_colleagues(alpha):
    question = new_question(alpha)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            panel(alpha, question)
        return len(queries)

    few = count()
    with tenant_context(alpha):
        for number in range(15):
            User.objects.create_user(f"juriste{number}@alpha.test", None, staff_role=StaffRole.JURIST)
    assert count() == few


# The queue -----------------------------------------------------------------------------------


def dated(alpha, subject: str, *, due_in: int, status=None, **fields) -> Question:
    """A question due `due_in` days from today (negative: late)."""
    question = new_question(alpha, subject=subject, **fields)
    with tenant_context(alpha):
        changes = {"due_on": timezone.localdate() + timedelta(days=due_in)}
        if status:
            changes["status"] = status
        Question.objects.filter(pk=question.pk).update(**changes)
    return question


def subjects(page: str) -> list[str]:
    return re.findall(r'data-label="Sujet"><a href="/questions/\d+/">([^<]+)</a></td>', page)


def test_queue_flags_and_due_filters(alpha, jurist):
    dated(alpha, "Dossier en retard", due_in=-3)
    dated(alpha, "Dossier du jour", due_in=0)
    dated(alpha, "Dossier lointain", due_in=30)
    waiting = dated(alpha, "Dossier en attente", due_in=-5)
    with tenant_context(alpha):
        question_info_request(actor=user(JURIST), question=waiting, body="Précisez.")
    dated(alpha, "Dossier traité", due_in=-8, status=QuestionStatus.ANSWERED)

    page = text(jurist.get(QUEUE))
    assert set(subjects(page)) == {"Dossier en retard", "Dossier du jour", "Dossier lointain", "Dossier en attente"}
    assert subjects(page)[0] == "Dossier en retard"  # sorted by due day, most urgent first
    assert page.count("flag flag-late") == 1 and page.count("flag flag-soon") == 1
    assert "En retard" in page and "Échéance proche" in page and "En pause (" in page
    assert re.search(r"<strong>1</strong> en retard", page) and re.search(r"<strong>1</strong> à échéance", page)

    assert subjects(text(jurist.get(QUEUE, {"due": "late"}))) == ["Dossier en retard"]
    assert subjects(text(jurist.get(QUEUE, {"due": "soon"}))) == ["Dossier du jour"]
    treated = subjects(text(jurist.get(QUEUE, {"status": "answered"})))
    assert treated == ["Dossier traité"]


def test_queue_filters_by_assignee_theme_member_and_words(alpha, jurist):
    mine = new_question(alpha, subject="Licenciement économique")
    with tenant_context(alpha):
        question_assign(actor=user(JURIST), question=mine, assignee=user(JURIST))
    other = new_question(
        alpha, subject="Heures supplémentaires", email="m2-admin@alpha.test", member_name="Société Deux"
    )
    with tenant_context(alpha):
        m1 = member("Société Un")
    assert subjects(text(jurist.get(QUEUE, {"assignee": "me"}))) == ["Licenciement économique"]
    assert subjects(text(jurist.get(QUEUE, {"assignee": "none"}))) == ["Heures supplémentaires"]
    by_member = text(jurist.get(QUEUE, {"member": m1.pk}))
    assert subjects(by_member) == ["Licenciement économique"] and "Adhérent : Société Un" in by_member
    assert subjects(text(jurist.get(QUEUE, {"q": "licenciements"}))) == ["Licenciement économique"]
    theme_id = fresh(alpha, other).theme_id
    assert len(subjects(text(jurist.get(QUEUE, {"theme": theme_id})))) == 2
    with tenant_context(alpha):
        paie = theme("Paie et rémunération")
    assert "Aucune question ne correspond" in text(jurist.get(QUEUE, {"theme": paie.pk}))
    assert len(subjects(text(jurist.get(QUEUE, {"theme": 999999})))) == 2  # an unknown theme is ignored


def test_queue_sorts_by_every_column_with_aria_sort(alpha, jurist):
    new_question(alpha, subject="Alpha sujet")
    new_question(alpha, subject="Zêta sujet")
    page = text(jurist.get(QUEUE, {"sort": "-subject"}))
    assert subjects(page) == ["Zêta sujet", "Alpha sujet"]
    assert re.search(r'<th scope="col" aria-sort="descending"><a href="\?sort=subject">Sujet', page)
    assert subjects(text(jurist.get(QUEUE, {"sort": "subject"}))) == ["Alpha sujet", "Zêta sujet"]
    for key in ("number", "member", "theme", "status", "received", "due", "assignee"):
        assert jurist.get(QUEUE, {"sort": key}).status_code == 200
    assert jurist.get(QUEUE, {"sort": "nonsense", "page": "x"}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        f"{QUEUE}?member=99999999999999999999&assignee=9999999999",
        f"{QUEUE}?q=%00&theme=%C2%B2&sort=%00&due=%00",
        "/questions/statistiques/?months=%00",
        "/questions/statistiques/?months=99999999999999999999",
    ],
)
def test_odd_query_strings_never_break_the_jurists_pages(jurist, path):
    assert jurist.get(path).status_code == 200


def test_queue_live_update_answers_only_the_results(alpha, jurist):
    new_question(alpha, subject="Période d'essai")
    response = jurist.get(QUEUE, {"q": "essai"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="queue-results")
    body = text(response)
    assert "<html" not in body and subjects(body) == ["Période d'essai"]


def test_queue_links_to_themes_only_for_administrators(alpha, jurist, client_for):
    assert "/questions/themes/" not in text(jurist.get(QUEUE))
    assert "/questions/themes/" in text(client_for(alpha, ADMIN).get(QUEUE))


def bulk(alpha, count: int) -> None:
    with tenant_context(alpha):
        now, asker, owner, subject_theme = timezone.now(), user("m1-admin@alpha.test"), member(), theme()
        Question.objects.bulk_create(
            Question(
                member=owner,
                asked_by=asker,
                theme=subject_theme,
                subject=f"Lot {number}",
                body="Texte",
                received_at=now - timedelta(minutes=number),
                updated_at=now,
                due_on=timezone.localdate() + timedelta(days=number % 9 - 4),
                callback_phone="0123456789" if number % 2 else "",
                callback_due_at=now if number % 2 else None,
                assignee=user(JURIST) if number % 3 else None,
            )
            for number in range(count)
        )


def test_queue_costs_the_same_queries_for_1_or_500_questions(alpha, jurist):
    bulk(alpha, 1)
    jurist.get(QUEUE)  # warm the session and caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = jurist.get(QUEUE)
        assert response.status_code == 200
        return len(captured)

    one = queries()
    bulk(alpha, 500)
    many = queries()
    assert one == many
    assert "Page 1 sur 21" in text(jurist.get(QUEUE))


# Callbacks -----------------------------------------------------------------------------------


def test_callbacks_are_listed_most_urgent_first_with_late_flagged(alpha, jurist):
    later = new_question(alpha, subject="Rappel plus tard", callback_phone="0102030405")
    overdue = new_question(alpha, subject="Rappel en retard", callback_phone="0102030406")
    sooner = new_question(alpha, subject="Rappel bientôt", callback_phone="0102030407")
    no_callback = new_question(alpha, subject="Sans rappel")
    now = timezone.now()
    with tenant_context(alpha):
        Question.objects.filter(pk=later.pk).update(callback_due_at=now + timedelta(hours=30))
        Question.objects.filter(pk=overdue.pk).update(callback_due_at=now - timedelta(hours=2))
        Question.objects.filter(pk=sooner.pk).update(callback_due_at=now + timedelta(hours=3))
    page = text(jurist.get("/questions/rappels/"))
    positions = [page.index(subject) for subject in ("Rappel en retard", "Rappel bientôt", "Rappel plus tard")]
    assert positions == sorted(positions)
    assert page.count("flag flag-late") == 1 and "3 rappels à faire" in page and no_callback.subject not in page


# Statistics ----------------------------------------------------------------------------------


def at(day, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def test_statistics_of_a_known_set_of_questions(alpha, jurist):
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=15)
    with tenant_context(alpha):
        other_theme = theme("Paie et rémunération")
    plan = [
        # (theme, received, hours to the first answer or None, on time)
        (None, at(this_month, 8), 10, True),
        (None, at(this_month, 9), 30, True),
        (None, at(last_month, 9), 50, False),
        (other_theme.pk, at(this_month, 10), None, None),
    ]
    for index, (theme_id, received, hours, on_time) in enumerate(plan):
        fields = {"theme_id": theme_id} if theme_id else {}
        question = new_question(alpha, subject=f"Statistique {index}", **fields)
        with tenant_context(alpha):
            Question.objects.filter(pk=question.pk).update(
                received_at=received,
                first_answered_at=received + timedelta(hours=hours) if hours else None,
                answered_on_time=on_time,
            )
    page = text(jurist.get("/questions/statistiques/", {"months": 6}))
    row = re.search(r'<th scope="row">Contrat de travail</th>(.*?)</tr>', page, re.S).group(1)
    cells = [int(value) for value in re.findall(r"<td[^>]*>(?:<strong>)?(\d+)", row)]
    assert cells == [0, 0, 0, 0, 1, 2, 3]  # six months, then the total
    paie = re.search(r'<th scope="row">Paie et rémunération</th>(.*?)</tr>', page, re.S).group(1)
    assert [int(value) for value in re.findall(r"<td[^>]*>(?:<strong>)?(\d+)", paie)] == [0, 0, 0, 0, 0, 1, 1]
    assert "67\u00a0% des réponses dans les délais" in page
    assert "1 jour et 6 heures" in page  # median of 10, 30 and 50 hours
    assert page.count('role="img"') == 3 and "Questions reçues par mois : " in page
    assert "<caption>Questions reçues par thème et par mois</caption>" in page


def test_statistics_refuses_nothing_with_odd_periods(alpha, jurist):
    assert jurist.get("/questions/statistiques/", {"months": "abc"}).status_code == 200
    assert "Aucune question sur la période." in text(jurist.get("/questions/statistiques/", {"months": 24}))


@pytest.mark.parametrize(
    ("hours", "label"),
    [
        (None, "Aucune réponse sur la période"),
        (0.2, "moins d'une heure"),
        (1, "1 heure"),
        (5.4, "5 heures"),
        (24, "1 jour"),
        (49.6, "2 jours et 2 heures"),
        (23.7, "1 jour"),
    ],
)
def test_answer_time_reads_in_days_and_hours(hours, label):
    assert answer_time_label(hours) == label
