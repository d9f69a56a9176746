"""The printed question: its content, what stays literal text, what is never fetched, and when it is
printed again."""

import base64
import io
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pypdf import PdfReader

from core.documents.printing import html_to_pdf
from modules.questions.models import Message, MessageKind, Question, SubTheme
from modules.questions.pdf import question_pdf_bytes
from modules.questions.services import question_answer, question_assign, question_pdf_ensure, question_reply
from tests.modules.questions.conftest import ask, pdf_file, user

# A 1x1 PNG: proves that a `data:` image is embedded, so that "no image" below means "not fetched".
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def pdf_text(content: bytes) -> str:
    """The text of every page, whitespace collapsed (as a reader would copy it)."""
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


def pdf_images(content: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(content)).pages)


def pdf_attachments(content: bytes) -> list[str]:
    return sorted(PdfReader(io.BytesIO(content)).attachments)


class _Recorder(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.requests.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args):
        pass


@pytest.fixture
def http_server():
    """A local HTTP server that records every request it gets."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.requests = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def answered_question():
    sub_theme = SubTheme.objects.get(name="Embauche")
    question = ask(theme_id=sub_theme.theme_id, sub_theme_id=sub_theme.pk, attachments=[pdf_file("contrat-signé.pdf")])
    jurist = user("jurist@alpha.test")
    question = question_assign(actor=jurist, question=question, assignee=jurist)
    question = question_reply(
        actor=user("m1-admin@alpha.test"),
        question=question,
        body="Voici l'avenant.",
        attachments=[pdf_file("avenant.pdf")],
    )
    return question_answer(
        actor=jurist,
        question=question,
        body="<p>Oui, <strong>une seule fois</strong>, si la convention collective le prévoit.</p>",
        attachments=[pdf_file("modele-lettre.pdf")],
    )


def test_the_print_shows_the_question_its_exchange_and_the_branding(in_alpha):
    question = answered_question()
    content = question_pdf_bytes(question_id=question.pk)
    assert content.startswith(b"%PDF-")
    text = pdf_text(content)
    pages = len(PdfReader(io.BytesIO(content)).pages)
    assert question.number in text and "Période d'essai" in text
    assert "Société Un" in text and question.member.siret in text
    assert "Alpha Union" in text
    assert "Contrat de travail / Embauche" in text and "Traitée" in text
    assert "Peut-on renouveler la période d'essai ?" in text
    assert "Voici l'avenant." in text and "Complément de l'adhérent" in text
    assert "une seule fois" in text and "Réponse" in text
    # Attachments are listed by name, never embedded.
    assert "contrat-signé.pdf" in text and "avenant.pdf" in text and "modele-lettre.pdf" in text
    assert f"Question {question.number} — page 1 / {pages}" in text
    assert re.search(r"Imprimé le \d{1,2} \w+ \d{4} à \d\d:\d\d", text)
    # French dates, in Europe/Paris.
    assert re.search(r"(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d{1,2} \w+ \d{4}", text)


def test_a_long_exchange_numbers_every_page(in_alpha):
    question = ask(body="Une longue question.\n" * 5)
    jurist = user("jurist@alpha.test")
    question = question_assign(actor=jurist, question=question, assignee=jurist)
    for turn in range(12):
        question = question_reply(
            actor=user("m1-admin@alpha.test"), question=question, body=f"Précision {turn}.\n" + "Du texte. " * 120
        )
    content = question_pdf_bytes(question_id=question.pk)
    pages = len(PdfReader(io.BytesIO(content)).pages)
    assert pages > 1
    text = pdf_text(content)
    for page in range(1, pages + 1):
        assert f"Question {question.number} — page {page} / {pages}" in text


def test_the_logo_is_embedded(in_alpha):
    from django.core.files.base import ContentFile
    from django.db import connection

    organisation = connection.tenant  # the organisation the print is branded with
    question = ask()
    assert pdf_images(question_pdf_bytes(question_id=question.pk)) == 0
    organisation.logo.save("logo.png", ContentFile(PNG), save=False)
    try:
        assert pdf_images(question_pdf_bytes(question_id=question.pk)) == 1
    finally:
        organisation.logo.delete(save=False)


def test_member_text_stays_literal(in_alpha):
    question = ask(body="<script>alert(1)</script> {{ 7*7 }} {% now 'Y' %} <b>gras</b>")
    question_reply(actor=user("m1-admin@alpha.test"), question=question, body="<i>pas en italique</i> {{ 7*7 }}")
    text = pdf_text(question_pdf_bytes(question_id=question.pk))
    assert "<script>alert(1)</script> {{ 7*7 }} {% now 'Y' %} <b>gras</b>" in text
    assert "<i>pas en italique</i> {{ 7*7 }}" in text


def test_no_url_is_fetched_from_a_staff_body(in_alpha, http_server, tmp_path):
    """Bodies are sanitised when written; the fetcher must hold even for a body that was not."""
    local_image = tmp_path / "secret.png"
    local_image.write_bytes(PNG)
    url = f"http://127.0.0.1:{http_server.server_port}"
    question = ask()
    Message.objects.create(
        question=question,
        kind=MessageKind.ANSWER,
        author=user("jurist@alpha.test"),
        created_at=question.received_at,
        body=(
            f'<p>Voir <a href="{url}/lien">le lien</a>.</p><img src="{url}/image.png">'
            f'<img src="file://{local_image}"><img src="{local_image}"><img src="file:///etc/passwd">'
            f'<link rel="stylesheet" href="{url}/style.css"><link rel="attachment" href="file:///etc/passwd">'
            f'<style>@import url("{url}/import.css"); p {{ background: url("{url}/background.png"); }}</style>'
            f'<object data="{url}/object"></object><iframe src="{url}/frame"></iframe>'
        ),
    )
    content = question_pdf_bytes(question_id=question.pk)
    assert "le lien" in pdf_text(content)
    assert http_server.requests == []
    assert pdf_images(content) == 0
    assert pdf_attachments(content) == []


def test_crafted_css_fetches_nothing_but_data_uris_still_work(http_server, tmp_path):
    local_image = tmp_path / "secret.png"
    local_image.write_bytes(PNG)
    url = f"http://127.0.0.1:{http_server.server_port}"
    data = "data:image/png;base64," + base64.b64encode(PNG).decode()
    html = f"""<html><head><style>
        @import url("{url}/import.css");
        @font-face {{ font-family: Remote; src: url("{url}/font.woff"); }}
        body {{ font-family: Remote; background: url("file://{local_image}"); }}
        h1 {{ background-image: url("{url}/background.png"); }}
        h1::after {{ content: url("{url}/after.png"); }}
        </style>
        <link rel="attachment" href="file://{local_image}" title="secret.png">
        <link rel="attachment" href="data:text/plain,bonjour" title="note.txt">
        </head><body><h1>Titre</h1><img src="{url}/x.png"><img src="file://{local_image}"><img src="{data}">
        </body></html>"""
    content = html_to_pdf(html)
    assert http_server.requests == []
    # Only the data: URIs made it in.
    assert pdf_images(content) == 1
    assert len(pdf_attachments(content)) == 1


def test_the_stored_pdf_is_reused_until_the_question_changes(in_alpha, mail_sink, monkeypatch):
    import modules.questions.pdf as pdf

    renders = []
    real = pdf.question_pdf_bytes

    def counting(*, question_id):
        renders.append(question_id)
        return real(question_id=question_id)

    monkeypatch.setattr(pdf, "question_pdf_bytes", counting)
    question = answered_question()  # the answer queues a print (eager tasks run it on commit)
    question = question_pdf_ensure(question=Question.objects.get(pk=question.pk))
    first_name = question.pdf.name
    assert question.pdf_revision == question.revision
    count = len(renders)
    again = question_pdf_ensure(question=Question.objects.get(pk=question.pk))
    assert again.pdf.name == first_name and len(renders) == count
    with question.pdf.open("rb") as file:
        assert "une seule fois" in pdf_text(file.read())
    from modules.questions.services import question_reopen

    question_reopen(actor=user("jurist@alpha.test"), question=question, note="Nouvel élément.")
    reprinted = question_pdf_ensure(question=Question.objects.get(pk=question.pk))
    assert len(renders) == count + 1 and reprinted.pdf.name != first_name
    with reprinted.pdf.open("rb") as file:
        text = pdf_text(file.read())
    assert "Nouvel élément." in text and "Réouverture" in text


def test_the_print_reads_the_question_in_the_same_few_queries_whatever_its_length(in_alpha):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = user("m1-admin@alpha.test")
    short, long = ask(), ask(attachments=[pdf_file()])
    question_reply(actor=member, question=short, body="Une précision.")
    for turn in range(6):
        question_reply(actor=member, question=long, body=f"Précision {turn}.", attachments=[pdf_file(f"p{turn}.pdf")])
    counts = []
    for question in (short, long):
        with CaptureQueriesContext(connection) as queries:
            question_pdf_bytes(question_id=question.pk)
        counts.append(len(queries))
    # The question, its messages, their attachments and the question's own attachments.
    assert counts == [4, 4]
