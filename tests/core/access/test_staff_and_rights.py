"""The organisation's team page, and rights granted by a member administrator becoming permissions."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.access.acting import active_membership_bind
from core.access.models import Membership
from core.access.services import membership_update
from core.accounts.models import StaffRole, User
from core.mail.models import OutgoingEmail
from tests.conftest import host_of

pytestmark = pytest.mark.django_db

STAFF = "/acces/equipe/"


def staff_user(alpha, email: str) -> User:
    with tenant_context(alpha):
        return User.objects.get(email=email)


def test_team_page_lists_staff_with_their_role(person_client):
    page = person_client("staff").get(STAFF)
    assert page.status_code == 200
    body = page.content.decode()
    assert "jurist@alpha.test" in body and "Juriste" in body and "Administrateur de l&#x27;organisation" in body
    assert "m1-admin@alpha.test" not in body  # member people are not staff


@pytest.mark.parametrize("who", ["m1_admin", "m1_user"])
def test_team_page_is_for_organisation_administrators_only(person_client, client_for, alpha, who):
    assert person_client(who).get(STAFF).status_code == 403
    jurist = client_for(alpha, "jurist@alpha.test")
    assert jurist.get(STAFF).status_code == 403
    admin = staff_user(alpha, "admin@alpha.test")
    assert jurist.post(f"{STAFF}{admin.pk}/", {"staff_role": "jurist"}).status_code == 404
    assert staff_user(alpha, "admin@alpha.test").staff_role == StaffRole.ADMIN


def test_invite_a_staff_member(person_client, alpha):
    client = person_client("staff")
    response = client.post(STAFF, {"email": "Conseil@Alpha.test", "full_name": "Con Seil", "staff_role": "advisor"})
    assert response.status_code == 302
    user = staff_user(alpha, "conseil@alpha.test")
    assert user.staff_role == StaffRole.ADVISOR and user.full_name == "Con Seil" and not user.has_usable_password()
    with tenant_context(alpha):
        assert "/compte/invitation/" in OutgoingEmail.objects.get(to="conseil@alpha.test").body
    assert "Invitation envoyée" in client.get(STAFF).content.decode()


def test_staff_invitation_refuses_a_member_contact_and_an_active_staff_member(person_client, alpha):
    client = person_client("staff")
    contact = client.post(STAFF, {"email": "m1-user@alpha.test", "staff_role": "jurist"})
    assert contact.status_code == 400 and "Adresse déjà utilisée par un contact d" in contact.content.decode()
    assert staff_user(alpha, "m1-user@alpha.test").staff_role == ""
    again = client.post(STAFF, {"email": "jurist@alpha.test", "staff_role": "admin"})
    assert again.status_code == 400 and "Déjà dans l&#x27;équipe." in again.content.decode()
    assert staff_user(alpha, "jurist@alpha.test").staff_role == StaffRole.JURIST


def test_change_role_and_the_last_organisation_administrator(person_client, alpha):
    client = person_client("staff")
    jurist = staff_user(alpha, "jurist@alpha.test")
    admin = staff_user(alpha, "admin@alpha.test")
    refused = client.post(f"{STAFF}{admin.pk}/", {"staff_role": "jurist"})
    assert refused.status_code == 400
    assert "dernier administrateur de l&#x27;organisation" in refused.content.decode()
    assert client.post(f"{STAFF}{jurist.pk}/", {"staff_role": "admin"}).status_code == 302
    assert staff_user(alpha, "jurist@alpha.test").staff_role == StaffRole.ADMIN
    # now there are two: the first may step down
    assert client.post(f"{STAFF}{admin.pk}/", {"staff_role": "accountant"}).status_code == 302
    assert staff_user(alpha, "admin@alpha.test").staff_role == StaffRole.ACCOUNTANT


def test_deactivate_and_expiry(person_client, alpha, client_for):
    client = person_client("staff")
    jurist = staff_user(alpha, "jurist@alpha.test")
    admin = staff_user(alpha, "admin@alpha.test")
    assert client.post(f"{STAFF}{jurist.pk}/expiration/", {"expires_on": "2031-02-03"}).status_code == 302
    assert str(staff_user(alpha, "jurist@alpha.test").expires_on) == "2031-02-03"
    refused = client.post(f"{STAFF}{admin.pk}/expiration/", {"expires_on": "2031-02-03"})
    assert refused.status_code == 400 and "dernier administrateur" in refused.content.decode()
    last = client.post(f"{STAFF}{admin.pk}/desactiver/")
    assert last.status_code == 400 and "dernier administrateur de l&#x27;organisation" in last.content.decode()
    assert staff_user(alpha, "admin@alpha.test").is_active
    assert client.post(f"{STAFF}{jurist.pk}/desactiver/").status_code == 302
    assert not staff_user(alpha, "jurist@alpha.test").is_active
    jurist_client = Client(HTTP_HOST=host_of(alpha))
    assert (
        jurist_client.post("/compte/connexion/", {"username": "jurist@alpha.test", "password": "x"}).status_code != 302
    )


def test_a_member_person_is_not_reached_through_the_team_pages(person_client, alpha):
    contact = staff_user(alpha, "m1-user@alpha.test")
    client = person_client("staff")
    assert client.get(f"{STAFF}{contact.pk}/").status_code == 404
    assert client.post(f"{STAFF}{contact.pk}/desactiver/").status_code == 404
    assert staff_user(alpha, "m1-user@alpha.test").is_active


def test_beta_staff_cannot_manage_alpha(alpha, beta, client_for, member_of):
    """beta's administrator replays their session on alpha's host: it means nothing there."""
    beta_client = client_for(beta, "admin@beta.test")
    replay = Client(HTTP_HOST=host_of(alpha))
    replay.cookies["sessionid"] = beta_client.cookies["sessionid"].value
    m1 = member_of(alpha, "m1")
    with tenant_context(alpha):
        membership = Membership.objects.get(user__email="m1-user@alpha.test")
    for path in (STAFF, f"/acces/adherents/{m1.pk}/utilisateurs/", f"/acces/utilisateurs/{membership.pk}/"):
        response = replay.get(path)
        assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/")
    response = replay.post(f"/acces/utilisateurs/{membership.pk}/", {"role": "administrator"})
    assert response.status_code in (302, 403)
    with tenant_context(alpha):
        assert Membership.objects.get(pk=membership.pk).role == "user"
    assert replay.get("/api/access/me/").status_code in (401, 403)


def test_team_page_query_count_does_not_grow_with_staff(person_client, alpha):
    client = person_client("staff")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(STAFF).status_code == 200
        return len(queries)

    few = count()
    with tenant_context(alpha):
        for index in range(20):
            User.objects.create_user(f"staff-{index}@alpha.test", None, staff_role=StaffRole.PLANNER)
    assert count() == few


# --- rights become permissions -----------------------------------------------------------------


def test_a_granted_right_is_a_permission_only_while_granted(in_alpha, rf):
    user = User.objects.get(email="m1-user@alpha.test")
    membership = Membership.objects.select_related("member", "user").get(user=user)
    member = membership.member

    def fresh_user() -> User:
        person = User.objects.get(pk=user.pk)
        request = rf.get("/")
        request.user, request.session = person, {}
        active_membership_bind(request)
        return person

    assert not fresh_user().has_perm("questions.ask_question")
    assert not fresh_user().has_perm("questions.ask_question", member)
    membership_update(actor=None, membership=membership, role="user", rights=["questions.ask_question"])
    granted = fresh_user()
    assert granted.has_perm("questions.ask_question") and granted.has_perm("questions.ask_question", member)
    assert not granted.has_perm("questions.view_member_questions")
    other = Membership.objects.get(user__email="m2-admin@alpha.test").member
    assert not granted.has_perm("questions.ask_question", other)
    membership_update(actor=None, membership=membership, role="user", rights=[])
    assert not fresh_user().has_perm("questions.ask_question")


def test_an_administrator_holds_every_right_and_a_pending_person_none(in_alpha, rf):
    admin = User.objects.get(email="m1-admin@alpha.test")
    member = Membership.objects.get(user=admin).member
    assert admin.has_perm("questions.ask_question", member) and admin.has_perm("billing.pay_invoices", member)
    Membership.objects.filter(user=admin).update(state="pending")
    admin = User.objects.get(pk=admin.pk)
    assert not admin.has_perm("questions.ask_question", member)
    assert not admin.has_perm("access.view_contacts", member)
