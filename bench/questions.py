"""Legal questions at volume: the member's history and the API list on a member with 10,000
questions, and the time to print one question as a PDF.

Run with `make bench` (or `python bench/questions.py [runs]`). The first run builds a bench
organisation (`bench-questions`) with one member, its administrator and 10,000 questions over
three years (most of them treated, half of those with a written answer), bulk-inserted and
indexed for search, and keeps it for the next runs. Pages are requested through Django's test
client on the organisation's host (the whole middleware stack, templates and queries; no network
or WSGI server), signed in as the member's administrator, who sees all the member's questions.
Tasks the runs would send go to a queue nobody reads, deleted at the end. Medians go to
docs/benchmarks.md.
"""

import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tenants.utils import tenant_context  # noqa: E402

from bench.broker import discarded_tasks_drop, tasks_discarded  # noqa: E402
from bench.report import write_section  # noqa: E402
from config.celery_app import app  # noqa: E402
from core.access.models import MemberRole, Membership, MembershipKind, MembershipState  # noqa: E402
from core.accounts.models import StaffRole, User  # noqa: E402
from core.members.models import Member  # noqa: E402
from modules.questions.models import Message, MessageKind, Question, QuestionStatus, Theme  # noqa: E402
from modules.questions.pdf import question_pdf_bytes  # noqa: E402
from modules.questions.selectors import QuestionFilters, question_search  # noqa: E402
from modules.questions.services import question_search_index  # noqa: E402
from tenants.models import Organisation  # noqa: E402
from tenants.services import OrganisationInput, organisation_create  # noqa: E402

SLUG = "bench-questions"
QUESTIONS = 10_000
MEMBER_ADMIN = "administrateur@bench-questions.example"
JURIST = "juriste@bench-questions.example"
PASSWORD = "banc d'essai des questions"  # noqa: S105 (a throwaway bench account)
SEARCH = "licenciement économique"

SUBJECTS = (
    "Renouvellement de la période d'essai",
    "Licenciement économique d'un salarié protégé",
    "Heures supplémentaires d'un cadre au forfait jours",
    "Congés payés pendant un arrêt maladie",
    "Rupture conventionnelle et indemnité",
    "Prime de fin d'année et ancienneté",
    "Élections du CSE dans une petite structure",
    "Temps partiel et avenant de complément d'heures",
    "Visite médicale de reprise après accident du travail",
    "Application de la convention collective de branche",
)
BODIES = (
    "Un salarié embauché en CDI souhaite savoir si sa période d'essai peut être renouvelée.",
    "Nous envisageons une réorganisation qui supprimerait deux postes ; quelle procédure suivre ?",
    "Un cadre au forfait jours a travaillé plusieurs samedis : doit-on les rémunérer ?",
    "Une salariée a été malade pendant ses congés : peut-elle les reporter ?",
    "Comment calculer l'indemnité spécifique de rupture conventionnelle ?",
)
ANSWER = (
    "<p>Le renouvellement n'est possible que si un accord de branche étendu le prévoit et si le contrat "
    "le stipule expressément.</p><ul><li>accord écrit du salarié ;</li><li>avant la fin de la première "
    "période.</li></ul>"
)


def _organisation() -> Organisation:
    organisation = Organisation.objects.filter(slug=SLUG).first()
    if organisation is None:
        organisation = organisation_create(
            actor=None,
            data=OrganisationInput(
                name="Union du banc d'essai",
                slug=SLUG,
                kind="employers_union",
                identity_scheme="siret",
                admin_email=f"admin@{SLUG}.example",
                allowed_modules=["questions"],
                enabled_modules=["questions"],
            ),
        )
    return organisation


def _people() -> tuple[Member, User, User]:
    member, _ = Member.objects.get_or_create(siret="73282932000074", defaults={"name": "Banc d'essai SAS"})
    admin = User.objects.filter(email=MEMBER_ADMIN).first() or User.objects.create_user(
        MEMBER_ADMIN, PASSWORD, full_name="Camille Banc"
    )
    membership, _ = Membership.objects.get_or_create(
        user=admin,
        member=member,
        defaults={"role": MemberRole.ADMINISTRATOR, "kind": MembershipKind.CONTACT, "state": MembershipState.ACTIVE},
    )
    # Acting for the member as the pages do, so that the selectors see what the pages see.
    admin.active_membership = membership
    jurist = User.objects.filter(email=JURIST).first() or User.objects.create_user(
        JURIST, PASSWORD, full_name="Dominique Juriste", staff_role=StaffRole.JURIST
    )
    return member, admin, jurist


def _fill(member: Member, admin: User, jurist: User) -> None:
    """Bulk-insert the questions the member lacks, then index them for search in one statement
    (the services' own index function)."""
    missing = QUESTIONS - Question.objects.filter(member=member).count()
    if missing <= 0:
        return
    print(f"Creating {missing} questions…", flush=True)
    rng = random.Random(42)
    themes = list(Theme.objects.prefetch_related("sub_themes"))
    now = timezone.now()
    statuses = [QuestionStatus.ANSWERED] * 5 + [QuestionStatus.IN_PROGRESS, QuestionStatus.NEW]
    questions = []
    for index in range(missing):
        received = now - timedelta(days=rng.uniform(0, 3 * 365))
        theme = rng.choice(themes)
        sub_themes = list(theme.sub_themes.all())
        status = rng.choice(statuses) if received < now - timedelta(days=10) else QuestionStatus.NEW
        answered = status == QuestionStatus.ANSWERED
        questions.append(
            Question(
                member=member,
                asked_by=admin,
                theme=theme,
                sub_theme=rng.choice(sub_themes) if sub_themes else None,
                subject=f"{rng.choice(SUBJECTS)} ({index})",
                body=rng.choice(BODIES),
                status=status,
                assignee=jurist if status != QuestionStatus.NEW else None,
                received_at=received,
                updated_at=received,
                due_on=(received + timedelta(days=7)).date(),
                first_answered_at=received + timedelta(days=3) if answered else None,
                answered_on_time=True if answered else None,
                closed_at=received + timedelta(days=3) if answered else None,
            )
        )
    created = Question.objects.bulk_create(questions, batch_size=1000)
    Message.objects.bulk_create(
        [
            Message(
                question=question, kind=MessageKind.ANSWER, author=jurist, body=ANSWER, created_at=question.closed_at
            )
            for question in created
            if question.status == QuestionStatus.ANSWERED and rng.random() < 0.5
        ],
        batch_size=1000,
    )
    question_search_index(questions=Question.objects.filter(member=member))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE questions_question; ANALYZE questions_message")


def _timed(client: Client, url: str, runs: int) -> dict:
    """Median, fastest and slowest of `runs` requests after one warm-up, and the query count."""
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: the page is not ready, nothing written.")
    timings = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
    return {"timings": timings, "queries": len(queries), "bytes": len(response.content)}


def _pdf_timings(question: Question, runs: int) -> dict:
    question_pdf_bytes(question_id=question.pk)  # warm-up: fonts and templates loaded once per process
    timings, content = [], b""
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            content = question_pdf_bytes(question_id=question.pk)
            timings.append(time.perf_counter() - start)
    return {"timings": timings, "queries": len(queries), "bytes": len(content)}


def _long_exchange(member: Member, admin: User, jurist: User) -> Question:
    """A question with a ten-message exchange (kept between runs)."""
    subject = "Banc d'essai : échange de dix messages"
    question = Question.objects.filter(member=member, subject=subject).first()
    if question is not None:
        return question
    source = Question.objects.filter(member=member, status=QuestionStatus.ANSWERED).order_by("pk").first()
    question = Question.objects.create(
        **{
            name: getattr(source, name)
            for name in ("member_id", "asked_by_id", "theme_id", "sub_theme_id", "status", "assignee_id")
        },
        subject=subject,
        body="\n".join(BODIES),
        received_at=source.received_at,
        updated_at=source.updated_at,
        due_on=source.due_on,
        closed_at=source.closed_at,
    )
    for turn in range(10):
        staff = turn % 2 == 1
        Message.objects.create(
            question=question,
            kind=MessageKind.ANSWER if staff else MessageKind.MEMBER_REPLY,
            author=jurist if staff else admin,
            body=ANSWER * 2 if staff else "\n".join(BODIES[: 1 + turn % len(BODIES)]),
            created_at=source.received_at + timedelta(hours=turn),
        )
    return question


def _thousands(number: int) -> str:
    return f"{number:,}".replace(",", "\u202f")


def _row(label: str, result: dict) -> str:
    values = [value * 1000 for value in result["timings"]]
    return (
        f"| {label} | {statistics.median(values):.0f} ms | {min(values):.0f} ms | {max(values):.0f} ms "
        f"| {result['queries']} | {result['bytes'] / 1024:.0f} KiB |"
    )


def main(runs: int) -> None:
    call_command("migrate_schemas", interactive=False, verbosity=0)
    app.conf.task_always_eager = False
    tasks_discarded()
    organisation = _organisation()
    with tenant_context(organisation):
        member, admin, jurist = _people()
        _fill(member, admin, jurist)
        long_exchange = _long_exchange(member, admin, jurist)
        total = Question.objects.filter(member=member).count()
        answered = Question.objects.filter(member=member, status=QuestionStatus.ANSWERED).count()
        matches = question_search(actor=admin, filters=QuestionFilters(search=SEARCH)).count()
        theme = Theme.objects.order_by("position").first()
        short_exchange = (
            Question.objects.filter(member=member, messages__kind=MessageKind.ANSWER).order_by("pk").first()
        )
        pdf_short = _pdf_timings(short_exchange, runs)
        pdf_long = _pdf_timings(long_exchange, runs)
    since = (timezone.localdate() - timedelta(days=365)).isoformat()
    client = Client(HTTP_HOST=f"{SLUG}.{settings.PLATFORM_DOMAIN}")
    response = client.post(reverse("accounts:login"), {"username": MEMBER_ADMIN, "password": PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"Login of {MEMBER_ADMIN} failed ({response.status_code}).")
    history, api = reverse("questions:list"), reverse("api-questions:question-list")
    filtered = f"status=answered&theme={theme.pk}&received_from={since}"
    pages = {
        "history, first page (newest first)": _timed(client, history, runs),
        "history, filtered (status, theme, last 12 months)": _timed(client, f"{history}?{filtered}", runs),
        "history, sorted by subject, page 200": _timed(client, f"{history}?sort=subject&page=200", runs),
        f"history, full-text search « {SEARCH} »": _timed(client, f"{history}?q={SEARCH}", runs),
        "API list, first page": _timed(client, api, runs),
        "API list, filtered": _timed(client, f"{api}?{filtered}", runs),
        f"API list, full-text search « {SEARCH} »": _timed(client, f"{api}?q={SEARCH}", runs),
    }
    discarded_tasks_drop()
    lines = [
        f"A member with {_thousands(total)} questions ({_thousands(answered)} treated) over three years; "
        f"median of {runs} requests after a warm-up, on this machine ({os.cpu_count()} cores), through "
        "Django's test client (whole middleware stack, no network), signed in as the member's "
        f"administrator (sees every question of the member); the search matches {_thousands(matches)} "
        "questions. Queries: SQL statements per request.",
        "",
        "| request | median | fastest | slowest | queries | response |",
        "|---|---|---|---|---|---|",
        *(_row(label, result) for label, result in pages.items()),
        "",
        "Printing one question (`question_pdf_bytes`: one query set, template, WeasyPrint), after a warm-up:",
        "",
        "| PDF | median | fastest | slowest | queries | size |",
        "|---|---|---|---|---|---|",
        _row("question and its answer", pdf_short),
        _row("question and a ten-message exchange", pdf_long),
        "",
        "The PDF is printed once per revision of the question (after an answer, in the background) and "
        "then served from storage, so a download costs a file read, not a render.",
    ]
    write_section("Legal questions: history, API list and PDF", "\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
