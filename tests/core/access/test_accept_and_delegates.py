"""The validation link, and delegates: pending until they click, revocable, never seeing another member."""

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.access.models import Membership, MembershipState
from core.access.services import MembershipGone, membership_link_resend
from core.accounts.models import User
from core.errors import DomainError
from core.mail.models import OutgoingEmail
from tests.core.access.conftest import link_token, same_page
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db

CONTACTS = "/acces/utilisateurs/"
NEW_PASSWORD = "un cheval de bataille correct agrafe"


def accept_url(token: str) -> str:
    return f"/acces/validation/{token}/"


def invite(client, email: str, **fields) -> None:
    data = {"email": email, "kind": "contact", "role": "user", **fields}
    assert client.post(CONTACTS, data).status_code == 302


def test_a_new_person_chooses_a_password_and_is_logged_in(person_client, client_for, alpha):
    invite(person_client("m1_admin"), "neuf@alpha.test", rights=["questions.ask_question"])
    token = link_token(alpha, "neuf@alpha.test")
    visitor = client_for(alpha)
    page = visitor.get(accept_url(token))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Votre accès à Société Un" in body and "Choisissez le mot de passe" in body
    assert 'id="password-meter"' in body  # the accounts password form, with its strength meter
    weak = visitor.post(accept_url(token), {"password": "azerty", "password_confirm": "azerty"})
    assert weak.status_code == 400
    with tenant_context(alpha):
        assert Membership.objects.get(user__email="neuf@alpha.test").state == MembershipState.PENDING
    done = visitor.post(accept_url(token), {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    home = visitor.get("/")
    assert home.status_code == 200 and "Votre accès à Société Un est validé" in home.content.decode()
    with tenant_context(alpha):
        membership = Membership.objects.select_related("user").get(user__email="neuf@alpha.test")
        assert membership.state == MembershipState.ACTIVE and membership.user.check_password(NEW_PASSWORD)
        assert membership.user.has_perm("questions.ask_question", membership.member)
    assert visitor.get(accept_url(token)).status_code == 404  # used once


def test_invalid_expired_and_replaced_links_give_the_same_page(person_client, client_for, alpha):
    admin = person_client("m1_admin")
    invite(admin, "a@alpha.test")
    old = link_token(alpha, "a@alpha.test")
    with tenant_context(alpha):
        membership = Membership.objects.get(user__email="a@alpha.test")
    admin.post(f"{CONTACTS}{membership.pk}/renvoyer/")
    invite(admin, "b@alpha.test")
    expired = link_token(alpha, "b@alpha.test")
    with tenant_context(alpha):
        Membership.objects.filter(user__email="b@alpha.test").update(token_expires_at=timezone.now() - timedelta(1))
    visitor = client_for(alpha)
    forged = visitor.get(accept_url("forged"))
    assert forged.status_code == 404
    assert "Ce lien n&#x27;est plus valable" in forged.content.decode()
    for token in (old, expired):
        response = visitor.get(accept_url(token))
        assert response.status_code == 404 and same_page(response, forged)
        posted = visitor.post(accept_url(token), {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
        assert posted.status_code == 404


def test_an_existing_account_logs_in_then_confirms(person_client, client_for, alpha, member_of):
    """The accounting firm acting for M1 is invited by M2: same account, same password."""
    invite(person_client("m2_admin"), "m1-delegate@alpha.test", kind="delegate")
    token = link_token(alpha, "m1-delegate@alpha.test")
    visitor = client_for(alpha)
    page = visitor.get(accept_url(token)).content.decode()
    assert "Se connecter pour valider" in page and "/compte/connexion/?next=" in page
    assert visitor.post(accept_url(token)).status_code == 200  # nothing happens without logging in
    with tenant_context(alpha):
        assert Membership.objects.get(user__email="m1-delegate@alpha.test", member__name="Société Deux").state == (
            MembershipState.PENDING
        )
    someone_else = person_client("m1_user")
    assert someone_else.get(accept_url(token)).status_code == 403
    delegate = person_client("m1_delegate")
    confirm = delegate.get(accept_url(token)).content.decode()
    assert "Valider mon accès" in confirm and "password" not in confirm.split("<main")[1]
    assert delegate.post(accept_url(token)).status_code == 302
    with tenant_context(alpha):
        user = User.objects.get(email="m1-delegate@alpha.test")
        assert user.check_password(PASSWORD)  # unchanged
        assert user.last_member_id == member_of(alpha, "m2").pk
    assert delegate.get("/api/access/active-member/").json()["member"]["name"] == "Société Deux"


def test_a_pending_delegate_cannot_act_until_the_link_then_can(person_client, client_for, alpha, member_of):
    """Invited by M1's administrator, the firm (no account yet) sees nothing of M1 before clicking."""
    invite(person_client("m1_admin"), "cabinet@alpha.test", kind="delegate", rights=["questions.ask_question"])
    m1 = member_of(alpha, "m1")
    with tenant_context(alpha):
        user = User.objects.get(email="cabinet@alpha.test")
        user.set_password(PASSWORD)  # as if they had an account already
        user.save()
        assert not user.has_perm("questions.ask_question", m1)
    firm = client_for(alpha, "cabinet@alpha.test")
    assert firm.get("/api/access/me/").json()["memberships"] == []
    assert firm.get(CONTACTS).status_code == 404
    assert firm.get(f"/acces/adherents/{m1.pk}/utilisateurs/").status_code == 404
    assert firm.get("/api/access/me/", HTTP_X_ADHERA_MEMBER=str(m1.pk)).status_code == 404
    assert firm.post("/acces/changer-adherent/", {"member": m1.pk}).status_code == 404
    assert "Société Un" not in firm.get("/").content.decode()
    # the link, then M1 is theirs
    assert firm.post(accept_url(link_token(alpha, "cabinet@alpha.test"))).status_code == 302
    assert firm.get(CONTACTS).status_code == 200
    assert firm.get("/api/access/me/").json()["active_member"]["name"] == "Société Un"


def test_a_revoked_pending_delegate_has_a_dead_link(person_client, client_for, alpha):
    admin = person_client("m1_admin")
    invite(admin, "revoque@alpha.test", kind="delegate")
    token = link_token(alpha, "revoque@alpha.test")
    with tenant_context(alpha):
        membership = Membership.objects.get(user__email="revoque@alpha.test")
    assert "En attente de validation" in admin.get(CONTACTS).content.decode()
    assert admin.post(f"{CONTACTS}{membership.pk}/retirer/").status_code == 302
    visitor = client_for(alpha)
    assert visitor.get(accept_url(token)).status_code == 404
    assert (
        visitor.post(accept_url(token), {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}).status_code == 404
    )
    with tenant_context(alpha):
        assert not Membership.objects.filter(user__email="revoque@alpha.test").exists()


def test_a_link_is_not_resent_for_an_access_validated_or_removed_meanwhile(person_client, alpha):
    """The administrator's page was loaded while the access was pending; the resend must read it
    again, not mail a link for an accepted access nor fail with a 500 on a removed one."""
    invite(person_client("m1_admin"), "entre-temps@alpha.test")
    with tenant_context(alpha):
        stale = Membership.objects.select_related("user", "member").get(user__email="entre-temps@alpha.test")
        sent = OutgoingEmail.objects.filter(to="entre-temps@alpha.test").count()
        Membership.objects.filter(pk=stale.pk).update(state=MembershipState.ACTIVE)
        with pytest.raises(DomainError, match="déjà validé"):
            membership_link_resend(actor=None, membership=stale, accept_url_template="https://x/{token}/")
        Membership.objects.filter(pk=stale.pk).delete()
        with pytest.raises(MembershipGone, match="n'existe plus"):
            membership_link_resend(actor=None, membership=stale, accept_url_template="https://x/{token}/")
        assert OutgoingEmail.objects.filter(to="entre-temps@alpha.test").count() == sent


def test_an_expired_account_cannot_validate(person_client, client_for, alpha):
    invite(person_client("m1_admin"), "fini@alpha.test")
    token = link_token(alpha, "fini@alpha.test")
    with tenant_context(alpha):
        User.objects.filter(email="fini@alpha.test").update(expires_on=timezone.localdate())
    response = client_for(alpha).post(accept_url(token), {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 403 and "Votre accès a expiré" in response.content.decode()
    with tenant_context(alpha):
        assert Membership.objects.get(user__email="fini@alpha.test").state == MembershipState.PENDING


def test_a_delegate_of_m1_only_never_sees_m2(person_client, alpha, member_of, token_client):
    m2 = member_of(alpha, "m2")
    with tenant_context(alpha):
        m2_admin = Membership.objects.get(user__email="m2-admin@alpha.test")
    client = person_client("m1_delegate")
    # the session switch, the header and the staff route, all with M2's id
    assert client.post("/acces/changer-adherent/", {"member": m2.pk}).status_code == 404
    for headers in ({}, {"HTTP_X_ADHERA_MEMBER": str(m2.pk)}):
        assert client.get(f"/acces/adherents/{m2.pk}/utilisateurs/", **headers).status_code == 404
        assert client.get(f"{CONTACTS}{m2_admin.pk}/", **headers).status_code == 404
        page = client.get(CONTACTS, **headers)
        assert "Société Deux" not in page.content.decode() and "m2-admin" not in page.content.decode()
    api = token_client("m1-delegate@alpha.test")
    for headers in ({}, {"HTTP_X_ADHERA_MEMBER": str(m2.pk)}):
        assert api.get(f"/api/access/members/{m2.pk}/contacts/", **headers).status_code == 404
        assert api.get(f"/api/access/contacts/{m2_admin.pk}/", **headers).status_code == 404
    assert api.put("/api/access/active-member/", {"member": m2.pk}, content_type="application/json").status_code == 404
    assert "Société Deux" not in api.get("/api/access/me/").content.decode()


def test_without_passwords_in_the_policy_a_new_person_only_confirms(person_client, client_for, alpha):
    from tenants.models import Organisation

    invite(person_client("m1_admin"), "sans-mdp@alpha.test")
    Organisation.objects.filter(pk=alpha.pk).update(login_methods=["email_code"])
    visitor = client_for(alpha)
    token = link_token(alpha, "sans-mdp@alpha.test")
    page = visitor.get(accept_url(token)).content.decode()
    assert "Valider mon accès" in page and "password" not in page.split("<main")[1]
    assert visitor.post(accept_url(token)).status_code == 302
    assert visitor.get("/api/access/me/").json()["active_member"]["name"] == "Société Un"
    with tenant_context(alpha):
        user = User.objects.get(email="sans-mdp@alpha.test")
        assert not user.has_usable_password()
        assert Membership.objects.get(user=user).state == MembershipState.ACTIVE
