"""The journal page: organisation administrators see and filter everything, a member
administrator their member's entries, nobody else anything; constant query count."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.audit.models import AuditEntry
from core.members.models import Member

pytestmark = pytest.mark.django_db


def write(
    organisation,
    *,
    action="member.update",
    actor="admin@alpha.test",
    member="Société Un",
    before=None,
    after=None,
    days_ago=0,
    count=1,
):
    with tenant_context(organisation):
        member_id = Member.objects.get(name=member).pk if member else None
        entries = AuditEntry.objects.bulk_create(
            AuditEntry(
                action=action,
                actor_email=actor,
                member_id=member_id,
                target_type="members.member",
                target_label=f"{member or 'organisation'} #{index}",
                before=before or {},
                after=after or {},
            )
            for index in range(count)
        )
        if days_ago:
            AuditEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
                created_at=timezone.now() - timedelta(days=days_ago)
            )
        return entries


def rows(html: str) -> int:
    return html.count("<code>")


def test_organisation_admin_sees_every_entry_with_member_names(organisations, alpha, client_for):
    write(alpha, action="member.update", member="Société Un")
    write(alpha, action="membership.invite", member="Société Deux", actor="m2-admin@alpha.test")
    write(alpha, action="organisation.module_on", member=None)
    page = client_for(alpha, "admin@alpha.test").get("/journal/").content.decode()
    assert "Société Un #0" in page and "Société Deux #0" in page and "organisation #0" in page
    assert '<td data-label="Adhérent">Société Deux</td>' in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"action": "membership."}, {"Société Deux #0"}),
        ({"action": "member."}, {"Société Un #0"}),
        ({"actor": "M2-ADMIN"}, {"Société Deux #0"}),
        ({"member": "deux"}, {"Société Deux #0"}),
        ({"date_from": "2000-01-01", "date_to": "2000-01-02"}, set()),
    ],
)
def test_filters(organisations, alpha, client_for, query, expected):
    write(alpha, action="member.update", member="Société Un")
    write(alpha, action="membership.invite", member="Société Deux", actor="m2-admin@alpha.test")
    page = client_for(alpha, "admin@alpha.test").get("/journal/", query).content.decode()
    assert {label for label in ("Société Un #0", "Société Deux #0") if label in page} == expected


def test_date_range_keeps_the_days_in_between(organisations, alpha, client_for):
    write(alpha, action="member.update", days_ago=10)
    write(alpha, action="member.create", days_ago=1)
    today = timezone.localdate()
    start = (today - timedelta(days=3)).isoformat()
    page = client_for(alpha, "admin@alpha.test").get("/journal/", {"date_from": start, "date_to": today.isoformat()})
    html = page.content.decode()
    assert "member.create" in html and "member.update" not in html


def test_a_reversed_date_range_is_explained(organisations, alpha, client_for):
    page = client_for(alpha, "admin@alpha.test").get("/journal/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert page.status_code == 200
    assert "La date de fin doit suivre la date de début." in page.content.decode()


def test_member_administrator_sees_only_their_member(organisations, alpha, client_for):
    write(alpha, action="member.update", member="Société Un")
    write(alpha, action="member.update", member="Société Deux")
    write(alpha, action="organisation.module_on", member=None)
    page = client_for(alpha, "m1-admin@alpha.test").get("/journal/", {"member": "Deux"}).content.decode()
    assert "Société Un #0" in page and "Société Deux" not in page and "organisation #0" not in page
    assert 'name="member"' not in page  # no member filter for them


@pytest.mark.parametrize("email", ["m1-user@alpha.test", "m1-delegate@alpha.test", "jurist@alpha.test"])
def test_others_are_refused(organisations, alpha, client_for, email):
    write(alpha)
    assert client_for(alpha, email).get("/journal/").status_code == 403


def test_anonymous_is_sent_to_login(organisations, alpha, client_for):
    response = client_for(alpha).get("/journal/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/connexion/")


def test_before_and_after_read_as_a_diff(organisations, alpha, client_for):
    write(
        alpha,
        action="membership.update",
        before={"role": "user", "rights": ["billing.view_invoices"], "state": "active"},
        after={"role": "administrator", "rights": [], "state": "active"},
    )
    page = client_for(alpha, "admin@alpha.test").get("/journal/").content.decode()
    assert "<del>user</del></td><td><ins>administrator</ins>" in page
    assert "<del>billing.view_invoices</del></td><td><ins>—</ins>" in page
    assert '<th scope="row">state</th>\n                <td>active</td><td>active</td>' in page


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("email", ["admin@alpha.test", "m1-admin@alpha.test"])
def test_query_count_is_the_same_for_one_or_fifty_entries(organisations, alpha, client_for, email):
    with tenant_context(alpha):
        AuditEntry.objects.all().delete()
    write(alpha, count=1)
    client = client_for(alpha, email)
    one = _count(client, "/journal/")
    write(alpha, count=30)
    write(alpha, member="Société Deux", count=19)
    assert _count(client, "/journal/") == one
    html = client.get("/journal/").content.decode()
    assert rows(html) == (50 if email == "admin@alpha.test" else 31)
