"""Failed logins locked per account and per IP (django-axes), e-mail requests throttled."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django_tenants.utils import tenant_context

from core.accounts.throttling import SEND_PER_ADDRESS, SEND_PER_CLIENT, client_ip
from core.audit.models import AuditEntry
from tests.conftest import OPERATOR_EMAIL, host_of
from tests.world import PASSWORD

from .conftest import policy, without_csrf

pytestmark = pytest.mark.django_db

WRONG = "definitely not the password"
LOCKED = "Trop de tentatives de connexion ont échoué"


def attempt(organisation, email: str, password: str = WRONG, **extra):
    client = Client(HTTP_HOST=host_of(organisation) if organisation else settings.PLATFORM_DOMAIN)
    return client.post("/compte/connexion/", {"username": email, "password": password}, **extra)


def test_an_account_locks_after_five_failures_from_anywhere(organisations, alpha):
    for number in range(4):
        response = attempt(alpha, "m1-admin@alpha.test", REMOTE_ADDR=f"198.51.100.{number}")
        assert response.status_code == 200 and LOCKED not in response.content.decode()
    fifth = attempt(alpha, "m1-admin@alpha.test", REMOTE_ADDR="198.51.100.4")
    assert fifth.status_code == 429 and LOCKED in fifth.content.decode()
    right = attempt(alpha, "M1-ADMIN@alpha.test", PASSWORD, REMOTE_ADDR="198.51.100.99")  # any case, new IP
    assert right.status_code == 429 and LOCKED in right.content.decode()
    with tenant_context(alpha):
        logged = AuditEntry.objects.filter(action="login.locked_out").order_by("id")
        assert [entry.after["username"] for entry in logged] == ["m1-admin@alpha.test"] * 2
        assert "correct horse" not in str([entry.after for entry in logged])
    assert attempt(alpha, "m1-user@alpha.test", PASSWORD, REMOTE_ADDR="198.51.100.99").status_code == 302


def test_an_unknown_account_locks_exactly_the_same_way(organisations, alpha):
    def five(email: str):
        answers = [attempt(alpha, email, REMOTE_ADDR=f"203.0.113.{n}") for n in range(5)]
        return [a.status_code for a in answers], without_csrf(answers[-1].content).replace(email, "EMAIL")

    known, unknown = five("m1-admin@alpha.test"), five("nobody@alpha.test")
    assert known == unknown
    assert known[0] == [200, 200, 200, 200, 429]


def test_an_ip_locks_after_five_failures_on_different_accounts(organisations, alpha):
    for number in range(5):
        attempt(alpha, f"someone{number}@alpha.test")
    response = attempt(alpha, "m1-user@alpha.test", PASSWORD)
    assert response.status_code == 429 and LOCKED in response.content.decode()
    assert attempt(alpha, "m1-user@alpha.test", PASSWORD, REMOTE_ADDR="192.0.2.50").status_code == 302


def test_a_spoofed_x_forwarded_for_does_not_escape_the_ip_limit(organisations, alpha):
    for number in range(5):
        attempt(alpha, f"someone{number}@alpha.test", HTTP_X_FORWARDED_FOR=f"10.9.8.{number}")
    response = attempt(alpha, "m1-user@alpha.test", PASSWORD, HTTP_X_FORWARDED_FOR="10.9.8.77")
    assert response.status_code == 429


def test_client_ip_believes_only_the_configured_proxies(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXY_COUNT = 1  # one proxy appends what it saw: the right-most entry
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_COUNT = 3  # fewer entries than proxies: the header is not trusted
    assert client_ip(request) == "10.0.0.1"


def test_attempts_are_counted_per_organisation(organisations, alpha, beta):
    for number in range(5):
        attempt(alpha, f"someone{number}@alpha.test")
    assert attempt(alpha, "m1-user@alpha.test", PASSWORD).status_code == 429
    assert attempt(beta, "m1-user@beta.test", PASSWORD).status_code == 302


def test_operator_console_login_is_throttled_and_still_works(organisations, alpha):
    assert attempt(None, OPERATOR_EMAIL, PASSWORD).status_code == 302
    for number in range(5):
        attempt(None, OPERATOR_EMAIL, REMOTE_ADDR=f"198.51.100.{number}")
    assert attempt(None, OPERATOR_EMAIL, PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 429
    assert attempt(alpha, "m1-user@alpha.test", PASSWORD, REMOTE_ADDR="198.51.100.9").status_code == 302


# Requests that send e-mail


@pytest.mark.parametrize(
    ("path", "field", "methods"),
    [
        ("/compte/mot-de-passe-oublie/", "email", ["password"]),
        ("/compte/code/", "email", ["email_code"]),
        ("/compte/premiere-connexion/", "identifier", ["first_connection_link"]),
    ],
)
def test_requests_are_limited_per_address_and_per_client(organisations, alpha, path, field, methods):
    policy(alpha, *methods)
    client = Client(HTTP_HOST=host_of(alpha))
    for _ in range(SEND_PER_ADDRESS.count):
        assert client.post(path, {field: "m1-user@alpha.test"}).status_code == 302
    bombed = client.post(path, {field: "m1-user@alpha.test"}, REMOTE_ADDR="192.0.2.1")  # from elsewhere too
    assert bombed.status_code == 429 and "Trop de demandes" in bombed.content.decode()
    for number in range(SEND_PER_CLIENT.count - SEND_PER_ADDRESS.count):
        assert client.post(path, {field: f"person{number}@alpha.test"}).status_code == 302
    sprayed = client.post(path, {field: "another@alpha.test"})
    assert sprayed.status_code == 429


def test_a_throttled_unknown_address_answers_like_a_known_one(organisations, alpha):
    client = Client(HTTP_HOST=host_of(alpha))
    answers = {}
    for email in ("m1-user@alpha.test", "nobody@alpha.test"):
        for _ in range(SEND_PER_ADDRESS.count):
            client.post("/compte/mot-de-passe-oublie/", {"email": email}, REMOTE_ADDR="192.0.2.2")
        answer = client.post("/compte/mot-de-passe-oublie/", {"email": email}, REMOTE_ADDR="192.0.2.3")
        answers[email] = (answer.status_code, without_csrf(answer.content).replace(email, "EMAIL"))
    assert answers["m1-user@alpha.test"] == answers["nobody@alpha.test"]
    assert answers["nobody@alpha.test"][0] == 429
