"""The member's pages of the questions module: asking, the history, a question, replies, downloads."""

import html
import re
from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.access.models import Membership
from core.modules.settings import module_settings_save
from modules.questions.models import Attachment, Message, MessageKind, Question, QuestionStatus, SubTheme, Theme
from modules.questions.services import question_answer, question_assign, question_info_request
from tests.conftest import host_of
from tests.modules.questions.conftest import ask, member, pdf_file, theme, user

pytestmark = pytest.mark.django_db

M1_ADMIN, M1_USER, M2_ADMIN = "m1-admin@alpha.test", "m1-user@alpha.test", "m2-admin@alpha.test"
ASK_URL = "/questions/nouvelle/"


def raw(response) -> str:
    return response.content.decode()


def text(response) -> str:
    """The page as read (entities decoded); `raw` for what escaping must show."""
    return html.unescape(raw(response))


def grant(alpha, email: str, rights: list[str]) -> None:
    with tenant_context(alpha):
        Membership.objects.filter(user__email=email).update(rights=rights)


def stored_files(alpha) -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / alpha.schema_name / "questions"
    return {path for path in folder.rglob("*") if path.is_file()} if folder.exists() else set()


def question_count(alpha) -> int:
    with tenant_context(alpha):
        return Question.objects.count()


def in_alpha_ask(alpha, **fields) -> Question:
    with tenant_context(alpha):
        return ask(**fields)


def form_data(alpha, **changes) -> dict:
    with tenant_context(alpha):
        contract = theme()
        hiring = SubTheme.objects.get(theme=contract, name="Embauche")
    data = {
        "theme": contract.pk,
        "sub_theme": hiring.pk,
        "subject": "Renouvellement de la période d'essai",
        "body": "Peut-on renouveler la période d'essai d'un cadre ?",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def m1_admin(client_for, alpha) -> Client:
    return client_for(alpha, M1_ADMIN)


# Asking ------------------------------------------------------------------------------------


def test_the_ask_form_states_the_answer_time_and_the_file_limits(m1_admin):
    response = m1_admin.get(ASK_URL)
    assert response.status_code == 200
    body = text(response)
    assert "Description détaillée" in body
    assert "Un juriste vous répond sous 5 jours ouvrés." in body
    assert "Jusqu'à 5 fichiers de 10 Mo chacun au plus" in body
    assert "PDF, Word (DOCX), Excel (XLSX), images (PNG, JPEG), CSV, texte" in body
    assert "Je souhaite être rappelé par un juriste sous 48 h" in body
    assert 'name="attachments"' in body and "multiple" in body
    # The sub-theme list refreshes itself from the chosen theme.
    assert 'hx-get="/questions/sous-themes/"' in body and 'hx-target="#id_sub_theme"' in body


def test_asking_with_a_file_a_sub_theme_and_a_callback(m1_admin, alpha):
    data = form_data(alpha, callback="on", callback_phone="01 23 45 67 89", callback_slot="morning")
    response = m1_admin.post(ASK_URL, {**data, "attachments": [pdf_file("contrat.pdf")]})
    assert response.status_code == 302
    with tenant_context(alpha):
        question = Question.objects.get(subject="Renouvellement de la période d'essai")
        assert question.sub_theme.name == "Embauche" and question.asked_by.email == M1_ADMIN
        assert question.callback_phone == "01 23 45 67 89" and question.callback_due_at is not None
        assert [a.original_name for a in question.attachments.all()] == ["contrat.pdf"]
        due = question.due_on
    assert response["Location"] == f"/questions/{question.pk}/"
    page = text(m1_admin.get(response["Location"]))
    months = "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split()
    due_text = f"{due.day} {months[due.month - 1]} {due.year}"
    assert f"Votre question {question.number} a bien été envoyée. Réponse attendue au plus tard le {due_text}." in page
    assert "Embauche" in page and "contrat.pdf" in page
    assert "01 23 45 67 89" in page and "Le matin (9 h - 12 h)" in page


def test_a_callback_asked_without_a_phone_number_is_refused(m1_admin, alpha):
    before = question_count(alpha)
    response = m1_admin.post(ASK_URL, form_data(alpha, callback="on", callback_phone=""))
    assert response.status_code == 200
    assert "Indiquez le numéro auquel le juriste doit vous rappeler." in text(response)
    assert question_count(alpha) == before


def test_a_callback_phone_is_ignored_when_the_box_is_not_ticked(m1_admin, alpha):
    m1_admin.post(ASK_URL, form_data(alpha, callback_phone="01 23 45 67 89"))
    with tenant_context(alpha):
        question = Question.objects.get(subject="Renouvellement de la période d'essai")
        assert question.callback_phone == "" and question.callback_due_at is None


HTML_AS_PDF = b"<!doctype html><html><script>alert(1)</script></html>"
ELF_AS_PDF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120


def _other_theme_sub_theme(alpha) -> dict:
    with tenant_context(alpha):
        other = SubTheme.objects.exclude(theme=theme()).filter(is_active=True).first()
    return {"sub_theme": other.pk}


REFUSALS = {
    "no theme": (lambda alpha: {"theme": "", "sub_theme": ""}, None, "Choisissez un thème."),
    "unknown theme": (lambda alpha: {"theme": "999999", "sub_theme": ""}, None, "Choisissez un thème de la liste."),
    "sub-theme of another theme": (_other_theme_sub_theme, None, "Choisissez un sous-thème du thème choisi."),
    "no subject": (lambda alpha: {"subject": ""}, None, "Indiquez le sujet de votre question."),
    "html disguised as pdf": (
        lambda alpha: {},
        [pdf_file("contrat.pdf", HTML_AS_PDF)],
        "Ce type de fichier n'est pas accepté",
    ),
    "program disguised as pdf": (
        lambda alpha: {},
        [pdf_file("bulletin.pdf", ELF_AS_PDF)],
        "Ce type de fichier n'est pas accepté",
    ),
    "empty file": (lambda alpha: {}, [pdf_file("vide.pdf", b"")], "Le fichier est vide."),
    "too many files": (
        lambda alpha: {},
        [pdf_file(f"piece-{number}.pdf") for number in range(6)],
        "Vous pouvez joindre au plus 5 fichiers.",
    ),
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_question_writes_nothing_and_keeps_what_was_typed(m1_admin, alpha, case):
    changes, files, message = REFUSALS[case]
    before, files_before = question_count(alpha), stored_files(alpha)
    data = {**form_data(alpha), **changes(alpha)}
    if files:
        data["attachments"] = [SimpleUploadedFile(f.name, f.read(), content_type=f.content_type) for f in files]
    response = m1_admin.post(ASK_URL, data)
    assert response.status_code == 200
    body = text(response)
    assert message in body
    assert "Votre question n'a pas été envoyée" in body
    assert "Peut-on renouveler la période d'essai d'un cadre ?" in body  # the text is kept
    assert question_count(alpha) == before
    assert stored_files(alpha) == files_before
    with tenant_context(alpha):
        assert not Attachment.objects.exists()


def test_a_file_past_the_size_limit_is_cut_short_and_refused(m1_admin, alpha):
    with tenant_context(alpha):
        module_settings_save(
            actor=None,
            key="questions",
            values={
                "answer_delay_working_days": 5,
                "alsace_moselle": False,
                "attachment_max_mb": 1,
                "attachment_max_count": 5,
            },
        )
    before, files_before = question_count(alpha), stored_files(alpha)
    big = pdf_file("gros.pdf", b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10))
    response = m1_admin.post(ASK_URL, {**form_data(alpha), "attachments": [big]})
    assert response.status_code == 200
    assert "Le fichier dépasse la taille maximale autorisée (1 Mo)." in text(response)
    assert "Renouvellement de la période d'essai" in text(response)  # fields before the file arrived
    assert question_count(alpha) == before and stored_files(alpha) == files_before


def test_a_body_longer_than_every_file_allowed_is_refused_before_reading_it(m1_admin, alpha):
    with tenant_context(alpha):
        module_settings_save(
            actor=None,
            key="questions",
            values={
                "answer_delay_working_days": 5,
                "alsace_moselle": False,
                "attachment_max_mb": 1,
                "attachment_max_count": 1,
            },
        )
    before = question_count(alpha)
    big = pdf_file("enorme.pdf", b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024))
    response = m1_admin.post(ASK_URL, {**form_data(alpha), "attachments": [big]})
    assert response.status_code == 413
    assert "L'envoi dépasse la taille autorisée : 1 fichier de 1 Mo au plus." in text(response)
    assert question_count(alpha) == before


def test_asking_needs_the_right_to_ask(client_for, alpha):
    client = client_for(alpha, M1_USER)
    assert client.get(ASK_URL).status_code == 403
    before = question_count(alpha)
    assert client.post(ASK_URL, form_data(alpha)).status_code == 403
    assert question_count(alpha) == before


def test_asking_without_the_csrf_token_is_refused(alpha):
    client = Client(HTTP_HOST=host_of(alpha), enforce_csrf_checks=True)
    with tenant_context(alpha):
        client.force_login(user(M1_ADMIN))
    before = question_count(alpha)
    assert client.post(ASK_URL, form_data(alpha)).status_code == 403
    assert question_count(alpha) == before


def test_a_follow_up_quotes_the_number_of_a_question_the_person_can_see(m1_admin, alpha):
    own = in_alpha_ask(alpha)
    other = in_alpha_ask(alpha, email=M2_ADMIN, member_name="Société Deux")
    body = text(m1_admin.get(f"{ASK_URL}?suite={own.pk}"))
    assert f'value="Suite à la question {own.number} – "' in body
    body = text(m1_admin.get(f"{ASK_URL}?suite={other.pk}"))
    assert "Suite à la question" not in body


def test_sub_theme_options_list_the_active_sub_themes_of_a_theme(m1_admin, alpha):
    with tenant_context(alpha):
        contract = theme()
        SubTheme.objects.create(theme=contract, name="Ancien sous-thème", is_active=False)
        other = Theme.objects.exclude(pk=contract.pk).first()
    body = text(m1_admin.get("/questions/sous-themes/", {"theme": contract.pk}))
    assert body.startswith('<option value="">— Aucun —</option>')
    assert "Embauche" in body and "Ancien sous-thème" not in body
    with tenant_context(alpha):
        other_names = list(other.sub_themes.values_list("name", flat=True))
    assert all(name not in body for name in other_names)
    # Not a number, a digit Python cannot read as one, an id past the database's integers, a theme switched off.
    with tenant_context(alpha):
        Theme.objects.filter(pk=other.pk).update(is_active=False)
    for value in ("abc", "²", "9" * 20, str(other.pk)):
        response = m1_admin.get("/questions/sous-themes/", {"theme": value})
        assert response.status_code == 200 and text(response).strip() == '<option value="">— Aucun —</option>', value


def test_sub_theme_options_need_a_right_of_the_module(client_for, alpha):
    assert client_for(alpha, M1_USER).get("/questions/sous-themes/", {"theme": "1"}).status_code == 403


# History -----------------------------------------------------------------------------------


def _set(alpha, question: Question, **fields) -> None:
    with tenant_context(alpha):
        Question.objects.filter(pk=question.pk).update(**fields)


def test_history_filters_by_status_theme_and_dates(m1_admin, alpha):
    first = in_alpha_ask(alpha, subject="Sujet contrat")
    with tenant_context(alpha):
        pay = Theme.objects.exclude(pk=theme().pk).first()
    second = in_alpha_ask(alpha, subject="Sujet autre thème", theme_id=pay.pk)
    waiting = in_alpha_ask(alpha, subject="Sujet en attente")
    _set(alpha, waiting, status=QuestionStatus.WAITING, paused_days=3)
    _set(alpha, first, received_at=timezone.make_aware(datetime(2024, 1, 10, 10)))

    body = text(m1_admin.get("/questions/", {"status": "waiting_member"}))
    assert "Sujet en attente" in body and "Sujet contrat" not in body
    assert "En attente de votre réponse" in body

    body = text(m1_admin.get("/questions/", {"theme": pay.pk}))
    assert "Sujet autre thème" in body and "Sujet contrat" not in body and "Sujet en attente" not in body

    body = text(m1_admin.get("/questions/", {"received_from": "2024-01-01", "received_to": "2024-01-31"}))
    assert "Sujet contrat" in body and "Sujet autre thème" not in body
    assert second.number not in body


def test_bad_filter_values_are_ignored_with_a_french_error(m1_admin, alpha):
    in_alpha_ask(alpha, subject="Sujet visible")
    response = m1_admin.get("/questions/", {"received_from": "pas-une-date", "status": "inconnu", "sort": "x"})
    assert response.status_code == 200
    body = text(response)
    assert "Certains filtres ont été ignorés" in body
    assert "Saisissez une date valide." in body
    assert "Sélectionnez un choix valide" in body
    assert "Sujet visible" in body


def _subjects(body: str) -> list[str]:
    return re.findall(r'data-label="Sujet"><a href="/questions/\d+/">([^<]+)</a>', body)


@pytest.mark.parametrize(
    "query",
    [
        "?theme=99999999999999999999&page=99999999999999999999",
        "?theme=%C2%B2&sort=%00&status=zz&received_from=2024-13-45",
        "?q=%00",
        "?q=%27%22%28%29%21%3A%2A",
    ],
)
def test_odd_query_strings_never_break_the_history(m1_admin, query):
    assert m1_admin.get(f"/questions/{query}").status_code == 200


def test_history_sorts_by_a_column_and_toggles_the_order(m1_admin, alpha):
    for subject in ("Bravo", "Alpha", "Charlie"):
        in_alpha_ask(alpha, subject=subject)
    body = text(m1_admin.get("/questions/", {"sort": "subject"}))
    assert _subjects(body) == ["Alpha", "Bravo", "Charlie"]
    assert re.search(r'<th scope="col" aria-sort="ascending">\s*<a href="\?sort=-subject">Sujet', body)
    assert body.count("aria-sort=") == 1
    body = text(m1_admin.get("/questions/", {"sort": "-subject"}))
    assert _subjects(body) == ["Charlie", "Bravo", "Alpha"]
    assert 'aria-sort="descending"' in body
    # Newest first by default.
    assert _subjects(text(m1_admin.get("/questions/"))) == ["Charlie", "Alpha", "Bravo"]


def test_history_search_is_french_full_text(m1_admin, alpha):
    in_alpha_ask(alpha, subject="Licenciement pour faute grave", body="Quelle procédure suivre ?")
    in_alpha_ask(alpha, subject="Congés payés", body="Comment calculer les congés ?")
    body = text(m1_admin.get("/questions/", {"q": "licenciements"}))
    assert "Licenciement pour faute grave" in body and "Congés payés" not in body
    body = text(m1_admin.get("/questions/", {"q": "zzzz"}))
    assert "Aucune question ne correspond à ces critères." in body


def test_the_live_filter_answers_only_the_results(m1_admin, alpha):
    in_alpha_ask(alpha, subject="Sujet live")
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "question-results"}
    response = m1_admin.get("/questions/", {"q": "live", "sort": "subject"}, **headers)
    body = text(response)
    assert "<html" not in body and "Sujet live" in body
    assert 'id="id_sort" value="subject" hx-swap-oob="true"' in body
    assert "HX-Request" in response["Vary"]
    full = text(m1_admin.get("/questions/"))
    assert 'id="question-results" aria-live="polite"' in full and 'hx-push-url="true"' in full


def test_a_contact_sees_their_own_questions_or_all_of_the_members_with_the_right(client_for, alpha):
    grant(alpha, M1_USER, ["questions.ask_question"])
    in_alpha_ask(alpha, subject="Question de l'administrateur")
    in_alpha_ask(alpha, email=M1_USER, subject="Question du contact")
    in_alpha_ask(alpha, email=M2_ADMIN, member_name="Société Deux", subject="Question de la Société Deux")

    body = text(client_for(alpha, M1_USER).get("/questions/"))
    assert "Question du contact" in body
    assert "Question de l'administrateur" not in body and "Société Deux" not in body
    assert "Nouvelle question" in body

    grant(alpha, M1_USER, ["questions.view_member_questions"])
    body = text(client_for(alpha, M1_USER).get("/questions/"))
    assert "Question du contact" in body and "Question de l'administrateur" in body
    assert "Question de la Société Deux" not in body
    assert "Nouvelle question" not in body  # seeing is not asking


def test_the_history_needs_a_right_and_sends_jurists_to_their_queue(client_for, alpha):
    assert client_for(alpha, M1_USER).get("/questions/").status_code == 403
    response = client_for(alpha, "jurist@alpha.test").get("/questions/")
    assert response.status_code == 302 and response["Location"] == "/questions/a-traiter/"


def test_history_and_live_filter_cost_the_same_queries_for_1_or_500_questions(m1_admin, alpha):
    first = in_alpha_ask(alpha)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "question-results"}

    def measure() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as page:
            assert m1_admin.get("/questions/", {"sort": "contact"}).status_code == 200
        with CaptureQueriesContext(connection) as live:
            assert m1_admin.get("/questions/", {"status": "new"}, **headers).status_code == 200
        return len(page), len(live)

    one = measure()
    with tenant_context(alpha):
        source = Question.objects.get(pk=first.pk)
        with_sub = SubTheme.objects.filter(theme=source.theme).first()
        Question.objects.bulk_create(
            Question(
                member=source.member,
                asked_by=source.asked_by,
                theme=source.theme,
                sub_theme=with_sub,
                subject=f"Question {number}",
                body="Texte",
                received_at=source.received_at,
                updated_at=source.updated_at,
                due_on=source.due_on,
            )
            for number in range(499)
        )
    many = measure()
    assert many == one
    body = text(m1_admin.get("/questions/"))
    assert "500 questions" in body and "Page 1 sur 20" in body


# A question and its exchange ---------------------------------------------------------------


def test_another_members_question_is_not_found(m1_admin, alpha):
    other = in_alpha_ask(alpha, email=M2_ADMIN, member_name="Société Deux", subject="Secret de la Société Deux")
    response = m1_admin.get(f"/questions/{other.pk}/")
    assert response.status_code == 404 and "Secret de la Société Deux" not in text(response)
    assert m1_admin.get("/questions/999999/").status_code == 404
    before = question_count(alpha)
    assert m1_admin.post(f"/questions/{other.pk}/completer/", {"body": "Intrusion"}).status_code == 404
    with tenant_context(alpha):
        assert not Message.objects.filter(body="Intrusion").exists()
    assert question_count(alpha) == before


def test_the_detail_shows_the_question_its_files_and_the_exchange_escaped(m1_admin, alpha):
    question = in_alpha_ask(alpha, body="Ligne une\n<script>alert(1)</script>", attachments=[pdf_file("piece.pdf")])
    with tenant_context(alpha):
        jurist = user("jurist@alpha.test")
        question_assign(actor=jurist, question=question, assignee=jurist)
        question_info_request(actor=jurist, question=question, body="<p>Joignez le <strong>contrat</strong>.</p>")
    page = raw(m1_admin.get(f"/questions/{question.pk}/"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert(1)" not in page
    body = html.unescape(page)
    assert question.number in body and "Attente réponse adhérent" in body
    assert "Contrat de travail" in body
    assert "piece.pdf" in body and "/questions/pieces-jointes/" in body
    assert "Demande de précisions" in body and "Juriste" in body
    assert "Joignez le <strong>contrat</strong>." in body  # sanitised HTML shown as such
    assert "Délai suspendu dans l'attente de votre réponse" in body
    assert "Répondre au juriste" in body and "Le délai de réponse reprend" in body
    assert "Imprimer / télécharger en PDF" in body


def test_a_reply_to_a_request_for_information_restarts_the_clock(m1_admin, alpha):
    question = in_alpha_ask(alpha)
    with tenant_context(alpha):
        jurist = user("jurist@alpha.test")
        question_assign(actor=jurist, question=question, assignee=jurist)
        question_info_request(actor=jurist, question=question, body="Quel contrat ?")
    response = m1_admin.post(
        f"/questions/{question.pk}/completer/", {"body": "Un CDI signé en mars.", "attachments": [pdf_file("cdi.pdf")]}
    )
    assert response.status_code == 302 and response["Location"] == f"/questions/{question.pk}/"
    with tenant_context(alpha):
        question.refresh_from_db()
        assert question.status == QuestionStatus.IN_PROGRESS and question.paused_days is None
        reply = question.messages.get(kind=MessageKind.MEMBER_REPLY)
        assert reply.body == "Un CDI signé en mars." and reply.attachments.get().original_name == "cdi.pdf"
    body = text(m1_admin.get(f"/questions/{question.pk}/"))
    assert "Votre message a bien été ajouté" in body
    assert "En cours" in body and "Réponse attendue le" in body
    assert "Complément de l'adhérent" in body and "cdi.pdf" in body


def test_the_reply_form_states_the_file_limits(m1_admin, alpha):
    question = in_alpha_ask(alpha)
    body = text(m1_admin.get(f"/questions/{question.pk}/"))
    assert "Jusqu'à 5 fichiers de 10 Mo chacun au plus" in body


def test_a_reply_without_the_right_is_refused_before_its_body_is_read(client_for, alpha):
    question = in_alpha_ask(alpha)
    grant(alpha, M1_USER, ["questions.view_member_questions"])  # sees the question, may not write
    viewer = client_for(alpha, M1_USER)
    assert viewer.get(f"/questions/{question.pk}/").status_code == 200
    response = viewer.post(f"/questions/{question.pk}/completer/", {"body": "Moi aussi"}, CONTENT_LENGTH=str(10**9))
    assert response.status_code == 403  # not 413: the right is checked first
    with tenant_context(alpha):
        assert not Message.objects.filter(question=question).exists()


def test_an_empty_reply_is_refused_in_french(m1_admin, alpha):
    question = in_alpha_ask(alpha)
    response = m1_admin.post(f"/questions/{question.pk}/completer/", {"body": "  "})
    assert response.status_code == 200 and "Écrivez votre message." in text(response)
    with tenant_context(alpha):
        assert not question.messages.exists()


def test_a_treated_question_is_closed_to_replies(m1_admin, alpha):
    question = in_alpha_ask(alpha)
    with tenant_context(alpha):
        question_answer(actor=user("jurist@alpha.test"), question=question, body="<p>Oui, une fois.</p>")
    body = text(m1_admin.get(f"/questions/{question.pk}/"))
    assert "Traitée le" in body and "Oui, une fois." in body
    assert f"rappelant le numéro {question.number} dans le sujet" in body
    assert f'href="/questions/nouvelle/?suite={question.pk}"' in body
    assert f'action="/questions/{question.pk}/completer/"' not in body
    response = m1_admin.post(f"/questions/{question.pk}/completer/", {"body": "Encore une chose"})
    assert response.status_code == 409
    assert "Cette question est traitée et son fil est clos." in text(response)
    with tenant_context(alpha):
        assert not question.messages.filter(kind=MessageKind.MEMBER_REPLY).exists()


# Downloads ---------------------------------------------------------------------------------


def test_attachments_download_for_their_question_only(m1_admin, alpha):
    own = in_alpha_ask(alpha, attachments=[pdf_file("mon-contrat.pdf")])
    other = in_alpha_ask(alpha, email=M2_ADMIN, member_name="Société Deux", attachments=[pdf_file("autre.pdf")])
    with tenant_context(alpha):
        own_file = own.attachments.get()
        other_file = other.attachments.get()
    response = m1_admin.get(f"/questions/pieces-jointes/{own_file.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert (
        response["Content-Disposition"].startswith("attachment")
        and "mon-contrat.pdf" in response["Content-Disposition"]
    )
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"
    assert m1_admin.get(f"/questions/pieces-jointes/{other_file.pk}/").status_code == 404
    assert m1_admin.get("/questions/pieces-jointes/999999/").status_code == 404


def test_the_pdf_downloads_as_an_attachment(m1_admin, alpha):
    question = in_alpha_ask(alpha, subject="Question à imprimer")
    response = m1_admin.get(f"/questions/{question.pk}/pdf/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="question-{question.number}.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"] == "private, no-store"
    other = in_alpha_ask(alpha, email=M2_ADMIN, member_name="Société Deux")
    assert m1_admin.get(f"/questions/{other.pk}/pdf/").status_code == 404


def test_a_file_gone_from_the_storage_is_not_found(m1_admin, alpha):
    question = in_alpha_ask(alpha, attachments=[pdf_file("perdu.pdf")])
    with tenant_context(alpha):
        attachment = question.attachments.get()
        attachment.file.storage.delete(attachment.file.name)
    assert m1_admin.get(f"/questions/pieces-jointes/{attachment.pk}/").status_code == 404


# The card on a member's record -------------------------------------------------------------


def test_the_member_card_lists_the_latest_questions_for_jurists(client_for, alpha):
    for subject in ("Première", "Deuxième", "Troisième", "Quatrième"):
        in_alpha_ask(alpha, subject=subject)
    with tenant_context(alpha):
        m1 = member()
    body = text(client_for(alpha, "admin@alpha.test").get(f"/adherents/{m1.pk}/"))
    assert "4 questions posées" in body
    assert "Quatrième" in body and "Deuxième" in body and "Première" not in body
    assert f'href="/questions/a-traiter/?member={m1.pk}"' in body


def test_the_member_card_links_the_members_people_to_their_history(m1_admin):
    body = text(m1_admin.get("/adherents/fiche/"))
    assert 'href="/questions/"' in body and 'href="/questions/nouvelle/"' in body
