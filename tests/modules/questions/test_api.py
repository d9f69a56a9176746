"""Questions API: who sees and does what, filters, uploads and their refusals, the workflow, files, schema."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.authtoken.models import Token

from core.access.models import Membership
from core.access.services import membership_update
from core.accounts.models import User
from core.mail.models import OutgoingEmail
from core.modules.settings import module_settings_save
from modules.questions.models import Attachment, Message, Question, SubTheme, Theme
from tests.conftest import host_of
from tests.modules.questions.conftest import PDF, ask, pdf_file, user
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

BASE = "/api/questions/"
PAY = "Paie et rémunération"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
NOT_FOUND = {"code": "not_found", "message": "Introuvable.", "errors": {}}
DEFAULT_SETTINGS = {
    "answer_delay_working_days": 5,
    "alsace_moselle": False,
    "attachment_max_mb": 10,
    "attachment_max_count": 5,
}


def url(question_id: int, action: str = "") -> str:
    return f"{BASE}{question_id}/{action + '/' if action else ''}"


@pytest.fixture
def api(alpha):
    """An API client of `email` on the organisation's host, authenticated by token only."""

    def make(email: str, org=None) -> Client:
        org = org or alpha
        with tenant_context(org):
            token, _ = Token.objects.get_or_create(user=User.objects.get(email=email))
        return Client(HTTP_HOST=host_of(org), HTTP_AUTHORIZATION=f"Token {token.key}")

    return make


def asked(org, **fields) -> Question:
    with tenant_context(org):
        return ask(**fields)


def in_org(org, function, *args, **kwargs):
    with tenant_context(org):
        return function(*args, **kwargs)


def rights_set(org, email: str, rights: list[str]) -> None:
    with tenant_context(org):
        membership = Membership.objects.get(user__email=email, member__name="Société Un")
        membership_update(actor=None, membership=membership, role=membership.role, rights=rights)


def settings_set(org, **values) -> None:
    with tenant_context(org):
        module_settings_save(
            actor=user(f"admin@{org.slug}.test"), key="questions", values={**DEFAULT_SETTINGS, **values}
        )


def ids_of(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def theme_id(org, name: str = "Contrat de travail") -> int:
    with tenant_context(org):
        return Theme.objects.get(name=name).pk


def stored_files(org) -> set[Path]:
    folder = Path(settings.MEDIA_ROOT) / org.schema_name / "questions"
    return {path for path in folder.rglob("*") if path.is_file()}


def footprint(org) -> dict:
    with tenant_context(org):
        return {
            "questions": Question.objects.count(),
            "messages": Message.objects.count(),
            "attachments": Attachment.objects.count(),
            "emails": OutgoingEmail.objects.count(),
            "files": stored_files(org),
        }


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


# --- reading: who sees what --------------------------------------------------------------------


def test_each_actor_lists_the_questions_the_rules_let_them_see(api, alpha, beta):
    rights_set(alpha, "m1-user@alpha.test", ["questions.ask_question"])
    own = asked(alpha)
    colleague = asked(alpha, email="m1-user@alpha.test", subject="Congés payés")
    other_member = asked(alpha, email="m2-admin@alpha.test", member_name="Société Deux")
    elsewhere = asked(beta, email="m1-admin@beta.test")

    assert ids_of(api("m1-admin@alpha.test").get(BASE)) == {own.pk, colleague.pk}  # all of M1's
    assert ids_of(api("m1-user@alpha.test").get(BASE)) == {colleague.pk}  # their own only
    assert ids_of(api("m2-admin@alpha.test").get(BASE)) == {other_member.pk}
    assert ids_of(api("jurist@alpha.test").get(BASE)) == {own.pk, colleague.pk, other_member.pk}
    assert ids_of(api("jurist@beta.test", beta).get(BASE)) == {elsewhere.pk}

    row = next(r for r in api("m1-admin@alpha.test").get(BASE).json()["results"] if r["id"] == colleague.pk)
    assert row["subject"] == "Congés payés" and row["status"] == "new" and row["status_label"] == "À traiter"
    assert row["theme"]["name"] == "Contrat de travail" and row["member"]["name"] == "Société Un"
    assert row["asked_by"] == "m1_user" and row["assignee"] is None and row["paused"] is False
    assert row["number"] == f"Q{colleague.pk:06d}"


@pytest.mark.parametrize("email", ["m1-user@alpha.test", "m1-delegate@alpha.test"])
def test_a_person_without_questions_rights_is_refused_as_on_the_history_page(api, alpha, email):
    question = asked(alpha)
    client = api(email)
    before = footprint(alpha)
    listed = client.get(BASE)
    assert listed.status_code == 403 and listed.json()["code"] == "permission_denied"
    refused = client.post(
        BASE, {"theme": theme_id(alpha), "subject": "Essai", "body": "Texte"}, content_type="application/json"
    )
    assert refused.status_code == 403 and set(refused.json()) == {"code", "message", "errors"}
    assert client.get(f"{BASE}themes/").status_code == 403
    assert client.get(url(question.pk)).json() == NOT_FOUND
    assert footprint(alpha) == before


def test_filters_sorting_and_french_full_text_search(api, alpha):
    jurist = in_org(alpha, user, "jurist@alpha.test")
    first = asked(alpha, subject="Licenciement économique", body="Quelle procédure suivre ?")
    second = asked(alpha, subject="Arrêt maladie", body="Le salarié ne revient pas.", theme_id=theme_id(alpha, PAY))
    with tenant_context(alpha):
        from modules.questions.services import question_assign

        question_assign(actor=jurist, question=first, assignee=jurist)
        Question.objects.filter(pk=second.pk).update(received_at="2024-03-05T10:00:00Z", due_on="2024-03-12")
    client = api("m1-admin@alpha.test")

    assert ids_of(client.get(BASE, {"status": "in_progress"})) == {first.pk}
    assert ids_of(client.get(BASE, {"status": "new,in_progress"})) == {first.pk, second.pk}
    assert ids_of(client.get(f"{BASE}?status=new&status=answered")) == {second.pk}
    assert ids_of(client.get(BASE, {"theme": theme_id(alpha, PAY)})) == {second.pk}
    assert ids_of(client.get(BASE, {"received_from": "2024-03-01", "received_to": "2024-03-31"})) == {second.pk}
    # French stemming: the plural finds the singular of the subject
    assert ids_of(client.get(BASE, {"q": "licenciements"})) == {first.pk}
    assert ids_of(client.get(BASE, {"q": "salariés"})) == {second.pk}
    subjects = [row["subject"] for row in client.get(BASE, {"ordering": "subject"}).json()["results"]]
    assert subjects == ["Arrêt maladie", "Licenciement économique"]
    subjects = [row["subject"] for row in client.get(BASE, {"ordering": "-subject"}).json()["results"]]
    assert subjects == ["Licenciement économique", "Arrêt maladie"]

    staff = api("jurist@alpha.test")
    assert ids_of(staff.get(BASE, {"assignee": "me"})) == {first.pk}
    assert ids_of(staff.get(BASE, {"assignee": "none"})) == {second.pk}
    assert ids_of(staff.get(BASE, {"due": "late"})) == {second.pk}  # received in 2024
    other = asked(alpha, email="m2-admin@alpha.test", member_name="Société Deux")
    assert ids_of(staff.get(BASE, {"member": other.member_id})) == {other.pk}


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "bogus"}, "status"),
        ({"status": "new,done"}, "status"),
        ({"theme": "abc"}, "theme"),
        ({"theme": "99999999999999999999"}, "theme"),
        ({"received_from": "2024-13-01"}, "received_from"),
        ({"received_from": "2024-05-01", "received_to": "2024-04-01"}, "received_to"),
        ({"ordering": "password"}, "ordering"),
        ({"due": "tomorrow"}, "due"),
        ({"assignee": "everyone"}, "assignee"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_bad_filters_are_a_structured_400(api, alpha, params, field):
    response = api("jurist@alpha.test").get(BASE, params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and list(body["errors"]) == [field]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("?assignee=9999999999&member=2147483647", 200),  # past the database's integers: nobody's
        ("?q=%00", 400),
        ("?page=abc", 404),
        ("themes/?all=%00", 200),
        ("statistics/?months=x", 400),
    ],
)
def test_odd_query_strings_are_answered_not_crashed_on(api, query, code):
    assert api("jurist@alpha.test").get(f"{BASE}{query}").status_code == code


def test_list_and_detail_query_counts_do_not_grow_with_questions(api, alpha):
    client = api("m1-admin@alpha.test")

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(path).status_code == 200
        return len(queries)

    def reply(question, count: int) -> None:
        with tenant_context(alpha):
            from modules.questions.services import question_reply

            for index in range(count):
                question_reply(
                    actor=user("m1-admin@alpha.test"),
                    question=question,
                    body=f"Ajout {index}",
                    attachments=[pdf_file()],
                )

    first = asked(alpha, attachments=[pdf_file()])
    reply(first, 1)
    few = count(BASE), count(url(first.pk))
    for index in range(12):
        asked(alpha, subject=f"Question {index}", attachments=[pdf_file(), pdf_file("b.pdf")])
    reply(first, 5)
    assert (count(BASE), count(url(first.pk))) == few


# --- asking ------------------------------------------------------------------------------------


def test_a_member_asks_with_files_and_a_callback(api, alpha):
    with tenant_context(alpha):
        sub_theme = SubTheme.objects.get(name="Embauche")
    client = api("m1-admin@alpha.test")
    response = client.post(
        BASE,
        {
            "theme": sub_theme.theme_id,
            "sub_theme": sub_theme.pk,
            "subject": "Période d'essai",
            "body": "Peut-on la renouveler ?",
            "callback_phone": "01 23 45 67 89",
            "callback_slot": "morning",
            "attachments": [pdf_file("contrat.pdf"), SimpleUploadedFile("photo.png", PNG)],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"].endswith(url(body["id"]))
    assert body["status"] == "new" and body["theme"]["name"] == "Contrat de travail"
    assert body["sub_theme"]["name"] == "Embauche" and body["asked_by"] == "m1_admin"
    assert body["callback"]["phone"] == "01 23 45 67 89" and body["callback"]["slot_label"].startswith("Le matin")
    assert body["callback"]["done_at"] is None and body["due_on"]
    assert [(a["name"], a["content_type"], a["size"]) for a in body["attachments"]] == [
        ("contrat.pdf", "application/pdf", len(PDF)),
        ("photo.png", "image/png", len(PNG)),
    ]
    assert body["actions"] == ["reply"] and body["messages"] == []
    assert body["pdf_url"].endswith(url(body["id"], "pdf"))
    with tenant_context(alpha):
        question = Question.objects.get(pk=body["id"])
        assert question.member.name == "Société Un" and question.asked_by.email == "m1-admin@alpha.test"


def test_a_member_asks_in_json_without_files(api, alpha):
    response = api("m1-admin@alpha.test").post(
        BASE,
        {"theme": theme_id(alpha), "subject": PAY, "body": "Question simple."},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["callback"] is None and response.json()["attachments"] == []


def test_the_header_chooses_the_member_asked_for(api, alpha):
    from tests.core.access.conftest import attach

    attach(alpha, email="m2-admin@alpha.test", member_key="m1", rights=["questions.ask_question"])
    with tenant_context(alpha):
        m1 = Membership.objects.get(user__email="m1-admin@alpha.test").member_id
    client = api("m2-admin@alpha.test")
    data = {"theme": theme_id(alpha), "subject": "Pour M1", "body": "Texte"}
    response = client.post(BASE, data, content_type="application/json", HTTP_X_ADHERA_MEMBER=str(m1))
    assert response.status_code == 201 and response.json()["member"]["id"] == m1


def _disguised():
    return {"attachments": [pdf_file("facture.pdf", PNG)]}


def _web_page():
    return {"attachments": [pdf_file("page.pdf", b"<html><script>alert(1)</script></html>")]}


def _empty():
    return {"attachments": [pdf_file("vide.pdf", b"")]}


def _too_many(org):
    settings_set(org, attachment_max_count=2)
    return {"attachments": [pdf_file("a.pdf"), pdf_file("b.pdf"), pdf_file("c.pdf")]}


def _oversize(org):
    settings_set(org, attachment_max_mb=1)
    return {"attachments": [pdf_file("petit.pdf"), pdf_file("gros.pdf", PDF + b"0" * (1024 * 1024))]}


CREATE_REFUSALS = {
    "unknown theme": (lambda org: {"theme": 999_999}, "theme", "Choisissez un thème de la liste."),
    "theme not a number": (lambda org: {"theme": "abc"}, "theme", "entier"),
    "empty subject": (lambda org: {"subject": " "}, "subject", "Indiquez le sujet de votre question."),
    "disguised file": (lambda org: _disguised(), "attachments", "ne correspond pas à son extension « .pdf »"),
    "web page": (lambda org: _web_page(), "attachments", "Ce type de fichier n'est pas accepté."),
    "empty file": (lambda org: _empty(), "attachments", "« vide.pdf » : Le fichier est vide."),
    "too many files": (_too_many, "attachments", "Vous pouvez joindre au plus 2 fichiers."),
    # dropped by the upload handler while reading, before any check or write
    "oversize file": (_oversize, "attachments", "Le fichier dépasse la taille maximale autorisée (1 Mo)."),
}


@pytest.mark.parametrize("case", CREATE_REFUSALS)
def test_a_refused_question_is_a_french_400_and_leaves_nothing(api, alpha, case):
    prepare, field, message = CREATE_REFUSALS[case]
    data = {"theme": theme_id(alpha), "subject": "Sujet", "body": "Texte", **prepare(alpha)}
    before = footprint(alpha)
    response = api("m1-admin@alpha.test").post(BASE, data)
    assert response.status_code == 400, response.content
    body = response.json()
    assert list(body["errors"]) == [field] and message in body["errors"][field][0]
    if case == "oversize file":  # the handler's refusal, not the service's (which names the file)
        assert body["errors"][field] == [message]
    assert footprint(alpha) == before


def test_a_body_declared_larger_than_the_files_allowed_is_refused_before_reading(api, alpha):
    settings_set(alpha, attachment_max_mb=1, attachment_max_count=1)
    data = {"theme": theme_id(alpha), "subject": "Sujet", "body": "Texte", "attachments": [pdf_file()]}
    before = footprint(alpha)
    response = api("m1-admin@alpha.test").post(BASE, data, CONTENT_LENGTH=str(2 * 1024 * 1024))
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "too_large" and "1 fichier de 1 Mo au plus" in body["message"]
    assert footprint(alpha) == before


def test_an_action_without_files_refuses_a_large_body_before_reading_it(api, alpha):
    question = asked(alpha)
    response = api("jurist@alpha.test").post(
        url(question.pk, "close"), {"note": ""}, content_type="application/json", CONTENT_LENGTH=str(1024 * 1024)
    )
    assert response.status_code == 413
    assert response.json() == {"code": "too_large", "message": "La requête est trop volumineuse.", "errors": {}}
    assert in_org(alpha, lambda: Question.objects.get(pk=question.pk).status) == "new"


def test_a_session_upload_is_limited_before_the_csrf_check_reads_the_body(alpha):
    """A browser session: DRF's CSRF check parses the form before the view runs."""
    settings_set(alpha, attachment_max_mb=1)
    client = Client(HTTP_HOST=host_of(alpha), enforce_csrf_checks=True)
    client.get("/compte/connexion/")
    token = client.cookies["csrftoken"].value
    login = {"username": "m1-admin@alpha.test", "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert client.post("/compte/connexion/", login).status_code == 302
    token = client.cookies["csrftoken"].value
    data = {"theme": theme_id(alpha), "subject": "Sujet", "body": "Texte"}
    before = footprint(alpha)
    assert client.post(BASE, data, content_type="application/json").status_code == 403  # no token, no write
    big = {**data, "attachments": [pdf_file("gros.pdf", PDF + b"0" * (1024 * 1024))]}
    response = client.post(BASE, big, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"attachments": ["Le fichier dépasse la taille maximale autorisée (1 Mo)."]}
    assert footprint(alpha) == before
    response = client.post(BASE, {**data, "attachments": [pdf_file()]}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_mass_assignment_is_refused_naming_each_field(api, alpha):
    before = footprint(alpha)
    data = {
        "theme": theme_id(alpha),
        "subject": "Sujet",
        "body": "Texte",
        "member": 2,
        "asked_by": 1,
        "status": "answered",
        "due_on": "2030-01-01",
    }
    for kwargs in ({"content_type": "application/json"}, {}):
        response = api("m1-admin@alpha.test").post(BASE, data, **kwargs)
        assert response.status_code == 400
        assert sorted(response.json()["errors"]) == ["asked_by", "due_on", "member", "status"]
    assert footprint(alpha) == before


# --- one question: identical 404s ----------------------------------------------------------------


def test_another_members_or_organisations_question_is_the_same_404_as_a_missing_one(api, alpha, beta):
    # Alpha holds no question yet (each test is rolled back): beta's id is no alpha question's.
    foreign = asked(beta, email="m1-admin@beta.test", attachments=[pdf_file()])
    other_member = asked(alpha, email="m2-admin@alpha.test", member_name="Société Deux", attachments=[pdf_file()])
    with tenant_context(alpha):
        assert not Question.objects.filter(pk=foreign.pk).exclude(pk=other_member.pk).exists()
    with tenant_context(beta):
        foreign_file = foreign.attachments.get().pk
    with tenant_context(alpha):
        other_file = other_member.attachments.get().pk
    client = api("m1-admin@alpha.test")
    paths = [url(999_999), url(other_member.pk), f"{BASE}attachments/{other_file}/", f"{BASE}attachments/999999/"]
    if foreign.pk != other_member.pk:
        paths.append(url(foreign.pk))
    if foreign_file != other_file:
        paths.append(f"{BASE}attachments/{foreign_file}/")
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404 and response.json() == NOT_FOUND, path
    for action in ("pdf", "messages"):
        method = client.get if action == "pdf" else client.post
        response = method(url(other_member.pk, action))
        assert response.status_code == 404 and response.json() == NOT_FOUND


# --- the exchange --------------------------------------------------------------------------------


def test_the_member_adds_to_an_open_question(api, alpha):
    question = asked(alpha)
    client = api("m1-admin@alpha.test")
    response = client.post(url(question.pk, "messages"), {"body": "Le contrat est joint.", "attachments": [pdf_file()]})
    assert response.status_code == 200, response.content
    message = response.json()["messages"][-1]
    assert message["kind"] == "member_reply" and message["kind_label"] == "Complément de l'adhérent"
    assert message["is_staff"] is False and message["body_format"] == "text"
    assert message["body"] == "Le contrat est joint." and message["author"] == "m1_admin"
    assert [a["name"] for a in message["attachments"]] == ["contrat.pdf"]
    empty = client.post(url(question.pk, "messages"), {"body": "  "}, content_type="application/json")
    assert empty.status_code == 400 and empty.json()["errors"] == {"body": ["Écrivez votre message."]}


def test_the_staff_workflow_with_409_on_moves_not_allowed(api, alpha):
    question = asked(alpha)
    jurist_id = in_org(alpha, lambda: user("jurist@alpha.test").pk)
    staff, member = api("jurist@alpha.test"), api("m1-admin@alpha.test")
    json = {"content_type": "application/json"}

    reopened = staff.post(url(question.pk, "reopen"), {}, **json)
    assert reopened.status_code == 409
    assert reopened.json()["code"] == "transition_not_allowed"
    assert reopened.json()["message"] == "Impossible de rouvrir une question au statut « À traiter »."

    body = staff.post(url(question.pk, "assign"), {"assignee": jurist_id}, **json).json()
    assert body["status"] == "in_progress" and body["assignee"]["id"] == jurist_id
    assert body["actions"] == ["answer", "assign", "close", "request_info"]

    response = staff.post(
        url(question.pk, "info-request"),
        {"body": "<p>Quel <b>contrat</b> ?</p><script>alert(1)</script>", "attachments": [pdf_file("modele.pdf")]},
    )
    body = response.json()
    assert response.status_code == 200 and body["status"] == "waiting_member" and body["paused"] is True
    request = body["messages"][-1]
    assert request["kind"] == "info_request" and request["is_staff"] and request["body_format"] == "html"
    assert "<b>contrat</b>" in request["body"] and "script" not in request["body"]
    assert [a["name"] for a in request["attachments"]] == ["modele.pdf"]
    assert staff.post(url(question.pk, "info-request"), {"body": "Encore ?"}, **json).status_code == 409

    body = member.post(url(question.pk, "messages"), {"body": "Un CDI."}, **json).json()
    assert body["status"] == "in_progress" and body["paused"] is False and body["paused_days"] is None

    body = staff.post(url(question.pk, "answer"), {"body": "<p>Oui, une fois.</p>"}, **json).json()
    assert body["status"] == "answered" and body["first_answered_at"] and body["closed_at"]
    assert body["actions"] == ["reopen"]
    assert member.get(url(question.pk)).json()["actions"] == []

    refused = member.post(url(question.pk, "messages"), {"body": "Et si ?"}, **json)
    assert refused.status_code == 409 and "Posez une nouvelle question" in refused.json()["message"]
    assert staff.post(url(question.pk, "answer"), {"body": "Bis"}, **json).status_code == 409

    body = staff.post(url(question.pk, "reopen"), {"note": "Nouvel élément."}, **json).json()
    assert body["status"] == "in_progress" and body["closed_at"] is None
    body = staff.post(url(question.pk, "close"), {"note": "Réglé par téléphone."}, **json).json()
    assert body["status"] == "answered"
    assert [m["kind"] for m in body["messages"]] == [
        "info_request",
        "member_reply",
        "answer",
        "reopening",
        "closing",
    ]
    assert staff.post(url(question.pk, "close"), {}, **json).status_code == 409


def test_only_jurists_can_be_assigned(api, alpha):
    question = asked(alpha)
    someone = in_org(alpha, lambda: user("m1-admin@alpha.test").pk)
    staff = api("jurist@alpha.test")
    for assignee in (someone, 999_999):
        response = staff.post(url(question.pk, "assign"), {"assignee": assignee}, content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"] == {"assignee": ["Choisissez un juriste de l'organisation."]}
    missing = staff.post(url(question.pk, "assign"), {}, content_type="application/json")
    assert missing.status_code == 400 and list(missing.json()["errors"]) == ["assignee"]


STAFF_ACTIONS = {
    "assign": {"assignee": 1},
    "answer": {"body": "Réponse"},
    "info-request": {"body": "Précisez"},
    "close": {},
    "reopen": {},
    "callback-done": {},
}


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_member_people_cannot_do_the_jurists_work(api, alpha, action):
    own = asked(alpha, callback_phone="0123456789")
    other = asked(alpha, email="m2-admin@alpha.test", member_name="Société Deux")
    client = api("m1-admin@alpha.test")
    before = footprint(alpha)
    mine = client.post(url(own.pk, action), STAFF_ACTIONS[action], content_type="application/json")
    assert mine.status_code == 403 and mine.json()["code"] == "permission_denied"
    theirs = client.post(url(other.pk, action), STAFF_ACTIONS[action], content_type="application/json")
    assert theirs.status_code == 404 and theirs.json() == NOT_FOUND
    assert footprint(alpha) == before


def test_staff_cannot_reply_as_a_member_and_members_not_reach_staff_lists(api, alpha):
    question = asked(alpha)
    reply = api("jurist@alpha.test").post(url(question.pk, "messages"), {"body": "x"}, content_type="application/json")
    assert reply.status_code == 403
    member = api("m1-admin@alpha.test")
    for path in (f"{BASE}callbacks/", f"{BASE}statistics/"):
        assert member.get(path).status_code == 403


# --- callbacks, themes, statistics ----------------------------------------------------------------


def test_callbacks_are_listed_most_urgent_first_until_done(api, alpha):
    later = asked(alpha, callback_phone="0123456789", callback_slot="afternoon")
    sooner = asked(alpha, callback_phone="0987654321")
    asked(alpha)  # no callback
    with tenant_context(alpha):
        Question.objects.filter(pk=sooner.pk).update(callback_due_at="2024-01-02T09:00:00Z")
    staff = api("jurist@alpha.test")
    rows = staff.get(f"{BASE}callbacks/").json()["results"]
    assert [row["id"] for row in rows] == [sooner.pk, later.pk]
    assert rows[0]["callback"]["phone"] == "0987654321" and rows[0]["callback_late"] is True
    assert rows[1]["callback"]["slot"] == "afternoon" and rows[1]["callback_late"] is False
    assert "callback_done" in staff.get(url(later.pk)).json()["actions"]

    done = staff.post(url(later.pk, "callback-done"))
    assert done.status_code == 200 and done.json()["callback"]["done_at"]
    assert "callback_done" not in done.json()["actions"]
    assert [row["id"] for row in staff.get(f"{BASE}callbacks/").json()["results"]] == [sooner.pk]
    again = staff.post(url(later.pk, "callback-done"))
    assert again.status_code == 409 and again.json()["message"] == "Ce rappel est déjà noté comme effectué."


def test_themes_for_the_ask_form_and_for_staff(api, alpha):
    with tenant_context(alpha):
        Theme.objects.filter(name=PAY).update(is_active=False)
        SubTheme.objects.filter(name="Embauche").update(is_active=False)
    member = api("m1-admin@alpha.test")
    themes = member.get(f"{BASE}themes/").json()
    names = [theme["name"] for theme in themes]
    assert "Contrat de travail" in names and PAY not in names
    work = next(theme for theme in themes if theme["name"] == "Contrat de travail")
    assert "Embauche" not in [sub["name"] for sub in work["sub_themes"]]
    assert PAY not in [theme["name"] for theme in member.get(f"{BASE}themes/?all=1").json()]
    everything = api("jurist@alpha.test").get(f"{BASE}themes/?all=1").json()
    paie = next(theme for theme in everything if theme["name"] == PAY)
    assert paie["is_active"] is False
    work = next(theme for theme in everything if theme["name"] == "Contrat de travail")
    assert {"name": "Embauche", "is_active": False} in [
        {"name": sub["name"], "is_active": sub["is_active"]} for sub in work["sub_themes"]
    ]


def test_statistics_for_staff(api, alpha):
    question = asked(alpha)
    asked(alpha, theme_id=theme_id(alpha, PAY))
    with tenant_context(alpha):
        from modules.questions.services import question_answer

        question_answer(actor=user("jurist@alpha.test"), question=question, body="Réponse.")
    staff = api("jurist@alpha.test")
    body = staff.get(f"{BASE}statistics/", {"months": 3}).json()
    assert len(body["months"]) == 3 and len(body["months"][-1]) == 7 and body["months"][-1][4] == "-"
    assert body["total"] == 2 and body["answered"] == 1 and body["answered_on_time"] == 1
    assert body["on_time_share"] == 1.0 and body["median_answer_hours"] is not None
    assert {row["name"]: row["total"] for row in body["themes"]} == {"Contrat de travail": 1, PAY: 1}
    assert body["monthly_totals"][-1] == 2
    assert staff.get(f"{BASE}statistics/", {"months": 0}).status_code == 400
    assert staff.get(f"{BASE}statistics/", {"months": "x"}).status_code == 400


# --- files ----------------------------------------------------------------------------------------


def test_attachments_download_as_files_for_those_who_may_see_them(api, alpha):
    question = asked(alpha, attachments=[pdf_file("mon contrat.pdf")])
    link = api("m1-admin@alpha.test").get(url(question.pk)).json()["attachments"][0]["url"]
    path = link[link.index(BASE) :]
    for email in ("m1-admin@alpha.test", "jurist@alpha.test"):
        response = api(email).get(path, HTTP_ACCEPT="application/pdf")
        assert response.status_code == 200 and body_of(response) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert (
            response["Content-Disposition"].startswith("attachment;")
            and "contrat.pdf" in response["Content-Disposition"]
        )
        assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    for email in ("m2-admin@alpha.test", "m1-user@alpha.test"):
        response = api(email).get(path)
        assert response.status_code == 404 and response.json() == NOT_FOUND


def test_the_pdf_is_printed_once_and_downloaded_by_those_who_may_see_it(api, alpha):
    question = asked(alpha, subject="Période d'essai renouvelée")
    client = api("m1-admin@alpha.test")
    response = client.get(url(question.pk, "pdf"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200, response.content
    content = body_of(response)
    assert content.startswith(b"%PDF") and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="question-{question.number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    with tenant_context(alpha):
        stored = Question.objects.get(pk=question.pk).pdf.name
    assert body_of(api("jurist@alpha.test").get(url(question.pk, "pdf"))) == content
    with tenant_context(alpha):
        assert Question.objects.get(pk=question.pk).pdf.name == stored  # printed once
    refused = api("m2-admin@alpha.test").get(url(question.pk, "pdf"))
    assert refused.status_code == 404 and refused.json() == NOT_FOUND


# --- schema ---------------------------------------------------------------------------------------


def test_the_schema_documents_every_questions_route(client_for, alpha):
    GENERATOR_STATS.reset()
    response = client_for(alpha, "m1-admin@alpha.test").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    expected = {
        "/api/questions/": {"get", "post"},
        "/api/questions/{question_id}/": {"get"},
        "/api/questions/{question_id}/messages/": {"post"},
        "/api/questions/{question_id}/assign/": {"post"},
        "/api/questions/{question_id}/answer/": {"post"},
        "/api/questions/{question_id}/info-request/": {"post"},
        "/api/questions/{question_id}/close/": {"post"},
        "/api/questions/{question_id}/reopen/": {"post"},
        "/api/questions/{question_id}/callback-done/": {"post"},
        "/api/questions/{question_id}/pdf/": {"get"},
        "/api/questions/attachments/{attachment_id}/": {"get"},
        "/api/questions/themes/": {"get"},
        "/api/questions/callbacks/": {"get"},
        "/api/questions/statistics/": {"get"},
    }
    for path, methods in expected.items():
        assert path in paths, path
        assert set(paths[path]) >= methods, path
        for method in methods:
            assert paths[path][method]["summary"], (path, method)
    create = paths["/api/questions/"]["post"]
    upload = create["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[1]
    attachments = schema["components"]["schemas"][upload]["properties"]["attachments"]
    assert attachments["items"]["format"] == "binary"
    assert {"400", "403", "413"} <= set(create["responses"])
    assert "409" in paths["/api/questions/{question_id}/reopen/"]["post"]["responses"]
    assert "application/pdf" in paths["/api/questions/{question_id}/pdf/"]["get"]["responses"]["200"]["content"]
    assert "HTML" in schema["components"]["schemas"]["Message"]["properties"]["body"]["description"]
    watched = ("questions", "Question", "Theme", "Callback", "Attachment", "Statistics", '"kind"', '"status"')
    problems = [
        message
        for message in (*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache)
        if any(word in message for word in watched)
    ]
    assert problems == []
