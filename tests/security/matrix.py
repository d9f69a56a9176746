"""The authorization matrix: for every route, who may use it, on whose objects.

Actors (see `ACTORS`): anonymous; M1's administrator, M1's plain user, M2's administrator, an
accounting firm acting for M1 only; alpha's staff administrator; beta's staff administrator
replaying their session on alpha's host. Owners: "A" (M1's object), "B" (M2's), "T2" (an object of
organisation beta, whose id does not exist in alpha). Routes without an object are run once, with
owner None, and act on the actor's active member.

`test_authorization_matrix.py` fails when a route of the URL resolver or API router has no entry
here, and when an entry names a route that no longer exists.
"""

from collections.abc import Callable, Mapping
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
    # The object's id goes in the query string under `kwarg` (an API filter such as ?member=).
    in_query: bool = False
    # Fixtures a cell needs beyond the organisations (e.g. a Stripe-speaking server for a payment).
    fixtures: tuple[str, ...] = ()


class Built(Mapping):
    """Path arguments made when a cell runs, not when the matrix is read: `Built(campaign_id=f)`
    gives `{"campaign_id": f()}` to `dict()`, e.g. the id of a campaign created for the cell."""

    def __init__(self, **makers: Callable):
        self.makers = makers

    def __getitem__(self, key):
        return self.makers[key]()

    def __iter__(self):
        return iter(self.makers)

    def __len__(self) -> int:
        return len(self.makers)


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
    # Ways in (open to all; a way the policy does not allow answers 404) and "Mon compte"
    *(
        Route(f"accounts:{name}", {None: EVERYONE}, open_to_all=True)
        for name in ("password_reset", "password_reset_sent", "first_connection", "first_connection_sent")
    ),
    *(Route(f"accounts:{name}", {None: EVERYONE}, open_to_all=True) for name in ("code_request", "code_verify")),
    *(
        Route(f"accounts:{name}", {None: EVERYONE}, open_to_all=True, extra_kwargs={"token": "forged"})
        for name in ("password_reset_confirm", "first_connection_accept")
    ),
    Route("accounts:password_strength", {None: EVERYONE}, open_to_all=True, method="POST"),
    Route("accounts:account", everyone_signed_in()),
    Route(
        "accounts:password_change",
        everyone_signed_in(),
        method="POST",
        data=lambda: {
            "old_password": "correct horse battery staple",
            "password": "une autre phrase de passe solide",
            "password_confirm": "une autre phrase de passe solide",
        },
    ),
    Route("accounts:sessions_end", everyone_signed_in(), method="POST"),
    Route("accounts:api_token", everyone_signed_in(), method="POST"),
    # Organisation administration
    Route("modules:settings", {None: {STAFF}}),
    Route("modules:toggle", {None: {STAFF}}, method="POST", extra_kwargs={"key": "questions"}),
    Route("modules:configure", {None: {STAFF}}, extra_kwargs={"key": "questions"}),
    # API documentation: any signed-in person of the organisation
    Route("api-schema", everyone_signed_in()),
    Route("api-docs", everyone_signed_in()),
    # Module shells (health and purchasing off in alpha: 404 for all; billing's routes are below)
    Route("health:home", {None: NOBODY}),
    Route("api-health:status", {None: NOBODY}),
    Route("purchasing:home", {None: NOBODY}),
    Route("api-purchasing:status", {None: NOBODY}),
)

ROUTES += (Route("access:accept", {None: EVERYONE}, open_to_all=True, extra_kwargs={"token": "forged"}),)

# Members (core.members): staff pages, a member's record and profile, the members API.
_STAFF_ON_ANY = {"A": {STAFF}, "B": {STAFF}, "T2": NOBODY}
_A_PEOPLE = {A_ADMIN, A_USER, A_DELEGATE}
_A_CHANGERS = {A_ADMIN, A_DELEGATE}  # the delegate holds members.change_member; m1_user holds no right
ROUTES += (
    Route("members:list", {None: {STAFF}}),
    Route("members:create", {None: {STAFF}}),
    Route("members:import", {None: {STAFF}}),
    Route("members:import_confirm", {None: {STAFF}}, method="POST"),
    Route("members:profile", {None: MEMBER_PEOPLE}),
    Route("members:detail", _STAFF_ON_ANY, "member", kwarg="member_id"),
    Route("members:edit", on_own(_A_CHANGERS), "member", kwarg="member_id"),
    Route("members:address", on_own(_A_CHANGERS), "member", kwarg="member_id", extra_kwargs={"kind": "siege"}),
    Route(
        "members:address_remove",
        on_own(_A_CHANGERS),
        "member",
        kwarg="member_id",
        method="POST",
        extra_kwargs={"kind": "facturation"},
    ),
    Route("members:establishment_create", _STAFF_ON_ANY, "member", kwarg="member_id"),
    Route("members:establishment_edit", _STAFF_ON_ANY, "establishment", kwarg="establishment_id"),
    Route("members:establishment_remove", _STAFF_ON_ANY, "establishment", kwarg="establishment_id", method="POST"),
    Route("api-members:member-list", everyone_signed_in()),
    Route("api-members:member-detail", on_own(_A_PEOPLE), "member", kwarg="member_id"),
    Route("api-members:establishment-list", on_own(_A_PEOPLE), "member", kwarg="member_id"),
    Route("api-members:establishment-detail", on_own(_A_PEOPLE), "establishment", kwarg="establishment_id"),
    Route("api-members:address-list", on_own(_A_PEOPLE), "member", kwarg="member_id"),
    # DELETE of a kind the member has no address of: the write right, with nothing to lose.
    Route(
        "api-members:address-detail",
        on_own(_A_CHANGERS),
        "member",
        kwarg="member_id",
        method="DELETE",
        extra_kwargs={"kind": "billing"},
    ),
)

# Notifications, documents, journal, personal data (core.notifications, core.documents, core.audit, core.privacy)
_MEMBER_ADMINS_AND_STAFF = frozenset({A_ADMIN, B_ADMIN, STAFF})
ROUTES += (
    # Staff have no member: an empty inbox and a sentence instead of preferences.
    Route("notifications:inbox", everyone_signed_in()),
    Route("notifications:preferences", everyone_signed_in()),
    Route("notifications:read_all", everyone_signed_in(), method="POST"),
    # A person's own notifications only: not even staff read someone else's.
    Route(
        "notifications:read",
        {"A": {A_ADMIN}, "B": {B_ADMIN}, "T2": NOBODY},
        "notification",
        kwarg="notification_id",
        method="POST",
    ),
    Route(
        "notifications:open",
        {"A": {A_ADMIN}, "B": {B_ADMIN}, "T2": NOBODY},
        "notification",
        kwarg="notification_id",
        method="POST",
    ),
    Route("notifications:member_preferences", on_own({A_ADMIN}), "membership", kwarg="membership_id"),
    # m1_user holds no right and the delegate not members.view_documents.
    Route("documents:list", {None: _MEMBER_ADMINS_AND_STAFF}),
    Route("documents:upload", on_own(NOBODY), "member", kwarg="member_id"),
    Route("documents:download", on_own({A_ADMIN}), "document", kwarg="document_id"),
    Route("documents:delete", on_own(NOBODY), "document", kwarg="document_id", method="POST"),
    Route("audit:journal", {None: _MEMBER_ADMINS_AND_STAFF}),
    Route("privacy:export", everyone_signed_in()),
    Route("privacy:erase", on_own(NOBODY), "person", kwarg="user_id"),
)

# People and rights (core.access): contacts, switcher, team, access API.
_A_ADMIN_ONLY = {A_ADMIN}
ROUTES += (
    # Staff have no active member: they are sent to the members list (302).
    Route("access:contacts", everyone_signed_in()),
    Route("access:member_contacts", on_own(_A_PEOPLE), "member", kwarg="member_id"),
    Route("access:contact", on_own(_A_ADMIN_ONLY), "membership", kwarg="membership_id"),
    Route("access:contact_resend", on_own(_A_ADMIN_ONLY), "pending_membership", kwarg="membership_id", method="POST"),
    Route("access:contact_remove", on_own(_A_ADMIN_ONLY), "pending_membership", kwarg="membership_id", method="POST"),
    Route(
        "access:contact_expiry",
        on_own(_A_ADMIN_ONLY),
        "membership",
        kwarg="membership_id",
        method="POST",
        data=lambda: {"expires_on": ""},
    ),
    Route("access:switch", everyone_signed_in()),
    Route("access:staff", {None: {STAFF}}),
    Route("access:staff_member", _STAFF_ON_ANY, "staff_user", kwarg="user_id"),
    Route(
        "access:staff_expiry",
        _STAFF_ON_ANY,
        "staff_user",
        kwarg="user_id",
        method="POST",
        data=lambda: {"expires_on": ""},
    ),
    Route("access:staff_deactivate", _STAFF_ON_ANY, "staff_user", kwarg="user_id", method="POST"),
    Route("api-access:me", everyone_signed_in()),
    Route("api-access:active-member", everyone_signed_in()),
    Route("api-access:rights", everyone_signed_in()),
    Route("api-access:contact-list", on_own(_A_PEOPLE), "member", kwarg="member_id"),
    Route("api-access:contact-detail", on_own(_A_PEOPLE), "membership", kwarg="pk"),
    Route("api-access:contact-resend", on_own(_A_ADMIN_ONLY), "pending_membership", kwarg="pk", method="POST"),
)

# Legal questions (modules.questions; alpha has the module on). Member side: people holding
# questions.use_questions / ask_question on their active member, i.e. the members' administrators
# (m1_user holds no right, the delegate only members.change_member). Staff (alpha's administrator,
# role admin) work the questions and manage the themes.
_QUESTION_ASKERS = frozenset({A_ADMIN, B_ADMIN})
_QUESTION_OWNERS = on_own({A_ADMIN})  # A: a question M1's administrator asked; B: M2's; staff read both
_ASKERS_ONLY = on_own({A_ADMIN}, staff=False)  # the member's side of the exchange: staff cannot reply
_STAFF_ONLY = {None: {STAFF}}


def _alpha_jurist_id() -> dict:
    from django_tenants.utils import schema_context

    from core.accounts.models import User

    with schema_context("alpha"):
        return {"assignee": User.objects.get(email="jurist@alpha.test").pk}


def _answer() -> dict:
    return {"body": "<p>Oui, une seule fois, si l'accord de branche le prévoit.</p>"}


def _reply() -> dict:
    return {"body": "Il s'agit d'un CDI signé le 2 mai."}


# A jurist's action -> the question it succeeds on and the data it succeeds with.
_STAFF_ACTIONS = {
    "assign": ("question", _alpha_jurist_id),
    "answer": ("question", _answer),
    "info_request": ("question", _answer),
    "close": ("question", lambda: {"note": ""}),
    "reopen": ("answered_question", lambda: {"note": ""}),
    "callback_done": ("callback_question", None),
}


def _staff_actions(prefix: str, names: dict) -> tuple[Route, ...]:
    """The jurists' POST actions on a question, page or API (`names` maps action to route name)."""
    return tuple(
        Route(f"{prefix}:{names[action]}", _STAFF_ON_ANY, kind, kwarg="question_id", method="POST", data=data)
        for action, (kind, data) in _STAFF_ACTIONS.items()
    )


ROUTES += (
    # Staff open the history too: it sends them to the queue (302), their page.
    Route("questions:list", {None: _QUESTION_ASKERS | {STAFF}}),
    Route("questions:ask", {None: _QUESTION_ASKERS}),
    Route("questions:sub_themes", {None: _QUESTION_ASKERS | {STAFF}}),
    Route("questions:detail", _QUESTION_OWNERS, "question", kwarg="question_id"),
    Route("questions:reply", _ASKERS_ONLY, "question", kwarg="question_id", method="POST", data=_reply),
    Route("questions:pdf", _QUESTION_OWNERS, "question", kwarg="question_id"),
    Route("questions:attachment", _QUESTION_OWNERS, "question_attachment", kwarg="attachment_id"),
    Route("questions:queue", _STAFF_ONLY),
    Route("questions:callbacks", _STAFF_ONLY),
    Route("questions:statistics", _STAFF_ONLY),
    *_staff_actions("questions", {name: name for name in _STAFF_ACTIONS}),
    # Themes: the organisation's administrator (alpha's staff admin); themes belong to no member.
    Route("questions:themes", _STAFF_ONLY),
    Route("questions:theme_edit", _STAFF_ON_ANY, "theme", kwarg="theme_id"),
    Route(
        "questions:theme_move",
        _STAFF_ON_ANY,
        "theme",
        kwarg="theme_id",
        method="POST",
        data=lambda: {"direction": "up"},
    ),
    Route(
        "questions:sub_theme_create",
        _STAFF_ON_ANY,
        "theme",
        kwarg="theme_id",
        method="POST",
        data=lambda: {"name": "Rupture conventionnelle"},
    ),
    Route("questions:sub_theme_edit", _STAFF_ON_ANY, "sub_theme", kwarg="sub_theme_id"),
    Route(
        "questions:sub_theme_move",
        _STAFF_ON_ANY,
        "sub_theme",
        kwarg="sub_theme_id",
        method="POST",
        data=lambda: {"direction": "up"},
    ),
    # API
    Route("api-questions:question-list", {None: _QUESTION_ASKERS | {STAFF}}),
    Route("api-questions:question-detail", _QUESTION_OWNERS, "question", kwarg="question_id"),
    Route("api-questions:question-reply", _ASKERS_ONLY, "question", kwarg="question_id", method="POST", data=_reply),
    Route("api-questions:question-pdf", _QUESTION_OWNERS, "question", kwarg="question_id"),
    Route("api-questions:attachment-detail", _QUESTION_OWNERS, "question_attachment", kwarg="attachment_id"),
    Route("api-questions:theme-list", {None: _QUESTION_ASKERS | {STAFF}}),
    Route("api-questions:callback-list", _STAFF_ONLY),
    Route("api-questions:statistics", _STAFF_ONLY),
    *_staff_actions(
        "api-questions",
        {
            "assign": "question-assign",
            "answer": "question-answer",
            "info_request": "question-info-request",
            "close": "question-close",
            "reopen": "question-reopen",
            "callback_done": "question-callback-done",
        },
    ),
)

# Billing (modules.billing; alpha has it on). Member side: people holding billing.view_invoices,
# pay_invoices and submit_declaration on their active member, i.e. the members' administrators
# (m1_user holds no right, the delegate only members.change_member). Billing staff pages need
# billing.manage_billing (administrators and accountants; the jurist is refused, see
# tests/security/test_menu.py); the payment keys billing.configure_payments (administrators).
# Staff who open a member page are sent to their own (302). Stripe's webhook is anonymous by
# design: it answers a request without a valid signature 400 (tests/modules/billing/test_isolation.py).
_BILLING_MEMBERS = frozenset({A_ADMIN, B_ADMIN})
_INVOICE_READERS = on_own({A_ADMIN})  # A: an invoice of M1; B: of M2; staff read both
_PAYERS_ONLY = on_own({A_ADMIN}, staff=False)  # a member's online payment: staff have no member


def _alpha_campaign_id() -> int:
    """A campaign opened in alpha for the cell (the member's cotisation is worked out on it)."""
    from django_tenants.utils import schema_context

    from tests.security.scene import _campaign

    with schema_context("alpha"):
        return _campaign(member=None)[0]


def _alpha_campaign_opened() -> dict:
    """Alpha asks for the data sheet (a campaign opens for the cell); the figures of a valid sheet."""
    _alpha_campaign_id()
    return {"payroll": "850000", "contracts": "6", "headcount": "7", "fte": "6.5"}


def _alpha_invoices_to_pay() -> dict:
    """An invoice of M1 and one of M2: each administrator pays their own member's (the other is
    ignored: `payable_invoices` reads the active member's only)."""
    from django_tenants.utils import schema_context

    from core.members.models import Member
    from tests.security.scene import _invoice

    with schema_context("alpha"):
        ids = [_invoice(member=Member.objects.get(name=name))[0] for name in ("Société Un", "Société Deux")]
    return {"invoices": ids}


def _payment_received() -> dict:
    from django.utils import timezone

    return {"method": "transfer", "amount": "10.00", "received_on": timezone.localdate().isoformat(), "reference": ""}


def _sheet_corrected() -> dict:
    return {"payroll": "7654000", "contracts": "9", "headcount": "8", "fte": "7.5", "reason": "Erreur de saisie"}


ROUTES += (
    # Members: invoices, an invoice and its PDF, the statement, the data sheet
    Route("billing:invoices", {None: _BILLING_MEMBERS | {STAFF}}),
    Route("billing:invoice", _INVOICE_READERS, "invoice", kwarg="invoice_id"),
    Route("billing:invoice_pdf", _INVOICE_READERS, "invoice", kwarg="invoice_id"),
    Route("billing:statement", {None: _BILLING_MEMBERS | {STAFF}}),
    Route("billing:declaration", {None: _BILLING_MEMBERS | {STAFF}}),
    # Staff who post a data sheet are sent to their page too, nothing written.
    Route("billing:declaration", {None: _BILLING_MEMBERS | {STAFF}}, method="POST", data=_alpha_campaign_opened),
    # Online payment: without Stripe keys the start is refused with a message (302 to the invoices)
    Route("billing:checkout_start", {None: _BILLING_MEMBERS}, method="POST", data=_alpha_invoices_to_pay),
    Route("billing:checkout_return", _PAYERS_ONLY, "checkout", kwarg="key"),
    Route("billing:checkout_status", _PAYERS_ONLY, "checkout", kwarg="key"),
    Route("billing:checkout_cancel", _PAYERS_ONLY, "checkout", kwarg="key"),
    Route("billing:stripe_webhook", {None: EVERYONE}, open_to_all=True, method="POST"),
    # Staff: campaigns, rules, declarations, runs
    Route("billing:staff_home", _STAFF_ONLY),
    Route("billing:campaign", _STAFF_ON_ANY, "campaign", kwarg="campaign_id"),
    Route("billing:rule", _STAFF_ON_ANY, "campaign", kwarg="campaign_id"),
    Route(
        "billing:contribution",
        _STAFF_ON_ANY,
        "member",
        kwarg="member_id",
        extra_kwargs=Built(campaign_id=_alpha_campaign_id),
    ),
    Route(
        "billing:declaration_correct",
        _STAFF_ON_ANY,
        "declaration",
        kwarg="declaration_id",
        method="POST",
        data=_sheet_corrected,
    ),
    Route("billing:run_start", _STAFF_ON_ANY, "campaign", kwarg="campaign_id", method="POST"),
    Route("billing:run", _STAFF_ON_ANY, "run", kwarg="run_id"),
    Route("billing:run_progress", _STAFF_ON_ANY, "run", kwarg="run_id"),
    # Staff: invoices, payments, exports, payment keys
    Route("billing:staff_invoices", _STAFF_ONLY),
    Route("billing:staff_invoice", _STAFF_ON_ANY, "invoice", kwarg="invoice_id"),
    Route(
        "billing:payment_record", _STAFF_ON_ANY, "invoice", kwarg="invoice_id", method="POST", data=_payment_received
    ),
    Route(
        "billing:credit_note",
        _STAFF_ON_ANY,
        "invoice",
        kwarg="invoice_id",
        method="POST",
        data=lambda: {"scope": "full", "reason": "Adhésion facturée deux fois"},
    ),
    Route("billing:staff_payments", _STAFF_ONLY),
    Route("billing:export_invoices", _STAFF_ONLY),
    Route("billing:export_payments", _STAFF_ONLY),
    Route("billing:payment_keys", _STAFF_ONLY),
    # API (its root tells any signed-in person of the organisation that billing is on)
    Route("api-billing:status", everyone_signed_in()),
    Route("api-billing:invoice-list", {None: _BILLING_MEMBERS | {STAFF}}),
    Route("api-billing:invoice-detail", _INVOICE_READERS, "invoice", kwarg="invoice_id"),
    Route("api-billing:invoice-pdf", _INVOICE_READERS, "invoice", kwarg="invoice_id"),
    Route(
        "api-billing:invoice-payments",
        _STAFF_ON_ANY,
        "invoice",
        kwarg="invoice_id",
        method="POST",
        data=_payment_received,
    ),
    Route(
        "api-billing:invoice-credit-notes",
        _STAFF_ON_ANY,
        "invoice",
        kwarg="invoice_id",
        method="POST",
        data=lambda: {"reason": "Adhésion facturée deux fois"},
    ),
    # A member's account: a person reads their active member's (another member named: 404); staff
    # name the member (?member=, required for them).
    Route("api-billing:balance", _INVOICE_READERS, "member", kwarg="member", in_query=True),
    Route("api-billing:statement", _INVOICE_READERS, "member", kwarg="member", in_query=True),
    Route("api-billing:payment-list", {None: _BILLING_MEMBERS | {STAFF}}),
    Route("api-billing:declaration", {None: _BILLING_MEMBERS}),
    Route("api-billing:declaration", {None: _BILLING_MEMBERS}, method="POST", data=_alpha_campaign_opened),
    Route(
        "api-billing:checkout",
        {None: _BILLING_MEMBERS},
        method="POST",
        data=_alpha_invoices_to_pay,
        fixtures=("payments_on",),
    ),
    Route("api-billing:run-detail", _STAFF_ON_ANY, "run", kwarg="run_id"),
)
