"""The inbox, the unread counter, and the preference pages (own and by the member administrator)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.access.acting import SESSION_KEY
from core.access.models import MemberRole, Membership, MembershipState
from core.accounts.models import User
from core.members.models import Member
from core.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def deliver(organisation, email: str, count: int, *, member_name: str = "Société Un", read: bool = False) -> list[int]:
    with tenant_context(organisation):
        user, member = User.objects.get(email=email), Member.objects.get(name=member_name)
        rows = Notification.objects.bulk_create(
            Notification(
                user=user,
                member=member,
                kind="members.documents",
                subject=f"Avis {index:02d}",
                body=f"Texte de l'avis {index:02d}",
                url="/documents/",
                read_at=timezone.now() if read else None,
            )
            for index in range(count)
        )
        return [row.pk for row in rows]


def test_inbox_marks_read_with_htmx_and_the_menu_counter_follows(organisations, alpha, client_for):
    deliver(alpha, "m1-admin@alpha.test", 1, read=True)
    (unread,) = deliver(alpha, "m1-admin@alpha.test", 1)
    client = client_for(alpha, "m1-admin@alpha.test")
    page = client.get("/notifications/").content.decode()
    # The unread counter shows in the menu beside "Notifications".
    assert 'class="badge counter">1<' in page
    response = client.post(f"/notifications/{unread}/lue/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert f'id="notification-{unread}"' in fragment and "Non lue" not in fragment
    # The menu comes out of band, without the counter now that all are read.
    assert 'hx-swap-oob="true"' in fragment and "badge counter" not in fragment
    with tenant_context(alpha):
        assert Notification.objects.get(pk=unread).read_at is not None
    assert "badge counter" not in client.get("/").content.decode()


def test_unread_come_before_read(organisations, alpha, client_for):
    deliver(alpha, "m1-admin@alpha.test", 2, read=True)
    (unread,) = deliver(alpha, "m1-admin@alpha.test", 1)
    page = client_for(alpha, "m1-admin@alpha.test").get("/notifications/").content.decode()
    items = page.split('<li class="card notification')[1:]
    assert items[0].startswith(" unread") and f'id="notification-{unread}"' in items[0]
    assert all(not item.startswith(" unread") for item in items[1:])


def test_nobody_reads_or_marks_another_persons_notification(organisations, alpha, client_for):
    (mine,) = deliver(alpha, "m1-admin@alpha.test", 1)
    for email in ("m1-user@alpha.test", "m2-admin@alpha.test", "admin@alpha.test"):
        client = client_for(alpha, email)
        assert client.post(f"/notifications/{mine}/lue/").status_code == 404
        assert client.post(f"/notifications/{mine}/ouvrir/").status_code == 404
        assert "Avis 00" not in client.get("/notifications/").content.decode()
    with tenant_context(alpha):
        assert Notification.objects.get(pk=mine).read_at is None


def test_open_marks_read_and_follows_only_a_local_link(organisations, alpha, client_for):
    (local,) = deliver(alpha, "m1-admin@alpha.test", 1)
    with tenant_context(alpha):
        Notification.objects.filter(pk=local).update(url="//evil.example/x")
    client = client_for(alpha, "m1-admin@alpha.test")
    response = client.post(f"/notifications/{local}/ouvrir/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    with tenant_context(alpha):
        Notification.objects.filter(pk=local).update(url="/documents/")
    assert client.post(f"/notifications/{local}/ouvrir/")["Location"] == "/documents/"


def test_read_all(organisations, alpha, client_for):
    deliver(alpha, "m1-admin@alpha.test", 3)
    deliver(alpha, "m2-admin@alpha.test", 1, member_name="Société Deux")
    client = client_for(alpha, "m1-admin@alpha.test")
    client.post("/notifications/tout-lire/")
    with tenant_context(alpha):
        assert not Notification.objects.filter(user__email="m1-admin@alpha.test", read_at__isnull=True).exists()
        assert Notification.objects.filter(user__email="m2-admin@alpha.test", read_at__isnull=True).count() == 1


def test_staff_have_an_empty_inbox(organisations, alpha, client_for):
    page = client_for(alpha, "admin@alpha.test").get("/notifications/")
    assert page.status_code == 200 and "vous n'agissez pour aucun adhérent" in page.content.decode()


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_inbox_query_count_does_not_grow_with_notifications(organisations, alpha, client_for):
    deliver(alpha, "m1-admin@alpha.test", 1)
    client = client_for(alpha, "m1-admin@alpha.test")
    one = _count(client, "/notifications/")
    deliver(alpha, "m1-admin@alpha.test", 19)
    deliver(alpha, "m1-admin@alpha.test", 10, read=True)
    assert _count(client, "/notifications/") == one


def test_preferences_show_kinds_of_enabled_modules_and_rights(organisations, alpha, client_for):
    page = client_for(alpha, "m1-admin@alpha.test").get("/notifications/preferences/").content.decode()
    assert "Nouveau document" in page and "Réponse à une question" in page and "Nouvelle facture" in page
    assert "Convocation" not in page  # health is off in alpha
    user_page = client_for(alpha, "m1-user@alpha.test").get("/notifications/preferences/").content.decode()
    assert "Nouveau document" not in user_page and "Réponse à une question" not in user_page


def test_the_last_recipient_is_told_and_nothing_is_saved(organisations, alpha, client_for, membership_of):
    user = membership_of(alpha, "m1_user")
    with tenant_context(alpha):
        user.rights = ["members.view_documents"]
        user.save(update_fields=["rights"])
    client = client_for(alpha, "m1-admin@alpha.test")
    # Untick everything: "Nouveau document" alone could go (m1-user receives it), the others not;
    # the whole form is refused, so that one is not saved either.
    response = client.post("/notifications/preferences/", {})
    assert response.status_code == 200
    assert "Au moins un utilisateur de l&#x27;adhérent doit recevoir ces notifications." in response.content.decode()
    with tenant_context(alpha):
        assert not NotificationPreference.objects.exists()


def test_the_member_administrator_sets_a_users_preferences(organisations, alpha, client_for, membership_of):
    user = membership_of(alpha, "m1_user")
    with tenant_context(alpha):
        user.rights = ["members.view_documents"]
        user.save(update_fields=["rights"])
    path = f"/notifications/utilisateurs/{user.pk}/"
    admin = client_for(alpha, "m1-admin@alpha.test")
    assert "Nouveau document" in admin.get(path).content.decode()
    response = admin.post(path, {})
    assert response.status_code == 302
    with tenant_context(alpha):
        assert NotificationPreference.objects.get(membership=user, kind="members.documents").enabled is False
    for outsider in ("m1-user@alpha.test", "m1-delegate@alpha.test", "m2-admin@alpha.test"):
        assert client_for(alpha, outsider).get(path).status_code == 404
    assert client_for(alpha, "m1-user@alpha.test").post(path, {"members.documents": "on"}).status_code == 404


def test_the_menu_counter_costs_one_query(organisations, alpha, client_for):
    deliver(alpha, "m1-admin@alpha.test", 3)
    client = client_for(alpha, "m1-admin@alpha.test")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/").content.decode()
    assert 'class="badge counter">3<' in page
    assert len([query for query in queries if "notifications_notification" in query["sql"]]) == 1


def test_an_administrator_of_two_members_sets_preferences_of_the_active_one_only(
    organisations, alpha, client_for, membership_of
):
    user = membership_of(alpha, "m1_user")
    with tenant_context(alpha):
        Membership.objects.create(
            user=User.objects.get(email="m2-admin@alpha.test"),
            member=user.member,
            role=MemberRole.ADMINISTRATOR,
            state=MembershipState.ACTIVE,
        )
    client = client_for(alpha, "m2-admin@alpha.test")
    path = f"/notifications/utilisateurs/{user.pk}/"
    # Acting for Société Deux (first by name): Société Un's people are out of reach.
    assert "pour Société Deux" in client.get("/notifications/").content.decode()
    assert client.get(path).status_code == 404
    assert client.post(path, {}).status_code == 404
    session = client.session
    session[SESSION_KEY] = user.member_id
    session.save()
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("email", [None, "admin@alpha.test"])
def test_the_menu_counter_costs_nothing_without_an_active_member(organisations, alpha, client_for, email):
    deliver(alpha, "m1-admin@alpha.test", 3)
    client = client_for(alpha, email)
    path = "/compte/connexion/" if email is None else "/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    assert not [query for query in queries if "notifications_notification" in query["sql"]]
