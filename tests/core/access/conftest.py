"""Fixtures of the access tests: alpha's people, its members, tokens and the links e-mailed to people."""

import re

import pytest
from django.test import Client
from django_tenants.utils import tenant_context
from rest_framework.authtoken.models import Token

from core.access.models import MemberRole, Membership, MembershipKind, MembershipState
from core.accounts.models import User
from core.mail.models import OutgoingEmail
from core.members.models import Member
from tests.conftest import host_of
from tests.world import PASSWORD, person

MEMBER_NAMES = {"m1": "Société Un", "m2": "Société Deux"}
LINK = re.compile(r"/acces/validation/([^/\s]+)/")
CSRF = re.compile(rb'"X-CSRFToken": "[^"]*"|name="csrfmiddlewaretoken" value="[^"]*"')


def same_page(first, second) -> bool:
    """Two answers say the same thing (each page carries its own CSRF token)."""
    return CSRF.sub(b"", first.content) == CSRF.sub(b"", second.content)


@pytest.fixture
def in_alpha(alpha):
    """Run the test body inside alpha's schema."""
    with tenant_context(alpha):
        yield alpha


@pytest.fixture
def member_of():
    """The member of `tests.world` called `key` ("m1", "m2") in the organisation `org`."""

    def find(org, key: str) -> Member:
        with tenant_context(org):
            return Member.objects.get(name=MEMBER_NAMES[key])

    return find


@pytest.fixture
def person_client(client_for, alpha):
    """A logged-in client of one of alpha's people, e.g. `person_client("m1_admin")`; "staff" is
    alpha's staff administrator."""

    def make(key: str, org=None):
        org = org or alpha
        return client_for(org, f"admin@{org.slug}.test" if key == "staff" else person(org.slug, key))

    return make


@pytest.fixture
def membership_of():
    """The membership of person `key` for member `member_key` in `org`."""

    def find(org, key: str, member_key: str) -> Membership:
        with tenant_context(org):
            return Membership.objects.select_related("user", "member").get(
                user__email=person(org.slug, key), member__name=MEMBER_NAMES[member_key]
            )

    return find


@pytest.fixture
def token_client(alpha):
    """An API client of `email` on alpha's host, authenticated by token only (no session)."""

    def make(email: str, org=None) -> Client:
        org = org or alpha
        with tenant_context(org):
            token, _ = Token.objects.get_or_create(user=User.objects.get(email=email))
        return Client(HTTP_HOST=host_of(org), HTTP_AUTHORIZATION=f"Token {token.key}")

    return make


def link_token(org, email: str) -> str:
    """The token of the last validation link e-mailed to `email`."""
    with tenant_context(org):
        body = OutgoingEmail.objects.filter(to=email).latest("created_at", "id").body
    return LINK.search(body).group(1)


def attach(
    org,
    *,
    email: str,
    member_key: str,
    role=MemberRole.USER,
    kind=MembershipKind.CONTACT,
    rights=(),
    state=MembershipState.ACTIVE,
    password=PASSWORD,
    full_name="",
) -> Membership:
    """Give `email` (created if new) a membership of a member of `tests.world`, without e-mail."""
    with tenant_context(org):
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email, password, full_name=full_name
        )
        return Membership.objects.create(
            user=user,
            member=Member.objects.get(name=MEMBER_NAMES[member_key]),
            role=role,
            kind=kind,
            rights=list(rights),
            state=state,
        )
