"""Billing API: who reads which invoices, the account, the data sheet, online payment through the
local Stripe server, staff's payments and credit notes, run progress, refusals and the schema."""

import json
import socket
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context
from drf_spectacular.drainage import GENERATOR_STATS
from rest_framework.authtoken.models import Token

from core.access.models import Membership
from core.access.services import membership_update
from core.accounts.models import User
from core.modules.settings import module_settings_get, module_settings_save
from localpay.testing import LocalPay
from modules.billing.models import (
    AnnualDeclaration,
    CheckoutAttempt,
    DeclarationCampaign,
    Invoice,
    Payment,
    PaymentAccount,
)
from modules.billing.services.declarations import campaign_update
from modules.billing.services.invoices import LineInput, credit_note_issue, invoice_issue
from modules.billing.services.payments import payment_account_save, payment_record
from modules.billing.services.runs import invoicing_batch_do, invoicing_run_start
from tenants.services import organisation_module_set, organisation_plan_set
from tests.conftest import host_of

from .conftest import (
    EXPECTED_GROSS,
    EXPECTED_NET,
    SECRET_KEY,
    SELLER_IDENTITY,
    WEBHOOK_SECRET,
    admin,
    declare,
    issue_cotisation,
    member,
    open_campaign,
    user,
)

pytestmark = pytest.mark.django_db

BASE = "/api/billing/"
NOT_FOUND = {"code": "not_found", "message": "Introuvable.", "errors": {}}
IBAN = "FR76 3000 6000 0112 3456 7890 189"
BIC = "AGRIFRPP"


# --- helpers -------------------------------------------------------------------------------------


@pytest.fixture
def api(alpha):
    """An API client of `email` on the organisation's host, authenticated by token only."""

    def make(email: str, org=None) -> Client:
        org = org or alpha
        with tenant_context(org):
            token, _ = Token.objects.get_or_create(user=User.objects.get(email=email))
        return Client(HTTP_HOST=host_of(org), HTTP_AUTHORIZATION=f"Token {token.key}")

    return make


def in_org(org, function, *args, **kwargs):
    with tenant_context(org):
        return function(*args, **kwargs)


def invoice_url(invoice_id: int, action: str = "") -> str:
    return f"{BASE}invoices/{invoice_id}/{action + '/' if action else ''}"


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def campaign_with_cotisation(org, *, member_name: str = "Société Un", email: str = "m1-admin@alpha.test"):
    """Alpha's 2027 campaign (opened once) with the member's declaration and cotisation invoice."""
    with tenant_context(org):
        campaign = DeclarationCampaign.objects.filter(year=2027).first() or open_campaign()
        declare(campaign, member_name=member_name, email=email)
        return campaign, issue_cotisation(campaign, member_name)


def one_off(org, *, member_name: str = "Société Un", amount: str = "100", staff: str = "admin@alpha.test"):
    """A one-off invoice (100 € net, VAT 20 %) issued by the organisation's staff."""
    with tenant_context(org):
        values = module_settings_get("billing")
        if not values["seller_siret"]:  # an organisation invoices once its identity is set
            module_settings_save(actor=user(staff), key="billing", values={**values, **SELLER_IDENTITY})
        line = LineInput(label="Formation sécurité", unit_price=Decimal(amount), vat_rate=Decimal("20"))
        return invoice_issue(actor=user(staff), member=member(member_name), lines=[line])


def pay(org, invoice, amount: str, *, method: str = "transfer", reference: str = "VIR 42"):
    with tenant_context(org):
        return payment_record(
            actor=admin(),
            invoice=invoice,
            method=method,
            amount=Decimal(amount),
            received_on=timezone.localdate(),
            reference=reference,
        )


def credit(org, invoice, amount: str | None, reason: str = "Erreur") -> Invoice:
    with tenant_context(org):
        return credit_note_issue(
            actor=admin(), invoice=invoice, amount=None if amount is None else Decimal(amount), reason=reason
        )


def billing_settings(org, **values) -> None:
    with tenant_context(org):
        module_settings_save(actor=admin(), key="billing", values={**module_settings_get("billing"), **values})


def refused(response, code: int, *fields: str) -> dict:
    """A structured refusal with this status, naming exactly `fields` (when given)."""
    assert response.status_code == code, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"} and body["message"], body
    if fields:
        assert sorted(body["errors"]) == sorted(fields), body
    return body


def footprint(org) -> dict:
    with tenant_context(org):
        return {
            "invoices": Invoice.objects.count(),
            "payments": Payment.objects.count(),
            "declarations": AnnualDeclaration.objects.count(),
            "checkouts": CheckoutAttempt.objects.count(),
        }


def query_count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, response.content
    return len(queries)


# --- invoices: who sees what ---------------------------------------------------------------------


def test_each_actor_lists_the_invoices_the_rules_let_them_see(api, alpha):
    _campaign, own = campaign_with_cotisation(alpha)
    extra = one_off(alpha)
    other = one_off(alpha, member_name="Société Deux")

    assert ids_of(api("m1-admin@alpha.test").get(f"{BASE}invoices/")) == [own.pk, extra.pk]  # 2027 first
    assert ids_of(api("m2-admin@alpha.test").get(f"{BASE}invoices/")) == [other.pk]
    staff = api("admin@alpha.test")
    assert set(ids_of(staff.get(f"{BASE}invoices/"))) == {own.pk, extra.pk, other.pk}
    assert ids_of(staff.get(f"{BASE}invoices/", {"member": other.member_id})) == [other.pk]
    # A person naming another member gets nothing of it.
    assert ids_of(api("m1-admin@alpha.test").get(f"{BASE}invoices/", {"member": other.member_id})) == []

    response = api("m1-admin@alpha.test").get(f"{BASE}invoices/")
    body = response.json()
    assert body["count"] == 2 and body["next"] is None  # paginated like every list
    row = body["results"][0]
    assert row["number"] == own.number and row["kind"] == "invoice" and row["kind_label"] == "Facture"
    assert row["year"] == 2027 and row["member"] == {"id": own.member_id, "name": "Société Un"}
    assert row["total_net"] == str(EXPECTED_NET) and row["total_gross"] == str(EXPECTED_GROSS)
    assert row["paid"] == "0.00" and row["outstanding"] == str(EXPECTED_GROSS)
    assert row["state"] == "due" and row["state_label"] == "À payer" and row["estimated"] is False
    assert row["url"].endswith(invoice_url(own.pk)) and row["pdf_url"].endswith(invoice_url(own.pk, "pdf"))


@pytest.mark.parametrize("email", ["m1-user@alpha.test", "m1-delegate@alpha.test", "jurist@alpha.test"])
def test_people_without_billing_rights_are_refused_lists_and_see_no_invoice(api, alpha, email):
    _campaign, invoice = campaign_with_cotisation(alpha)
    client = api(email)
    for path in ("invoices/", "payments/", "balance/", "statement/"):
        body = refused(client.get(f"{BASE}{path}"), 403)
        assert body["code"] == "permission_denied", path
    for path in (invoice_url(invoice.pk), invoice_url(invoice.pk, "pdf")):
        response = client.get(path)
        assert response.status_code == 404 and response.json() == NOT_FOUND, path


def test_filters_by_year_and_state(api, alpha):
    _campaign, cotisation = campaign_with_cotisation(alpha)
    one_off_invoice = one_off(alpha)  # issued this year
    paid = one_off(alpha, amount="50")
    pay(alpha, paid, "60.00")
    client = api("m1-admin@alpha.test")
    this_year = timezone.localdate().year

    assert ids_of(client.get(f"{BASE}invoices/", {"year": 2027})) == [cotisation.pk]
    assert set(ids_of(client.get(f"{BASE}invoices/", {"year": this_year}))) == {one_off_invoice.pk, paid.pk}
    assert ids_of(client.get(f"{BASE}invoices/", {"state": "paid"})) == [paid.pk]
    assert set(ids_of(client.get(f"{BASE}invoices/", {"state": "due"}))) == {cotisation.pk, one_off_invoice.pk}
    assert ids_of(client.get(f"{BASE}invoices/", {"state": "overdue"})) == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"year": "abc"}, "year"),
        ({"year": "1999"}, "year"),
        ({"state": "bogus"}, "state"),
        ({"member": "abc"}, "member"),
        ({"member": "99999999999999999999"}, "member"),
    ],
)
def test_bad_filters_are_a_structured_400(api, alpha, params, field):
    body = refused(api("admin@alpha.test").get(f"{BASE}invoices/", params), 400, field)
    assert body["code"] == "invalid"


def test_list_query_counts_do_not_grow_with_invoices_or_payments(api, alpha):
    first = one_off(alpha)
    pay(alpha, first, "10.00")
    member_client, staff_client = api("m1-admin@alpha.test"), api("admin@alpha.test")
    paths = [f"{BASE}invoices/", f"{BASE}payments/", f"{BASE}statement/", f"{BASE}balance/"]
    few = [query_count(member_client, path) for path in paths] + [query_count(staff_client, f"{BASE}invoices/")]
    for index in range(29):
        invoice = one_off(alpha, amount=str(100 + index))
        pay(alpha, invoice, "5.00", reference=f"VIR {index}")
        if index % 5 == 0:
            credit(alpha, invoice, "20")
    assert len(ids_of(member_client.get(f"{BASE}invoices/"))) == 30 + 6  # the credit notes are listed too
    many = [query_count(member_client, path) for path in paths] + [query_count(staff_client, f"{BASE}invoices/")]
    assert many == few


# --- one invoice -------------------------------------------------------------------------------------


def test_the_detail_has_lines_amounts_payments_credit_notes_and_transfer_details(api, alpha):
    billing_settings(alpha, iban=IBAN, bic=BIC)
    _campaign, invoice = campaign_with_cotisation(alpha)
    pay(alpha, invoice, "1000.00", reference="VIR ADH 2027")
    credit_note = credit(alpha, invoice, "36")

    response = api("m1-admin@alpha.test").get(invoice_url(invoice.pk))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == invoice.number and body["buyer_name"] == "Société Un"
    assert body["state"] == "partly_paid" and body["state_label"] == "Partiellement payée"
    assert body["paid"] == "1000.00" and body["credited"] == "36.00"
    assert Decimal(body["outstanding"]) == EXPECTED_GROSS - Decimal("1036")
    assert body["payment_reference"] == invoice.payment_reference and body["payment_reference"].startswith("RF")
    assert body["transfer"] == {"iban": IBAN, "bic": BIC, "reference": invoice.payment_reference}
    (line,) = body["lines"]
    assert line["label"] == "Cotisation annuelle 2027" and line["total_net"] == str(EXPECTED_NET)
    assert line["vat_rate"] == "20.00" and line["total_vat"] == str(EXPECTED_GROSS - EXPECTED_NET)
    (payment,) = body["payments"]
    assert payment["method"] == "transfer" and payment["method_label"] == "Virement"
    assert payment["amount"] == "1000.00" and payment["reference"] == "VIR ADH 2027"
    assert body["credit_notes"] == [
        {
            "id": credit_note.pk,
            "number": credit_note.number,
            "issued_on": credit_note.issued_on.isoformat(),
            "total_gross": "36.00",
        }
    ]
    assert body["working"][0]["label"] == "Déclaration 2027" and len(body["working"]) > 2

    note = api("m1-admin@alpha.test").get(invoice_url(credit_note.pk)).json()
    assert note["kind"] == "credit_note" and note["state"] == "credit_note" and note["outstanding"] == "0.00"
    assert note["corrects"] == {"id": invoice.pk, "number": invoice.number} and note["transfer"] is None
    assert note["note"] == "Erreur"


def test_transfer_details_only_while_something_is_due_and_an_iban_is_set(api, alpha):
    invoice = one_off(alpha)
    client = api("m1-admin@alpha.test")
    assert client.get(invoice_url(invoice.pk)).json()["transfer"] is None  # no IBAN yet
    billing_settings(alpha, iban=IBAN, bic=BIC)
    assert client.get(invoice_url(invoice.pk)).json()["transfer"]["iban"] == IBAN
    pay(alpha, invoice, "120.00")
    body = api("m1-admin@alpha.test").get(invoice_url(invoice.pk)).json()
    assert body["state"] == "paid" and body["outstanding"] == "0.00" and body["transfer"] is None


def test_another_members_or_organisations_invoice_is_the_same_404_as_a_missing_one(api, alpha, beta):
    organisation_plan_set(actor=None, organisation=beta, allowed_modules=[*beta.allowed_modules, "billing"])
    organisation_module_set(actor=None, organisation=beta, key="billing", enabled=True)
    foreign = one_off(beta, staff="admin@beta.test")
    other_member = one_off(alpha, member_name="Société Deux")
    own = one_off(alpha)
    client = api("m1-admin@alpha.test")
    paths = [invoice_url(999_999), invoice_url(other_member.pk), invoice_url(other_member.pk, "pdf")]
    if foreign.pk != own.pk:
        paths.append(invoice_url(foreign.pk))
    for path in paths:
        response = client.get(path)
        assert response.status_code == 404 and response.json() == NOT_FOUND, path
    # Beta's people see beta's invoices on beta's host, never alpha's.
    assert ids_of(api("m1-admin@beta.test", beta).get(f"{BASE}invoices/")) == [foreign.pk]
    if foreign.pk != own.pk:
        assert api("m1-admin@beta.test", beta).get(invoice_url(own.pk)).status_code == 404
    # Alpha's token means nothing on beta's host.
    token = client.defaults["HTTP_AUTHORIZATION"]
    stranger = Client(HTTP_HOST=host_of(beta), HTTP_AUTHORIZATION=token)
    assert stranger.get(f"{BASE}invoices/").status_code == 401
    assert stranger.get(invoice_url(foreign.pk)).status_code == 401


def test_billing_switched_off_answers_404_everywhere(api, beta):
    client = api("admin@beta.test", beta)
    for path in ("invoices/", "balance/", "declaration/", "runs/1/"):
        assert client.get(f"{BASE}{path}").status_code == 404, path


def test_anonymous_calls_are_401(alpha):
    anonymous = Client(HTTP_HOST=host_of(alpha))
    for path in ("invoices/", "balance/", "declaration/"):
        assert anonymous.get(f"{BASE}{path}").status_code == 401, path
    assert anonymous.post(f"{BASE}checkout/", {"invoices": [1]}, content_type="application/json").status_code == 401


def test_the_pdf_is_a_factur_x_download_printed_once(api, alpha):
    _campaign, invoice = campaign_with_cotisation(alpha)
    response = api("m1-admin@alpha.test").get(invoice_url(invoice.pk, "pdf"), HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200, response.content
    content = b"".join(response.streaming_content)
    assert content.startswith(b"%PDF") and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    with tenant_context(alpha):
        stored = Invoice.objects.get(pk=invoice.pk).document.sha256
    again = api("admin@alpha.test").get(invoice_url(invoice.pk, "pdf"))
    assert b"".join(again.streaming_content) == content
    with tenant_context(alpha):
        assert Invoice.objects.get(pk=invoice.pk).document.sha256 == stored  # printed once


# --- the account ---------------------------------------------------------------------------------


def test_balance_and_statement_follow_invoices_credit_notes_and_payments(api, alpha):
    _campaign, invoice = campaign_with_cotisation(alpha)
    pay(alpha, invoice, "2000.00", reference="VIR 2027")
    note = credit(alpha, invoice, "36")
    client = api("m1-admin@alpha.test")

    balance = client.get(f"{BASE}balance/").json()
    assert balance == {
        "member": {"id": invoice.member_id, "name": "Société Un"},
        "invoiced": str(EXPECTED_GROSS),
        "credited": "36.00",
        "paid": "2000.00",
        "balance": str(EXPECTED_GROSS - Decimal("2036")),
        "settled": False,
    }
    statement = client.get(f"{BASE}statement/").json()
    # Same day: invoices and credit notes first (by id), then payments.
    rows = [(entry["label"], entry["debit"], entry["credit"], entry["balance"]) for entry in statement["entries"]]
    assert rows == [
        (f"Facture {invoice.number}", str(EXPECTED_GROSS), "0.00", str(EXPECTED_GROSS)),
        (f"Avoir {note.number}", "0.00", "36.00", str(EXPECTED_GROSS - 36)),
        ("Paiement (virement) — VIR 2027", "0.00", "2000.00", str(EXPECTED_GROSS - 2036)),
    ]
    assert statement["entries"][0]["invoice"] == {"id": invoice.pk, "number": invoice.number}
    assert statement["entries"][2]["invoice"] is None
    assert statement["entries"][0]["day"] == invoice.issued_on.isoformat()
    assert statement["balance"] == balance["balance"] and statement["member"]["name"] == "Société Un"

    # Staff read any member's account by naming it; without a name it is a 400.
    staff = api("admin@alpha.test")
    assert staff.get(f"{BASE}balance/", {"member": invoice.member_id}).json() == balance
    refused(staff.get(f"{BASE}balance/"), 400, "member")
    other = in_org(alpha, member, "Société Deux")
    assert staff.get(f"{BASE}statement/", {"member": other.pk}).json()["entries"] == []
    # A person naming another member: the same 404 as an unknown one.
    for member_id in (other.pk, 999_999):
        response = client.get(f"{BASE}balance/", {"member": member_id})
        assert response.status_code == 404 and response.json() == NOT_FOUND


def test_payments_list_shows_what_each_payment_paid(api, alpha):
    first, second = one_off(alpha), one_off(alpha, amount="50")
    elsewhere = one_off(alpha, member_name="Société Deux")
    payment = pay(alpha, first, "120.00", method="cheque", reference="CHQ 1234567")
    pay(alpha, second, "10.00")
    other_payment = pay(alpha, elsewhere, "20.00")

    rows = api("m1-admin@alpha.test").get(f"{BASE}payments/").json()["results"]
    assert len(rows) == 2
    row = next(row for row in rows if row["id"] == payment.pk)
    assert row["method"] == "cheque" and row["method_label"] == "Chèque" and row["amount"] == "120.00"
    assert row["reference"] == "CHQ 1234567"
    assert row["invoices"] == [{"id": first.pk, "number": first.number, "amount": "120.00"}]
    staff = api("admin@alpha.test")
    assert len(ids_of(staff.get(f"{BASE}payments/"))) == 3
    assert ids_of(staff.get(f"{BASE}payments/", {"member": elsewhere.member_id})) == [other_payment.pk]


# --- the data sheet ------------------------------------------------------------------------------


def test_declaration_without_an_open_campaign(api, alpha):
    client = api("m1-admin@alpha.test")
    body = client.get(f"{BASE}declaration/").json()
    assert body == {"campaign": None, "form_fields": [], "declaration": None, "can_submit": False}
    before = footprint(alpha)
    body = refused(client.post(f"{BASE}declaration/", {"payroll": "1"}, content_type="application/json"), 409)
    assert body["code"] == "no_campaign"
    assert footprint(alpha) == before


def test_a_member_reads_and_submits_the_data_sheet_once(api, alpha):
    in_org(alpha, open_campaign)
    client = api("m1-admin@alpha.test")
    body = client.get(f"{BASE}declaration/").json()
    assert body["campaign"]["year"] == 2027 and body["campaign"]["figures_year"] == 2025
    assert body["campaign"]["deadline"] == "2026-12-31" and body["campaign"]["status"] == "open"
    assert body["declaration"] is None and body["can_submit"] is True
    fields = {field["key"]: field for field in body["form_fields"]}
    assert list(fields) == ["payroll", "contracts", "headcount", "fte"]
    assert fields["payroll"]["required"] is True and fields["contracts"]["required"] is False
    assert fields["payroll"]["label"] == "Masse salariale (N-2)" and fields["headcount"]["decimals"] == 0
    assert "décembre" in fields["contracts"]["help_text"]

    values = {"payroll": "1 250 000,50", "contracts": 10, "headcount": "12", "fte": 10.5}
    response = client.post(f"{BASE}declaration/", values, content_type="application/json")
    assert response.status_code == 201, response.content
    declaration = response.json()["declaration"]
    assert declaration["status"] == "submitted" and declaration["status_label"] == "Transmise"
    assert declaration["values"] == {"payroll": "1250000.50", "contracts": "10", "headcount": "12", "fte": "10.50"}
    assert declaration["submitted_by"] == "m1_admin" and response.json()["can_submit"] is False
    assert client.get(f"{BASE}declaration/").json()["declaration"] == declaration

    again = client.post(f"{BASE}declaration/", {"payroll": "1", "headcount": "1"}, content_type="application/json")
    assert refused(again, 409)["code"] == "already_submitted"
    with tenant_context(alpha):
        assert AnnualDeclaration.objects.get().payroll == Decimal("1250000.50")  # unchanged
    # M2 declares for itself, unaffected by M1's sheet.
    response = api("m2-admin@alpha.test").post(
        f"{BASE}declaration/", {"payroll": "10", "headcount": "1"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    "values, fields",
    [
        ({"payroll": "-5", "headcount": "3"}, ["payroll"]),
        ({"payroll": "100", "headcount": "3", "fte": "4"}, ["fte"]),
        ({"contracts": "3"}, ["headcount", "payroll"]),
        ({"payroll": "abc", "headcount": "2.5"}, ["headcount", "payroll"]),
        ({"payroll": "1e400", "headcount": "1"}, ["payroll"]),
        ({"payroll": True, "headcount": "1"}, ["payroll"]),
        ({"payroll": "100", "headcount": "2", "member": 2, "status": "corrected", "number": "X"}, None),
    ],
)
def test_a_refused_data_sheet_names_its_fields_and_leaves_nothing(api, alpha, values, fields):
    in_org(alpha, open_campaign)
    before = footprint(alpha)
    response = api("m1-admin@alpha.test").post(f"{BASE}declaration/", values, content_type="application/json")
    expected = fields or ["member", "number", "status"]
    body = refused(response, 400, *expected)
    assert all(body["errors"][field] for field in expected)
    assert footprint(alpha) == before


def test_fields_the_campaign_does_not_ask_for_are_refused(api, alpha):
    billing_settings(alpha, declaration_fields=["payroll", "headcount"], declaration_required=["payroll"])
    in_org(alpha, open_campaign)
    client = api("m1-admin@alpha.test")
    assert [field["key"] for field in client.get(f"{BASE}declaration/").json()["form_fields"]] == [
        "payroll",
        "headcount",
    ]
    response = client.post(f"{BASE}declaration/", {"payroll": "10", "fte": "1"}, content_type="application/json")
    refused(response, 400, "fte")
    response = client.post(f"{BASE}declaration/", {"payroll": "10"}, content_type="application/json")
    assert response.status_code == 201, response.content


def test_a_closed_campaign_or_a_person_without_the_right_cannot_declare(api, alpha):
    campaign = in_org(alpha, open_campaign)
    values = {"payroll": "10", "headcount": "1"}
    for email in ("m1-user@alpha.test", "admin@alpha.test", "jurist@alpha.test"):
        client = api(email)
        assert refused(client.get(f"{BASE}declaration/"), 403)["code"] == "permission_denied"
        refused(client.post(f"{BASE}declaration/", values, content_type="application/json"), 403)
    in_org(alpha, campaign_update, actor=admin(), campaign=campaign, deadline=campaign.deadline, status="closed")
    before = footprint(alpha)
    # Closed: no campaign is open any more.
    response = api("m1-admin@alpha.test").post(f"{BASE}declaration/", values, content_type="application/json")
    assert refused(response, 409)["code"] == "no_campaign"
    assert footprint(alpha) == before


# --- staff: payments, credit notes, runs --------------------------------------------------------


def test_staff_record_a_partial_transfer_then_the_rest_by_cheque(api, alpha):
    invoice = one_off(alpha)
    staff = api("admin@alpha.test")
    response = staff.post(
        invoice_url(invoice.pk, "payments"),
        {"method": "transfer", "amount": "20.50", "reference": "VIR 77"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    payment = response.json()
    assert payment["amount"] == "20.50" and payment["method"] == "transfer" and payment["reference"] == "VIR 77"
    assert payment["received_on"] == timezone.localdate().isoformat()
    assert payment["invoices"] == [{"id": invoice.pk, "number": invoice.number, "amount": "20.50"}]
    assert api("m1-admin@alpha.test").get(invoice_url(invoice.pk)).json()["state"] == "partly_paid"

    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = staff.post(
        invoice_url(invoice.pk, "payments"),
        {"method": "cheque", "amount": "99.50", "received_on": yesterday},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    detail = api("m1-admin@alpha.test").get(invoice_url(invoice.pk)).json()
    assert detail["state"] == "paid" and detail["outstanding"] == "0.00" and len(detail["payments"]) == 2
    assert api("m1-admin@alpha.test").get(f"{BASE}balance/").json()["settled"] is True


@pytest.mark.parametrize(
    "data, fields",
    [
        ({"method": "transfer", "amount": "120.01"}, ["amount"]),  # more than what remains
        ({"method": "transfer", "amount": "-5"}, ["amount"]),
        ({"method": "transfer", "amount": "abc"}, ["amount"]),
        ({"method": "card", "amount": "5"}, ["method"]),
        ({"method": "transfer", "amount": "5", "received_on": "2999-01-01"}, ["received_on"]),
        ({"method": "transfer", "amount": "5", "member": 2, "number": "X", "status": "paid"}, None),
    ],
)
def test_a_refused_payment_names_its_fields_and_records_nothing(api, alpha, data, fields):
    invoice = one_off(alpha)
    before = footprint(alpha)
    response = api("admin@alpha.test").post(invoice_url(invoice.pk, "payments"), data, content_type="application/json")
    refused(response, 400, *(fields or ["member", "number", "status"]))
    assert footprint(alpha) == before


def test_staff_issue_a_credit_note_whole_or_partial(api, alpha):
    invoice = one_off(alpha)
    staff = api("admin@alpha.test")

    def post_credit(invoice_id: int, data: dict):
        return staff.post(invoice_url(invoice_id, "credit-notes"), data, content_type="application/json")

    response = post_credit(invoice.pk, {"amount": "20.00", "reason": "Geste"})
    assert response.status_code == 201, response.content
    note = response.json()
    assert note["kind"] == "credit_note" and note["total_gross"] == "20.00" and note["note"] == "Geste"
    assert note["corrects"] == {"id": invoice.pk, "number": invoice.number}
    assert response["Location"].endswith(invoice_url(note["id"]))
    rest = post_credit(invoice.pk, {"reason": "Annulation"})  # no amount: all that is left
    assert rest.status_code == 201 and rest.json()["total_gross"] == "100.00"
    assert api("m1-admin@alpha.test").get(f"{BASE}balance/").json()["balance"] == "0.00"

    other = one_off(alpha)
    before = footprint(alpha)
    refused(post_credit(invoice.pk, {"reason": "Encore"}), 409)  # nothing left to cancel
    refused(post_credit(note["id"], {"reason": "Non"}), 409)  # a credit note is not corrected by another
    refused(post_credit(other.pk, {"reason": " "}), 400, "reason")
    refused(post_credit(other.pk, {"amount": "500", "reason": "Trop"}), 400, "amount")
    refused(post_credit(other.pk, {"amount": "abc", "reason": "Trop"}), 400, "amount")
    refused(post_credit(other.pk, {"reason": "x", "member": 1, "number": "AV-1"}), 400, "member", "number")
    assert footprint(alpha) == before


@pytest.mark.parametrize("email", ["m1-admin@alpha.test", "jurist@alpha.test"])
def test_only_billing_staff_record_payments_and_credit_notes(api, alpha, email):
    invoice = one_off(alpha)
    before = footprint(alpha)
    client = api(email)
    payment = {"method": "transfer", "amount": "10"}
    credit = {"reason": "Geste"}
    if email.startswith("m1"):  # they see the invoice, but may not act on it
        refused(client.post(invoice_url(invoice.pk, "payments"), payment, content_type="application/json"), 403)
        refused(client.post(invoice_url(invoice.pk, "credit-notes"), credit, content_type="application/json"), 403)
    else:  # they do not see it at all
        for action, data in (("payments", payment), ("credit-notes", credit)):
            response = client.post(invoice_url(invoice.pk, action), data, content_type="application/json")
            assert response.status_code == 404 and response.json() == NOT_FOUND
    assert footprint(alpha) == before


def test_staff_follow_an_invoicing_run(api, alpha):
    with tenant_context(alpha):
        campaign = open_campaign()
        declare(campaign)
        run = invoicing_run_start(actor=admin(), campaign=campaign)  # its batches leave on commit
    staff = api("admin@alpha.test")
    body = staff.get(f"{BASE}runs/{run.pk}/").json()
    assert body["campaign"] == {"id": campaign.pk, "year": 2027} and body["status"] == "running"
    assert (body["total"], body["invoiced"], body["skipped"], body["percent"]) == (2, 0, 0, 0)
    with tenant_context(alpha):
        invoicing_batch_do(run=run, member_ids=[member().pk, member("Société Deux").pk])
    body = staff.get(f"{BASE}runs/{run.pk}/").json()
    assert (body["total"], body["invoiced"], body["skipped"], body["percent"]) == (2, 1, 1, 100)
    assert body["status"] == "done" and body["status_label"] == "Terminée" and body["finished_at"]
    for client, run_id in ((api("m1-admin@alpha.test"), run.pk), (api("jurist@alpha.test"), run.pk), (staff, 999_999)):
        response = client.get(f"{BASE}runs/{run_id}/")
        assert response.status_code == 404 and response.json() == NOT_FOUND


# --- online payment (the local Stripe server) ---------------------------------------------------


@pytest.fixture(scope="module")
def localpay():
    with LocalPay() as server:
        yield server


@pytest.fixture
def payments_on(alpha, localpay, settings):
    settings.STRIPE_API_BASE = localpay.api_base
    with tenant_context(alpha):
        payment_account_save(actor=admin(), publishable_key="", secret_key=SECRET_KEY, webhook_secret=WEBHOOK_SECRET)
    return localpay


def test_checkout_opens_a_session_on_the_local_stripe_server(api, alpha, payments_on):
    _campaign, cotisation = campaign_with_cotisation(alpha)
    extra = one_off(alpha)
    pay(alpha, extra, "20.00")
    client = api("m1-admin@alpha.test")
    response = client.post(f"{BASE}checkout/", {"invoices": [cotisation.pk, extra.pk]}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"key", "url", "amount"}
    assert Decimal(body["amount"]) == EXPECTED_GROSS + Decimal("100.00")  # what remains on both
    assert body["url"].startswith(payments_on.api_base)

    with tenant_context(alpha):
        attempt = CheckoutAttempt.objects.get(key=body["key"])
        member_id = attempt.member_id
    assert attempt.allocations == {str(cotisation.pk): str(EXPECTED_GROSS), str(extra.pk): "100.00"}
    session = payments_on.stripe_client(SECRET_KEY).v1.checkout.sessions.retrieve(attempt.stripe_session)
    assert session.url == body["url"]
    assert session.amount_total == int((EXPECTED_GROSS + 100) * 100)
    assert session.currency == "eur" and session.mode == "payment"
    assert session.metadata.to_dict() == {"schema": "alpha", "checkout": body["key"], "member": str(member_id)}
    assert session.client_reference_id == body["key"]
    host = f"http://{host_of(alpha)}"
    assert session.success_url == f"{host}/billing/paiement/{body['key']}/"
    assert session.cancel_url == f"{host}/billing/paiement/{body['key']}/annule/"
    # The hosted page answers: the member can pay there.
    assert payments_on.page(body["url"]).status == 200


def test_checkout_refusals_open_no_session(api, alpha, payments_on):
    own = one_off(alpha)
    paid = one_off(alpha, amount="10")
    pay(alpha, paid, "12.00")
    other_member = one_off(alpha, member_name="Société Deux")
    client = api("m1-admin@alpha.test")
    before = footprint(alpha)

    def post(data, as_client=client):
        return as_client.post(f"{BASE}checkout/", data, content_type="application/json")

    # Another member's invoice, or one with nothing left to pay: nothing payable, never a session.
    for ids in ([other_member.pk], [paid.pk], [999_999]):
        refused(post({"invoices": ids}), 400, "invoices")
    # A form body names the invoices as repeated fields; the same refusal.
    refused(client.post(f"{BASE}checkout/", {"invoices": [other_member.pk, paid.pk]}), 400, "invoices")
    refused(post({"invoices": []}), 400, "invoices")
    refused(post({"invoices": ["abc"]}), 400, "invoices")
    refused(post({"invoices": [own.pk], "member": 2, "amount": "1.00"}), 400, "amount", "member")
    for email in ("m1-user@alpha.test", "admin@alpha.test"):
        assert refused(post({"invoices": [own.pk]}, api(email)), 403)["code"] == "permission_denied"
    assert footprint(alpha) == before

    billing_settings(alpha, online_payment=False)
    assert refused(post({"invoices": [own.pk]}), 409)["code"] == "payments_unavailable"
    assert footprint(alpha) == before


def test_paying_online_needs_the_right_to_read_the_invoices_too(api, alpha, client_for):
    """The return page shows the payment to readers of the member's invoices: a person who may pay
    but not read them is refused before anything is opened, by the API as by the page."""
    invoice = one_off(alpha)
    with tenant_context(alpha):
        membership = Membership.objects.get(user__email="m1-user@alpha.test")
        rights = ["billing.pay_invoices"]
        membership_update(actor=user("m1-admin@alpha.test"), membership=membership, role=membership.role, rights=rights)
    before = footprint(alpha)
    response = api("m1-user@alpha.test").post(
        f"{BASE}checkout/", {"invoices": [invoice.pk]}, content_type="application/json"
    )
    assert refused(response, 403)["code"] == "permission_denied"
    page = client_for(alpha, "m1-user@alpha.test").post("/billing/paiement/", {"invoices": [invoice.pk]})
    assert page.status_code == 403
    assert footprint(alpha) == before


def test_checkout_without_payment_keys_is_a_409(api, alpha):
    invoice = one_off(alpha)
    with tenant_context(alpha):
        # No keys, whatever a committed test elsewhere may have left (rolled back with the test).
        PaymentAccount.objects.all().delete()
    before = footprint(alpha)
    response = api("m1-admin@alpha.test").post(
        f"{BASE}checkout/", {"invoices": [invoice.pk]}, content_type="application/json"
    )
    assert refused(response, 409)["code"] == "payments_unavailable"
    assert footprint(alpha) == before


def test_checkout_when_stripe_cannot_be_reached_is_a_clear_refusal(api, alpha, payments_on, settings):
    invoice = one_off(alpha)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings.STRIPE_API_BASE = f"http://127.0.0.1:{closed_port}"
    response = api("m1-admin@alpha.test").post(
        f"{BASE}checkout/", {"invoices": [invoice.pk]}, content_type="application/json"
    )
    body = refused(response, 503)  # a client may try again later
    assert body["code"] == "payments_unavailable" and "virement" in body["message"]
    with tenant_context(alpha):
        attempt = CheckoutAttempt.objects.get()
        assert attempt.status == "failed" and not attempt.stripe_session
        assert not Payment.objects.exists()


# --- bodies --------------------------------------------------------------------------------------


def test_a_body_larger_than_any_form_is_refused_before_it_is_read(api, alpha):
    in_org(alpha, open_campaign)
    before = footprint(alpha)
    payload = json.dumps({"payroll": "1" * 300_000, "headcount": "1"})
    response = api("m1-admin@alpha.test").post(f"{BASE}declaration/", payload, content_type="application/json")
    assert refused(response, 413)["code"] == "too_large"
    assert footprint(alpha) == before


def test_a_session_caller_needs_the_csrf_token_to_write(alpha):
    in_org(alpha, open_campaign)
    client = Client(HTTP_HOST=host_of(alpha), enforce_csrf_checks=True)
    with tenant_context(alpha):
        client.force_login(user("m1-admin@alpha.test"))
    values = {"payroll": "10", "headcount": "1"}
    before = footprint(alpha)
    forged = client.post(f"{BASE}declaration/", values, content_type="application/json")
    assert refused(forged, 403)["code"] == "permission_denied"
    assert footprint(alpha) == before
    assert client.get(f"{BASE}declaration/").status_code == 200  # reading needs no token
    assert client.get("/").status_code == 200  # a page of the site hands out the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = client.post(f"{BASE}declaration/", values, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


# --- schema --------------------------------------------------------------------------------------


def test_the_schema_documents_every_billing_route(client_for, alpha):
    GENERATOR_STATS.reset()
    response = client_for(alpha, "m1-admin@alpha.test").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    expected = {
        "/api/billing/invoices/": {"get": "billing_invoices_list"},
        "/api/billing/invoices/{invoice_id}/": {"get": "billing_invoices_retrieve"},
        "/api/billing/invoices/{invoice_id}/pdf/": {"get": "billing_invoices_pdf"},
        "/api/billing/invoices/{invoice_id}/payments/": {"post": "billing_invoices_payment_record"},
        "/api/billing/invoices/{invoice_id}/credit-notes/": {"post": "billing_invoices_credit_note_issue"},
        "/api/billing/balance/": {"get": "billing_balance"},
        "/api/billing/statement/": {"get": "billing_statement"},
        "/api/billing/payments/": {"get": "billing_payments_list"},
        "/api/billing/declaration/": {"get": "billing_declaration_retrieve", "post": "billing_declaration_submit"},
        "/api/billing/checkout/": {"post": "billing_checkout_start"},
        "/api/billing/runs/{run_id}/": {"get": "billing_runs_retrieve"},
    }
    billing_paths = {path for path in paths if path.startswith("/api/billing/")}
    assert billing_paths == {"/api/billing/", *expected}  # the root tells the module is on
    for path, operations in expected.items():
        assert set(paths[path]) == set(operations), path
        for method, operation_id in operations.items():
            assert paths[path][method]["operationId"] == operation_id
            assert paths[path][method]["summary"], (path, method)
    assert "application/pdf" in paths["/api/billing/invoices/{invoice_id}/pdf/"]["get"]["responses"]["200"]["content"]
    submit = paths["/api/billing/declaration/"]["post"]
    assert {"201", "400", "403", "409"} <= set(submit["responses"])
    assert {"201", "400", "403", "409"} <= set(paths["/api/billing/checkout/"]["post"]["responses"])
    parameters = {parameter["name"] for parameter in paths["/api/billing/invoices/"]["get"]["parameters"]}
    assert {"year", "state", "member", "page"} <= parameters
    detail = schema["components"]["schemas"]["InvoiceDetail"]["properties"]
    assert {"lines", "payments", "credit_notes", "transfer", "payment_reference", "pdf_url"} <= set(detail)
    watched = ("billing", "Invoice", "Payment", "Declaration", "Checkout", "Balance", "Statement", "Run", "Billing")
    problems = [
        message
        for message in (*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache)
        if any(word in message for word in watched)
    ]
    assert problems == []


def test_the_schema_of_an_organisation_without_billing_lists_none_of_it(client_for, beta):
    response = client_for(beta, "m1-admin@beta.test").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    assert not [path for path in response.json()["paths"] if path.startswith("/api/billing/")]
