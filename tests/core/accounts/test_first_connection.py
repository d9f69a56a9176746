"""First connection: by member number / SIRET or by e-mail, a temporary link to set up access."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.access.models import MemberRole, Membership, MembershipState
from core.accounts.models import AccountLink, User
from core.members.models import Member
from tests.conftest import host_of
from tests.world import PASSWORD, siret_for

from .conftest import link_in, outbox, policy

pytestmark = pytest.mark.django_db

PREFIX = "/compte/premiere-connexion/"
CHOSEN = "la phrase de passe de ma premiere connexion"


@pytest.fixture
def alpha_first(alpha):
    policy(alpha, "password", "first_connection_link")
    return alpha


@pytest.fixture
def m3(alpha):
    """A member of alpha with a contact address and nobody attached yet."""
    with tenant_context(alpha):
        return Member.objects.create(name="Société Trois", siret=siret_for(103), email="M3-Contact@alpha.test")


def ask(organisation, identifier: str):
    response = Client(HTTP_HOST=host_of(organisation)).post(PREFIX, {"identifier": identifier})
    assert response.status_code == 302 and response["Location"] == f"{PREFIX}envoye/"
    return response


def accept(client: Client, link: str, password: str | None = CHOSEN):
    data = {"password": password, "password_confirm": password} if password else {}
    return client.post(link, data)


def administrators_of(organisation, member) -> list[str]:
    with tenant_context(organisation):
        return sorted(
            Membership.objects.filter(
                member=member, role=MemberRole.ADMINISTRATOR, state=MembershipState.ACTIVE
            ).values_list("user__email", flat=True)
        )


def test_by_siret_the_contact_address_becomes_the_member_s_administrator(organisations, alpha_first, m3):
    ask(alpha_first, " ".join([m3.siret[:3], m3.siret[3:6], m3.siret[6:9], m3.siret[9:]]))  # typed with spaces
    mail = outbox(alpha_first, to="m3-contact@alpha.test")[-1]
    assert "30 minutes" in mail.body
    link = link_in(mail, PREFIX)
    with tenant_context(alpha_first):
        assert not User.objects.filter(email="m3-contact@alpha.test").exists()  # not before the link is used
    client = Client(HTTP_HOST=host_of(alpha_first))
    assert client.get(link).status_code == 200
    assert accept(client, link).status_code == 302
    assert client.get("/").status_code == 200
    assert administrators_of(alpha_first, m3) == ["m3-contact@alpha.test"]
    with tenant_context(alpha_first):
        assert User.objects.get(email="m3-contact@alpha.test").check_password(CHOSEN)
    assert Client(HTTP_HOST=host_of(alpha_first)).get(link).status_code == 404  # single use


def test_by_member_number_in_an_organisation_that_numbers_its_members(organisations, beta):
    policy(beta, "password", "first_connection_link")
    with tenant_context(beta):
        member = Member.objects.create(name="Société Trois", member_number="0000003", email="m3-contact@beta.test")
    ask(beta, "0000003")
    link = link_in(outbox(beta, to="m3-contact@beta.test")[-1], PREFIX)
    assert accept(Client(HTTP_HOST=host_of(beta)), link).status_code == 302
    assert administrators_of(beta, member) == ["m3-contact@beta.test"]


def test_a_member_with_an_administrator_sends_the_contact_to_them(organisations, alpha_first):
    ask(alpha_first, siret_for(101))  # M1: administrator m1-admin, contact address without an account
    mail = outbox(alpha_first, to="m1-contact@alpha.test")[-1]
    assert "déjà un administrateur" in mail.body and PREFIX not in mail.body
    with tenant_context(alpha_first):
        assert not AccountLink.objects.filter(email="m1-contact@alpha.test").exists()


def test_by_e_mail_an_existing_account_gets_a_link_to_choose_its_password(organisations, alpha_first):
    ask(alpha_first, "M1-User@alpha.test")
    link = link_in(outbox(alpha_first, to="m1-user@alpha.test")[-1], PREFIX)
    assert accept(Client(HTTP_HOST=host_of(alpha_first)), link).status_code == 302
    with tenant_context(alpha_first):
        assert User.objects.get(email="m1-user@alpha.test").check_password(CHOSEN)


def test_by_e_mail_a_member_contact_address_without_account_gets_a_link(organisations, alpha_first, m3):
    ask(alpha_first, "m3-contact@alpha.test")
    link = link_in(outbox(alpha_first, to="m3-contact@alpha.test")[-1], PREFIX)
    assert accept(Client(HTTP_HOST=host_of(alpha_first)), link).status_code == 302
    assert administrators_of(alpha_first, m3) == ["m3-contact@alpha.test"]


def test_no_second_administrator_if_one_appeared_before_the_link_is_used(organisations, alpha_first, m3):
    ask(alpha_first, m3.siret)
    link = link_in(outbox(alpha_first, to="m3-contact@alpha.test")[-1], PREFIX)
    with tenant_context(alpha_first):
        someone = User.objects.create_user("first-admin@alpha.test", PASSWORD)
        Membership.objects.create(user=someone, member=m3, role=MemberRole.ADMINISTRATOR, state=MembershipState.ACTIVE)
    response = accept(Client(HTTP_HOST=host_of(alpha_first)), link)
    assert response.status_code == 409 and "demandez-lui" in response.content.decode()
    assert administrators_of(alpha_first, m3) == ["first-admin@alpha.test"]
    with tenant_context(alpha_first):
        assert not User.objects.filter(email="m3-contact@alpha.test").exists()


def test_only_the_newest_link_works_and_an_expired_one_fails(organisations, alpha_first, m3):
    ask(alpha_first, m3.siret)
    ask(alpha_first, m3.siret)
    older, newer = (link_in(mail, PREFIX) for mail in outbox(alpha_first, to="m3-contact@alpha.test")[-2:])
    client = Client(HTTP_HOST=host_of(alpha_first))
    assert client.get(older).status_code == 404
    with tenant_context(alpha_first):
        AccountLink.objects.filter(email="m3-contact@alpha.test").update(
            expires_at=timezone.now() - timedelta(seconds=1)
        )
    assert accept(client, newer).status_code == 404
    assert administrators_of(alpha_first, m3) == []


def test_unknown_identifier_and_address_send_nothing(organisations, alpha_first):
    before = len(outbox(alpha_first))
    for identifier in (siret_for(999), "not-a-siret", "nobody@alpha.test", ""):
        Client(HTTP_HOST=host_of(alpha_first)).post(PREFIX, {"identifier": identifier})
    assert len(outbox(alpha_first)) == before


def test_an_expired_account_cannot_use_its_link(organisations, alpha_first):
    ask(alpha_first, "m1-user@alpha.test")
    link = link_in(outbox(alpha_first, to="m1-user@alpha.test")[-1], PREFIX)
    with tenant_context(alpha_first):
        User.objects.filter(email="m1-user@alpha.test").update(expires_on=timezone.localdate())
    client = Client(HTTP_HOST=host_of(alpha_first))
    page = client.get(link)
    assert page.status_code == 403 and "Votre accès a expiré." in page.content.decode()
    assert accept(client, link).status_code == 403
    assert client.get("/").status_code == 302


def test_without_passwords_in_the_policy_the_link_alone_opens_the_space(organisations, alpha, m3):
    policy(alpha, "email_code", "first_connection_link")
    ask(alpha, m3.siret)
    link = link_in(outbox(alpha, to="m3-contact@alpha.test")[-1], PREFIX)
    client = Client(HTTP_HOST=host_of(alpha))
    assert 'name="password"' not in client.get(link).content.decode()
    assert accept(client, link, password=None).status_code == 302
    assert client.get("/").status_code == 200
    with tenant_context(alpha):
        assert not User.objects.get(email="m3-contact@alpha.test").has_usable_password()


def test_first_connection_answers_404_when_the_policy_lacks_it(organisations, alpha, m3):
    client = Client(HTTP_HOST=host_of(alpha))
    assert client.post(PREFIX, {"identifier": m3.siret}).status_code == 404
    assert client.get(f"{PREFIX}some-token/").status_code == 404


def test_an_account_opened_and_deactivated_since_the_link_left_gets_nothing(organisations, alpha_first, m3):
    ask(alpha_first, m3.siret)
    link = link_in(outbox(alpha_first, to="m3-contact@alpha.test")[-1], PREFIX)
    with tenant_context(alpha_first):
        User.objects.create_user("m3-contact@alpha.test", None, is_active=False)
    client = Client(HTTP_HOST=host_of(alpha_first))
    response = accept(client, link)
    assert response.status_code == 404 and "plus valable" in response.content.decode()
    assert client.get("/").status_code == 302
    assert administrators_of(alpha_first, m3) == []
    with tenant_context(alpha_first):
        assert not User.objects.get(email="m3-contact@alpha.test").has_usable_password()
