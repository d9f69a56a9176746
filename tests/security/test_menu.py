"""The main menu offers each person exactly the pages they may open (alpha: questions and billing on)."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MEMBER_PAGES = ("members:profile", "access:contacts", "notifications:inbox")
# Questions: "Questions juridiques" (questions:list) for people holding a questions right on their
# active member, "Questions à traiter" (questions:queue) for staff who work the questions.
# Billing: "Vos factures" (billing:invoices) and "Fiche de renseignements" (billing:declaration) for
# people holding billing.view_invoices / submit_declaration on their active member, "Facturation"
# (billing:staff_home) for the staff who run the billing (administrators and accountants).
MEMBER_BILLING = ("billing:invoices", "billing:declaration")
EXPECTED = {
    "admin@alpha.test": (
        "members:list",
        "access:staff",
        "audit:journal",
        "questions:queue",
        "billing:staff_home",
        "modules:settings",
    ),
    "jurist@alpha.test": ("members:list", "questions:queue"),
    "m1-admin@alpha.test": (*MEMBER_PAGES, "documents:list", "audit:journal", "questions:list", *MEMBER_BILLING),
    # No right on M1: no questions or billing entry at all; the delegate holds only members.change_member.
    "m1-user@alpha.test": MEMBER_PAGES,
    "m1-delegate@alpha.test": MEMBER_PAGES,
}


def menu_hrefs(html: str) -> set[str]:
    menu = re.search(r'<ul class="menu" id="main-menu".*?</ul>', html, re.S)
    return set(re.findall(r'href="([^"]+)"', menu.group(0))) if menu else set()


@pytest.mark.parametrize("email", EXPECTED)
def test_the_menu_offers_exactly_the_pages_the_person_may_open(organisations, alpha, client_for, email):
    client = client_for(alpha, email)
    shown = menu_hrefs(client.get("/").content.decode())
    assert shown == {reverse(name) for name in EXPECTED[email]}
    for href in shown:
        assert client.get(href).status_code == 200, href


def test_no_menu_before_signing_in(organisations, alpha, client_for):
    assert menu_hrefs(client_for(alpha).get("/compte/connexion/").content.decode()) == set()


def menu_labels(html: str) -> list[str]:
    menu = re.search(r'<ul class="menu" id="main-menu".*?</ul>', html, re.S)
    return [label.strip() for label in re.findall(r"<a [^>]*>([^<]+)</a>", menu.group(0))] if menu else []


@pytest.mark.parametrize(
    ("email", "shown", "hidden"),
    [
        ("m1-admin@alpha.test", "Questions juridiques", "Questions à traiter"),
        ("jurist@alpha.test", "Questions à traiter", "Questions juridiques"),
        ("admin@alpha.test", "Questions à traiter", "Questions juridiques"),
    ],
)
def test_the_questions_entries_are_labelled_for_their_side(organisations, alpha, client_for, email, shown, hidden):
    labels = menu_labels(client_for(alpha, email).get("/").content.decode())
    assert shown in labels and hidden not in labels


def test_a_right_granted_shows_the_questions_entry(organisations, alpha, client_for):
    from django_tenants.utils import tenant_context

    from core.access.models import Membership

    client = client_for(alpha, "m1-user@alpha.test")
    assert reverse("questions:list") not in menu_hrefs(client.get("/").content.decode())
    with tenant_context(alpha):
        Membership.objects.filter(user__email="m1-user@alpha.test").update(rights=["questions.ask_question"])
    assert reverse("questions:list") in menu_hrefs(client.get("/").content.decode())
    assert client.get(reverse("questions:list")).status_code == 200


@pytest.mark.parametrize("email", ["admin@alpha.test", "jurist@alpha.test", "m1-admin@alpha.test"])
def test_a_module_switched_off_leaves_the_menu(organisations, alpha, client_for, email):
    from django_tenants.utils import tenant_context

    from tenants.services import organisation_module_set

    client = client_for(alpha, email)
    with tenant_context(alpha):
        organisation_module_set(actor=None, organisation=alpha, key="questions", enabled=False)
    html = client.get("/").content.decode()
    assert not {reverse("questions:list"), reverse("questions:queue")} & menu_hrefs(html)
    assert not {"Questions juridiques", "Questions à traiter"} & set(menu_labels(html))


# Billing -------------------------------------------------------------------------------------

BILLING_LABELS = {"Vos factures", "Fiche de renseignements", "Facturation"}
# The billing staff's pages without an id (those with one are in the authorization matrix).
BILLING_STAFF_PAGES = (
    "billing:staff_home",
    "billing:staff_invoices",
    "billing:staff_payments",
    "billing:export_invoices",
    "billing:export_payments",
)


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("m1-admin@alpha.test", {"Vos factures", "Fiche de renseignements"}),
        ("m2-admin@alpha.test", {"Vos factures", "Fiche de renseignements"}),
        ("m1-user@alpha.test", set()),
        ("m1-delegate@alpha.test", set()),
        ("admin@alpha.test", {"Facturation"}),
        ("jurist@alpha.test", set()),
    ],
)
def test_the_billing_entries_follow_the_persons_rights(organisations, alpha, client_for, email, shown):
    labels = set(menu_labels(client_for(alpha, email).get("/").content.decode()))
    assert labels & BILLING_LABELS == shown


def _accountant(alpha) -> str:
    from django_tenants.utils import tenant_context

    from core.accounts.models import StaffRole, User
    from tests.world import PASSWORD

    with tenant_context(alpha):
        User.objects.create_user("accountant@alpha.test", PASSWORD, staff_role=StaffRole.ACCOUNTANT)
    return "accountant@alpha.test"


def test_an_accountant_runs_the_billing_but_does_not_set_the_payment_keys(organisations, alpha, client_for):
    client = client_for(alpha, _accountant(alpha))
    html = client.get("/").content.decode()
    assert reverse("billing:staff_home") in menu_hrefs(html)
    assert set(menu_labels(html)) & BILLING_LABELS == {"Facturation"}
    for name in BILLING_STAFF_PAGES:
        assert client.get(reverse(name)).status_code == 200, name
    # The Stripe keys are the organisation administrator's alone.
    assert client.get(reverse("billing:payment_keys")).status_code == 403


def test_the_jurist_is_refused_every_billing_staff_page(organisations, alpha, client_for):
    from django_tenants.utils import tenant_context

    from core.members.models import Member
    from modules.billing.models import Invoice, InvoicingRun, Payment
    from tests.security.scene import _campaign, _invoice, _run

    with tenant_context(alpha):
        m1 = Member.objects.get(name="Société Un")
        campaign_id, _label = _campaign(member=m1)
        invoice_id, number = _invoice(member=m1)
        run_id, _label = _run(member=m1)
    client = client_for(alpha, "jurist@alpha.test")
    pages = [reverse(name) for name in (*BILLING_STAFF_PAGES, "billing:payment_keys")]
    pages += [
        reverse("billing:campaign", kwargs={"campaign_id": campaign_id}),
        reverse("billing:rule", kwargs={"campaign_id": campaign_id}),
        reverse("billing:staff_invoice", kwargs={"invoice_id": invoice_id}),
        reverse("billing:run", kwargs={"run_id": run_id}),
        reverse("api-billing:invoice-list"),
        reverse("api-billing:invoice-detail", kwargs={"invoice_id": invoice_id}),
        reverse("api-billing:run-detail", kwargs={"run_id": run_id}),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code in (403, 404), (url, response.status_code)
        assert number not in response.content.decode(), url
    posts = {
        reverse("billing:run_start", kwargs={"campaign_id": campaign_id}): {},
        reverse("billing:payment_record", kwargs={"invoice_id": invoice_id}): {"method": "cheque", "amount": "10"},
        reverse("api-billing:invoice-credit-notes", kwargs={"invoice_id": invoice_id}): {"reason": "Essai"},
    }
    for url, data in posts.items():
        assert client.post(url, data).status_code in (403, 404), url
    with tenant_context(alpha):
        assert not Payment.objects.exists()
        assert Invoice.objects.count() == 1 and InvoicingRun.objects.count() == 1


def test_a_billing_right_granted_shows_its_entry(organisations, alpha, client_for):
    from django_tenants.utils import tenant_context

    from core.access.models import Membership

    client = client_for(alpha, "m1-user@alpha.test")
    assert client.get(reverse("billing:invoices")).status_code == 403
    with tenant_context(alpha):
        Membership.objects.filter(user__email="m1-user@alpha.test").update(rights=["billing.view_invoices"])
    html = client.get("/").content.decode()
    assert set(menu_labels(html)) & BILLING_LABELS == {"Vos factures"}
    assert client.get(reverse("billing:invoices")).status_code == 200
    assert client.get(reverse("billing:declaration")).status_code == 403


@pytest.mark.parametrize("email", ["admin@alpha.test", "m1-admin@alpha.test"])
def test_billing_switched_off_leaves_the_menu(organisations, alpha, client_for, email):
    from django_tenants.utils import tenant_context

    from tenants.services import organisation_module_set

    client = client_for(alpha, email)
    assert set(menu_labels(client.get("/").content.decode())) & BILLING_LABELS
    with tenant_context(alpha):
        organisation_module_set(actor=None, organisation=alpha, key="billing", enabled=False)
    html = client.get("/").content.decode()
    assert not set(menu_labels(html)) & BILLING_LABELS
    assert not {reverse("billing:invoices"), reverse("billing:staff_home")} & menu_hrefs(html)
    assert client.get(reverse("billing:invoices")).status_code == 404
