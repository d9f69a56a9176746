"""Pages answer in a constant number of queries, whatever the number of modules or entries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


def count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/", "/administration/modules/"])
def test_member_space_pages_have_a_small_fixed_query_count(organisations, client_for, alpha, path):
    from tenants.services import organisation_module_set

    client = client_for(alpha, "admin@alpha.test")
    with_two_modules = count(client, path)
    organisation_module_set(actor=None, organisation=alpha, key="purchasing", enabled=True)
    organisation_module_set(actor=None, organisation=alpha, key="health", enabled=True)
    assert count(client, path) == with_two_modules
    # two SET search_path, the domain lookup, the session and the user
    assert with_two_modules <= 5


def test_search_path_is_set_per_request_not_per_query(organisations, client_for, alpha):
    """TENANT_LIMIT_SET_CALLS: public for the domain lookup, then the organisation; no more."""
    client = client_for(alpha, "admin@alpha.test")
    with CaptureQueriesContext(connection) as queries:
        client.get("/administration/modules/")
    sets = [query["sql"] for query in queries if "search_path" in query["sql"].lower()]
    assert sets == ['SET search_path = "public"', 'SET search_path = "alpha","public"']
