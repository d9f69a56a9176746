"""Acting for one member at a time: someone who acts for M1 and M2 reaches only the active one."""

import pytest

from core.access.models import MemberRole
from tests.core.access.conftest import attach
from tests.world import person

pytestmark = pytest.mark.django_db


@pytest.fixture
def firm_of_both(alpha, member_of, person_client):
    """M1's delegate, made administrator of M2 as well; the session starts on M1 (first by name:
    "Société Deux" < "Société Un", so switch explicitly)."""
    attach(alpha, email=person("alpha", "m1_delegate"), member_key="m2", role=MemberRole.ADMINISTRATOR)
    client = person_client("m1_delegate")
    m1, m2 = member_of(alpha, "m1"), member_of(alpha, "m2")
    assert client.post("/acces/changer-adherent/", {"member": m1.pk}).status_code == 302
    return client, m1, m2


def test_pages_reach_only_the_active_member(firm_of_both):
    client, m1, m2 = firm_of_both
    assert client.get(f"/adherents/{m1.pk}/modifier/").status_code == 200
    assert client.get(f"/adherents/{m2.pk}/modifier/").status_code == 404
    assert client.get(f"/acces/adherents/{m2.pk}/utilisateurs/").status_code == 404

    client.post("/acces/changer-adherent/", {"member": m2.pk})
    assert client.get(f"/adherents/{m2.pk}/modifier/").status_code == 200
    assert client.get(f"/adherents/{m1.pk}/modifier/").status_code == 404


def test_api_reaches_only_the_active_member(firm_of_both):
    client, m1, m2 = firm_of_both
    listed = [row["id"] for row in client.get("/api/members/").json()["results"]]
    assert listed == [m1.pk]
    assert client.get(f"/api/members/{m2.pk}/").status_code == 404
    # The header picks another member for one call, among those the person acts for.
    assert client.get(f"/api/members/{m2.pk}/", HTTP_X_ADHERA_MEMBER=str(m2.pk)).status_code == 200
    assert client.get(f"/api/members/{m1.pk}/", HTTP_X_ADHERA_MEMBER=str(m2.pk)).status_code == 404


def test_people_of_the_other_member_are_out_of_reach(firm_of_both, membership_of, alpha):
    """The people pages and API rely on the same rules: while acting for M1, M2's people answer
    404, though the person administers M2 too."""
    client, m1, m2 = firm_of_both
    other = membership_of(alpha, "m2_admin", "m2")
    assert client.get(f"/api/access/members/{m2.pk}/contacts/").status_code == 404
    assert client.get(f"/api/access/contacts/{other.pk}/").status_code == 404
    assert client.get(f"/acces/utilisateurs/{other.pk}/").status_code == 404
    assert client.post(f"/acces/utilisateurs/{other.pk}/retirer/").status_code == 404

    client.post("/acces/changer-adherent/", {"member": m2.pk})
    assert client.get(f"/api/access/members/{m2.pk}/contacts/").status_code == 200
    assert client.get(f"/acces/utilisateurs/{other.pk}/").status_code == 200
    assert client.get(f"/api/access/members/{m1.pk}/contacts/").status_code == 404
