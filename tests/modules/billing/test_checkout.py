"""Paying invoices online: Stripe Checkout on the local Stripe-speaking server, through the real
`stripe` client, the hosted page used over HTTP, and Stripe's events delivered to our webhook.

The return page only shows what the webhook recorded; refusals (another member's invoices, no right,
online payment off, Stripe unreachable) leave nothing to pay on Stripe and nothing paid here.
"""

import uuid
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext

from core.access.models import Membership
from core.access.services import membership_update
from core.modules.settings import module_settings_get, module_settings_save
from modules.billing.contribution import euros
from modules.billing.models import CheckoutAttempt, CheckoutStatus, Payment, PaymentMethod
from modules.billing.selectors import InvoiceState, invoice_list, member_balance
from modules.billing.services.invoices import LineInput, invoice_issue
from modules.billing.stripe_gateway import checkout_session_create
from modules.billing.views.checkout import allows_checkout_redirect

from . import stripe_server
from .conftest import EXPECTED_GROSS, admin, declare, issue_cotisation, member, user
from .stripe_server import (
    attempt_events,
    closed_port_url,
    event_of,
    events_wait,
    hosted_pay,
)

# The Stripe fixtures (pytest finds them among the module's names).
localpay, payments_on, deliver = stripe_server.localpay, stripe_server.payments_on, stripe_server.deliver

pytestmark = pytest.mark.django_db

M1_ADMIN, M1_USER, M2_ADMIN = "m1-admin@alpha.test", "m1-user@alpha.test", "m2-admin@alpha.test"
START = "/billing/paiement/"
SERVICE_FEE_GROSS = Decimal("120.00")


def host() -> str:
    return f"alpha.{settings.PLATFORM_DOMAIN}"


def one_off_invoice(member_name: str = "Société Un"):
    """A small invoice besides the cotisation (100 € + 20 % VAT)."""
    return invoice_issue(
        actor=admin(),
        member=member(member_name),
        lines=[LineInput("Formation « prévention des risques »", Decimal("100.00"), Decimal("20"))],
    )


@pytest.fixture
def two_invoices(payments_on, campaign):
    """M1's cotisation (6 036 €) and a training invoice (120 €), both due."""
    declare(campaign)
    return issue_cotisation(campaign), one_off_invoice()


def start(client, *invoices):
    return client.post(START, {"invoices": [invoice.pk for invoice in invoices]})


def messages_of(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def server_sessions(server) -> list[str]:
    return [session.id for session in server.stripe_client().v1.checkout.sessions.list(params={"limit": 100}).data]


def received_emails(mail_sink, subject: str) -> list:
    return [message for message in mail_sink.messages if message.subject == subject]


# Paying -----------------------------------------------------------------------------------------


def test_a_member_pays_two_invoices_and_stripe_s_events_settle_them(
    two_invoices, client_for, alpha, localpay, deliver, mail_sink
):
    cotisation, training = two_invoices
    total = EXPECTED_GROSS + SERVICE_FEE_GROSS
    client = client_for(alpha, M1_ADMIN)

    response = start(client, cotisation, training)

    attempt = CheckoutAttempt.objects.get(member=member())
    assert response.status_code == 303
    assert response["Location"] == attempt.stripe_url
    assert attempt.stripe_url.startswith(f"{localpay.api_base}/checkout/cs_test_")
    assert (attempt.status, attempt.amount) == (CheckoutStatus.OPEN, total)
    assert attempt.allocations == {str(cotisation.pk): "6036.00", str(training.pk): "120.00"}

    # What Stripe holds: the amount in cents, one line per invoice, our metadata, our return pages.
    session = localpay.stripe_client().v1.checkout.sessions.retrieve(
        attempt.stripe_session, params={"expand": ["line_items"]}
    )
    assert (session.amount_total, session.currency, session.mode) == (615600, "eur", "payment")
    assert [(item.description, item.quantity, item.amount_total) for item in session.line_items.data] == [
        (f"Facture {cotisation.number}", 1, 603600),
        (f"Facture {training.number}", 1, 12000),
    ]
    assert session.metadata.to_dict() == {"schema": "alpha", "checkout": str(attempt.key), "member": str(member().pk)}
    assert session.payment_method_types == ["card", "sepa_debit"]
    assert session.success_url == f"http://{host()}/billing/paiement/{attempt.key}/"
    assert session.cancel_url == f"http://{host()}/billing/paiement/{attempt.key}/annule/"
    assert session.customer_email == M1_ADMIN

    # The member pays on Stripe's page and comes back: the page waits for Stripe, writes nothing.
    back = hosted_pay(localpay, attempt)
    assert back == session.success_url
    page = client.get(urlsplit(back).path)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nous attendons la confirmation de Stripe…" in text
    assert f'hx-get="/billing/paiement/{attempt.key}/etat/?etat=open"' in text and 'hx-trigger="every 2s"' in text
    assert "6\u202f156,00 €" in text and cotisation.number in text and training.number in text
    assert not Payment.objects.exists()
    # While nothing changed, a poll swaps nothing.
    poll = client.get(f"/billing/paiement/{attempt.key}/etat/", {"etat": "open"}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 204

    events = events_wait(localpay, attempt, "checkout.session.completed", "payment_intent.succeeded")
    answers = deliver(event_of(events, "checkout.session.completed"), event_of(events, "payment_intent.succeeded"))

    assert [answer.status_code for answer in answers] == [200, 200]
    intent_id = localpay.stripe_client().v1.checkout.sessions.retrieve(attempt.stripe_session).payment_intent
    (payment,) = Payment.objects.all()
    assert (payment.member, payment.amount, payment.method) == (member(), total, PaymentMethod.CARD)
    assert payment.stripe_payment_intent == intent_id and payment.checkout_id == attempt.pk
    assert sorted((a.invoice_id, a.amount) for a in payment.allocations.all()) == sorted(
        [(cotisation.pk, EXPECTED_GROSS), (training.pk, SERVICE_FEE_GROSS)]
    )
    states = {invoice.pk: invoice.state for invoice in invoice_list(actor=admin(), member=member())}
    assert states == {cotisation.pk: InvoiceState.PAID, training.pk: InvoiceState.PAID}
    assert member_balance(member=member()).amount == 0
    emails = received_emails(mail_sink, f"Paiement reçu : {euros(total)}")
    assert [email.recipients for email in emails] == [(M1_ADMIN,)]

    # The page now says so and stops asking.
    poll = client.get(f"/billing/paiement/{attempt.key}/etat/", {"etat": "open"}, HTTP_HX_REQUEST="true")
    assert poll.status_code == 200 and "Paiement reçu, merci." in poll.content.decode()
    assert "hx-get" not in poll.content.decode()
    text = client.get(urlsplit(back).path).content.decode()
    assert "Paiement reçu, merci." in text and "hx-trigger" not in text
    assert 'href="/billing/"' in text


def test_starting_again_with_the_same_attempt_gives_the_same_session(two_invoices, client_for, alpha, localpay):
    cotisation, training = two_invoices
    start(client_for(alpha, M1_ADMIN), cotisation, training)
    attempt = CheckoutAttempt.objects.get()
    session = localpay.stripe_client().v1.checkout.sessions.retrieve(
        attempt.stripe_session, params={"expand": ["line_items"]}
    )
    sessions_before = server_sessions(localpay)

    # The same create call (the attempt's key is its idempotency key), as a retry after a lost answer.
    again = checkout_session_create(
        attempt=attempt,
        lines=[(item.description, Decimal(item.amount_total) / 100) for item in session.line_items.data],
        success_url=session.success_url,
        cancel_url=session.cancel_url,
        email=session.customer_email,
    )

    assert again.id == session.id
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert server_sessions(localpay) == sessions_before


def test_leaving_stripe_s_page_shows_the_cancel_page_and_nothing_is_paid(two_invoices, client_for, alpha, localpay):
    cotisation, _training = two_invoices
    client = client_for(alpha, M1_ADMIN)
    start(client, cotisation)
    attempt = CheckoutAttempt.objects.get()

    back = localpay.cancel(attempt.stripe_url)

    assert back.status == 303 and back.location == f"http://{host()}/billing/paiement/{attempt.key}/annule/"
    page = client.get(urlsplit(back.location).path)
    text = page.content.decode()
    assert page.status_code == 200 and "Paiement annulé" in text and "aucun montant n'a été prélevé" in text
    assert 'href="/billing/"' in text and cotisation.number in text
    assert not Payment.objects.exists()
    assert CheckoutAttempt.objects.get().status == CheckoutStatus.OPEN


def test_the_return_page_reads_a_constant_number_of_queries(two_invoices, client_for, alpha):
    cotisation, training = two_invoices
    client = client_for(alpha, M1_ADMIN)
    start(client, cotisation)
    one = CheckoutAttempt.objects.get()
    start(client, cotisation, training)
    two = CheckoutAttempt.objects.exclude(pk=one.pk).get()

    counts = []
    for attempt in (one, two):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/billing/paiement/{attempt.key}/").status_code == 200
        counts.append(len(queries))

    assert counts[0] == counts[1]


def test_pages_with_a_pay_form_let_the_browser_follow_the_redirect_to_stripe(settings, localpay):
    """Browsers apply a page's CSP `form-action` to the redirect that follows the form's POST."""
    settings.STRIPE_API_BASE = localpay.api_base
    policy = allows_checkout_redirect(HttpResponse())["Content-Security-Policy"]
    assert f"form-action 'self' {localpay.api_base};" in policy and "script-src 'self';" in policy

    settings.STRIPE_API_BASE = None
    policy = allows_checkout_redirect(HttpResponse())["Content-Security-Policy"]
    assert "form-action 'self' https://checkout.stripe.com;" in policy


# Refusals ---------------------------------------------------------------------------------------


def test_another_member_s_invoice_cannot_be_paid(payments_on, client_for, alpha, localpay):
    theirs = one_off_invoice("Société Deux")
    sessions_before = server_sessions(localpay)

    response = start(client_for(alpha, M1_ADMIN), theirs)

    assert response.status_code == 302 and response["Location"] == "/billing/"
    assert messages_of(response) == ["Choisissez au moins une facture restant à payer."]
    assert not CheckoutAttempt.objects.exists()
    assert server_sessions(localpay) == sessions_before


def test_a_paid_invoice_cannot_be_paid_again_online(two_invoices, client_for, alpha, localpay, deliver):
    cotisation, _training = two_invoices
    client = client_for(alpha, M1_ADMIN)
    start(client, cotisation)
    attempt = CheckoutAttempt.objects.get()
    hosted_pay(localpay, attempt)
    deliver(event_of(events_wait(localpay, attempt, "checkout.session.completed"), "checkout.session.completed"))
    assert Payment.objects.count() == 1

    response = start(client, cotisation)

    assert messages_of(response) == ["Choisissez au moins une facture restant à payer."]
    assert CheckoutAttempt.objects.count() == 1


@pytest.mark.parametrize("email", [M1_USER, "admin@alpha.test"])
def test_without_the_right_to_pay_nothing_starts(two_invoices, client_for, alpha, email):
    cotisation, _training = two_invoices

    response = start(client_for(alpha, email), cotisation)

    assert response.status_code == 403
    assert not CheckoutAttempt.objects.exists()


def test_seeing_invoices_is_not_the_right_to_pay_them(two_invoices, client_for, alpha):
    cotisation, _training = two_invoices
    membership = Membership.objects.get(user=user(M1_USER))
    membership_update(
        actor=user(M1_ADMIN), membership=membership, role=membership.role, rights=["billing.view_invoices"]
    )

    response = start(client_for(alpha, M1_USER), cotisation)

    assert response.status_code == 403
    assert not CheckoutAttempt.objects.exists()


def test_anonymous_is_sent_to_the_login_page(two_invoices, client_for, alpha):
    cotisation, _training = two_invoices

    response = start(client_for(alpha), cotisation)

    assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/")
    assert not CheckoutAttempt.objects.exists()
    assert client_for(alpha, M1_ADMIN).get(START).status_code == 405


def test_online_payment_switched_off_by_the_organisation(two_invoices, client_for, alpha, localpay):
    cotisation, _training = two_invoices
    module_settings_save(actor=admin(), key="billing", values={**module_settings_get("billing"), "online_payment": ""})
    sessions_before = server_sessions(localpay)

    response = start(client_for(alpha, M1_ADMIN), cotisation)

    assert response.status_code == 302 and response["Location"] == "/billing/"
    assert messages_of(response) == ["Le paiement en ligne n'est pas proposé par votre organisation."]
    assert not CheckoutAttempt.objects.exists()
    assert server_sessions(localpay) == sessions_before


def test_without_stripe_keys_online_payment_is_not_offered(campaign, client_for, alpha):
    declare(campaign)
    cotisation = issue_cotisation(campaign)

    response = start(client_for(alpha, M1_ADMIN), cotisation)

    assert messages_of(response) == ["Le paiement en ligne n'est pas proposé par votre organisation."]
    assert not CheckoutAttempt.objects.exists()


def test_stripe_unreachable_gives_a_clear_message_and_nothing_is_paid(two_invoices, client_for, alpha, settings):
    cotisation, _training = two_invoices
    settings.STRIPE_API_BASE = closed_port_url()

    response = start(client_for(alpha, M1_ADMIN), cotisation)

    assert response.status_code == 302 and response["Location"] == "/billing/"
    assert messages_of(response) == [
        "Le paiement en ligne est momentanément indisponible. Réessayez plus tard ou payez par virement."
    ]
    attempt = CheckoutAttempt.objects.get()
    assert (attempt.status, attempt.stripe_session, attempt.stripe_url) == (CheckoutStatus.FAILED, None, "")
    assert not Payment.objects.exists()
    assert invoice_list(actor=admin(), member=member()).get(pk=cotisation.pk).state == InvoiceState.DUE


# The return pages belong to the member who paid ---------------------------------------------------


@pytest.mark.parametrize("suffix", ["", "etat/", "annule/"])
def test_another_member_s_payment_pages_are_not_found(two_invoices, client_for, alpha, suffix):
    cotisation, _training = two_invoices
    start(client_for(alpha, M1_ADMIN), cotisation)
    attempt = CheckoutAttempt.objects.get()
    path = f"/billing/paiement/{attempt.key}/{suffix}"

    assert client_for(alpha, M1_ADMIN).get(path).status_code == 200
    assert client_for(alpha, M2_ADMIN).get(path).status_code == 404
    assert client_for(alpha, M1_USER).get(path).status_code == 404
    assert client_for(alpha, "admin@alpha.test").get(path).status_code == 404
    assert client_for(alpha, M1_ADMIN).get(f"/billing/paiement/{uuid.uuid4()}/{suffix}").status_code == 404
    assert client_for(alpha).get(path)["Location"].startswith("/compte/connexion/")


def test_nothing_is_paid_by_opening_the_return_page(two_invoices, client_for, alpha, localpay):
    """Stripe sends the member back before telling us; the page itself never records a payment."""
    cotisation, _training = two_invoices
    client = client_for(alpha, M1_ADMIN)
    start(client, cotisation)
    attempt = CheckoutAttempt.objects.get()
    back = hosted_pay(localpay, attempt)
    events_wait(localpay, attempt, "checkout.session.completed", "payment_intent.succeeded")

    pages = (urlsplit(back).path, f"/billing/paiement/{attempt.key}/etat/", f"/billing/paiement/{attempt.key}/annule/")
    for path in pages:
        assert client.get(path).status_code == 200

    assert not Payment.objects.exists()
    assert CheckoutAttempt.objects.get().status == CheckoutStatus.OPEN
    assert attempt_events(localpay, attempt)  # Stripe did take the money: only its events may say so
