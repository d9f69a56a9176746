""" "Mon compte": sessions listed and ended, password change, API token."""

from datetime import UTC, datetime

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from rest_framework.authtoken.models import Token

from core.accounts.models import User, UserSession
from core.accounts.sessions import activity_marker
from tests.conftest import host_of
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

NEW = "une nouvelle phrase de passe pour mon compte"
LONG_AGO = datetime(2020, 1, 1, tzinfo=UTC)


def change(client: Client, old: str = PASSWORD, new: str = NEW):
    return client.post("/compte/mot-de-passe/", {"old_password": old, "password": new, "password_confirm": new})


@pytest.fixture
def newcomer(alpha) -> str:
    """A person with no session yet (the shared people may hold sessions of browser tests)."""
    with tenant_context(alpha):
        User.objects.create_user("newcomer@alpha.test", PASSWORD)
    return "newcomer@alpha.test"


def test_the_page_lists_the_person_s_sessions_only(organisations, alpha, client_for, newcomer):
    phone = Client(HTTP_HOST=host_of(alpha), HTTP_USER_AGENT="Téléphone de Dominique")
    phone.post("/compte/connexion/", {"username": newcomer, "password": PASSWORD})
    client_for(alpha, "m1-admin@alpha.test")  # someone else's session
    page = client_for(alpha, newcomer).get("/compte/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Téléphone de Dominique" in text and "cette session" in text
    assert text.count("<tr>") == 3  # header + the person's two sessions
    assert "Se déconnecter de toutes les sessions" in text


def test_the_session_list_costs_the_same_for_one_or_many(organisations, alpha, client_for, newcomer):
    client = client_for(alpha, newcomer)
    client.get("/compte/")
    with CaptureQueriesContext(connection) as one:
        page = client.get("/compte/")
    assert page.content.decode().count("<tr>") == 2
    for _ in range(5):
        client_for(alpha, newcomer)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/compte/")
    assert page.content.decode().count("<tr>") == 7
    assert len(many) == len(one)


def test_last_seen_moves_without_a_write_on_every_request(organisations, alpha, client_for):
    from django.core.cache import cache

    client = client_for(alpha, "m1-user@alpha.test")
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    with tenant_context(alpha):
        UserSession.objects.filter(session_key=key).update(last_seen_at=LONG_AGO)
    with CaptureQueriesContext(connection) as marked:
        client.get("/compte/")
    with tenant_context(alpha):
        assert UserSession.objects.get(session_key=key).last_seen_at == LONG_AGO
    assert not any("UPDATE" in q["sql"] and "accounts_usersession" in q["sql"] for q in marked)
    with tenant_context(alpha):
        cache.delete(activity_marker(key))  # the period is over
    client.get("/")
    with tenant_context(alpha):
        assert UserSession.objects.get(session_key=key).last_seen_at > LONG_AGO


def test_sign_out_everywhere_ends_every_session_and_the_api_token(organisations, alpha, client_for):
    laptop = client_for(alpha, "m1-user@alpha.test")
    phone = client_for(alpha, "m1-user@alpha.test")
    colleague = client_for(alpha, "m1-admin@alpha.test")
    with tenant_context(alpha):
        token = Token.objects.create(user=User.objects.get(email="m1-user@alpha.test"))
    response = laptop.post("/compte/sessions/fin/")
    assert response.status_code == 302 and response["Location"] == "/compte/connexion/"
    assert laptop.get("/").status_code == 302
    assert phone.get("/").status_code == 302
    assert colleague.get("/").status_code == 200
    api = Client(HTTP_HOST=host_of(alpha))
    assert api.get("/api/access/me/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 401
    with tenant_context(alpha):
        assert not UserSession.objects.filter(user__email="m1-user@alpha.test").exists()


def test_password_change_keeps_this_session_and_ends_the_others(organisations, alpha, client_for):
    here = client_for(alpha, "m1-user@alpha.test")
    elsewhere = client_for(alpha, "m1-user@alpha.test")
    response = change(here)
    assert response.status_code == 302 and response["Location"] == "/compte/"
    assert here.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    with tenant_context(alpha):
        user = User.objects.get(email="m1-user@alpha.test")
        assert user.check_password(NEW)
        kept = UserSession.objects.get(user=user)
        assert kept.session_key == here.cookies[settings.SESSION_COOKIE_NAME].value
    assert "cette session" in here.get("/compte/").content.decode()


def test_password_change_needs_the_current_password_and_a_strong_new_one(organisations, alpha, client_for):
    client = client_for(alpha, "m1-user@alpha.test")
    wrong = change(client, old="not my password")
    assert wrong.status_code == 400 and "Mot de passe actuel incorrect." in wrong.content.decode()
    weak = change(client, new="motdepasse12")
    assert weak.status_code == 400 and "trop facile à deviner" in weak.content.decode()
    with tenant_context(alpha):
        assert User.objects.get(email="m1-user@alpha.test").check_password(PASSWORD)


def test_guessing_the_current_password_is_throttled(organisations, alpha, client_for):
    client = client_for(alpha, "m1-user@alpha.test")
    for _ in range(5):
        change(client, old="not my password")
    assert change(client).status_code == 429


def test_api_token_is_shown_once_regenerated_and_deleted(organisations, alpha, client_for):
    client = client_for(alpha, "m1-user@alpha.test")
    created = client.post("/compte/jeton/", {"action": "create"})
    with tenant_context(alpha):
        first = Token.objects.get(user__email="m1-user@alpha.test").key
    assert created.status_code == 200 and first in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    later = client.get("/compte/").content.decode()
    assert first not in later and "Un jeton existe depuis" in later
    client.post("/compte/jeton/", {"action": "create"})
    with tenant_context(alpha):
        second = Token.objects.get(user__email="m1-user@alpha.test").key
    assert second != first
    api = Client(HTTP_HOST=host_of(alpha))
    assert api.get("/api/access/me/", HTTP_AUTHORIZATION=f"Token {first}").status_code == 401
    assert api.get("/api/access/me/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 200
    client.post("/compte/jeton/", {"action": "delete"})
    assert api.get("/api/questions/", HTTP_AUTHORIZATION=f"Token {second}").status_code == 401


def test_account_pages_want_a_signed_in_person(organisations, alpha):
    client = Client(HTTP_HOST=host_of(alpha))
    for path in ("/compte/", "/compte/mot-de-passe/", "/compte/sessions/fin/", "/compte/jeton/"):
        response = client.post(path) if path != "/compte/" else client.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/"), path


def test_header_links_to_my_account(organisations, alpha, client_for):
    page = client_for(alpha, "m1-user@alpha.test").get("/").content.decode()
    assert 'href="/compte/"' in page
