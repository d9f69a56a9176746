"""No answer tells whether an account exists (SECURITY-MATRIX 18): same status, same page."""

import pytest
from django.test import Client

from tests.conftest import host_of
from tests.world import siret_for

from .conftest import outbox, policy, without_csrf

pytestmark = pytest.mark.django_db


def answers(organisation, path: str, field: str, value: str) -> tuple:
    """Status, redirect and text of the answer to the request, then of the page it leads to."""
    client = Client(HTTP_HOST=host_of(organisation))
    posted = client.post(path, {field: value})
    followed = client.get(posted["Location"]) if posted.status_code == 302 else posted
    return (
        posted.status_code,
        posted.get("Location"),
        without_csrf(posted.content).replace(value, "VALUE"),
        followed.status_code,
        without_csrf(followed.content).replace(value, "VALUE"),
    )


@pytest.mark.parametrize(
    ("path", "field", "methods"),
    [
        ("/compte/mot-de-passe-oublie/", "email", ["password"]),
        ("/compte/code/", "email", ["email_code"]),
        ("/compte/premiere-connexion/", "identifier", ["first_connection_link"]),
    ],
)
def test_existing_and_unknown_addresses_get_the_same_answer(organisations, alpha, path, field, methods):
    policy(alpha, *methods)
    before = len(outbox(alpha))
    existing = answers(alpha, path, field, "m1-user@alpha.test")
    assert len(outbox(alpha)) == before + 1  # something did leave for the real account
    unknown = answers(alpha, path, field, "nobody@alpha.test")
    assert existing == unknown
    assert existing[0] == 302 and existing[3] == 200


def test_known_and_unknown_siret_get_the_same_answer(organisations, alpha):
    policy(alpha, "first_connection_link")
    known = answers(alpha, "/compte/premiere-connexion/", "identifier", siret_for(101))
    unknown = answers(alpha, "/compte/premiere-connexion/", "identifier", siret_for(555))
    assert known == unknown


def test_login_failure_reads_the_same_for_both(organisations, alpha):
    client = Client(HTTP_HOST=host_of(alpha))
    pages = []
    for email in ("m1-user@alpha.test", "nobody@alpha.test"):
        response = client.post("/compte/connexion/", {"username": email, "password": "not the password"})
        pages.append((response.status_code, without_csrf(response.content).replace(email, "EMAIL")))
    assert pages[0] == pages[1]
