"""The members list pages and list endpoints answer in the same number of queries for 1 or 30 rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from stdnum import luhn

from core.access.models import Membership
from core.accounts.models import User
from core.members.models import Address, Establishment
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


def company_siret(company: int, site: int = 1) -> str:
    """A valid SIRET of site `site` of company `company` (both the SIREN and the SIRET pass Luhn)."""
    siren = f"{company:08d}" + luhn.calc_check_digit(f"{company:08d}")
    base = siren + f"{site:04d}"
    return base + luhn.calc_check_digit(base)


def establish(member, count: int) -> None:
    """`count` establishments of `member` (same SIREN), each with a contact of the member."""
    for number in range(count):
        siret = company_siret(int(member.siren[:8]), 10 + number)
        Establishment.objects.create(member=member, name=f"Site {number:02d}", siret=siret)
        user = User.objects.create_user(f"site{member.pk}-{number}@example.test", None)
        Membership.objects.create(user=user, member=member)


def test_a_members_record_and_its_lists_cost_the_same_for_1_or_30_rows(staff_client, alpha):
    """The record page lists establishments and contacts; the API lists establishments and addresses."""
    with tenant_context(alpha):
        one = member_create(actor=None, name="Petit", identifier=company_siret(950))
        many = member_create(actor=None, name="Grand", identifier=company_siret(951))
        establish(one, 1)
        establish(many, 30)
        Address.objects.create(member=one, kind="head_office", line1="1 rue", postcode="69001", city="Lyon")
        for kind in ("head_office", "mailing", "billing"):
            Address.objects.create(member=many, kind=kind, line1="1 rue", postcode="69001", city="Lyon")
    for path in ("/adherents/{}/", "/api/members/{}/establishments/", "/api/members/{}/addresses/"):
        one_count, response = queries(staff_client, path.format(one.pk), {})
        assert "Site 00" in response.content.decode() or "addresses" in path
        many_count, response = queries(staff_client, path.format(many.pk), {})
        assert "Site 24" in response.content.decode() or "addresses" in path
        assert one_count == many_count, path


def test_the_import_preview_costs_the_same_for_1_or_30_rows(staff_client, alpha):
    """Every row is checked against the members and accounts in a fixed number of queries."""
    import io

    def preview_queries(count: int) -> int:
        lines = ["raison_sociale;siret;email_administrateur"]
        lines += [f"Lot {n:02d};{siret_for(960 + n)};admin{n}@example.test" for n in range(count)]
        lines.append(f"Société Un;{siret_for(101)};")  # an update too
        file = io.BytesIO("\n".join(lines).encode())
        file.name = "adherents.csv"
        with CaptureQueriesContext(connection) as captured:
            response = staff_client.post("/adherents/import/", {"file": file})
        assert response.status_code == 200 and response.context["preview"].to_create == count
        return len(captured)

    assert preview_queries(1) == preview_queries(30)
