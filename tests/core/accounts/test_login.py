"""Password login, the policy's ways in, new session ids, expired accounts."""

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.accounts.models import User, UserSession
from core.accounts.services import user_invite
from tests.conftest import OPERATOR_EMAIL, host_of
from tests.world import PASSWORD

from .conftest import outbox, policy

pytestmark = pytest.mark.django_db


def login(client: Client, email: str, password: str = PASSWORD, **extra):
    return client.post("/compte/connexion/", {"username": email, "password": password}, **extra)


def expire(organisation, email: str, *, days_ago: int = 0) -> None:
    with tenant_context(organisation):
        User.objects.filter(email=email).update(expires_on=timezone.localdate() - timedelta(days=days_ago))


def test_login_gives_a_new_session_id_and_records_the_session(organisations, alpha):
    client = Client(HTTP_HOST=host_of(alpha), HTTP_USER_AGENT="Firefox de test")
    before = client.session
    before["visited"] = True
    before.save()
    old_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    response = login(client, "M1-Admin@Alpha.test")  # the address in any case
    assert response.status_code == 302
    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    with tenant_context(alpha):
        recorded = UserSession.objects.get(session_key=new_key)
        assert recorded.user.email == "m1-admin@alpha.test"
        assert recorded.user_agent == "Firefox de test" and recorded.ip_address == "127.0.0.1"
        assert not UserSession.objects.filter(session_key=old_key).exists()


def test_wrong_password_and_unknown_account_get_the_same_message(organisations, alpha):
    client = Client(HTTP_HOST=host_of(alpha))
    wrong = login(client, "m1-admin@alpha.test", "not the password at all")
    unknown = login(client, "nobody@alpha.test", "not the password at all")
    assert wrong.status_code == unknown.status_code == 200
    assert "Adresse e-mail ou mot de passe incorrect." in wrong.content.decode()
    assert "Adresse e-mail ou mot de passe incorrect." in unknown.content.decode()


def test_operator_console_keeps_password_login_only(organisations, alpha):
    console = Client(HTTP_HOST=settings.PLATFORM_DOMAIN)
    page = console.get("/compte/connexion/").content.decode()
    assert "Recevoir un code" not in page and "Première connexion" not in page and "Mot de passe oublié" not in page
    for path in ("/compte/code/", "/compte/premiere-connexion/", "/compte/mot-de-passe-oublie/"):
        assert console.get(path).status_code == 404, path
    assert login(console, OPERATOR_EMAIL).status_code == 302
    assert console.get("/").status_code == 200
    account = console.get("/compte/")  # "Mon compte" works for operators too, without API tokens
    assert account.status_code == 200 and "Jeton d'API" not in account.content.decode()
    assert console.post("/compte/jeton/").status_code == 404


def test_login_page_offers_what_the_policy_allows(organisations, alpha):
    client = Client(HTTP_HOST=host_of(alpha))
    page = client.get("/compte/connexion/").content.decode()
    assert 'name="password"' in page and "Mot de passe oublié" in page
    assert "Recevoir un code" not in page and "Première connexion" not in page
    for path in ("/compte/code/", "/compte/code/verification/", "/compte/premiere-connexion/"):
        assert client.get(path).status_code == 404, path

    policy(alpha, "email_code", "first_connection_link")
    page = client.get("/compte/connexion/").content.decode()
    assert 'name="password"' not in page and "Mot de passe oublié" not in page
    assert "Recevoir un code de connexion par e-mail" in page and "Première connexion" in page
    assert login(client, "m1-admin@alpha.test").status_code == 404  # passwords are not a way in here
    assert client.get("/compte/mot-de-passe-oublie/").status_code == 404
    assert client.get("/compte/code/").status_code == 200
    assert client.get("/compte/premiere-connexion/").status_code == 200


def test_expired_account_is_told_so_only_after_the_right_password(organisations, alpha):
    expire(alpha, "m1-user@alpha.test")  # ends at the start of today
    client = Client(HTTP_HOST=host_of(alpha))
    wrong = login(client, "m1-user@alpha.test", "not the password at all").content.decode()
    assert "expiré" not in wrong and "Adresse e-mail ou mot de passe incorrect." in wrong
    right = login(client, "m1-user@alpha.test")
    assert right.status_code == 200 and "Votre accès a expiré." in right.content.decode()
    assert client.get("/").status_code == 302


def test_account_ending_tomorrow_still_logs_in(organisations, alpha, client_for):
    with tenant_context(alpha):
        User.objects.filter(email="m1-user@alpha.test").update(expires_on=timezone.localdate() + timedelta(days=1))
    assert client_for(alpha, "m1-user@alpha.test").get("/").status_code == 200


def test_open_session_ends_when_the_account_expires(organisations, alpha, client_for):
    client = client_for(alpha, "m1-user@alpha.test")
    assert client.get("/").status_code == 200
    expire(alpha, "m1-user@alpha.test")
    assert client.get("/").status_code == 302
    assert client.get("/api/members/").status_code in (401, 403)


def test_expired_account_s_api_token_is_refused(organisations, alpha):
    from rest_framework.authtoken.models import Token

    with tenant_context(alpha):
        token = Token.objects.create(user=User.objects.get(email="m1-user@alpha.test"))
    client = Client(HTTP_HOST=host_of(alpha))
    path = "/api/access/me/"
    assert client.get(path, HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    expire(alpha, "m1-user@alpha.test")
    refused = client.get(path, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert refused.status_code == 401 and "expiré" in refused.content.decode()


def test_expired_account_cannot_accept_an_invitation(organisations, alpha):
    with tenant_context(alpha):
        user_invite(
            actor=None,
            email="m1-user@alpha.test",
            staff_role="",
            accept_url_template="https://alpha.localhost/compte/invitation/{token}/",
        )
        User.objects.filter(email="m1-user@alpha.test").update(expires_on=timezone.localdate())
    link = re.search(r"(/compte/invitation/[^/\s]+/)", outbox(alpha, to="m1-user@alpha.test")[-1].body).group(1)
    client = Client(HTTP_HOST=host_of(alpha))
    page = client.get(link)
    assert page.status_code == 403 and "Votre accès a expiré." in page.content.decode()
    strong = "une phrase de passe bien solide"
    assert client.post(link, {"password": strong, "password_confirm": strong}).status_code == 403
    assert client.get("/").status_code == 302


def test_the_login_page_loads_its_stylesheet(organisations, alpha):
    page = Client(HTTP_HOST=host_of(alpha)).get("/compte/connexion/").content.decode()
    assert "accounts/accounts.css" in page
