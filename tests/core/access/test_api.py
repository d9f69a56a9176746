"""Access API: who am I, the active member, rights, a member's people; token and session auth."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context
from drf_spectacular.drainage import GENERATOR_STATS

from core.access.models import MemberRole, Membership, MembershipKind, MembershipState
from core.accounts.models import User
from core.members.models import Member
from tests.core.access.conftest import attach, link_token
from tests.world import siret_for

pytestmark = pytest.mark.django_db

ME = "/api/access/me/"
ACTIVE = "/api/access/active-member/"
RIGHTS = "/api/access/rights/"
CONTACT = "/api/access/contacts/"


def contacts_of(member) -> str:
    return f"/api/access/members/{member.pk}/contacts/"


def test_me_tells_who_the_caller_is_and_for_whom_they_act(token_client, alpha, member_of):
    body = token_client("m1-delegate@alpha.test").get(ME).json()
    m1 = member_of(alpha, "m1")
    assert body["email"] == "m1-delegate@alpha.test" and body["staff_role"] == ""
    assert body["active_member"] == {"id": m1.pk, "name": "Société Un", "identifier": m1.identifier}
    assert [(m["member"]["name"], m["role"], m["kind"], m["rights"]) for m in body["memberships"]] == [
        ("Société Un", "user", "delegate", ["members.change_member"])
    ]
    staff = token_client("admin@alpha.test").get(ME).json()
    assert staff["staff_role"] == "admin" and staff["memberships"] == [] and staff["active_member"] is None


def test_anonymous_gets_401(client_for, alpha):
    response = client_for(alpha).get(ME)
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_active_member_is_chosen_by_put_and_kept_for_the_next_token_calls(token_client, alpha, member_of):
    attach(alpha, email="m1-delegate@alpha.test", member_key="m2", kind=MembershipKind.DELEGATE)
    m2 = member_of(alpha, "m2")
    client = token_client("m1-delegate@alpha.test")
    # with no choice yet, the first member by name ("Deux" before "Un")
    assert client.get(ACTIVE).json()["member"]["name"] == "Société Deux"
    m1 = member_of(alpha, "m1")
    chosen = client.put(ACTIVE, {"member": m1.pk}, content_type="application/json")
    assert chosen.status_code == 200 and chosen.json()["member"]["id"] == m1.pk
    assert client.get(ACTIVE).json()["member"]["id"] == m1.pk
    assert client.get(contacts_of(m1)).status_code == 200
    assert client.get(contacts_of(m2)).status_code == 404  # acts for M1 only now


def test_active_member_put_of_a_member_not_theirs_is_a_structured_404(token_client, alpha, member_of):
    client = token_client("m1-delegate@alpha.test")
    for member_id in (member_of(alpha, "m2").pk, 999999):
        response = client.put(ACTIVE, {"member": member_id}, content_type="application/json")
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": "Introuvable.", "errors": {}}
    assert client.put(ACTIVE, {"member": "abc"}, content_type="application/json").status_code == 400
    assert client.put(ACTIVE, {"member": 1, "user": 3}, content_type="application/json").status_code == 400


def test_header_selects_the_member_per_request(token_client, alpha, member_of):
    attach(alpha, email="m1-delegate@alpha.test", member_key="m2", kind=MembershipKind.DELEGATE)
    m1, m2 = member_of(alpha, "m1"), member_of(alpha, "m2")
    client = token_client("m1-delegate@alpha.test")
    for member in (m1, m2):
        header = {"HTTP_X_ADHERA_MEMBER": str(member.pk)}
        assert client.get(ACTIVE, **header).json()["member"]["id"] == member.pk
        assert client.get(contacts_of(member), **header).status_code == 200
    assert client.get(contacts_of(m2), HTTP_X_ADHERA_MEMBER=str(m1.pk)).status_code == 404


def test_header_naming_a_member_not_theirs_is_refused_not_ignored(token_client, alpha, member_of):
    client = token_client("m1-delegate@alpha.test")
    m2 = member_of(alpha, "m2")
    for value in (str(m2.pk), "999999", "abc"):
        response = client.get(ME, HTTP_X_ADHERA_MEMBER=value)
        assert response.status_code == 404, value
        assert "Société" not in response.content.decode()
    assert client.get(contacts_of(m2), HTTP_X_ADHERA_MEMBER=str(m2.pk)).status_code == 404


def test_rights_lists_the_enabled_modules_and_presets(token_client):
    body = token_client("m1-admin@alpha.test").get(RIGHTS).json()
    assert [group["key"] for group in body["groups"]] == ["members", "billing", "questions"]
    codenames = {right["codename"] for group in body["groups"] for right in group["rights"]}
    assert "questions.ask_question" in codenames and not any(c.startswith("health.") for c in codenames)
    presets = {preset["key"]: preset["rights"] for preset in body["presets"]}
    assert presets["human_resources"] == [] and presets["legal"] == ["questions.ask_question"]
    assert {role["value"] for role in body["roles"]} == {"administrator", "user"}


def test_contacts_list_of_the_active_member(token_client, alpha, member_of):
    m1 = member_of(alpha, "m1")
    body = token_client("m1-user@alpha.test").get(contacts_of(m1)).json()
    assert body["count"] == 3
    rows = {row["email"]: row for row in body["results"]}
    assert rows["m1-delegate@alpha.test"]["kind"] == "delegate"
    assert rows["m1-admin@alpha.test"]["role"] == "administrator" and rows["m1-admin@alpha.test"]["state"] == "active"
    assert "m2-admin@alpha.test" not in rows


def test_contacts_of_another_member_answer_the_same_404_as_a_missing_one(token_client, alpha, member_of):
    client = token_client("m1-admin@alpha.test")
    foreign, missing = (
        client.get(contacts_of(member_of(alpha, "m2"))),
        client.get("/api/access/members/999999/contacts/"),
    )
    assert foreign.status_code == missing.status_code == 404 and foreign.json() == missing.json()
    with tenant_context(alpha):
        other = Membership.objects.get(user__email="m2-admin@alpha.test")
    for method in ("get", "patch", "delete"):
        foreign = getattr(client, method)(f"{CONTACT}{other.pk}/", content_type="application/json")
        missing = getattr(client, method)(f"{CONTACT}999999/", content_type="application/json")
        assert foreign.status_code == missing.status_code == 404 and foreign.json() == missing.json()
    assert client.post(f"{CONTACT}{other.pk}/resend/").status_code == 404


def test_invite_through_the_api(token_client, alpha, member_of, client_for):
    m1 = member_of(alpha, "m1")
    response = token_client("m1-admin@alpha.test").post(
        contacts_of(m1),
        {
            "email": "cabinet@alpha.test",
            "full_name": "Cabinet",
            "kind": "delegate",
            "rights": ["billing.view_invoices"],
        },
        content_type="application/json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "pending" and body["kind"] == "delegate" and body["role"] == "user"
    assert body["member"] == m1.pk and body["rights"] == ["billing.view_invoices"]
    assert client_for(alpha).get(f"/acces/validation/{link_token(alpha, 'cabinet@alpha.test')}/").status_code == 200


@pytest.mark.parametrize("field", ["user", "member", "state", "is_staff", "staff_role"])
def test_mass_assignment_is_refused_on_invite(token_client, alpha, member_of, field):
    m1 = member_of(alpha, "m1")
    value = {"user": 1, "member": member_of(alpha, "m2").pk, "state": "active", "is_staff": True, "staff_role": "admin"}
    response = token_client("m1-admin@alpha.test").post(
        contacts_of(m1), {"email": "sly@alpha.test", field: value[field]}, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {field: ["Champ non modifiable."]}
    with tenant_context(alpha):
        assert not User.objects.filter(email="sly@alpha.test").exists()


@pytest.mark.parametrize("field", ["user", "member", "state", "is_staff", "staff_role", "email"])
def test_mass_assignment_is_refused_on_update(token_client, alpha, member_of, field):
    with tenant_context(alpha):
        target = Membership.objects.get(user__email="m1-user@alpha.test")
    value = {
        "user": 1,
        "member": member_of(alpha, "m2").pk,
        "state": "pending",
        "is_staff": True,
        "staff_role": "admin",
        "email": "x@alpha.test",
    }
    response = token_client("m1-admin@alpha.test").patch(
        f"{CONTACT}{target.pk}/", {"role": "administrator", field: value[field]}, content_type="application/json"
    )
    assert response.status_code == 400 and field in response.json()["errors"]
    with tenant_context(alpha):
        after = Membership.objects.select_related("user").get(pk=target.pk)
        assert (after.role, after.state, after.member_id, after.user.staff_role) == (
            MemberRole.USER,
            MembershipState.ACTIVE,
            target.member_id,
            "",
        )


def test_patch_role_and_rights(token_client, alpha):
    with tenant_context(alpha):
        target = Membership.objects.get(user__email="m1-user@alpha.test")
    client = token_client("m1-admin@alpha.test")
    response = client.patch(
        f"{CONTACT}{target.pk}/", {"rights": ["questions.ask_question"]}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["rights"] == ["questions.ask_question"]
    refused = client.patch(
        f"{CONTACT}{target.pk}/", {"rights": ["health.manage_employees"]}, content_type="application/json"
    )
    assert refused.status_code == 400 and "module non activé" in refused.json()["errors"]["rights"][0]
    promoted = client.patch(f"{CONTACT}{target.pk}/", {"role": "administrator"}, content_type="application/json")
    assert promoted.json()["role"] == "administrator"


def test_plain_user_reads_but_cannot_change(token_client, alpha, member_of):
    with tenant_context(alpha):
        target = Membership.objects.get(user__email="m1-delegate@alpha.test")
    client = token_client("m1-user@alpha.test")
    assert client.get(f"{CONTACT}{target.pk}/").status_code == 200
    assert client.patch(f"{CONTACT}{target.pk}/", {"role": "user"}, content_type="application/json").status_code == 403
    assert client.delete(f"{CONTACT}{target.pk}/").status_code == 403
    invite = client.post(
        contacts_of(member_of(alpha, "m1")), {"email": "n@alpha.test"}, content_type="application/json"
    )
    assert invite.status_code == 403


def test_resend_and_delete_a_pending_person(token_client, alpha, member_of, client_for):
    client = token_client("m1-admin@alpha.test")
    created = client.post(
        contacts_of(member_of(alpha, "m1")), {"email": "p@alpha.test"}, content_type="application/json"
    )
    pk = created.json()["id"]
    first = link_token(alpha, "p@alpha.test")
    assert client.post(f"{CONTACT}{pk}/resend/").status_code == 200
    second = link_token(alpha, "p@alpha.test")
    anonymous = client_for(alpha)
    assert anonymous.get(f"/acces/validation/{first}/").status_code == 404
    assert client.delete(f"{CONTACT}{pk}/").status_code == 204
    assert anonymous.get(f"/acces/validation/{second}/").status_code == 404
    with tenant_context(alpha):
        active = Membership.objects.get(user__email="m1-user@alpha.test").pk
    already = client.post(f"{CONTACT}{active}/resend/")
    assert already.status_code == 400 and already.json()["code"] == "already_active"


def test_session_auth_works_with_csrf_and_binds_the_active_member(person_client, alpha, member_of):
    client = person_client("m1_admin")
    assert client.get(ACTIVE).json()["member"]["name"] == "Société Un"
    assert client.get(contacts_of(member_of(alpha, "m1"))).status_code == 200


def test_staff_reach_any_member_but_beta_staff_nothing(token_client, alpha, beta, member_of, client_for):
    m2 = member_of(alpha, "m2")
    assert token_client("admin@alpha.test").get(contacts_of(m2)).json()["count"] == 1
    # beta's token means nothing on alpha's host
    with tenant_context(beta):
        from rest_framework.authtoken.models import Token

        key = Token.objects.get_or_create(user=User.objects.get(email="admin@beta.test"))[0].key
    from django.test import Client

    from tests.conftest import host_of

    foreign = Client(HTTP_HOST=host_of(alpha), HTTP_AUTHORIZATION=f"Token {key}")
    assert foreign.get(contacts_of(m2)).status_code == 401


def test_schema_lists_the_access_paths(person_client):
    GENERATOR_STATS.reset()
    response = person_client("staff").get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/access/me/",
        "/api/access/active-member/",
        "/api/access/rights/",
        "/api/access/members/{member_id}/contacts/",
        "/api/access/contacts/{id}/",
        "/api/access/contacts/{id}/resend/",
    ):
        assert path in paths, path
    assert set(paths["/api/access/contacts/{id}/"]) >= {"get", "patch", "delete"}
    # any warning about these views or their serializers (an enum name clash, an unresolved
    # authentication class, an operation id clash) counts
    watched = ("access", "Contact", "MeView", "RightsView", "ActiveMember", '"kind"', "cookieAuth")
    problems = [
        message
        for message in (*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache)
        if any(word in message for word in watched)
    ]
    assert problems == []
    assert "MembershipKindEnum" in response.json()["components"]["schemas"]


def test_contacts_api_query_count_does_not_grow_with_people(token_client, alpha, member_of):
    client = token_client("m1-admin@alpha.test")
    url = contacts_of(member_of(alpha, "m1"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    for index in range(20):
        attach(alpha, email=f"api-crowd-{index}@alpha.test", member_key="m1", rights=["questions.ask_question"])
    assert count() == few


def test_me_query_count_does_not_grow_with_memberships(token_client, alpha):
    """`me` lists every member the caller acts for, from the memberships loaded once per call."""
    client = token_client("m1-delegate@alpha.test")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(ME).status_code == 200
        return len(queries)

    few = count()
    with tenant_context(alpha):
        user = User.objects.get(email="m1-delegate@alpha.test")
        for index in range(20):
            member = Member.objects.create(name=f"Client API {index:02d}", siret=siret_for(700 + index))
            Membership.objects.create(
                user=user, member=member, kind=MembershipKind.DELEGATE, state=MembershipState.ACTIVE
            )
    assert len(client.get(ME).json()["memberships"]) == 21
    assert count() == few
