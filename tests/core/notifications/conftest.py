"""Helpers of the notification tests: the world's memberships, looked up in an organisation."""

import pytest
from django_tenants.utils import tenant_context

from core.access.models import Membership
from tests.world import person


@pytest.fixture
def membership_of():
    """`membership_of(org, "m1_user")`: that person's membership (read in the organisation)."""

    def get(organisation, key: str) -> Membership:
        with tenant_context(organisation):
            return Membership.objects.select_related("user", "member").get(user__email=person(organisation.slug, key))

    return get
