"""Fixtures of the members tests: clients of alpha's people and the members of `tests.world`."""

import pytest
from django_tenants.utils import tenant_context

from core.members.models import Member
from tests.world import person


@pytest.fixture
def in_alpha(alpha):
    """Run the test body inside alpha's schema."""
    with tenant_context(alpha):
        yield alpha


@pytest.fixture
def in_beta(beta):
    with tenant_context(beta):
        yield beta


@pytest.fixture
def member_of():
    """The member of `tests.world` called `key` ("m1", "m2") in the organisation `org`."""

    def find(org, key: str) -> Member:
        with tenant_context(org):
            return Member.objects.get(name={"m1": "Société Un", "m2": "Société Deux"}[key])

    return find


@pytest.fixture
def staff_client(client_for, alpha):
    return client_for(alpha, "admin@alpha.test")


@pytest.fixture
def person_client(client_for, alpha):
    """A logged-in client of one of alpha's member people, e.g. `person_client("m1_admin")`."""

    def make(key: str, org=None):
        return client_for(org or alpha, person((org or alpha).slug, key))

    return make
