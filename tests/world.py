"""The people and members every organisation of the test database holds.

Each organisation has two members, M1 and M2. M1 has an administrator, a plain user with no
rights and an external delegate (accounting firm) acting for M1 only; M2 has its administrator.
E-mails carry the organisation's slug, so `person("alpha", "m1_admin")` is `m1-admin@alpha.test`.
"""

from stdnum import luhn

from core.access.models import MemberRole, Membership, MembershipKind, MembershipState
from core.accounts.models import User
from core.members.models import Member

PASSWORD = "correct horse battery staple"

MEMBERS = {"m1": "Société Un", "m2": "Société Deux"}

PEOPLE = {
    # key: (member key, role, kind, rights)
    "m1_admin": ("m1", MemberRole.ADMINISTRATOR, MembershipKind.CONTACT, []),
    "m1_user": ("m1", MemberRole.USER, MembershipKind.CONTACT, []),
    "m1_delegate": ("m1", MemberRole.USER, MembershipKind.DELEGATE, ["members.change_member"]),
    "m2_admin": ("m2", MemberRole.ADMINISTRATOR, MembershipKind.CONTACT, []),
}


def person(slug: str, key: str) -> str:
    return f"{key.replace('_', '-')}@{slug}.test"


def siret_for(number: int) -> str:
    """A valid SIRET (Luhn key) built from a small number."""
    base = f"{number:013d}"
    return base + luhn.calc_check_digit(base)


def member_identifier(organisation, index: int) -> str:
    return siret_for(100 + index) if organisation.identity_scheme == "siret" else f"{index:07d}"


def populate(organisation) -> None:
    """Create the members and people above in the current schema (once per test database)."""
    members = {}
    for index, (key, name) in enumerate(MEMBERS.items(), start=1):
        identifier = member_identifier(organisation, index)
        field = "siret" if organisation.identity_scheme == "siret" else "member_number"
        members[key] = Member.objects.create(
            name=name, email=f"{key}-contact@{organisation.slug}.test", **{field: identifier}
        )
    for key, (member_key, role, kind, rights) in PEOPLE.items():
        user = User.objects.create_user(person(organisation.slug, key), PASSWORD, full_name=key)
        Membership.objects.create(
            user=user, member=members[member_key], role=role, kind=kind, rights=rights, state=MembershipState.ACTIVE
        )
