"""Host → organisation: unknown hosts, suspended and archived organisations, the console."""

import pytest

from core.errors import Conflict
from tenants.models import OrganisationStatus
from tenants.services import organisation_change_status

from ..conftest import OPERATOR_EMAIL

pytestmark = pytest.mark.django_db


def test_unknown_subdomain_gets_the_platform_404(organisations, client):
    response = client.get("/", HTTP_HOST="nobody.localhost")
    assert response.status_code == 404
    assert "Espace introuvable" in response.content.decode()
    assert "Alpha" not in response.content.decode()


def test_host_outside_the_platform_is_a_404_not_a_500(organisations, client):
    response = client.get("/", HTTP_HOST="evil.example.com")
    assert response.status_code in (400, 404)


def test_each_host_serves_its_own_organisation(organisations, client_for, alpha, beta):
    alpha_page = client_for(alpha, "admin@alpha.test").get("/").content.decode()
    beta_page = client_for(beta, "admin@beta.test").get("/").content.decode()
    assert "Alpha Union" in alpha_page and "Beta Santé" not in alpha_page
    assert "Beta Santé" in beta_page and "Alpha Union" not in beta_page


@pytest.mark.parametrize(
    "transition, status, text",
    [
        ("suspend", 403, "suspendu"),
        ("archive", 410, "fermé"),
    ],
)
def test_suspended_or_archived_organisation_shows_a_french_page(
    organisations, client_for, alpha, transition, status, text
):
    client = client_for(alpha, "admin@alpha.test")
    organisation_change_status(actor=None, organisation=alpha, transition=transition)
    for path in ("/", "/questions/", "/api/questions/", "/compte/connexion/"):
        response = client.get(path)
        assert response.status_code == status, path
        assert text in response.content.decode()


def test_resume_restores_access(organisations, client_for, alpha):
    client = client_for(alpha, "admin@alpha.test")
    organisation_change_status(actor=None, organisation=alpha, transition="suspend")
    assert client.get("/").status_code == 403
    organisation_change_status(actor=None, organisation=alpha, transition="resume")
    assert client.get("/").status_code == 200


def test_status_transitions_are_checked(organisations, alpha):
    with pytest.raises(Conflict):
        organisation_change_status(actor=None, organisation=alpha, transition="resume")
    organisation_change_status(actor=None, organisation=alpha, transition="archive")
    with pytest.raises(Conflict):
        organisation_change_status(actor=None, organisation=alpha, transition="suspend")
    alpha.refresh_from_db()
    assert alpha.status == OrganisationStatus.ARCHIVED


def test_operator_console_lists_and_suspends(organisations, client_for, alpha, django_assert_max_num_queries):
    console = client_for(None, OPERATOR_EMAIL)
    with django_assert_max_num_queries(8):
        page = console.get("/")
    assert page.status_code == 200
    assert "Alpha Union" in page.content.decode() and "Beta Santé" in page.content.decode()
    assert "Cotisations et factures, Questions juridiques" in page.content.decode()  # alpha's modules, by label
    response = console.post(f"/organisations/{alpha.slug}/suspend/")
    assert response.status_code == 302
    alpha.refresh_from_db()
    assert alpha.status == OrganisationStatus.SUSPENDED


def test_console_query_count_does_not_grow_with_organisations(organisations, client_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tenants.services import OrganisationInput, organisation_create

    console = client_for(None, OPERATOR_EMAIL)
    with CaptureQueriesContext(connection) as few:
        console.get("/")
    for slug in ("q-one", "q-two", "q-three"):
        organisation_create(
            actor=None,
            data=OrganisationInput(
                name=slug, slug=slug, kind="other", identity_scheme="siret", admin_email=f"a@{slug}.test"
            ),
        )
    with CaptureQueriesContext(connection) as many:
        console.get("/")
    assert len(many) == len(few)


def test_console_onboards_from_the_form(organisations, client_for):
    console = client_for(None, OPERATOR_EMAIL)
    response = console.post(
        "/organisations/nouvelle/",
        {
            "name": "Epsilon",
            "slug": "epsilon",
            "kind": "other",
            "identity_scheme": "siret",
            "login_methods": ["password"],
            "allowed_modules": ["questions"],
            "primary_colour": "#123456",
            "admin_email": "admin@epsilon.test",
            "extra_domains": "",
        },
    )
    assert response.status_code == 302
    from tenants.models import Organisation

    assert Organisation.objects.get(slug="epsilon").enabled_modules == ["questions"]


def test_console_shows_errors_next_to_fields(organisations, client_for):
    console = client_for(None, OPERATOR_EMAIL)
    response = console.post(
        "/organisations/nouvelle/",
        {
            "name": "Bad",
            "slug": "www",
            "kind": "other",
            "identity_scheme": "siret",
            "login_methods": ["password"],
            "primary_colour": "#123456",
            "admin_email": "admin@bad.test",
        },
    )
    assert response.status_code == 200
    assert "est réservé" in response.content.decode()


def test_console_refuses_non_operators(organisations, client_for, alpha):
    anonymous = client_for(None)
    assert anonymous.get("/").status_code == 302  # to the login page
    # An organisation's administrator has no account on the platform host.
    response = anonymous.post("/compte/connexion/", {"username": "admin@alpha.test", "password": "x" * 20})
    assert response.status_code == 200
    assert "incorrect" in response.content.decode()


def test_operator_changes_the_plan_and_the_modules_follow(organisations, client_for, alpha):
    console = client_for(None, OPERATOR_EMAIL)
    member_space = client_for(alpha, "admin@alpha.test")
    assert member_space.get("/questions/a-traiter/").status_code == 200
    response = console.post(f"/organisations/{alpha.slug}/offre/", {"allowed_modules": ["billing", "health"]})
    assert response.status_code == 302
    alpha.refresh_from_db()
    assert alpha.allowed_modules == ["billing", "health"] and alpha.enabled_modules == ["billing"]
    assert member_space.get("/questions/a-traiter/").status_code == 404
    assert member_space.post("/administration/modules/questions/activation/", {"enabled": "1"}).status_code == 404
    console.post(f"/organisations/{alpha.slug}/offre/", {"allowed_modules": ["billing", "health", "questions"]})
    assert member_space.get("/questions/a-traiter/").status_code == 404  # back in the plan, still off
    member_space.post("/administration/modules/questions/activation/", {"enabled": "1"})
    assert member_space.get("/questions/a-traiter/").status_code == 200


def test_plan_page_is_for_operators_only(organisations, client_for, alpha):
    assert client_for(None).get(f"/organisations/{alpha.slug}/offre/").status_code == 302
    # on the organisation's host the console does not exist at all
    assert client_for(alpha, "admin@alpha.test").get(f"/organisations/{alpha.slug}/offre/").status_code == 404
