"""Objects of each owner for the authorization matrix, and the text no actor may see of others.

"A" objects belong to M1 of alpha, "B" objects to M2 of alpha, "T2" objects to organisation beta,
created with an id that does not exist in alpha (so a 404 means "not served", not "another row").
"""

import uuid
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from stdnum import luhn

from core.access.models import MemberRole, Membership, MembershipState
from core.accounts.models import StaffRole, User
from core.documents.models import Document
from core.documents.services import document_add
from core.members.models import Establishment, Member
from core.notifications.models import Notification
from modules.billing.models import AnnualDeclaration, CheckoutAttempt, DeclarationCampaign, Invoice, InvoicingRun
from modules.questions.models import Attachment, Question, SubTheme, Theme
from modules.questions.services import question_answer, question_submit
from tests.security.matrix import A_ADMIN, A_DELEGATE, A_USER, ANONYMOUS, B_ADMIN, OTHER_STAFF, STAFF

M1_MARKERS = ("Société Un", "m1-contact@alpha.test")
M2_MARKERS = ("Société Deux", "m2-contact@alpha.test")
# Questions of beta carry this subject; alpha's carry their member's name (an M1/M2 marker).
BETA_QUESTION_MARKER = "Question témoin bêta"
BETA_MARKERS = ("@beta.test", BETA_QUESTION_MARKER)

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

    builders: dict[str, tuple[Callable, type]] = {}

    def __init__(self, alpha, beta):
        self.alpha, self.beta = alpha, beta

    @classmethod
    def kind(cls, name: str, model: type):
        """Register the builder of `name`, whose objects are rows of `model`."""

        def register(builder: Callable) -> Callable:
            cls.builders[name] = (builder, model)
            return builder

        return register

    def object(self, kind: str, owner: str) -> tuple[int, str]:
        builder, model = self.builders[kind]
        if owner != "T2":
            with tenant_context(self.alpha):
                member = Member.objects.get(name=MEMBER_OF_OWNER[owner])
                return builder(member=member)
        with tenant_context(self.alpha):
            taken = set(model.objects.values_list("pk", flat=True))
        with tenant_context(self.beta):
            member = Member.objects.get(name="Société Un")
            while True:
                pk, marker = builder(member=member, fresh=True)
                if pk not in taken:
                    return pk, marker


@Scene.kind("member", Member)
def _member(*, member, fresh: bool = False) -> tuple[int, str]:
    if not fresh:
        return member.pk, member.email
    index = Member.objects.count() + 1
    created = Member.objects.create(
        name=f"Tiers bêta {index}", member_number=f"9{index:06d}", email=f"tiers-{index}@beta.test"
    )
    return created.pk, created.email


@Scene.kind("establishment", Establishment)
def _establishment(*, member, fresh: bool = False) -> tuple[int, str]:
    # Same SIREN as a member known by SIRET; any SIREN for one known by number.
    siren = member.siren or "732829320"
    nic = f"{Establishment.objects.count() + 1:04d}"
    while Establishment.objects.filter(siret__startswith=siren + nic).exists():
        nic = f"{int(nic) + 1:04d}"
    siret = siren + nic + luhn.calc_check_digit(siren + nic)
    created = Establishment.objects.create(member=member, name=f"Site témoin {siret}", siret=siret)
    return created.pk, created.name


def _fresh_user(prefix: str):
    index = User.objects.count() + 1
    while User.objects.filter(email=f"{prefix}-{index}@beta.test").exists():
        index += 1
    return User.objects.create_user(f"{prefix}-{index}@beta.test", None, full_name=f"{prefix} {index}")


@Scene.kind("document", Document)
def _document(*, member, fresh: bool = False) -> tuple[int, str]:
    title = f"Document de {member.name}"
    pdf = SimpleUploadedFile("piece.pdf", b"%PDF-1.7\n%%EOF\n")
    document = document_add(actor=None, member=member, file=pdf, title=title)
    return document.pk, title


@Scene.kind("notification", Notification)
def _notification(*, member, fresh: bool = False) -> tuple[int, str]:
    administrator = Membership.objects.filter(member=member, role=MemberRole.ADMINISTRATOR).first().user
    subject = f"Avis pour {member.name}"
    notification = Notification.objects.create(
        user=administrator, member=member, kind="members.documents", subject=subject
    )
    return notification.pk, subject


@Scene.kind("membership", Membership)
def _membership(*, member, fresh: bool = False) -> tuple[int, str]:
    """A's: M1's plain user; B's: M2's administrator (its only person); T2: a new one in beta."""
    if fresh:
        user = _fresh_user("contact")
        created = Membership.objects.create(user=user, member=member, state=MembershipState.ACTIVE)
        return created.pk, user.full_name
    membership = (
        Membership.objects.filter(member=member, role=MemberRole.USER, kind="contact").first()
        or Membership.objects.filter(member=member).first()
    )
    # The name, not the e-mail: a person's own e-mail is on every page they see.
    return membership.pk, membership.user.full_name


@Scene.kind("person", User)
def _person(*, member, fresh: bool = False) -> tuple[int, str]:
    """A person acting for the member (A: M1's plain user, B: M2's administrator)."""
    if fresh:
        user = _fresh_user("personne")
        return user.pk, user.full_name
    membership_id, name = _membership(member=member)
    return Membership.objects.get(pk=membership_id).user_id, name


@Scene.kind("pending_membership", Membership)
def _pending_membership(*, member, fresh: bool = False) -> tuple[int, str]:
    """A person invited to the member, still pending: a link to resend, an access to revoke."""
    if fresh:
        user = _fresh_user("invite")
    else:
        index = User.objects.count() + 1
        user = User.objects.create_user(f"invite-{index}@example.test", None, full_name=f"Invité {index}")
    created = Membership.objects.create(user=user, member=member)  # pending by default
    return created.pk, user.full_name


@Scene.kind("staff_user", User)
def _staff_user(*, member, fresh: bool = False) -> tuple[int, str]:
    """A member of the organisation's team (the owner's member plays no part): alpha's jurist, or
    a new one of beta's."""
    if fresh:
        user = _fresh_user("equipe")
        User.objects.filter(pk=user.pk).update(staff_role=StaffRole.JURIST)
        return user.pk, user.full_name
    user = User.objects.get(email__startswith="jurist@")
    return user.pk, user.email


# Questions (modules.questions) -----------------------------------------------------------------


def _asker(member) -> User:
    return Membership.objects.filter(member=member, role=MemberRole.ADMINISTRATOR).first().user


def _jurist() -> User:
    return User.objects.get(email__startswith="jurist@")


def _question_asked(*, member, fresh: bool, **fields) -> Question:
    """A question of `member` asked by its administrator. Alpha's subjects name their member
    (an M1 / M2 marker); beta's carry `BETA_QUESTION_MARKER`."""
    subject = f"{BETA_QUESTION_MARKER} n°{Question.objects.count() + 1}" if fresh else f"Question de {member.name}"
    return question_submit(
        actor=_asker(member),
        member=member,
        theme_id=Theme.objects.filter(is_active=True).first().pk,
        subject=subject,
        body="Peut-on renouveler la période d'essai d'un cadre ?",
        **fields,
    )


@Scene.kind("question", Question)
def _question(*, member, fresh: bool = False) -> tuple[int, str]:
    """A new question (À traiter) of the member, asked by its administrator."""
    question = _question_asked(member=member, fresh=fresh)
    return question.pk, question.subject


@Scene.kind("answered_question", Question)
def _answered_question(*, member, fresh: bool = False) -> tuple[int, str]:
    """A question the jurist answered (Traitée): it can be reopened."""
    question = _question_asked(member=member, fresh=fresh)
    question_answer(actor=_jurist(), question=question, body="<p>Oui, une fois.</p>")
    return question.pk, question.subject


@Scene.kind("callback_question", Question)
def _callback_question(*, member, fresh: bool = False) -> tuple[int, str]:
    """A question whose asker wants to be called back (callback pending)."""
    question = _question_asked(member=member, fresh=fresh, callback_phone="01 23 45 67 89", callback_slot="morning")
    return question.pk, question.subject


@Scene.kind("question_attachment", Attachment)
def _question_attachment(*, member, fresh: bool = False) -> tuple[int, str]:
    """A text file sent with a question; its content is the marker (a download serves it)."""
    content = f"Pièce témoin de {'bêta' if fresh else member.name}"
    file = SimpleUploadedFile("note.txt", content.encode(), content_type="text/plain")
    question = _question_asked(member=member, fresh=fresh, attachments=[file])
    return question.attachments.get().pk, content


@Scene.kind("theme", Theme)
def _theme(*, member, fresh: bool = False) -> tuple[int, str]:
    """A theme of the organisation (the owner's member plays no part)."""
    index = Theme.objects.count() + 1
    theme = Theme.objects.create(name=f"Thème témoin {'bêta ' if fresh else ''}{index}", position=index)
    return theme.pk, theme.name


@Scene.kind("sub_theme", SubTheme)
def _sub_theme(*, member, fresh: bool = False) -> tuple[int, str]:
    """A sub-theme of a new theme of the organisation."""
    theme_id, _name = _theme(member=member, fresh=fresh)
    sub_theme = SubTheme.objects.create(theme_id=theme_id, name=f"Sous-thème témoin {theme_id}", position=1)
    return sub_theme.pk, sub_theme.name


# Billing (modules.billing) ---------------------------------------------------------------------
# Objects are made through the billing services, as the organisation's administrator (invoices,
# campaigns, runs) or the member's administrator (data sheets). A checkout attempt is written
# directly: opening one through the service needs a Stripe server, and its pages only read it.
# Markers: the invoice number ("FAC-000001"), the rule's label of a campaign, a payroll figure.


def _organisation_admin() -> User:
    return User.objects.get(email__startswith="admin@")


def _seller_identified() -> None:
    """The organisation may invoice: its SIRET and VAT number are set (the billing tests' identity)."""
    from core.modules.settings import module_settings_get, module_settings_save
    from tests.modules.billing.conftest import SELLER_IDENTITY

    values = module_settings_get("billing")
    if not values["seller_siret"]:
        module_settings_save(actor=_organisation_admin(), key="billing", values={**values, **SELLER_IDENTITY})


def _billing_campaign(*, fresh: bool) -> DeclarationCampaign:
    """A new campaign with its rule (a year no campaign of the organisation has yet)."""
    from modules.billing.services.declarations import campaign_open, rule_save

    _seller_identified()
    latest = DeclarationCampaign.objects.order_by("-year").values_list("year", flat=True).first()
    year = max(latest or 0, 2030) + 1
    campaign = campaign_open(actor=_organisation_admin(), year=year, deadline=date(year - 1, 12, 31))
    rule_save(
        actor=_organisation_admin(),
        campaign=campaign,
        label=f"Cotisation témoin {'bêta ' if fresh else ''}{year}",
        rate_basis="payroll",
        head_basis="headcount",
        brackets=[("0", "0.5")],
        per_head_amount="15",
        fixed_amount="100",
        minimum="0",
        maximum=None,
        vat_rate="20",
    )
    return DeclarationCampaign.objects.select_related("rule").get(pk=campaign.pk)


def _billing_invoice(member) -> Invoice:
    from modules.billing.services.invoices import LineInput, invoice_issue

    _seller_identified()
    line = LineInput(label="Adhésion témoin", unit_price=Decimal("120.00"), vat_rate=Decimal("20"))
    return invoice_issue(actor=_organisation_admin(), member=member, lines=[line])


@Scene.kind("invoice", Invoice)
def _invoice(*, member, fresh: bool = False) -> tuple[int, str]:
    """An invoice of the member (144 € TTC), issued by the organisation's administrator."""
    invoice = _billing_invoice(member)
    return invoice.pk, invoice.number


@Scene.kind("campaign", DeclarationCampaign)
def _campaign(*, member, fresh: bool = False) -> tuple[int, str]:
    """A declaration campaign of the organisation with its rule (the owner's member plays no part)."""
    campaign = _billing_campaign(fresh=fresh)
    return campaign.pk, campaign.rule.label


@Scene.kind("declaration", AnnualDeclaration)
def _declaration(*, member, fresh: bool = False) -> tuple[int, str]:
    """The member's data sheet for a new campaign, sent by its administrator."""
    from modules.billing.services.declarations import declaration_submit

    campaign = _billing_campaign(fresh=fresh)
    values = {"payroll": "7654321", "contracts": "9", "headcount": "8", "fte": "7.5"}
    declaration = declaration_submit(actor=_asker(member), member=member, campaign=campaign, values=values)
    return declaration.pk, "7654321"


@Scene.kind("run", InvoicingRun)
def _run(*, member, fresh: bool = False) -> tuple[int, str]:
    """An invoicing run of a new campaign, started by the organisation's administrator (its batches
    leave on commit: in a test that is rolled back, it stays running)."""
    from modules.billing.services.runs import invoicing_run_start

    campaign = _billing_campaign(fresh=fresh)
    run = invoicing_run_start(actor=_organisation_admin(), campaign=campaign)
    return run.pk, campaign.rule.label


@Scene.kind("checkout", CheckoutAttempt)
def _checkout(*, member, fresh: bool = False) -> tuple[uuid.UUID, str]:
    """An online payment the member's administrator started for a new invoice; its id is its key."""
    invoice = _billing_invoice(member)
    attempt = CheckoutAttempt.objects.create(
        member=member,
        allocations={str(invoice.pk): str(invoice.total_gross)},
        amount=invoice.total_gross,
        created_by=_asker(member),
    )
    return attempt.key, invoice.number
