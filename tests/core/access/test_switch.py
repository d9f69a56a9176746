""" "Changer d'adhérent": the header switcher, the "Mes adhérents" list, and acting for one member only."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.access.models import MemberRole, Membership, MembershipKind, MembershipState
from core.accounts.models import User
from core.members.models import Member
from tests.core.access.conftest import attach
from tests.world import siret_for

pytestmark = pytest.mark.django_db

SWITCH = "/acces/changer-adherent/"


@pytest.fixture
def firm(alpha, person_client):
    """The accounting firm acts for M1 (user) and M2 (administrator); logged in."""
    attach(
        alpha,
        email="m1-delegate@alpha.test",
        member_key="m2",
        kind=MembershipKind.DELEGATE,
        role=MemberRole.ADMINISTRATOR,
    )
    return person_client("m1_delegate")


def header(client) -> str:
    body = client.get("/").content.decode()
    return body.split("<main")[0]


def test_one_membership_shows_the_member_name_only(person_client):
    top = header(person_client("m1_admin"))
    assert "Vous agissez pour <strong>Société Un</strong>" in top
    assert 'name="member"' not in top


def test_staff_see_no_switcher(person_client):
    assert "Vous agissez pour" not in header(person_client("staff"))


def test_two_memberships_show_a_switcher_and_pending_ones_do_not_count(alpha, person_client, firm):
    top = header(firm)
    assert '<select id="member-switcher" name="member">' in top
    assert ">Société Deux</option>" in top and ">Société Un</option>" in top
    # a third member, still pending, is not offered
    with tenant_context(alpha):
        third = Member.objects.create(name="Société Trois", siret=siret_for(777))
    with tenant_context(alpha):
        Membership.objects.create(
            user=User.objects.get(email="m1-delegate@alpha.test"), member=third, state=MembershipState.PENDING
        )
    assert "Société Trois" not in header(firm)
    assert "Société Trois" not in firm.get(SWITCH).content.decode()


def test_switching_makes_pages_and_api_act_for_the_new_member_only(alpha, firm, member_of):
    m1, m2 = member_of(alpha, "m1"), member_of(alpha, "m2")
    response = firm.post(SWITCH, {"member": m1.pk, "next": "/acces/utilisateurs/"})
    assert response.status_code == 302 and response["Location"] == "/acces/utilisateurs/"
    page = firm.get("/acces/utilisateurs/").content.decode()
    assert "Utilisateurs de Société Un" in page and "m2-admin@alpha.test" not in page
    assert "Inviter une personne" not in page  # a plain user of M1
    assert firm.get("/api/access/active-member/").json()["member"]["id"] == m1.pk
    assert firm.get(f"/api/access/members/{m2.pk}/contacts/").status_code == 404

    firm.post(SWITCH, {"member": m2.pk})
    page = firm.get("/acces/utilisateurs/").content.decode()
    assert "Utilisateurs de Société Deux" in page and "m1-admin@alpha.test" not in page
    assert "Inviter une personne" in page  # administrator of M2
    assert firm.get(f"/api/access/members/{m1.pk}/contacts/").status_code == 404
    assert firm.get(f"/api/access/members/{m2.pk}/contacts/").status_code == 200
    # remembered on the account: a new session starts on M2
    with tenant_context(alpha):
        assert User.objects.get(email="m1-delegate@alpha.test").last_member_id == m2.pk


def test_rights_follow_the_active_member(alpha, person_client, member_of):
    """The firm may update M1's record (a right M1 granted) but not M2's, where it is a plain user:
    without an object, a right is asked of the active member."""
    attach(alpha, email="m1-delegate@alpha.test", member_key="m2", kind=MembershipKind.DELEGATE)
    client = person_client("m1_delegate")
    m1, m2 = member_of(alpha, "m1"), member_of(alpha, "m2")
    client.post(SWITCH, {"member": m1.pk})
    assert "Modifier la fiche" in client.get("/adherents/fiche/").content.decode()
    client.post(SWITCH, {"member": m2.pk})
    profile = client.get("/adherents/fiche/").content.decode()
    assert "Société Deux" in profile and "Modifier la fiche" not in profile
    with tenant_context(alpha):
        user = User.objects.get(email="m1-delegate@alpha.test")
        assert user.has_perm("members.change_member", m1) and not user.has_perm("members.change_member", m2)


def test_next_must_be_a_page_of_this_host(alpha, firm, member_of):
    m1 = member_of(alpha, "m1")
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = firm.post(SWITCH, {"member": m1.pk, "next": target})
        assert response.status_code == 302 and response["Location"] == "/", target


def test_switching_to_a_member_not_theirs_is_404(alpha, person_client, member_of):
    client = person_client("m1_admin")
    assert client.post(SWITCH, {"member": member_of(alpha, "m2").pk}).status_code == 404
    assert client.post(SWITCH, {"member": "999999"}).status_code == 404
    assert client.post(SWITCH, {"member": "abc"}).status_code == 404
    assert client.get("/api/access/active-member/").json()["member"]["name"] == "Société Un"


def test_my_members_list_is_searchable(firm):
    page = firm.get(SWITCH).content.decode()
    assert "Mes adhérents" in page and "Société Un" in page and "Société Deux" in page
    found = firm.get(SWITCH, {"q": "deux"}).content.decode()
    assert "Société Deux" in found and "Société Un" not in found.split("<main")[1]


def _more_members(alpha, count: int) -> None:
    with tenant_context(alpha):
        user = User.objects.get(email="m1-delegate@alpha.test")
        for index in range(count):
            member = Member.objects.create(name=f"Client {index:02d}", siret=siret_for(500 + index))
            Membership.objects.create(
                user=user, member=member, kind=MembershipKind.DELEGATE, state=MembershipState.ACTIVE
            )


def test_switcher_list_and_header_query_count_does_not_grow_with_members(alpha, firm):
    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert firm.get(path).status_code == 200
        return len(queries)

    few = (count(SWITCH), count("/"))
    _more_members(alpha, 20)
    assert (count(SWITCH), count("/")) == few
    # past 15 members the header links to the searchable list instead of a long select
    top = header(firm)
    assert 'id="member-switcher"' not in top and f'href="{SWITCH}"' in top
