"""`seed_demo` (run by `make run`) gives four organisations their users, members and modules, once."""

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import User
from core.members.models import Member
from modules.questions.models import MessageKind, Question, QuestionStatus
from modules.questions.policy import questions_clock
from tenants.models import Organisation

pytestmark = pytest.mark.django_db


def test_seed_demo_is_complete_and_idempotent(organisations, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    demo = {o.slug: o for o in Organisation.objects.filter(slug__in=["union", "achats", "sante", "collectivites"])}
    assert set(demo) == {"union", "achats", "sante", "collectivites"}
    assert demo["sante"].enabled_modules == ["billing", "health"]
    for organisation in demo.values():
        with tenant_context(organisation):
            assert Member.objects.count() == 3
            admin = User.objects.get(email=f"admin@{organisation.slug}.example.org")
            assert admin.check_password("adhera-demo-2026")
    with tenant_context(demo["sante"]):
        assert sorted(Member.objects.values_list("member_number", flat=True)) == ["0000001", "0000002", "0000003"]
    out = capsys.readouterr().out
    # (the port differs when browser tests ran first: they serve the platform on a free port)
    assert "union.localhost" in out and "admin@union.example.org" in out
    with tenant_context(demo["union"]):
        firm = User.objects.get(email="cabinet@fiduciaire-exemple.fr")
        assert sorted(firm.memberships.values_list("member__name", flat=True)) == [
            "Boulangerie Martin",
            "Transports Lefèvre",
        ]
        for member in Member.objects.all():
            assert member.memberships.filter(role="administrator", state="active").count() == 1


def test_seed_demo_gives_the_legal_service_a_question_of_every_kind(organisations):
    call_command("seed_demo")
    call_command("seed_demo")
    for slug in ("union", "collectivites"):
        with tenant_context(Organisation.objects.get(slug=slug)):
            questions = list(Question.objects.select_related("asked_by").prefetch_related("messages"))
            assert len(questions) == 6  # once, however often the seed runs
            assert {question.status for question in questions} == set(QuestionStatus.values)
            today, clock = timezone.localdate(), questions_clock()
            running = [q for q in questions if q.status in (QuestionStatus.NEW, QuestionStatus.IN_PROGRESS)]
            assert any(q.due_on < today for q in running), "a late question"
            assert any(clock.is_due_soon(q.due_on, today) for q in running), "a question due soon"
            waiting = next(q for q in questions if q.status == QuestionStatus.WAITING)
            assert [m.kind for m in waiting.messages.all()] == [MessageKind.INFO_REQUEST]
            assert waiting.paused_days is not None
            answered = next(q for q in questions if q.status == QuestionStatus.ANSWERED)
            assert [m.kind for m in answered.messages.all()] == [MessageKind.ANSWER]
            assert answered.answered_on_time is True
            assert answered.asked_by.email == f"assistant.martin@{slug}.example.com"
            callbacks = [q for q in questions if q.callback_due_at is not None]
            assert len(callbacks) == 1 and callbacks[0].callback_due_at > timezone.now()
    for slug in ("achats", "sante"):  # no questions module
        with tenant_context(Organisation.objects.get(slug=slug)):
            assert not Question.objects.exists()


def test_seed_demo_gives_billing_a_year_invoiced_and_a_campaign_to_fill(organisations):
    from modules.billing.models import AnnualDeclaration, Invoice, Payment
    from modules.billing.policy import billing_policy
    from modules.billing.selectors import campaign_current, invoice_list
    from modules.billing.services.payments import online_payment_available
    from modules.billing.services.runs import invoicing_run_start

    call_command("seed_demo")
    call_command("seed_demo")
    this_year = timezone.localdate().year
    for slug in ("union", "achats", "sante"):
        organisation = Organisation.objects.get(slug=slug)
        assert "billing" in organisation.enabled_modules
        with tenant_context(organisation):
            admin = User.objects.get(email=f"admin@{slug}.example.org")
            # Last year's campaign, invoiced once however often the seed runs: paid, partly paid, due.
            states = sorted(invoice_list(actor=admin, year=this_year).values_list("state", flat=True))
            assert states == ["due", "paid", "partly_paid"], slug
            assert Invoice.objects.count() == 3 and Payment.objects.count() == 2
            # This year's data sheet: open, sent by one member of three.
            current = campaign_current()
            assert current is not None and current.year == this_year + 1
            assert AnnualDeclaration.objects.filter(campaign=current).count() == 1
            assert online_payment_available()
            # The organisation may invoice with VAT: its SIRET and VAT number are on its invoices,
            # so the staff of the demo can start this year's invoicing run.
            policy = billing_policy()
            assert policy.seller_identified and policy.seller_vat_number, slug
            run = invoicing_run_start(actor=admin, campaign=current)
            assert run.total == 3
