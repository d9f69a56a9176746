"""The API: structured French errors, per-organisation OpenAPI schema, module gating."""

import pytest
from django_tenants.utils import tenant_context
from rest_framework.authtoken.models import Token

from core.accounts.models import User

pytestmark = pytest.mark.django_db


def test_anonymous_call_gets_a_structured_401(organisations, client_for, alpha):
    response = client_for(alpha).get("/api/questions/")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"code", "message", "errors"} and body["code"] == "not_authenticated"
    assert "authentification" in body["message"].lower()


def test_token_of_alpha_is_worthless_on_beta(organisations, client_for, alpha, beta):
    with tenant_context(alpha):
        token = Token.objects.create(user=User.objects.get(email="admin@alpha.test"))
    alpha_client, beta_client = client_for(alpha), client_for(beta)
    assert alpha_client.get("/api/questions/", HTTP_AUTHORIZATION=f"Token {token.key}").status_code == 200
    response = beta_client.get("/api/questions/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401


def test_disabled_module_api_is_a_structured_404(organisations, client_for, alpha):
    client = client_for(alpha, "admin@alpha.test")
    for path in ("/api/health/", "/api/no-such-module/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Introuvable.", "errors": {}}


def test_schema_lists_only_the_enabled_modules(organisations, client_for, alpha, beta):
    alpha_paths = client_for(alpha, "admin@alpha.test").get("/api/schema/?format=json").json()["paths"]
    beta_paths = client_for(beta, "admin@beta.test").get("/api/schema/?format=json").json()["paths"]
    assert "/api/questions/" in alpha_paths and "/api/billing/" in alpha_paths and "/api/health/" not in alpha_paths
    assert "/api/health/" in beta_paths and "/api/billing/" not in beta_paths
