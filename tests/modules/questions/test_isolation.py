"""Questions never cross organisations or members: files, ids, sessions, tasks, queues, search."""

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context, tenant_context

from core.access.models import Membership
from core.jobs.base import TaskWithoutTenant
from core.mail.models import OutgoingEmail
from modules.questions.models import Attachment, DigestSent, Question
from modules.questions.selectors import QuestionFilters, access_question, question_list, question_search
from modules.questions.services import question_answer, question_pdf_ensure
from modules.questions.tasks import question_pdf_render, questions_digest
from tests.conftest import host_of
from tests.modules.questions.conftest import ask, user
from tests.security.matrix import A_ADMIN, ACTORS, B_ADMIN, ROUTES, STAFF
from tests.security.scene import FOREIGN_MARKERS, Scene
from tests.security.test_authorization_matrix import client_as

pytestmark = pytest.mark.django_db

DIGEST_SUBJECT = "Questions juridiques : le point du"
SERVER_NAME = re.compile(r"questions/(\d+)/[0-9a-f]{32}\.(pdf|txt)")


def text_file(content: str, name: str = "note.txt") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content.encode(), content_type="text/plain")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def on_disk(schema: str, name: str) -> Path:
    """Where the per-schema storage keeps `name` for `schema` (MEDIA_ROOT/<schema>/<name>)."""
    return Path(settings.MEDIA_ROOT) / schema / name


def same_next_ids(*models, organisations) -> None:
    """Move each model's id sequence to the same value in every organisation, so that the next
    row of each gets the same id (sequences are not rolled back: they only move forward)."""
    for model in models:
        table, highest = model._meta.db_table, 0
        for organisation in organisations:
            with tenant_context(organisation), connection.cursor() as cursor:
                cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [table])
                highest = max(highest, cursor.fetchone()[0])
        for organisation in organisations:
            with tenant_context(organisation), connection.cursor() as cursor:
                cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)", [table, highest])


def twin_questions(alpha, beta) -> tuple[Question, Question]:
    """A question of M1 in alpha and one in beta with the same id, each with one attachment of
    the same id, whose content names its organisation."""
    same_next_ids(Question, Attachment, organisations=(alpha, beta))
    twins = []
    for organisation in (alpha, beta):
        with tenant_context(organisation):
            question = ask(
                email=f"m1-admin@{organisation.slug}.test",
                subject=f"Question jumelle de {organisation.name}",
                attachments=[text_file(f"Pièce jointe de {organisation.name}")],
            )
            question.attachment_id = question.attachments.get().pk
            twins.append(question)
    alpha_question, beta_question = twins
    assert alpha_question.pk == beta_question.pk
    assert alpha_question.attachment_id == beta_question.attachment_id
    return alpha_question, beta_question


def acting(email: str, member_name: str = "Société Un"):
    """The user as a request would give them: acting for `member_name` (see core.access.acting)."""
    person = user(email)
    person.active_membership = Membership.objects.select_related("member").get(user=person, member__name=member_name)
    return person


# Files ---------------------------------------------------------------------------------------


def test_files_are_stored_under_the_schema_and_the_question_with_server_names(in_alpha):
    question = ask(attachments=[text_file("Convention signée.", name="../../beta/questions/1/../contrat.txt")])
    attachment = question.attachments.get()
    assert SERVER_NAME.fullmatch(attachment.file.name)
    assert attachment.file.name.startswith(f"questions/{question.pk}/")
    assert attachment.original_name == "contrat.txt"  # shown to people, never used on disk
    assert Path(attachment.file.path) == on_disk("alpha", attachment.file.name)
    assert on_disk("alpha", attachment.file.name).read_text() == "Convention signée."
    assert not on_disk("beta", attachment.file.name).exists()

    printed = question_pdf_ensure(question=question)
    assert re.fullmatch(rf"questions/{question.pk}/Q\d{{6}}-\d+-[0-9a-f]{{8}}\.pdf", printed.pdf.name)
    assert on_disk("alpha", printed.pdf.name).read_bytes().startswith(b"%PDF")
    assert not on_disk("beta", printed.pdf.name).exists()


def test_the_same_question_id_in_two_organisations_serves_each_its_own_files(organisations, alpha, beta, client_for):
    alpha_question, beta_question = twin_questions(alpha, beta)
    question_id, attachment_id = alpha_question.pk, alpha_question.attachment_id
    pages = {
        "attachment": reverse("questions:attachment", kwargs={"attachment_id": attachment_id}),
        "api attachment": reverse("api-questions:attachment-detail", kwargs={"attachment_id": attachment_id}),
        "pdf": reverse("questions:pdf", kwargs={"question_id": question_id}),
        "api pdf": reverse("api-questions:question-pdf", kwargs={"question_id": question_id}),
    }
    served = {}
    for organisation in (alpha, beta):
        client = client_for(organisation, f"m1-admin@{organisation.slug}.test")
        for label, url in pages.items():
            response = client.get(url)
            assert response.status_code == 200, (organisation.slug, label, response.status_code)
            served[organisation.slug, label] = body_of(response)
    for label in ("attachment", "api attachment"):
        assert served["alpha", label].decode() == "Pièce jointe de Alpha Union"
        assert served["beta", label].decode() == "Pièce jointe de Beta Santé"
    for organisation in (alpha, beta):
        with tenant_context(organisation):
            question = Question.objects.get(pk=question_id)
            stored, attachment = question.pdf.name, question.attachments.get().file.name
        # Each organisation's files sit in its own folder: the same names, two different files.
        assert on_disk(organisation.slug, attachment).read_bytes() == served[organisation.slug, "attachment"]
        pdf = on_disk(organisation.slug, stored).read_bytes()
        assert served[organisation.slug, "pdf"] == served[organisation.slug, "api pdf"] == pdf
    assert served["alpha", "pdf"] != served["beta", "pdf"]


def test_an_id_that_exists_only_in_the_other_organisation_is_not_found(organisations, alpha, beta, client_for):
    with tenant_context(beta):
        question = ask(email="m1-admin@beta.test", attachments=[text_file("Pièce de bêta seulement")])
        attachment_id = question.attachments.get().pk
    with tenant_context(alpha):
        Question.objects.filter(pk=question.pk).delete()
        Attachment.objects.filter(pk=attachment_id).delete()
    for email in ("m1-admin@alpha.test", "admin@alpha.test"):
        client = client_for(alpha, email)
        for url in (
            reverse("questions:detail", kwargs={"question_id": question.pk}),
            reverse("questions:pdf", kwargs={"question_id": question.pk}),
            reverse("questions:attachment", kwargs={"attachment_id": attachment_id}),
            reverse("api-questions:question-detail", kwargs={"question_id": question.pk}),
            reverse("api-questions:attachment-detail", kwargs={"attachment_id": attachment_id}),
        ):
            response = client.get(url)
            assert response.status_code == 404, (email, url)
            assert b"Pi\xc3\xa8ce de b\xc3\xaata" not in body_of(response)


# Sessions ------------------------------------------------------------------------------------


def test_a_session_of_alpha_replayed_on_betas_host_gets_nothing(organisations, alpha, beta, client_for):
    alpha_question, _ = twin_questions(alpha, beta)
    alpha_client = client_for(alpha, "m1-admin@alpha.test")
    detail = reverse("questions:detail", kwargs={"question_id": alpha_question.pk})
    assert "Question jumelle de Alpha Union" in alpha_client.get(detail).content.decode()

    replay = Client(HTTP_HOST=host_of(beta))
    replay.cookies["sessionid"] = alpha_client.cookies["sessionid"].value
    attachment_id = alpha_question.attachment_id
    for url in (
        reverse("questions:list"),
        detail,
        reverse("questions:pdf", kwargs={"question_id": alpha_question.pk}),
        reverse("questions:attachment", kwargs={"attachment_id": attachment_id}),
        reverse("api-questions:question-list"),
        reverse("api-questions:question-detail", kwargs={"question_id": alpha_question.pk}),
        reverse("api-questions:attachment-detail", kwargs={"attachment_id": attachment_id}),
    ):
        response = replay.get(url)
        body = body_of(response).decode(errors="replace")
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("accounts:login")), url
        else:
            assert response.status_code in (401, 403), (url, response.status_code)
        assert "Question jumelle" not in body and "Pièce jointe de" not in body, url


# Tasks ---------------------------------------------------------------------------------------


def test_the_pdf_task_refuses_to_run_without_an_organisation(organisations):
    with schema_context("public"), pytest.raises(TaskWithoutTenant):
        question_pdf_render.delay(1)


def test_the_pdf_task_prints_in_the_schema_it_was_sent_from(organisations, alpha, beta):
    with tenant_context(alpha):
        question = ask()
    with tenant_context(beta):
        Question.objects.filter(pk=question.pk).delete()  # the id does not exist in beta
        assert question_pdf_render.delay(question.pk).get() is False
    with tenant_context(alpha):
        assert not Question.objects.get(pk=question.pk).pdf
        assert question_pdf_render.delay(question.pk).get() is True
        printed = Question.objects.get(pk=question.pk)
        assert printed.pdf_revision == printed.revision
    assert on_disk("alpha", printed.pdf.name).read_bytes().startswith(b"%PDF")
    assert not on_disk("beta", printed.pdf.name).exists()


def test_the_digest_runs_in_the_schema_it_was_sent_from(organisations, alpha, beta):
    day = date(2026, 11, 24)  # a Tuesday, a working day everywhere
    emails_before = {}
    for organisation in (alpha, beta):
        with tenant_context(organisation):
            question = ask(email=f"m1-admin@{organisation.slug}.test", subject=f"Retard chez {organisation.name}")
            Question.objects.filter(pk=question.pk).update(due_on=day - timedelta(days=14))
            emails_before[organisation.slug] = OutgoingEmail.objects.count()
    with schema_context("public"), pytest.raises(TaskWithoutTenant):
        questions_digest.delay(day=day.isoformat())

    with tenant_context(beta):
        assert questions_digest.delay(day=day.isoformat()).get() == 2
        digests = OutgoingEmail.objects.filter(subject__startswith=DIGEST_SUBJECT).order_by("to")
        assert [email.to for email in digests] == ["admin@beta.test", "jurist@beta.test"]
        for email in digests:
            assert "Retard chez Beta Santé" in email.body and "Alpha Union" not in email.body
        assert DigestSent.objects.filter(day=day).exists()
    with tenant_context(alpha):
        assert not DigestSent.objects.filter(day=day).exists()
        assert OutgoingEmail.objects.count() == emails_before["alpha"]
        assert questions_digest.delay(day=day.isoformat()).get() == 2  # alpha's own, not done by beta's
        digest = OutgoingEmail.objects.get(to="jurist@alpha.test", subject__startswith=DIGEST_SUBJECT)
        assert "Retard chez Alpha Union" in digest.body and "Beta Santé" not in digest.body


# Queues and search ---------------------------------------------------------------------------


def test_a_jurist_of_beta_sees_none_of_alphas_questions(organisations, alpha, beta, client_for):
    alpha_question, beta_question = twin_questions(alpha, beta)
    with tenant_context(beta):
        jurist = user("jurist@beta.test")
        assert list(question_list(actor=jurist).values_list("subject", flat=True)) == ["Question jumelle de Beta Santé"]
        found = question_search(actor=jurist, filters=QuestionFilters(search="jumelle"))
        assert [question.pk for question in found] == [beta_question.pk]
        assert access_question(actor=jurist, question_id=alpha_question.pk).subject == "Question jumelle de Beta Santé"

    client = client_for(beta, "jurist@beta.test")
    for url in (
        reverse("questions:queue"),
        reverse("questions:callbacks"),
        reverse("questions:detail", kwargs={"question_id": alpha_question.pk}),
        reverse("api-questions:question-list"),
        reverse("api-questions:question-detail", kwargs={"question_id": alpha_question.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Alpha Union" not in response.content.decode(), url
    assert "Question jumelle de Beta Santé" in client.get(reverse("questions:queue")).content.decode()


def test_full_text_search_never_returns_another_members_question(organisations, alpha, client_for):
    with tenant_context(alpha):
        Membership.objects.filter(user__email="m1-user@alpha.test").update(rights=["questions.ask_question"])
        m1 = ask(subject="Licenciement pour faute grave", body="Un salarié protégé a volé du matériel.")
        m1_user = ask(email="m1-user@alpha.test", subject="Licenciement économique", body="Fermeture d'un site.")
        m2 = ask(
            email="m2-admin@alpha.test",
            member_name="Société Deux",
            subject="Licenciement pour faute grave",
            body="Un cadre a volé du matériel.",
        )
        # Words only in M2's exchange: the answer is indexed too.
        question_answer(actor=user("jurist@alpha.test"), question=m2, body="<p>Indemnité transactionnelle.</p>")

        def found(person, words: str) -> set[int]:
            return {question.pk for question in question_search(actor=person, filters=QuestionFilters(search=words))}

        m1_admin, m2_admin = acting("m1-admin@alpha.test"), acting("m2-admin@alpha.test", "Société Deux")
        plain_user = acting("m1-user@alpha.test")
        assert found(m1_admin, "licenciements") == {m1.pk, m1_user.pk}
        assert found(plain_user, "licenciements") == {m1_user.pk}  # their own questions only
        assert found(m2_admin, "licenciements") == {m2.pk}
        assert found(m1_admin, "faute grave matériel volé") == {m1.pk}
        assert found(plain_user, "faute grave") == set()
        assert found(m1_admin, "indemnité transactionnelle") == set()
        assert found(m2_admin, "indemnité transactionnelle") == {m2.pk}
        assert found(user("jurist@alpha.test"), "licenciements") == {m1.pk, m1_user.pk, m2.pk}

    # The same through the history page and the API list.
    client = client_for(alpha, "m1-admin@alpha.test")
    page = client.get(reverse("questions:list"), {"q": "indemnité transactionnelle"})
    assert page.status_code == 200 and m2.number not in page.content.decode()
    page = client.get(reverse("questions:list"), {"q": "licenciements"}).content.decode()
    assert m1.number in page and m1_user.number in page and m2.number not in page
    listed = client.get(reverse("api-questions:question-list"), {"q": "licenciements"}).json()
    assert {row["id"] for row in listed["results"]} == {m1.pk, m1_user.pk}


# Every list of the module (pages and API), with questions of M1, M2 and beta in the database.
LISTS = [
    route
    for route in ROUTES
    if route.name.split(":")[0] in ("questions", "api-questions")
    and route.object_kind is None
    and route.method == "GET"
]
QUESTION_LISTS = {
    "questions:list",
    "questions:queue",
    "questions:callbacks",
    "api-questions:question-list",
    "api-questions:callback-list",
}
SEES = {A_ADMIN: {"A"}, B_ADMIN: {"B"}, STAFF: {"A", "B"}}


@pytest.mark.parametrize("actor", ACTORS)
def test_every_list_shows_the_actor_their_questions_and_no_one_elses(organisations, alpha, beta, actor):
    scene = Scene(alpha, beta)
    subjects = {owner: scene.object("callback_question", owner)[1] for owner in ("A", "B", "T2")}
    client = client_as(actor, alpha, beta)
    for route in LISTS:
        response = client.get(reverse(route.name))
        body = response.content.decode()
        for foreign in FOREIGN_MARKERS[actor]:
            assert foreign not in body, (route.name, foreign)
        if response.status_code != 200 or route.name not in QUESTION_LISTS:
            continue
        for owner, subject in subjects.items():
            assert (subject in body) == (owner in SEES.get(actor, set())), (route.name, owner)
