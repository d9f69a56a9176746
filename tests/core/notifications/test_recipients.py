"""Who receives a kind of notification, the last-recipient rule, and `notify`."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.access.models import MemberRole
from core.access.services import membership_remove
from core.errors import DomainError
from core.mail.models import OutgoingEmail
from core.notifications.models import Notification, NotificationPreference
from core.notifications.selectors import notification_recipients
from core.notifications.services import notification_preference_set, notify

pytestmark = pytest.mark.django_db

LAST = "Au moins un utilisateur de l'adhérent doit recevoir ces notifications."


def emails(users) -> set[str]:
    return {user.email for user in users}


def grant(membership, *rights) -> None:
    membership.rights = [*membership.rights, *rights]
    membership.save(update_fields=["rights"])


def test_by_default_administrators_receive_every_kind_and_users_the_kinds_of_their_rights(alpha, membership_of):
    user = membership_of(alpha, "m1_user")
    with tenant_context(alpha):
        member = user.member
        assert emails(notification_recipients(member=member, kind="members.documents")) == {"m1-admin@alpha.test"}
        grant(user, "members.view_documents")
        assert emails(notification_recipients(member=member, kind="members.documents")) == {
            "m1-admin@alpha.test",
            "m1-user@alpha.test",
        }
        # A kind without a right goes to everyone; an administrators-only kind to administrators.
        assert emails(notification_recipients(member=member, kind="purchasing.news")) == {
            "m1-admin@alpha.test",
            "m1-user@alpha.test",
            "m1-delegate@alpha.test",
        }
        assert emails(notification_recipients(member=member, kind="access.changes")) == {"m1-admin@alpha.test"}


def test_unknown_kind_is_a_programming_error(alpha, membership_of):
    admin = membership_of(alpha, "m1_admin")
    with tenant_context(alpha), pytest.raises(LookupError):
        notification_recipients(member=admin.member, kind="nope.nothing")


def test_a_person_opts_out_while_another_still_receives(alpha, membership_of):
    admin, user = membership_of(alpha, "m1_admin"), membership_of(alpha, "m1_user")
    with tenant_context(alpha):
        grant(user, "members.view_documents")
        notification_preference_set(actor=admin.user, membership=admin, kind="members.documents", enabled=False)
        assert emails(notification_recipients(member=admin.member, kind="members.documents")) == {"m1-user@alpha.test"}
        # Now the user is the last one: neither they nor their administrator can switch them off.
        for actor in (user.user, admin.user):
            with pytest.raises(DomainError) as refused:
                notification_preference_set(actor=actor, membership=user, kind="members.documents", enabled=False)
            assert refused.value.message == LAST
        assert NotificationPreference.objects.filter(membership=user).count() == 0


def test_the_last_recipient_cannot_opt_out(alpha, membership_of):
    admin = membership_of(alpha, "m1_admin")
    with tenant_context(alpha):
        with pytest.raises(DomainError) as refused:
            notification_preference_set(actor=admin.user, membership=admin, kind="members.documents", enabled=False)
        assert refused.value.message == LAST
        assert emails(notification_recipients(member=admin.member, kind="members.documents")) == {"m1-admin@alpha.test"}


def test_switching_a_kind_on_needs_its_right(alpha, membership_of):
    user = membership_of(alpha, "m1_user")
    with tenant_context(alpha), pytest.raises(DomainError) as refused:
        notification_preference_set(actor=user.user, membership=user, kind="billing.invoice_issued", enabled=True)
    assert "droit" in refused.value.message


def test_a_kind_of_a_disabled_module_cannot_be_set(alpha, membership_of):
    admin = membership_of(alpha, "m1_admin")
    with tenant_context(alpha), pytest.raises(DomainError) as refused:
        notification_preference_set(actor=admin.user, membership=admin, kind="health.summons", enabled=True)
    assert refused.value.message == "Type de notification inconnu."


def test_falls_back_to_administrators_when_nobody_receives(alpha, membership_of):
    admin, user = membership_of(alpha, "m1_admin"), membership_of(alpha, "m1_user")
    with tenant_context(alpha):
        grant(user, "members.view_documents")
        notification_preference_set(actor=admin.user, membership=admin, kind="members.documents", enabled=False)
        membership_remove(actor=admin.user, membership=user)
        assert emails(notification_recipients(member=admin.member, kind="members.documents")) == {"m1-admin@alpha.test"}


def test_expired_inactive_and_pending_people_receive_nothing(alpha, membership_of):
    admin, user, delegate = (membership_of(alpha, key) for key in ("m1_admin", "m1_user", "m1_delegate"))
    with tenant_context(alpha):
        user.user.expires_on = timezone.localdate()
        user.user.save(update_fields=["expires_on"])
        delegate.user.is_active = False
        delegate.user.save(update_fields=["is_active"])
        assert emails(notification_recipients(member=admin.member, kind="purchasing.news")) == {"m1-admin@alpha.test"}
        user.user.expires_on = timezone.localdate() + timedelta(days=1)
        user.user.save(update_fields=["expires_on"])
        user.state = "pending"
        user.save(update_fields=["state"])
        assert emails(notification_recipients(member=admin.member, kind="purchasing.news")) == {"m1-admin@alpha.test"}


def test_notify_writes_an_inbox_row_and_queues_an_email_per_recipient(alpha, membership_of):
    admin, user = membership_of(alpha, "m1_admin"), membership_of(alpha, "m1_user")
    with tenant_context(alpha):
        grant(user, "members.view_documents")
        sent = notify(
            member=admin.member,
            kind="members.documents",
            subject="Nouveau document : Statuts",
            template="documents/email/document_added.txt",
            context={"document": {"title": "Statuts l'an"}},
            url="/documents/",
        )
        assert {notification.user.email for notification in sent} == {"m1-admin@alpha.test", "m1-user@alpha.test"}
        rows = Notification.objects.filter(member=admin.member)
        assert rows.count() == 2 and all(row.read_at is None and row.url == "/documents/" for row in rows)
        mails = OutgoingEmail.objects.filter(subject="Nouveau document : Statuts")
        assert {mail.to for mail in mails} == {"m1-admin@alpha.test", "m1-user@alpha.test"}
        body = mails.first().body
        assert "http" in body and "alpha." in body and "/documents/" in body
        assert "Statuts l'an" in body and "&#x27;" not in body  # plain text, not HTML-escaped
        # The inbox keeps the same text, for each recipient.
        assert {row.body for row in rows} == {mail.body.strip() for mail in mails}
        # Nobody of M2 hears about M1.
        assert not Notification.objects.filter(user__email="m2-admin@alpha.test").exists()


def test_notify_belongs_to_the_callers_transaction(alpha, membership_of):
    admin = membership_of(alpha, "m1_admin")
    with tenant_context(alpha):
        before = OutgoingEmail.objects.count()
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(
                member=admin.member,
                kind="access.changes",
                subject="Changement",
                template="documents/email/document_added.txt",
                context={"document": {"title": "x"}},
            )
            raise RuntimeError("the caller fails after notifying")
        assert Notification.objects.count() == 0
        assert OutgoingEmail.objects.count() == before


def test_administrators_may_be_switched_off_while_a_colleague_administrator_receives(alpha, membership_of):
    admin, user = membership_of(alpha, "m1_admin"), membership_of(alpha, "m1_user")
    with tenant_context(alpha):
        user.role = MemberRole.ADMINISTRATOR
        user.save(update_fields=["role"])
        notification_preference_set(actor=user.user, membership=admin, kind="access.changes", enabled=False)
        assert emails(notification_recipients(member=admin.member, kind="access.changes")) == {"m1-user@alpha.test"}
