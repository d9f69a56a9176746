"""Nothing crosses organisations: cache entries, files, sessions, audit rows."""

import uuid

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context, tenant_context

pytestmark = pytest.mark.django_db


def test_cache_entry_of_alpha_is_invisible_from_beta(organisations, alpha, beta):
    key = f"dashboard-{uuid.uuid4().hex}"  # Redis is not rolled back between runs
    with tenant_context(alpha):
        cache.set(key, "alpha's figures", 60)
        assert cache.get(key) == "alpha's figures"
    with tenant_context(beta):
        assert cache.get(key) is None
        cache.set(key, "beta's figures", 60)
    with tenant_context(alpha):
        assert cache.get(key) == "alpha's figures"
    with schema_context("public"):
        assert cache.get(key) is None


def test_every_cache_key_carries_the_schema(organisations, alpha):
    """Read the keys in Redis itself: the schema is part of every one."""
    import redis
    from django.conf import settings

    key = f"probe-{uuid.uuid4().hex}"
    with tenant_context(alpha):
        cache.set(key, 1, 60)
    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"])
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    keys = [found.decode() for found in raw.scan_iter(match=f"*{key}*")]
    assert keys == [f"alpha:{prefix}:1:{key}"]


def test_file_of_alpha_is_invisible_from_beta(organisations, alpha, beta):
    with tenant_context(alpha):
        name = default_storage.save("documents/contrat.pdf", ContentFile(b"%PDF-1.4 alpha"))
        path_alpha = default_storage.path(name)
        assert default_storage.exists(name)
    with tenant_context(beta):
        assert not default_storage.exists(name)
        assert default_storage.path(name) != path_alpha
        assert "/beta/" in default_storage.path(name)
    with tenant_context(alpha):
        default_storage.delete(name)
    assert "/alpha/" in path_alpha


def test_alpha_session_cookie_is_not_a_session_on_beta(organisations, client_for, alpha, beta):
    alpha_client = client_for(alpha, "admin@alpha.test")
    assert alpha_client.get("/").status_code == 200
    cookie = alpha_client.cookies["sessionid"]
    assert not cookie["domain"], "session cookies must be host-only"
    from django.test import Client

    replay = Client(HTTP_HOST="beta.localhost")
    replay.cookies["sessionid"] = cookie.value
    response = replay.get("/")
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]
    replay_on_console = Client(HTTP_HOST="localhost")
    replay_on_console.cookies["sessionid"] = cookie.value
    assert replay_on_console.get("/").status_code == 302


def test_same_email_in_two_organisations_is_two_accounts(organisations, alpha, beta, client_for):
    from core.accounts.models import User

    with tenant_context(alpha):
        alpha_user = User.objects.create_user("shared@person.test", "alpha-password-long-enough")
    with tenant_context(beta):
        beta_user = User.objects.create_user("shared@person.test", "beta-password-long-enough")
    assert alpha_user.pk is not None and beta_user.pk is not None
    client = client_for(beta)
    response = client.post(
        "/compte/connexion/", {"username": "shared@person.test", "password": "alpha-password-long-enough"}
    )
    assert response.status_code == 200  # alpha's password does not open beta's account


def test_audit_entries_stay_in_their_schema(organisations, alpha, beta):
    from core.audit.models import AuditEntry
    from tenants.services import organisation_module_set

    with tenant_context(alpha):
        before_alpha = AuditEntry.objects.count()
        organisation_module_set(actor=None, organisation=alpha, key="questions", enabled=False)
        assert AuditEntry.objects.count() == before_alpha + 1
    with tenant_context(beta):
        assert not AuditEntry.objects.filter(action="organisation.module_off", target_id=str(alpha.pk)).exists()
