"""Objects of each owner for the authorization matrix, and the text no actor may see of others.

"A" objects belong to M1 of alpha, "B" objects to M2 of alpha, "T2" objects to organisation beta,
created with an id that does not exist in alpha (so a 404 means "not served", not "another row").
"""

from collections.abc import Callable

from django_tenants.utils import tenant_context

from core.members.models import Member
from tests.security.matrix import A_ADMIN, A_DELEGATE, A_USER, ANONYMOUS, B_ADMIN, OTHER_STAFF, STAFF

M1_MARKERS = ("Société Un", "m1-contact@alpha.test")
M2_MARKERS = ("Société Deux", "m2-contact@alpha.test")
BETA_MARKERS = ("@beta.test",)

FOREIGN_MARKERS = {
    ANONYMOUS: M1_MARKERS + M2_MARKERS + BETA_MARKERS,
    OTHER_STAFF: M1_MARKERS + M2_MARKERS + BETA_MARKERS,
    A_ADMIN: M2_MARKERS + BETA_MARKERS,
    A_USER: M2_MARKERS + BETA_MARKERS,
    A_DELEGATE: M2_MARKERS + BETA_MARKERS,
    B_ADMIN: M1_MARKERS + BETA_MARKERS,
    STAFF: BETA_MARKERS,
}

MEMBER_OF_OWNER = {"A": "Société Un", "B": "Société Deux"}


class Scene:
    """Builds, on demand, the object of a kind that an owner holds; returns (id, marker)."""

    builders: dict[str, Callable] = {}

    def __init__(self, alpha, beta):
        self.alpha, self.beta = alpha, beta

    @classmethod
    def kind(cls, name: str):
        def register(builder: Callable) -> Callable:
            cls.builders[name] = builder
            return builder

        return register

    def object(self, kind: str, owner: str) -> tuple[int, str]:
        builder = self.builders[kind]
        if owner != "T2":
            with tenant_context(self.alpha):
                member = Member.objects.get(name=MEMBER_OF_OWNER[owner])
                return builder(member=member)
        with tenant_context(self.alpha):
            taken = set(builder.model.objects.values_list("pk", flat=True))
        with tenant_context(self.beta):
            member = Member.objects.get(name="Société Un")
            while True:
                pk, marker = builder(member=member, fresh=True)
                if pk not in taken:
                    return pk, marker


@Scene.kind("member")
def _member(*, member, fresh: bool = False) -> tuple[int, str]:
    if not fresh:
        return member.pk, member.email
    index = Member.objects.count() + 1
    created = Member.objects.create(
        name=f"Tiers bêta {index}", member_number=f"9{index:06d}", email=f"tiers-{index}@beta.test"
    )
    return created.pk, created.email


_member.model = Member
