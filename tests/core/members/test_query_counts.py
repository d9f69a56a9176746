"""The members list page and list endpoint answer in the same number of queries for 1 or 30 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.access.models import Membership
from core.accounts.models import User
from core.members.models import Address
from core.members.services import member_create
from tests.world import siret_for

pytestmark = pytest.mark.django_db


def populate(alpha, count: int) -> None:
    """`count` members called "Lot …", each with a head office, an establishment and a contact."""
    with tenant_context(alpha):
        for number in range(count):
            member = member_create(actor=None, name=f"Lot {number:02d}", identifier=siret_for(900 + number))
            Address.objects.create(member=member, kind="head_office", line1="1 rue", postcode="69001", city="Lyon")
            Address.objects.create(member=member, kind="billing", line1="BP 1", postcode="69001", city="Lyon")
            user = User.objects.create_user(f"lot{number}@example.test", None)
            Membership.objects.create(user=user, member=member)


def queries(client, path: str, params: dict) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, params)
    assert response.status_code == 200
    return len(captured), response


@pytest.mark.parametrize("path", ["/adherents/", "/api/members/"])
def test_one_row_and_thirty_rows_cost_the_same(staff_client, alpha, path):
    populate(alpha, 30)
    one, response = queries(staff_client, path, {"q": "Lot 07"})
    assert "Lot 07" in response.content.decode()
    thirty, response = queries(staff_client, path, {"q": "Lot"})
    assert "Lot 24" in response.content.decode()
    assert one == thirty


def test_live_search_costs_the_same_too(staff_client, alpha):
    populate(alpha, 30)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "member-results"}
    with CaptureQueriesContext(connection) as one:
        staff_client.get("/adherents/", {"q": "Lot 07"}, **headers)
    with CaptureQueriesContext(connection) as thirty:
        staff_client.get("/adherents/", {"q": "Lot"}, **headers)
    assert len(one) == len(thirty)
