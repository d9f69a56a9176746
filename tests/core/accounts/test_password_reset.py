"""Password reset by e-mailed link: single use, latest only, expiring, per organisation."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import AccountLink, LinkPurpose, User
from tests.conftest import host_of
from tests.world import PASSWORD

from .conftest import link_in, outbox, policy

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "un tout nouveau mot de passe robuste"
PREFIX = "/compte/reinitialisation/"


def ask_reset(organisation, email: str) -> str:
    """Ask for a reset of `email` on the organisation's host; the path of the link e-mailed."""
    response = Client(HTTP_HOST=host_of(organisation)).post("/compte/mot-de-passe-oublie/", {"email": email})
    assert response.status_code == 302 and response["Location"] == "/compte/mot-de-passe-oublie/envoye/"
    return link_in(outbox(organisation, to=email)[-1], PREFIX)


def choose(client: Client, link: str, password: str = NEW_PASSWORD):
    return client.post(link, {"password": password, "password_confirm": password})


def password_is(organisation, email: str, password: str) -> bool:
    with tenant_context(organisation):
        return User.objects.get(email=email).check_password(password)


def test_reset_sets_the_password_logs_in_with_a_new_session_and_ends_the_others(organisations, alpha, client_for):
    elsewhere = client_for(alpha, "m1-admin@alpha.test")
    link = ask_reset(alpha, "m1-admin@alpha.test")
    with tenant_context(alpha):
        stored = AccountLink.objects.get(purpose=LinkPurpose.PASSWORD_RESET, email="m1-admin@alpha.test")
        assert link.split("/")[-2] not in stored.token_hash and len(stored.token_hash) == 64  # only its hash
        assert stored.expires_at - stored.created_at <= timedelta(minutes=30)
    client = Client(HTTP_HOST=host_of(alpha))
    page = client.get(link)
    assert page.status_code == 200 and "m1-admin@alpha.test" in page.content.decode()
    before = client.session
    before["visited"] = True
    before.save()
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = choose(client, link)
    assert response.status_code == 302
    assert client.cookies[settings.SESSION_COOKIE_NAME].value != old_key
    assert client.get("/").status_code == 200  # logged in
    assert elsewhere.get("/").status_code == 302  # the other session ended
    assert password_is(alpha, "m1-admin@alpha.test", NEW_PASSWORD)


def test_a_link_works_once(organisations, alpha):
    link = ask_reset(alpha, "m1-user@alpha.test")
    assert choose(Client(HTTP_HOST=host_of(alpha)), link).status_code == 302
    again = Client(HTTP_HOST=host_of(alpha))
    assert again.get(link).status_code == 404
    replay = choose(again, link, "encore un autre mot de passe robuste")
    assert replay.status_code == 404 and "plus valable" in replay.content.decode()
    assert password_is(alpha, "m1-user@alpha.test", NEW_PASSWORD)


def test_an_older_link_stops_working_when_a_newer_one_is_sent(organisations, alpha):
    older = ask_reset(alpha, "m1-user@alpha.test")
    newer = ask_reset(alpha, "m1-user@alpha.test")
    client = Client(HTTP_HOST=host_of(alpha))
    assert choose(client, older).status_code == 404
    assert password_is(alpha, "m1-user@alpha.test", PASSWORD)
    assert choose(client, newer).status_code == 302


def test_an_expired_link_fails(organisations, alpha):
    link = ask_reset(alpha, "m1-user@alpha.test")
    with tenant_context(alpha):
        AccountLink.objects.filter(purpose=LinkPurpose.PASSWORD_RESET).update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    response = choose(Client(HTTP_HOST=host_of(alpha)), link)
    assert response.status_code == 404 and "plus valable" in response.content.decode()
    assert password_is(alpha, "m1-user@alpha.test", PASSWORD)


def test_alpha_s_link_fails_on_beta_s_host(organisations, alpha, beta):
    link = ask_reset(alpha, "m1-user@alpha.test")
    on_beta = Client(HTTP_HOST=host_of(beta))
    assert on_beta.get(link).status_code == 404
    assert choose(on_beta, link).status_code == 404
    assert choose(Client(HTTP_HOST=host_of(alpha)), link).status_code == 302  # still good at home


def test_logging_in_ends_a_pending_reset_link(organisations, alpha, client_for):
    link = ask_reset(alpha, "m1-user@alpha.test")
    client_for(alpha, "m1-user@alpha.test")  # the person remembered their password
    assert Client(HTTP_HOST=host_of(alpha)).get(link).status_code == 404


def test_a_weak_password_is_refused_and_the_link_still_works(organisations, alpha):
    link = ask_reset(alpha, "m1-user@alpha.test")
    client = Client(HTTP_HOST=host_of(alpha))
    weak = choose(client, link, "motdepasse12")
    assert weak.status_code == 200 and "trop facile à deviner" in weak.content.decode()
    short = choose(client, link, "court")
    assert "trop court" in short.content.decode()
    assert choose(client, link).status_code == 302


def test_expired_account_cannot_reset(organisations, alpha):
    link = ask_reset(alpha, "m1-user@alpha.test")
    with tenant_context(alpha):
        User.objects.filter(email="m1-user@alpha.test").update(expires_on=timezone.localdate())
    client = Client(HTTP_HOST=host_of(alpha))
    page = client.get(link)
    assert page.status_code == 403 and "Votre accès a expiré." in page.content.decode()
    assert choose(client, link).status_code == 403
    assert password_is(alpha, "m1-user@alpha.test", PASSWORD)
    assert client.get("/").status_code == 302


def test_unknown_address_sends_nothing(organisations, alpha):
    before = len(outbox(alpha))
    response = Client(HTTP_HOST=host_of(alpha)).post("/compte/mot-de-passe-oublie/", {"email": "nobody@alpha.test"})
    assert response.status_code == 302
    assert len(outbox(alpha)) == before


def test_reset_is_not_offered_without_passwords(organisations, alpha):
    link = ask_reset(alpha, "m1-user@alpha.test")
    policy(alpha, "email_code")
    client = Client(HTTP_HOST=host_of(alpha))
    assert client.post("/compte/mot-de-passe-oublie/", {"email": "m1-user@alpha.test"}).status_code == 404
    assert client.get(link).status_code == 404
