"""`seed_demo` (run by `make run`) gives four organisations their users, members and modules, once."""

import pytest
from django.core.management import call_command
from django_tenants.utils import tenant_context

from core.accounts.models import User
from core.members.models import Member
from tenants.models import Organisation

pytestmark = pytest.mark.django_db


def test_seed_demo_is_complete_and_idempotent(organisations, capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    demo = {o.slug: o for o in Organisation.objects.filter(slug__in=["union", "achats", "sante", "collectivites"])}
    assert set(demo) == {"union", "achats", "sante", "collectivites"}
    assert demo["sante"].enabled_modules == ["billing", "health"]
    for organisation in demo.values():
        with tenant_context(organisation):
            assert Member.objects.count() == 3
            admin = User.objects.get(email=f"admin@{organisation.slug}.example.org")
            assert admin.check_password("adhera-demo-2026")
    with tenant_context(demo["sante"]):
        assert sorted(Member.objects.values_list("member_number", flat=True)) == ["0000001", "0000002", "0000003"]
    out = capsys.readouterr().out
    # (the port differs when browser tests ran first: they serve the platform on a free port)
    assert "union.localhost" in out and "admin@union.example.org" in out
    with tenant_context(demo["union"]):
        firm = User.objects.get(email="cabinet@fiduciaire-exemple.fr")
        assert sorted(firm.memberships.values_list("member__name", flat=True)) == [
            "Boulangerie Martin",
            "Transports Lefèvre",
        ]
        for member in Member.objects.all():
            assert member.memberships.filter(role="administrator", state="active").count() == 1
