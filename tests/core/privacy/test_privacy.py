"""RGPD: a person's export holds their data and nobody else's; staff erasure anonymises, keeps
legal records, refuses the last administrator, and is audited."""

import json

import pytest
from django.contrib.sessions.models import Session
from django_tenants.utils import tenant_context
from rest_framework.authtoken.models import Token

from core.access.models import Membership
from core.access.services import membership_update
from core.accounts.models import User
from core.audit.models import AuditEntry
from core.documents.models import Document
from core.errors import DomainError
from core.members.models import Member
from core.notifications.models import Notification, NotificationPreference
from core.privacy.services import person_erase
from tests.world import PASSWORD

pytestmark = pytest.mark.django_db


def user(organisation, email: str) -> User:
    with tenant_context(organisation):
        return User.objects.get(email=email)


def export(client) -> tuple[dict, str]:
    response = client.post("/mes-donnees/export/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="mes-donnees-alpha-')
    raw = response.content.decode()
    return json.loads(raw), raw


def test_the_export_page_is_for_everyone_signed_in(organisations, alpha, client_for):
    for email in ("m1-user@alpha.test", "admin@alpha.test"):
        assert "Télécharger mes données" in client_for(alpha, email).get("/mes-donnees/export/").content.decode()
    assert client_for(alpha).get("/mes-donnees/export/").status_code == 302


def test_export_holds_own_data_only(organisations, alpha, beta, client_for):
    admin = user(alpha, "m1-admin@alpha.test")
    with tenant_context(alpha):
        m1 = Member.objects.get(name="Société Un")
        colleague = Membership.objects.get(user__email="m1-user@alpha.test")
        # m1-admin changes a colleague's rights: the journal names the colleague, the export must not.
        membership_update(actor=admin, membership=colleague, role="user", rights=["members.view_documents"])
        own = Membership.objects.get(user=admin)
        NotificationPreference.objects.create(membership=own, kind="access.changes", enabled=True)
        Notification.objects.create(user=admin, member=m1, kind="members.documents", subject="Nouveau document : X")
        Notification.objects.create(
            user=User.objects.get(email="m1-user@alpha.test"),
            member=m1,
            kind="members.documents",
            subject="Pour un autre",
        )
    client = client_for(alpha, "m1-admin@alpha.test")
    data, raw = export(client)
    assert data["account"]["email"] == "m1-admin@alpha.test"
    assert "password" not in data["account"] and "md5$" not in raw
    assert [m["member"]["name"] for m in data["memberships"]] == ["Société Un"]
    assert data["memberships"][0]["role"] == "administrator"
    assert data["notification_preferences"] == [{"member": "Société Un", "kind": "access.changes", "enabled": True}]
    assert [n["subject"] for n in data["notifications"]] == ["Nouveau document : X"]
    assert "membership.update" in [entry["action"] for entry in data["audit_entries"]]
    assert data["sessions"] and all("session_key" not in session for session in data["sessions"])
    assert all(client.cookies["sessionid"].value not in json.dumps(session) for session in data["sessions"])
    for foreign in ("Société Deux", "m1-user@alpha.test", "m2-admin", "@beta.test", "Pour un autre", "m1_user"):
        assert foreign not in raw, foreign
    with tenant_context(alpha):
        assert AuditEntry.objects.filter(action="privacy.export", actor_email="m1-admin@alpha.test").exists()
    # The other organisation's person of the same name is another account, with their own data.
    with tenant_context(beta):
        assert not AuditEntry.objects.filter(action="privacy.export").exists()


def test_erase_anonymises_and_keeps_legal_records(organisations, alpha, client_for):
    target = user(alpha, "m1-user@alpha.test")
    victim_client = client_for(alpha, "m1-user@alpha.test")  # an open session, to be ended
    with tenant_context(alpha):
        m1 = Member.objects.get(name="Société Un")
        Token.objects.create(user=target)
        Notification.objects.create(user=target, member=m1, kind="members.documents", subject="Pour m1-user")
        Document.objects.create(
            member=m1,
            title="Convention",
            file="documents/x.pdf",
            original_name="x.pdf",
            content_type="application/pdf",
            size=3,
            uploaded_by=target,
        )
        AuditEntry.objects.create(actor_id=target.pk, actor_email=target.email, action="member.update", member_id=m1.pk)
    staff = client_for(alpha, "admin@alpha.test")
    path = f"/mes-donnees/effacer/{target.pk}/"
    assert "m1-user@alpha.test" in staff.get(path).content.decode()
    refused = staff.post(path, {})
    assert "Cochez la case pour confirmer l&#x27;effacement." in refused.content.decode()
    response = staff.post(path, {"confirm": "on"})
    assert response.status_code == 302
    with tenant_context(alpha):
        erased = User.objects.get(pk=target.pk)
        assert erased.email == f"effacé-{target.pk}@invalid" and erased.full_name == ""
        assert not erased.is_active and not erased.has_usable_password()
        assert not Membership.objects.filter(user=erased).exists()
        assert not Notification.objects.filter(user=erased).exists()
        assert not Token.objects.filter(user=erased).exists()
        # The document they are named on stays, pointing to the anonymised account.
        assert Document.objects.get(title="Convention").uploaded_by_id == erased.pk
        assert not AuditEntry.objects.filter(actor_email="m1-user@alpha.test").exists()
        assert AuditEntry.objects.filter(actor_id=erased.pk, actor_email=erased.email, action="member.update").exists()
        entry = AuditEntry.objects.get(action="privacy.erase")
        assert entry.actor_email == "admin@alpha.test" and entry.target_id == str(erased.pk)
        dumped = json.dumps([entry.before, entry.after, entry.target_label])
        assert "m1-user" not in dumped
        assert not AuditEntry.objects.filter(target_label__contains="m1-user@alpha.test").exists()
        assert not [
            session for session in Session.objects.all() if session.get_decoded().get("_auth_user_id") == str(erased.pk)
        ]
    # Their session is over, and they cannot sign in again.
    assert victim_client.get("/").status_code == 302
    assert (
        victim_client.post("/compte/connexion/", {"username": "m1-user@alpha.test", "password": PASSWORD}).status_code
        != 302
    )


def test_erase_refuses_the_last_administrator_of_a_member(organisations, alpha, client_for):
    target = user(alpha, "m2-admin@alpha.test")
    response = client_for(alpha, "admin@alpha.test").post(f"/mes-donnees/effacer/{target.pk}/", {"confirm": "on"})
    assert response.status_code == 200
    assert "dernier administrateur de Société Deux" in response.content.decode()
    with tenant_context(alpha):
        kept = User.objects.get(pk=target.pk)
        assert kept.email == "m2-admin@alpha.test" and kept.is_active
        assert Membership.objects.filter(user=kept).exists()
        assert not AuditEntry.objects.filter(action__in=["privacy.erase", "membership.remove"]).exists()


def test_erase_refuses_oneself_and_a_second_time(organisations, alpha):
    admin = user(alpha, "admin@alpha.test")
    target = user(alpha, "m1-delegate@alpha.test")
    with tenant_context(alpha):
        with pytest.raises(DomainError, match="votre propre compte"):
            person_erase(actor=admin, user=admin)
        person_erase(actor=admin, user=target)
        with pytest.raises(DomainError, match="déjà été effacées"):
            person_erase(actor=admin, user=User.objects.get(pk=target.pk))


def test_a_staff_member_cannot_erase_a_higher_role(organisations, alpha):
    jurist, admin = user(alpha, "jurist@alpha.test"), user(alpha, "admin@alpha.test")
    with tenant_context(alpha), pytest.raises(DomainError, match="rôle supérieur"):
        person_erase(actor=jurist, user=admin)


@pytest.mark.parametrize("email", ["m1-admin@alpha.test", "m1-user@alpha.test", "jurist@alpha.test"])
def test_only_organisation_administrators_reach_erasure(organisations, alpha, client_for, email):
    target = user(alpha, "m1-user@alpha.test")
    client = client_for(alpha, email)
    assert client.get(f"/mes-donnees/effacer/{target.pk}/").status_code == 403
    assert client.post(f"/mes-donnees/effacer/{target.pk}/", {"confirm": "on"}).status_code == 403
    with tenant_context(alpha):
        assert User.objects.get(pk=target.pk).is_active


def test_erasure_of_an_unknown_or_other_tenants_person_is_404(organisations, alpha, beta, client_for):
    with tenant_context(alpha):
        taken = set(User.objects.values_list("pk", flat=True))
    with tenant_context(beta):
        index = 0
        while True:  # a beta account whose id is no account of alpha
            index += 1
            foreign = User.objects.create_user(f"tiers-{index}@beta.test", PASSWORD)
            if foreign.pk not in taken:
                break
    client = client_for(alpha, "admin@alpha.test")
    assert client.get(f"/mes-donnees/effacer/{foreign.pk}/").status_code == 404
    assert client.post(f"/mes-donnees/effacer/{foreign.pk}/", {"confirm": "on"}).status_code == 404
    with tenant_context(beta):
        assert User.objects.get(pk=foreign.pk).is_active
