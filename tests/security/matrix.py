"""The authorization matrix: for every route, who may use it, on whose objects.

Actors (see `ACTORS`): anonymous; M1's administrator, M1's plain user, M2's administrator, an
accounting firm acting for M1 only; alpha's staff administrator; beta's staff administrator
replaying their session on alpha's host. Owners: "A" (M1's object), "B" (M2's), "T2" (an object of
organisation beta, whose id does not exist in alpha). Routes without an object are run once, with
owner None, and act on the actor's active member.

`test_authorization_matrix.py` fails when a route of the URL resolver or API router has no entry
here, and when an entry names a route that no longer exists.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

ANONYMOUS, A_ADMIN, A_USER, B_ADMIN, A_DELEGATE, STAFF, OTHER_STAFF = (
    "anonymous",
    "m1_admin",
    "m1_user",
    "m2_admin",
    "m1_delegate",
    "staff",
    "other_org_staff",
)
ACTORS = (ANONYMOUS, A_ADMIN, A_USER, B_ADMIN, A_DELEGATE, STAFF, OTHER_STAFF)
MEMBER_PEOPLE = frozenset({A_ADMIN, A_USER, B_ADMIN, A_DELEGATE})
LOGGED_IN = MEMBER_PEOPLE | {STAFF}
EVERYONE = frozenset(ACTORS)
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Route:
    """One route's expectations. `allowed` maps an owner ("A", "B", "T2", or None for routes
    without an object) to the actors that get a successful answer."""

    name: str
    allowed: dict
    object_kind: str | None = None  # a kind of `tests.security.scene.Scene`, for routes with an id
    kwarg: str = "pk"
    method: str = "GET"
    data: Callable | None = None
    extra_kwargs: dict = field(default_factory=dict)
    # Routes anyone may open (login, links with a token): only "no 5xx, no data" is checked.
    open_to_all: bool = False


def on_own(actors, *, staff: bool = True) -> dict:
    """Allowed on A's object for `actors` (plus staff), on B's object for M2's administrator
    (plus staff), never on another organisation's object."""
    actors = frozenset(actors)
    b_side = frozenset({B_ADMIN}) if A_ADMIN in actors else NOBODY
    staff_set = frozenset({STAFF}) if staff else NOBODY
    return {"A": actors | staff_set, "B": b_side | staff_set, "T2": NOBODY}


def everyone_signed_in() -> dict:
    return {None: LOGGED_IN}


ROUTES: tuple[Route, ...] = (
    # Member space and account
    Route("web:home", everyone_signed_in()),
    Route("web:logo", {None: EVERYONE}, open_to_all=True),
    Route("accounts:login", {None: EVERYONE}, open_to_all=True),
    Route("accounts:logout", {None: EVERYONE}, open_to_all=True, method="POST"),
    Route("accounts:invitation_accept", {None: EVERYONE}, open_to_all=True, extra_kwargs={"token": "forged"}),
    # Organisation administration
    Route("modules:settings", {None: {STAFF}}),
    Route("modules:toggle", {None: {STAFF}}, method="POST", extra_kwargs={"key": "questions"}),
    Route("modules:configure", {None: {STAFF}}, extra_kwargs={"key": "questions"}),
    # API documentation: any signed-in person of the organisation
    Route("api-schema", everyone_signed_in()),
    Route("api-docs", everyone_signed_in()),
    # Module shells (alpha has questions and billing on; health and purchasing off: 404 for all)
    Route("questions:home", everyone_signed_in()),
    Route("api-questions:status", everyone_signed_in()),
    Route("billing:home", everyone_signed_in()),
    Route("api-billing:status", everyone_signed_in()),
    Route("health:home", {None: NOBODY}),
    Route("api-health:status", {None: NOBODY}),
    Route("purchasing:home", {None: NOBODY}),
    Route("api-purchasing:status", {None: NOBODY}),
)

# Issue 4's routes still being built answer a placeholder page to any signed-in person.
_PLACEHOLDERS = (
    "members:list",
    "members:create",
    "members:import",
    "members:profile",
    "access:contacts",
    "access:switch",
    "access:staff",
    "notifications:preferences",
    "notifications:inbox",
    "documents:list",
    "audit:journal",
    "privacy:export",
)
ROUTES += tuple(Route(name, everyone_signed_in()) for name in _PLACEHOLDERS)
ROUTES += (
    Route("members:detail", {"A": LOGGED_IN, "B": LOGGED_IN, "T2": LOGGED_IN}, "member", kwarg="member_id"),
    Route("access:accept", {None: EVERYONE}, open_to_all=True, extra_kwargs={"token": "forged"}),
)
