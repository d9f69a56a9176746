"""A member always keeps an administrator, and the organisation a staff administrator, whatever
the path: page, API, deactivation, end date, or two administrators removing each other at once."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from django_tenants.utils import tenant_context

import core.access.services as access_services
from core.access.models import MemberRole, Membership, MembershipState
from core.access.services import (
    LastAdministrator,
    LastOrganisationAdministrator,
    membership_grant,
    membership_remove,
    user_deactivate,
    user_expiry_set,
)
from core.accounts.models import StaffRole, User
from core.audit.models import AuditEntry
from core.errors import DomainError
from core.mail.models import OutgoingEmail
from core.members.models import Member
from tests.concurrency import in_own_connection, race
from tests.core.access.conftest import attach
from tests.world import siret_for

pytestmark = pytest.mark.django_db

CONTACTS = "/acces/utilisateurs/"
API = "/api/access/contacts/"
REFUSAL = "est le dernier administrateur de Société Un"


def admin_of_m1(alpha) -> Membership:
    with tenant_context(alpha):
        return Membership.objects.select_related("user", "member").get(user__email="m1-admin@alpha.test")


def is_admin(alpha, email: str, member: str = "Société Un") -> bool:
    with tenant_context(alpha):
        return Membership.objects.filter(user__email=email, member__name=member, role=MemberRole.ADMINISTRATOR).exists()


# --- pages -----------------------------------------------------------------------------------


def test_page_remove_of_the_last_administrator_is_refused_in_french(person_client, alpha):
    membership = admin_of_m1(alpha)
    client = person_client("m1_admin")
    page = client.get(f"{CONTACTS}{membership.pk}/").content.decode()
    assert "un successeur doit reprendre ce rôle" in page
    assert "m1-user@alpha.test" in page  # offered as successor
    response = client.post(f"{CONTACTS}{membership.pk}/retirer/")
    assert response.status_code == 400
    body = response.content.decode()
    assert REFUSAL in body and "Un adhérent garde toujours au moins un administrateur." in body
    assert is_admin(alpha, "m1-admin@alpha.test")


def test_page_remove_with_a_successor_promotes_then_removes(person_client, alpha, membership_of):
    membership = admin_of_m1(alpha)
    successor = membership_of(alpha, "m1_user", "m1")
    response = person_client("m1_admin").post(f"{CONTACTS}{membership.pk}/retirer/", {"successor": successor.pk})
    assert response.status_code == 302 and response["Location"] == "/"  # they left: back home
    assert is_admin(alpha, "m1-user@alpha.test")
    with tenant_context(alpha):
        assert not Membership.objects.filter(pk=membership.pk).exists()
        actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["membership.update", "membership.remove"]


def test_a_pending_person_cannot_be_the_successor(person_client, alpha):
    pending = attach(alpha, email="pending@alpha.test", member_key="m1", state=MembershipState.PENDING)
    membership = admin_of_m1(alpha)
    response = person_client("m1_admin").post(f"{CONTACTS}{membership.pk}/retirer/", {"successor": pending.pk})
    assert response.status_code == 400  # not even offered
    assert is_admin(alpha, "m1-admin@alpha.test") and not is_admin(alpha, "pending@alpha.test")


def test_page_downgrade_of_the_last_administrator_is_refused(person_client, alpha):
    membership = admin_of_m1(alpha)
    response = person_client("m1_admin").post(f"{CONTACTS}{membership.pk}/", {"role": "user"})
    assert response.status_code == 400
    assert REFUSAL in response.content.decode()
    assert is_admin(alpha, "m1-admin@alpha.test")


def test_with_a_second_administrator_the_first_may_step_down(person_client, alpha, membership_of):
    second = membership_of(alpha, "m1_user", "m1")
    client = person_client("m1_admin")
    assert client.post(f"{CONTACTS}{second.pk}/", {"role": "administrator"}).status_code == 302
    assert client.post(f"{CONTACTS}{admin_of_m1(alpha).pk}/", {"role": "user"}).status_code == 302
    assert not is_admin(alpha, "m1-admin@alpha.test") and is_admin(alpha, "m1-user@alpha.test")


# --- API -------------------------------------------------------------------------------------


def test_api_delete_of_the_last_administrator_is_a_structured_refusal(person_client, alpha, membership_of):
    membership = admin_of_m1(alpha)
    client = person_client("m1_admin")
    refused = client.delete(f"{API}{membership.pk}/")
    assert refused.status_code == 409
    assert refused.json()["code"] == "last_administrator" and REFUSAL in refused.json()["message"]
    assert is_admin(alpha, "m1-admin@alpha.test")
    successor = membership_of(alpha, "m1_user", "m1")
    removed = client.delete(f"{API}{membership.pk}/?successor={successor.pk}")
    assert removed.status_code == 204
    assert is_admin(alpha, "m1-user@alpha.test")


def test_api_delete_takes_the_successor_from_the_body_too(person_client, alpha, membership_of):
    successor = membership_of(alpha, "m1_delegate", "m1")
    response = person_client("m1_admin").delete(
        f"{API}{admin_of_m1(alpha).pk}/", {"successor": successor.pk}, content_type="application/json"
    )
    assert response.status_code == 204
    assert is_admin(alpha, "m1-delegate@alpha.test")


def test_api_successor_of_another_member_is_refused(person_client, alpha, membership_of):
    other = membership_of(alpha, "m2_admin", "m2")
    response = person_client("m1_admin").delete(f"{API}{admin_of_m1(alpha).pk}/?successor={other.pk}")
    assert response.status_code == 400 and response.json()["errors"] == {"successor": ["Successeur invalide."]}
    assert is_admin(alpha, "m1-admin@alpha.test") and is_admin(alpha, "m2-admin@alpha.test", "Société Deux")


def test_api_patch_downgrading_the_last_administrator_is_refused(person_client, alpha):
    response = person_client("m1_admin").patch(
        f"{API}{admin_of_m1(alpha).pk}/", {"role": "user"}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "last_administrator"
    assert is_admin(alpha, "m1-admin@alpha.test")


# --- services: deactivation, end dates -------------------------------------------------------


def test_deactivating_the_last_administrator_needs_a_successor(in_alpha, membership_of, alpha):
    admin = User.objects.get(email="m1-admin@alpha.test")
    with pytest.raises(LastAdministrator, match=REFUSAL):
        user_deactivate(actor=None, user=admin)
    assert User.objects.get(pk=admin.pk).is_active
    successor = Membership.objects.select_related("user").get(user__email="m1-user@alpha.test")
    user_deactivate(actor=None, user=admin, successors={successor.member_id: successor})
    assert not User.objects.get(pk=admin.pk).is_active
    assert Membership.objects.get(pk=successor.pk).role == MemberRole.ADMINISTRATOR


def test_an_expiry_must_leave_an_administrator_who_lasts_longer(in_alpha):
    first = User.objects.get(email="m1-admin@alpha.test")
    second = Membership.objects.select_related("user").get(user__email="m1-user@alpha.test")
    with pytest.raises(LastAdministrator):
        user_expiry_set(actor=None, user=first, expires_on=timezone.localdate() + timedelta(days=30))
    Membership.objects.filter(pk=second.pk).update(role=MemberRole.ADMINISTRATOR)
    user_expiry_set(actor=None, user=second.user, expires_on=timezone.localdate() + timedelta(days=60))
    # the first administrator may end before the second one, not after or on the same day
    user_expiry_set(actor=None, user=first, expires_on=timezone.localdate() + timedelta(days=30))
    with pytest.raises(LastAdministrator):
        user_expiry_set(actor=None, user=first, expires_on=timezone.localdate() + timedelta(days=60))
    with pytest.raises(LastAdministrator):
        user_expiry_set(actor=None, user=first, expires_on=timezone.localdate() + timedelta(days=90))
    assert User.objects.get(pk=first.pk).expires_on == timezone.localdate() + timedelta(days=30)


def test_an_administrator_whose_account_already_expired_does_not_count(in_alpha):
    first = User.objects.get(email="m1-admin@alpha.test")
    second = User.objects.get(email="m1-user@alpha.test")
    Membership.objects.filter(user=second).update(role=MemberRole.ADMINISTRATOR)
    User.objects.filter(pk=second.pk).update(expires_on=timezone.localdate() - timedelta(days=1))
    with pytest.raises(LastAdministrator):
        user_expiry_set(actor=None, user=first, expires_on=timezone.localdate() + timedelta(days=10))
    with pytest.raises(LastAdministrator):
        user_deactivate(actor=None, user=first)
    User.objects.filter(pk=second.pk).update(expires_on=None)
    user_deactivate(actor=None, user=first)


def test_page_expiry_of_the_last_administrator_is_refused(person_client, alpha):
    membership = admin_of_m1(alpha)
    response = person_client("m1_admin").post(f"{CONTACTS}{membership.pk}/expiration/", {"expires_on": "2031-01-01"})
    assert response.status_code == 400 and REFUSAL in response.content.decode()


def test_the_successor_is_promoted_and_the_leaver_removed_in_one_transaction(in_alpha, monkeypatch):
    """If the removal fails after the promotion, the promotion is undone too."""
    leaving = Membership.objects.select_related("user", "member").get(user__email="m1-admin@alpha.test")
    successor = Membership.objects.select_related("user").get(user__email="m1-user@alpha.test")
    real_audit = access_services.audit_record

    def failing_audit(**kwargs):
        if kwargs["action"] == "membership.remove":
            raise RuntimeError("crash between promotion and removal")
        return real_audit(**kwargs)

    monkeypatch.setattr(access_services, "audit_record", failing_audit)
    with pytest.raises(RuntimeError):
        membership_remove(actor=None, membership=leaving, successor=successor)
    assert Membership.objects.get(pk=successor.pk).role == MemberRole.USER
    assert Membership.objects.filter(pk=leaving.pk).exists()


def test_the_organisation_keeps_a_staff_administrator(in_alpha):
    admin = User.objects.get(email="admin@alpha.test")
    with pytest.raises(LastOrganisationAdministrator, match="dernier administrateur de l'organisation"):
        user_deactivate(actor=admin, user=admin)
    with pytest.raises(LastOrganisationAdministrator):
        user_expiry_set(actor=admin, user=admin, expires_on=timezone.localdate() + timedelta(days=5))
    assert User.objects.get(pk=admin.pk).is_active


def test_a_script_granting_again_keeps_the_last_administrator(in_alpha):
    """`membership_grant` (scripts, demo data) updates an existing membership: it may not
    downgrade the last administrator either, and journals what it changed."""
    admin = Membership.objects.select_related("user", "member").get(user__email="m1-admin@alpha.test")
    with pytest.raises(LastAdministrator, match=REFUSAL):
        membership_grant(actor=None, member=admin.member, user=admin.user, role=MemberRole.USER)
    assert Membership.objects.get(pk=admin.pk).role == MemberRole.ADMINISTRATOR
    second = User.objects.get(email="m1-user@alpha.test")
    membership_grant(actor=None, member=admin.member, user=second, role=MemberRole.ADMINISTRATOR)
    membership_grant(actor=None, member=admin.member, user=admin.user, role=MemberRole.USER)
    assert Membership.objects.get(pk=admin.pk).role == MemberRole.USER
    entry = AuditEntry.objects.filter(action="membership.grant", target_id=str(admin.pk)).latest("id")
    assert entry.before["role"] == MemberRole.ADMINISTRATOR and entry.after["role"] == MemberRole.USER


def test_a_staff_account_never_becomes_a_members_administrator(in_alpha):
    """Staff act as the organisation: their membership would count as an administrator who
    cannot act for the member, letting the real last one leave."""
    member = Member.objects.get(name="Société Un")
    staff = User.objects.get(email="admin@alpha.test")
    with pytest.raises(DomainError, match="membre de l'équipe"):
        membership_grant(actor=None, member=member, user=staff, role=MemberRole.ADMINISTRATOR)
    assert not Membership.objects.filter(user=staff).exists()


# --- two administrators removing each other at the same time ---------------------------------


@pytest.fixture
def rival_admins(alpha):
    """A member with two administrators, committed (each racer has its own connection); removed after."""

    def create():
        member = Member.objects.create(name="Société Rivale", siret=siret_for(987))
        for email in ("rival-a@alpha.test", "rival-b@alpha.test"):
            user = User.objects.create_user(email, None)
            Membership.objects.create(
                user=user, member=member, role=MemberRole.ADMINISTRATOR, state=MembershipState.ACTIVE
            )
        return member.pk

    member_id = in_own_connection(alpha, create)["value"]
    yield member_id

    def clean():
        AuditEntry.objects.filter(member_id=member_id).delete()
        Member.objects.filter(pk=member_id).delete()
        User.objects.filter(email__startswith="rival-").delete()

    assert "error" not in in_own_connection(alpha, clean)


def test_two_administrators_removing_each_other_at_once_leave_one(alpha, rival_admins, monkeypatch):
    def remove(actor_email, target_email):
        def work():
            membership = Membership.objects.select_related("user", "member").get(
                member_id=rival_admins, user__email=target_email
            )
            membership_remove(actor=User.objects.get(email=actor_email), membership=membership)

        return work

    outcomes = race(
        alpha,
        monkeypatch,
        module=access_services,
        meeting_point="audit_record",
        when=lambda **kwargs: kwargs["action"] == "membership.remove",
        works=[remove("rival-a@alpha.test", "rival-b@alpha.test"), remove("rival-b@alpha.test", "rival-a@alpha.test")],
    )
    errors = [outcome.get("error") for outcome in outcomes]
    assert sum(error is None for error in errors) == 1, errors
    assert any(isinstance(error, LastAdministrator) for error in errors)
    left = in_own_connection(
        alpha, lambda: Membership.objects.filter(member_id=rival_admins, role=MemberRole.ADMINISTRATOR).count()
    )
    assert left["value"] == 1


@pytest.fixture
def second_staff_admin(alpha):
    """A second staff administrator, committed; alpha's own administrator restored after."""
    in_own_connection(alpha, lambda: User.objects.create_user("rival-staff@alpha.test", None, staff_role="admin"))
    yield

    def clean():
        AuditEntry.objects.filter(target_type="accounts.user", action="user.deactivate").filter(
            actor_email__in=["admin@alpha.test", "rival-staff@alpha.test"]
        ).delete()
        User.objects.filter(email="rival-staff@alpha.test").delete()
        User.objects.filter(email="admin@alpha.test").update(is_active=True)
        OutgoingEmail.objects.filter(to="rival-staff@alpha.test").delete()

    assert "error" not in in_own_connection(alpha, clean)


def test_two_staff_administrators_deactivating_each_other_at_once_leave_one(alpha, second_staff_admin, monkeypatch):
    def deactivate(actor_email, target_email):
        return lambda: user_deactivate(
            actor=User.objects.get(email=actor_email), user=User.objects.get(email=target_email)
        )

    outcomes = race(
        alpha,
        monkeypatch,
        module=access_services,
        meeting_point="audit_record",
        when=lambda **kwargs: kwargs["action"] == "user.deactivate",
        works=[
            deactivate("admin@alpha.test", "rival-staff@alpha.test"),
            deactivate("rival-staff@alpha.test", "admin@alpha.test"),
        ],
    )
    errors = [outcome.get("error") for outcome in outcomes]
    assert sum(error is None for error in errors) == 1, errors
    assert any(isinstance(error, LastOrganisationAdministrator) for error in errors)
    active = in_own_connection(alpha, lambda: User.objects.filter(staff_role=StaffRole.ADMIN, is_active=True).count())
    assert active["value"] == 1


def test_the_main_connection_saw_nothing_of_the_race(in_alpha):
    """The racers' rows were removed: the world of the other tests is as it was."""
    assert connection.schema_name == "alpha"
    assert not Member.objects.filter(name="Société Rivale").exists()
    assert User.objects.get(email="admin@alpha.test").is_active
