"""Billing never crosses organisations or members: stored PDFs, ids, sessions, tasks, the webhook,
a member's account and the staff's exports (SECURITY-MATRIX, TRAPS.md "Tenancy")."""

import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context, tenant_context

from core.jobs.base import TaskWithoutTenant
from core.members.models import Member
from core.modules.settings import module_settings_get, module_settings_save
from modules.billing.models import Invoice, InvoiceDocument, InvoicingRun, Payment, StripeEvent
from modules.billing.selectors import member_balance, member_statement
from modules.billing.services.invoices import LineInput, invoice_issue, invoice_pdf_ensure
from modules.billing.services.payments import payment_account_save, payment_record
from modules.billing.services.runs import invoicing_run_start
from modules.billing.tasks import invoice_pdf_render, invoicing_batch
from tenants.services import organisation_module_set, organisation_plan_set
from tests.conftest import host_of
from tests.modules.questions.test_isolation import same_next_ids

from .conftest import SELLER_IDENTITY, declare, open_campaign
from .stripe_server import webhook_post

pytestmark = pytest.mark.django_db

WEBHOOK = "/billing/stripe/webhook/"
STORED_PDF = re.compile(r"billing/invoices/(\d+)/FAC-\d{6}(_\w+)?\.pdf")


def on_disk(schema: str, name: str) -> Path:
    """Where the per-schema storage keeps `name` for `schema` (MEDIA_ROOT/<schema>/<name>)."""
    return Path(settings.MEDIA_ROOT) / schema / name


def body_of(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def printed():
    """PDFs the test prints, deleted afterwards (the rows are rolled back, the files are not), so
    that no later test finds a file it did not write."""
    documents: list[InvoiceDocument] = []
    yield documents
    for document in documents:
        document.file.storage.delete(document.file.name)


def billing_on(organisation) -> None:
    """Give the organisation the billing module (rolled back with the test)."""
    organisation = organisation_plan_set(
        actor=None, organisation=organisation, allowed_modules=[*organisation.allowed_modules, "billing"]
    )
    organisation_module_set(actor=None, organisation=organisation, key="billing", enabled=True)


def staff_of(organisation):
    from core.accounts.models import User

    return User.objects.get(email=f"admin@{organisation.slug}.test")


def seller_identify(organisation) -> None:
    """The organisation may invoice: its SIRET and VAT number are set."""
    values = module_settings_get("billing")
    if not values["seller_siret"]:
        module_settings_save(actor=staff_of(organisation), key="billing", values={**values, **SELLER_IDENTITY})


def issue(organisation, *, member_name: str = "Société Un", label: str = "", amount: str = "120.00") -> Invoice:
    """An invoice of the member in the current schema, issued by the organisation's administrator."""
    seller_identify(organisation)
    line = LineInput(label=label or f"Adhésion {organisation.name}", unit_price=Decimal(amount), vat_rate=Decimal(20))
    return invoice_issue(actor=staff_of(organisation), member=Member.objects.get(name=member_name), lines=[line])


def pay(organisation, invoice: Invoice, amount: str, reference: str = ""):
    return payment_record(
        actor=staff_of(organisation),
        invoice=invoice,
        method="transfer",
        amount=amount,
        received_on=timezone.localdate(),
        reference=reference,
    )


def twin_invoices(alpha, beta) -> tuple[Invoice, Invoice]:
    """An invoice of M1 in alpha and one in beta with the same id, each naming its organisation."""
    same_next_ids(Invoice, organisations=(alpha, beta))
    twins = []
    for organisation in (alpha, beta):
        with tenant_context(organisation):
            twins.append(issue(organisation))
    assert twins[0].pk == twins[1].pk
    return twins[0], twins[1]


# Files ---------------------------------------------------------------------------------------


def test_an_invoice_pdf_is_stored_once_under_its_schema_and_invoice(alpha, printed):
    with tenant_context(alpha):
        invoice = issue(alpha)
        document = invoice_pdf_ensure(invoice=invoice)
        printed.append(document)
        match = STORED_PDF.fullmatch(document.file.name)
        assert match and int(match.group(1)) == invoice.pk, document.file.name
        assert document.file.name.startswith(f"billing/invoices/{invoice.pk}/{invoice.number}")
        assert Path(document.file.path) == on_disk("alpha", document.file.name)
        assert on_disk("alpha", document.file.name).read_bytes().startswith(b"%PDF")
        assert not on_disk("beta", document.file.name).exists()
        # Printed once: a second call gives the stored document back.
        assert invoice_pdf_ensure(invoice=invoice).pk == document.pk
        assert InvoiceDocument.objects.filter(invoice=invoice).count() == 1


def test_the_same_invoice_id_in_two_organisations_serves_each_its_own(alpha, beta, client_for, printed):
    with tenant_context(beta):
        billing_on(beta)
    alpha_invoice, _beta_invoice = twin_invoices(alpha, beta)
    invoice_id = alpha_invoice.pk
    pages = {
        "page": reverse("billing:invoice", kwargs={"invoice_id": invoice_id}),
        "api": reverse("api-billing:invoice-detail", kwargs={"invoice_id": invoice_id}),
        "pdf": reverse("billing:invoice_pdf", kwargs={"invoice_id": invoice_id}),
        "api pdf": reverse("api-billing:invoice-pdf", kwargs={"invoice_id": invoice_id}),
    }
    served = {}
    for organisation, other in ((alpha, beta), (beta, alpha)):
        member_client = client_for(organisation, f"m1-admin@{organisation.slug}.test")
        for label, url in pages.items():
            response = member_client.get(url)
            assert response.status_code == 200, (organisation.slug, label, response.status_code)
            served[organisation.slug, label] = body_of(response)
        for label in ("page", "api"):
            text = served[organisation.slug, label].decode()
            assert f"Adhésion {organisation.name}" in text and f"Adhésion {other.name}" not in text, label
        staff_page = client_for(organisation, f"admin@{organisation.slug}.test").get(
            reverse("billing:staff_invoice", kwargs={"invoice_id": invoice_id})
        )
        assert f"Adhésion {organisation.name}" in staff_page.content.decode()
        assert f"Adhésion {other.name}" not in staff_page.content.decode()
        with tenant_context(organisation):
            document = InvoiceDocument.objects.get(invoice_id=invoice_id)
            printed.append(document)
        # Each organisation's PDF sits in its own folder, under the same name.
        stored = on_disk(organisation.slug, document.file.name).read_bytes()
        assert served[organisation.slug, "pdf"] == served[organisation.slug, "api pdf"] == stored
    assert served["alpha", "pdf"] != served["beta", "pdf"]


# Sessions ------------------------------------------------------------------------------------


def test_a_session_of_alpha_replayed_on_betas_host_gets_nothing(alpha, beta, client_for):
    with tenant_context(beta):
        billing_on(beta)  # beta's billing routes exist: the session is what must not work there
    alpha_invoice, _beta_invoice = twin_invoices(alpha, beta)
    detail = reverse("billing:invoice", kwargs={"invoice_id": alpha_invoice.pk})
    for email, urls in {
        "m1-admin@alpha.test": [
            reverse("billing:invoices"),
            detail,
            reverse("billing:invoice_pdf", kwargs={"invoice_id": alpha_invoice.pk}),
            reverse("billing:statement"),
            reverse("billing:declaration"),
            reverse("api-billing:invoice-list"),
            reverse("api-billing:invoice-detail", kwargs={"invoice_id": alpha_invoice.pk}),
            reverse("api-billing:balance"),
            reverse("api-billing:statement"),
        ],
        "admin@alpha.test": [
            reverse("billing:staff_home"),
            reverse("billing:staff_invoices"),
            reverse("billing:staff_invoice", kwargs={"invoice_id": alpha_invoice.pk}),
            reverse("billing:export_invoices"),
            reverse("billing:export_payments"),
            reverse("billing:payment_keys"),
        ],
    }.items():
        alpha_client = client_for(alpha, email)
        assert alpha_client.get(urls[1]).status_code == 200  # the session works where it was opened
        replay = Client(HTTP_HOST=host_of(beta))
        replay.cookies["sessionid"] = alpha_client.cookies["sessionid"].value
        for url in urls:
            response = replay.get(url)
            body = body_of(response).decode(errors="replace")
            if response.status_code == 302:
                assert response["Location"].startswith(reverse("accounts:login")), url
            else:
                assert response.status_code in (401, 403), (url, response.status_code)
            assert "Adhésion" not in body and alpha_invoice.number not in body, url


# Tasks ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("task", "args"), [(invoice_pdf_render, (1,)), (invoicing_batch, (1, [1, 2]))])
def test_billing_tasks_refuse_to_run_without_an_organisation(organisations, task, args):
    with schema_context("public"), pytest.raises(TaskWithoutTenant):
        task.delay(*args)


def test_the_pdf_task_prints_in_the_schema_it_was_sent_from(alpha, beta, printed):
    with tenant_context(alpha):
        invoice = issue(alpha)
    with tenant_context(beta):
        assert not Invoice.objects.filter(pk=invoice.pk).exists()  # beta has no invoice committed
        assert invoice_pdf_render.delay(invoice.pk).get() is False
        assert not InvoiceDocument.objects.exists()
    with tenant_context(alpha):
        assert not InvoiceDocument.objects.filter(invoice=invoice).exists()
        assert invoice_pdf_render.delay(invoice.pk).get() is True
        document = InvoiceDocument.objects.get(invoice=invoice)
        printed.append(document)
    assert on_disk("alpha", document.file.name).read_bytes().startswith(b"%PDF")
    assert not on_disk("beta", document.file.name).exists()


def test_an_invoicing_batch_invoices_in_the_schema_it_was_sent_from(alpha, beta):
    with tenant_context(alpha):
        campaign = open_campaign()
        declare(campaign)
        run = invoicing_run_start(actor=staff_of(alpha), campaign=campaign)  # its batches leave on commit
        m1 = Member.objects.get(name="Société Un")
    with tenant_context(beta):
        assert not InvoicingRun.objects.filter(pk=run.pk).exists()  # beta has no run committed
        assert invoicing_batch.delay(run.pk, [m1.pk]).get() == 0
        assert not Invoice.objects.exists()
    with tenant_context(alpha):
        assert not Invoice.objects.exists()
        assert invoicing_batch.delay(run.pk, [m1.pk]).get() == 1
        assert list(Invoice.objects.values_list("member__name", "campaign__year")) == [("Société Un", campaign.year)]
    with tenant_context(beta):
        assert not Invoice.objects.exists()


# Stripe's webhook ----------------------------------------------------------------------------


def signed_event(schema: str) -> bytes:
    """A Stripe event about a checkout of `schema` (the handling reads Stripe back: not done here)."""
    event = {
        "id": f"evt_isolation_{schema}",
        "object": "event",
        "type": "checkout.session.completed",
        "created": int(time.time()),
        "livemode": False,
        "data": {
            "object": {"id": f"cs_isolation_{schema}", "object": "checkout.session", "metadata": {"schema": schema}}
        },
    }
    return json.dumps(event).encode()


def test_the_webhook_is_anonymous_but_refuses_what_its_organisation_did_not_sign(alpha, beta, client_for):
    with tenant_context(alpha):
        payment_account_save(
            actor=staff_of(alpha), publishable_key="pk_test_a", secret_key="sk_test_a", webhook_secret="whsec_alpha"
        )
    payload = signed_event("alpha")
    # Without a signature, whoever posts (anonymous, a member, staff): 400 and nothing stored.
    for email in (None, "m1-admin@alpha.test", "admin@alpha.test"):
        response = client_for(alpha, email).post(WEBHOOK, data=payload, content_type="application/json")
        assert response.status_code == 400, email
    anonymous_alpha, anonymous_beta = client_for(alpha), client_for(beta)
    # Beta has no billing: its webhook does not exist, even for a delivery alpha's secret signed.
    assert webhook_post(anonymous_beta, payload, secret="whsec_alpha").status_code == 404
    with tenant_context(beta):
        billing_on(beta)
        payment_account_save(
            actor=staff_of(beta), publishable_key="pk_test_b", secret_key="sk_test_b", webhook_secret="whsec_beta"
        )
    # Alpha's signed delivery replayed on beta's host: beta's secret does not verify it.
    assert webhook_post(anonymous_beta, payload, secret="whsec_alpha").status_code == 400
    forged = f"t={int(time.time())},v1={'0' * 64}"
    assert webhook_post(anonymous_alpha, payload, signature=forged).status_code == 400
    with tenant_context(alpha):
        assert not StripeEvent.objects.exists()
    with tenant_context(beta):
        assert not StripeEvent.objects.exists()
    # The genuine delivery on alpha's host is stored there, and only there.
    response = webhook_post(anonymous_alpha, payload, secret="whsec_alpha")
    assert response.status_code == 200 and response.json()["received"] is True
    with tenant_context(alpha):
        assert list(StripeEvent.objects.values_list("event_id", flat=True)) == ["evt_isolation_alpha"]
    with tenant_context(beta):
        assert not StripeEvent.objects.exists()
    # Beta signs a delivery naming alpha's checkout: stored in beta as not its own, applied nowhere.
    assert webhook_post(anonymous_beta, signed_event("alpha"), secret="whsec_beta").status_code == 200
    with tenant_context(beta):
        assert list(StripeEvent.objects.values_list("outcome", flat=True)) == ["not ours"]
    with tenant_context(alpha):
        assert StripeEvent.objects.count() == 1


# A member's account and the staff's exports ---------------------------------------------------


def test_the_balance_and_statement_of_m1_never_include_m2s_rows(alpha, client_for):
    with tenant_context(alpha):
        m1_invoice = issue(alpha, label="Adhésion de la Société Un")  # 144,00 € TTC
        pay(alpha, m1_invoice, "44.00", reference="VIR-M1-44")
        m2_invoice = issue(alpha, member_name="Société Deux", label="Adhésion de la Société Deux", amount="500.00")
        pay(alpha, m2_invoice, "77.00", reference="VIR-M2-77")
        m1, m2 = Member.objects.get(name="Société Un"), Member.objects.get(name="Société Deux")
        balance = member_balance(member=m1)
        assert (balance.invoiced, balance.credited, balance.paid, balance.amount) == (
            Decimal("144.00"),
            Decimal("0.00"),
            Decimal("44.00"),
            Decimal("100.00"),
        )
        assert [(entry.label, entry.balance) for entry in member_statement(member=m1)] == [
            (f"Facture {m1_invoice.number}", Decimal("144.00")),
            ("Paiement (virement) — VIR-M1-44", Decimal("100.00")),
        ]
        assert member_balance(member=m2).amount == Decimal("523.00")

    m2_rows = (m2_invoice.number, "VIR-M2-77", "Adhésion de la Société Deux", "523,00", "523.00", "600,00", "600.00")
    client = client_for(alpha, "m1-admin@alpha.test")
    # Each page or answer, and what of M1's it must show.
    for url, own in (
        (reverse("billing:invoices"), m1_invoice.number),
        (reverse("billing:statement"), "VIR-M1-44"),
        (reverse("billing:statement") + "?format=csv", "VIR-M1-44"),
        (reverse("api-billing:invoice-list"), m1_invoice.number),
        (reverse("api-billing:balance"), "100.00"),
        (reverse("api-billing:statement"), "VIR-M1-44"),
        (reverse("api-billing:payment-list"), "VIR-M1-44"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = body_of(response).decode()
        assert own in body, url
        for foreign in m2_rows:
            assert foreign not in body, (url, foreign)
    assert client.get(reverse("api-billing:balance"), {"member": m2.pk}).status_code == 404
    assert client.get(reverse("api-billing:statement"), {"member": m2.pk}).status_code == 404
    assert client.get(reverse("api-billing:balance")).json()["balance"] == "100.00"


def test_the_staff_exports_of_alpha_never_include_betas_rows(alpha, beta, client_for):
    with tenant_context(beta):
        billing_on(beta)
    for organisation, amount in ((alpha, "120.00"), (beta, "500.00")):
        with tenant_context(organisation):
            invoice = issue(organisation, amount=amount)
            pay(organisation, invoice, "10.00", reference=f"VIR-{organisation.slug.upper()}")
    own = {"alpha": ("144,00", "VIR-ALPHA"), "beta": ("600,00", "VIR-BETA")}
    for organisation, other in (("alpha", "beta"), ("beta", "alpha")):
        client = client_for(alpha if organisation == "alpha" else beta, f"admin@{organisation}.test")
        invoices = body_of(client.get(reverse("billing:export_invoices"))).decode()
        payments = body_of(client.get(reverse("billing:export_payments"))).decode()
        # One invoice row and one payment row (after the header), each the organisation's own.
        assert len(invoices.strip().splitlines()) == 2 and len(payments.strip().splitlines()) == 2
        assert own[organisation][0] in invoices and own[organisation][1] in payments
        assert own[other][0] not in invoices
        assert own[other][1] not in payments
        pages = client.get(reverse("billing:staff_invoices")).content.decode()
        pages += client.get(reverse("billing:staff_payments")).content.decode()
        assert own[other][1] not in pages and own[other][0] not in pages
    with tenant_context(alpha):
        assert Payment.objects.get().reference == "VIR-ALPHA"
