"""The "Utilisateurs" pages: list, invitation, rights, validation link, end date, removal."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import tenant_context

from core.access.models import MemberRole, Membership, MembershipKind, MembershipState
from core.accounts.models import User
from core.audit.models import AuditEntry
from tests.core.access.conftest import attach, link_token, same_page

pytestmark = pytest.mark.django_db

CONTACTS = "/acces/utilisateurs/"


def contact_url(membership) -> str:
    return f"{CONTACTS}{membership.pk}/"


def test_member_administrator_sees_the_people_of_their_member_only(person_client):
    page = person_client("m1_admin").get(CONTACTS)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Utilisateurs de Société Un" in body
    for email in ("m1-admin@alpha.test", "m1-user@alpha.test", "m1-delegate@alpha.test"):
        assert email in body
    assert "m2-admin@alpha.test" not in body
    assert "Utilisateur externe" in body and "Actif" in body
    # the delegate's granted right is shown by its label
    assert "Mettre à jour la fiche adhérent et ses adresses" in body
    assert "Inviter une personne" in body


def test_rights_offered_are_those_of_the_enabled_modules_grouped_with_presets(person_client):
    body = person_client("m1_admin").get(CONTACTS).content.decode()
    # alpha runs questions and billing, not health
    assert 'value="questions.ask_question"' in body
    assert 'value="billing.view_invoices"' in body
    assert "health.manage_employees" not in body
    assert "<legend>Questions juridiques</legend>" in body
    assert "Voir les autorisations du rôle" in body
    assert 'data-rights="questions.ask_question"' in body  # the legal preset pre-ticks this box


def test_plain_user_sees_the_list_but_cannot_invite(person_client, alpha):
    client = person_client("m1_user")
    page = client.get(CONTACTS)
    assert page.status_code == 200 and "m1-admin@alpha.test" in page.content.decode()
    assert "Inviter une personne" not in page.content.decode()
    refused = client.post(CONTACTS, {"email": "new@alpha.test", "role": "user", "kind": "contact"})
    assert refused.status_code == 403
    with tenant_context(alpha):
        assert not User.objects.filter(email="new@alpha.test").exists()


def test_invitation_leaves_the_person_pending_until_the_link(person_client, alpha):
    client = person_client("m1_admin")
    response = client.post(
        CONTACTS,
        {
            "email": "New.Person@Alpha.test",
            "full_name": "Nouvelle Personne",
            "kind": "contact",
            "role": "user",
            "rights": ["questions.ask_question"],
        },
    )
    assert response.status_code == 302
    page = client.get(CONTACTS).content.decode()
    assert "Nouvelle Personne" in page and "En attente de validation" in page
    with tenant_context(alpha):
        membership = Membership.objects.get(user__email="new.person@alpha.test")
        assert membership.state == MembershipState.PENDING
        assert membership.rights == ["questions.ask_question"]
        assert AuditEntry.objects.filter(action="membership.invite", target_id=str(membership.pk)).exists()
    assert link_token(alpha, "new.person@alpha.test")


def test_a_preset_without_ticks_gives_the_presets_rights(person_client, alpha):
    response = person_client("m1_admin").post(
        CONTACTS, {"email": "compta@alpha.test", "kind": "contact", "role": "user", "preset": "accounting"}
    )
    assert response.status_code == 302
    with tenant_context(alpha):
        rights = Membership.objects.get(user__email="compta@alpha.test").rights
    # billing rights of the preset plus the documents right; no right of a module alpha lacks
    assert rights == sorted(
        ["billing.view_invoices", "billing.pay_invoices", "billing.submit_declaration", "members.view_documents"]
    )


def test_invitation_refusals_are_shown_in_french(person_client, alpha):
    client = person_client("m1_admin")
    taken = client.post(CONTACTS, {"email": "m1-user@alpha.test", "kind": "contact", "role": "user"})
    assert taken.status_code == 400
    assert "Déjà rattaché à cet adhérent." in taken.content.decode()
    staff = client.post(CONTACTS, {"email": "jurist@alpha.test", "kind": "contact", "role": "user"})
    assert "Adresse réservée à l&#x27;équipe." in staff.content.decode()
    bad = client.post(CONTACTS, {"email": "pas-une-adresse", "kind": "contact", "role": "user"})
    assert bad.status_code == 400 and "Saisissez une adresse e-mail valide." in bad.content.decode()


def test_disabled_module_rights_cannot_be_granted(person_client, alpha):
    response = person_client("m1_admin").post(
        CONTACTS, {"email": "rh@alpha.test", "kind": "contact", "role": "user", "rights": ["health.manage_employees"]}
    )
    assert response.status_code == 400
    with tenant_context(alpha):
        assert not User.objects.filter(email="rh@alpha.test").exists()


def test_editing_rights_keeps_those_of_a_disabled_module(person_client, alpha, membership_of):
    membership = membership_of(alpha, "m1_user", "m1")
    with tenant_context(alpha):
        Membership.objects.filter(pk=membership.pk).update(rights=["health.manage_employees"])
    response = person_client("m1_admin").post(
        contact_url(membership), {"role": "user", "rights": ["questions.ask_question"]}
    )
    assert response.status_code == 302
    membership.refresh_from_db()
    with tenant_context(alpha):
        membership.refresh_from_db()
    assert membership.rights == ["health.manage_employees", "questions.ask_question"]


def test_another_members_person_answers_the_same_404_as_a_missing_one(person_client, alpha, membership_of):
    client = person_client("m1_admin")
    other = membership_of(alpha, "m2_admin", "m2")
    for suffix in ("", "renvoyer/", "retirer/", "expiration/"):
        foreign = client.post(f"{contact_url(other)}{suffix}", {"role": "user"})
        missing = client.post(f"{CONTACTS}999999/{suffix}", {"role": "user"})
        assert foreign.status_code == missing.status_code == 404
        assert same_page(foreign, missing)
    with tenant_context(alpha):
        other.refresh_from_db()
        assert other.role == MemberRole.ADMINISTRATOR


def test_plain_user_cannot_open_a_persons_page(person_client, alpha, membership_of):
    assert person_client("m1_user").get(contact_url(membership_of(alpha, "m1_admin", "m1"))).status_code == 404


def test_staff_manage_any_members_people_through_the_member_route(person_client, alpha, member_of):
    m2 = member_of(alpha, "m2")
    client = person_client("staff")
    page = client.get(f"/acces/adherents/{m2.pk}/utilisateurs/")
    assert page.status_code == 200 and "m2-admin@alpha.test" in page.content.decode()
    assert client.get(CONTACTS)["Location"] == "/adherents/"
    invited = client.post(
        f"/acces/adherents/{m2.pk}/utilisateurs/", {"email": "x@alpha.test", "kind": "contact", "role": "user"}
    )
    assert invited.status_code == 302
    with tenant_context(alpha):
        assert Membership.objects.get(user__email="x@alpha.test").member_id == m2.pk


def test_member_route_for_a_member_person_is_their_active_member_only(person_client, alpha, member_of):
    client = person_client("m1_admin")
    assert client.get(f"/acces/adherents/{member_of(alpha, 'm1').pk}/utilisateurs/").status_code == 200
    assert client.get(f"/acces/adherents/{member_of(alpha, 'm2').pk}/utilisateurs/").status_code == 404
    assert client.get("/acces/adherents/999999/utilisateurs/").status_code == 404


def test_resending_a_link_kills_the_previous_one(person_client, alpha, client_for):
    client = person_client("m1_admin")
    client.post(CONTACTS, {"email": "late@alpha.test", "kind": "contact", "role": "user"})
    first = link_token(alpha, "late@alpha.test")
    with tenant_context(alpha):
        membership = Membership.objects.get(user__email="late@alpha.test")
    page = client.get(contact_url(membership)).content.decode()
    assert "Renvoyer le lien de validation" in page
    assert client.post(f"{contact_url(membership)}renvoyer/").status_code == 302
    second = link_token(alpha, "late@alpha.test")
    assert second != first
    anonymous = client_for(alpha)
    assert anonymous.get(f"/acces/validation/{first}/").status_code == 404
    assert anonymous.get(f"/acces/validation/{second}/").status_code == 200


def test_expiry_date_for_a_contact_and_not_for_a_shared_account(person_client, alpha, membership_of):
    client = person_client("m1_admin")
    user = membership_of(alpha, "m1_user", "m1")
    assert client.post(f"{contact_url(user)}expiration/", {"expires_on": "2031-05-01"}).status_code == 302
    with tenant_context(alpha):
        assert str(User.objects.get(email="m1-user@alpha.test").expires_on) == "2031-05-01"
    assert client.post(f"{contact_url(user)}expiration/", {"expires_on": ""}).status_code == 302
    with tenant_context(alpha):
        assert User.objects.get(email="m1-user@alpha.test").expires_on is None

    delegate = membership_of(alpha, "m1_delegate", "m1")
    page = client.get(contact_url(delegate)).content.decode()
    assert "seul son accès à Société Un peut être retiré" in page
    refused = client.post(f"{contact_url(delegate)}expiration/", {"expires_on": "2031-05-01"})
    assert refused.status_code == 400
    assert "Compte partagé avec d&#x27;autres adhérents." in refused.content.decode()
    with tenant_context(alpha):
        assert User.objects.get(email="m1-delegate@alpha.test").expires_on is None


def test_a_contact_also_attached_elsewhere_gets_no_expiry_from_one_member(person_client, alpha, membership_of):
    attach(alpha, email="m1-user@alpha.test", member_key="m2")
    refused = person_client("m1_admin").post(
        f"{contact_url(membership_of(alpha, 'm1_user', 'm1'))}expiration/", {"expires_on": "2031-05-01"}
    )
    assert refused.status_code == 400


def test_removing_a_person_ends_their_access(person_client, alpha, membership_of):
    membership = membership_of(alpha, "m1_delegate", "m1")
    response = person_client("m1_admin").post(f"{contact_url(membership)}retirer/")
    assert response.status_code == 302
    with tenant_context(alpha):
        assert not Membership.objects.filter(pk=membership.pk).exists()
        assert User.objects.filter(email="m1-delegate@alpha.test", is_active=True).exists()  # the account stays
    assert person_client("m1_delegate").get(CONTACTS).status_code == 404


def _people(alpha, count: int) -> None:
    for index in range(count):
        attach(
            alpha,
            email=f"crowd-{index}@alpha.test",
            member_key="m1",
            kind=MembershipKind.DELEGATE if index % 2 else MembershipKind.CONTACT,
            rights=["questions.ask_question"],
            state=MembershipState.PENDING if index % 3 else MembershipState.ACTIVE,
        )


def test_contacts_page_query_count_does_not_grow_with_people(person_client, alpha):
    client = person_client("m1_admin")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(CONTACTS).status_code == 200
        return len(queries)

    few = count()
    _people(alpha, 20)
    assert count() == few
