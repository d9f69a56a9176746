"""Switching modules on and off: every route 404s, menus drop it, data is kept, jobs stop."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from core.errors import DomainError
from core.jobs.scheduler import schemas_for_job
from core.modules.registry import registry
from core.modules.settings import module_settings_get
from tenants.services import organisation_module_set

pytestmark = pytest.mark.django_db


def module_paths(key: str) -> list[str]:
    """Every page and API path of a module, read from the URL resolver (so new routes are covered)."""
    paths = []

    def walk(patterns, prefix, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), namespaces + [pattern.namespace])
            elif isinstance(pattern, URLPattern) and registry.module_of_namespaces(namespaces) == key:
                paths.append("/" + (prefix + str(pattern.pattern)).replace("^", "").replace("$", ""))

    walk(get_resolver("config.urls_tenant").url_patterns, "", [])
    return paths


@pytest.mark.parametrize("key", registry.keys())
def test_every_registered_module_has_pages_and_api(key):
    paths = module_paths(key)
    assert f"/{key}/" in paths and f"/api/{key}/" in paths


def test_disabled_module_answers_404_on_every_route_and_leaves_the_menu(organisations, client_for, alpha):
    client = client_for(alpha, "admin@alpha.test")
    assert "health" not in alpha.enabled_modules
    for path in module_paths("health"):
        assert client.get(path).status_code == 404, path
    # The switched-on module's routes without an id answer (a page, a redirect, or 405 for POST-only ones).
    for path in module_paths("questions"):
        if "<" not in path:
            assert client.get(path).status_code != 404, path
    home = client.get("/").content.decode()
    assert 'href="/questions/a-traiter/"' in home and 'href="/health/"' not in home


def test_toggle_off_and_on_through_the_settings_page(organisations, client_for, alpha):
    client = client_for(alpha, "admin@alpha.test")
    response = client.post("/administration/modules/questions/activation/", {"enabled": "0"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Activer" in response.content.decode()
    assert client.get("/questions/").status_code == 404
    assert client.get("/api/questions/").status_code == 404
    assert 'href="/questions/' not in client.get("/").content.decode()
    client.post("/administration/modules/questions/activation/", {"enabled": "1"})
    assert client.get("/questions/a-traiter/").status_code == 200
    assert client.get("/api/questions/").json()["count"] == 0


def test_module_data_survives_a_toggle(organisations, alpha):
    from django_tenants.utils import tenant_context

    from core.modules.settings import module_settings_save

    with tenant_context(alpha):
        values = {**module_settings_get("questions"), "answer_delay_working_days": "7"}
        module_settings_save(actor=None, key="questions", values=values)
        organisation_module_set(actor=None, organisation=alpha, key="questions", enabled=False)
        organisation_module_set(actor=None, organisation=alpha, key="questions", enabled=True)
        assert module_settings_get("questions")["answer_delay_working_days"] == 7


def test_module_outside_the_plan_cannot_be_switched_on(organisations, client_for, beta):
    with pytest.raises(DomainError) as refused:
        organisation_module_set(actor=None, organisation=beta, key="billing", enabled=True)
    assert "offre" in refused.value.message
    client = client_for(beta, "admin@beta.test")
    assert client.post("/administration/modules/billing/activation/", {"enabled": "1"}).status_code == 404
    with pytest.raises(DomainError):
        organisation_module_set(actor=None, organisation=beta, key="teleportation", enabled=True)


def test_only_the_organisation_admin_toggles(organisations, client_for, alpha):
    jurist = client_for(alpha, "jurist@alpha.test")
    assert jurist.get("/administration/modules/").status_code == 403
    assert jurist.post("/administration/modules/questions/activation/", {"enabled": "0"}).status_code == 403
    alpha.refresh_from_db()
    assert "questions" in alpha.enabled_modules
    anonymous = client_for(alpha)
    assert anonymous.post("/administration/modules/questions/activation/", {"enabled": "0"}).status_code == 302


def test_settings_form_validates(organisations, client_for, alpha):
    client = client_for(alpha, "admin@alpha.test")
    limits = {"attachment_max_mb": "10", "attachment_max_count": "5"}
    response = client.post("/administration/modules/questions/reglages/", {"answer_delay_working_days": "0", **limits})
    assert response.status_code == 200 and "supérieure ou égale à 1" in response.content.decode()
    response = client.post(
        "/administration/modules/questions/reglages/",
        {"answer_delay_working_days": "6", "alsace_moselle": "on", **limits},
    )
    assert response.status_code == 302


def test_scheduled_jobs_follow_the_switch(organisations, alpha, beta):
    assert set(schemas_for_job("health")) == {"beta"}
    organisation_module_set(actor=None, organisation=alpha, key="health", enabled=True)
    assert set(schemas_for_job("health")) == {"alpha", "beta"}
    organisation_module_set(actor=None, organisation=beta, key="health", enabled=False)
    assert set(schemas_for_job("health")) == {"alpha"}
    # Core jobs reach every active organisation, and the public schema only when asked.
    assert {"alpha", "beta"} <= set(schemas_for_job(None))
    assert "public" not in schemas_for_job(None) and "public" in schemas_for_job(None, "all")


def test_database_refuses_a_module_switched_on_outside_the_plan(organisations, beta):
    """Whatever path writes the row, an enabled module must be in the plan."""
    from django.db import IntegrityError, transaction

    from tenants.models import Organisation

    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=beta.pk).update(enabled_modules=["billing"])
