"""Seed the four demo organisations (if absent) and print their addresses and logins."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import tenant_context

from core.access.models import MemberRole, MembershipKind
from core.access.services import membership_grant
from core.accounts.models import StaffRole, User
from core.accounts.services import user_create_staff, user_password_set
from core.members.models import Member
from core.members.services import address_set, member_create
from tenants.models import Organisation
from tenants.services import OrganisationInput, organisation_create, organisation_url, platform_ensure

DEMO_PASSWORD = "adhera-demo-2026"
OPERATOR_EMAIL = "operateur@adhera.localhost"

# (name, e-mail local part, legal form, NAF code, city)
DEMO_MEMBERS = [
    ("Boulangerie Martin", "martin", "SARL", "10.71C", "Lyon"),
    ("Transports Lefèvre", "lefevre", "SAS", "49.41A", "Villeurbanne"),
    ("Cabinet Durand Conseil", "durand", "SELARL", "69.20Z", "Saint-Étienne"),
]
# The accounting firm acting for the first two members of every organisation.
DEMO_FIRM_EMAIL = "cabinet@fiduciaire-exemple.fr"


def demo_siret(seed: int) -> str:
    """A well-formed (Luhn-valid) but fictitious SIRET."""
    from stdnum import luhn

    siren = f"{80000000 + seed * 7919:08d}"
    siren += luhn.calc_check_digit(siren)
    nic = f"{seed:04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


DEMO_ORGANISATIONS = [
    dict(
        name="Union des employeurs du Rhône",
        slug="union",
        kind="employers_union",
        identity_scheme="siret",
        login_methods=["password", "first_connection_link"],
        allowed_modules=["questions", "billing"],
        primary_colour="#1f4e79",
        staff=[("juriste", StaffRole.JURIST), ("comptable", StaffRole.ACCOUNTANT)],
    ),
    dict(
        name="Centrale d'achats Horizon",
        slug="achats",
        kind="purchasing_centre",
        identity_scheme="siret",
        login_methods=["password"],
        allowed_modules=["purchasing", "billing"],
        primary_colour="#0b6e4f",
        staff=[("conseiller", StaffRole.ADVISOR)],
    ),
    dict(
        name="Santé au travail Loire",
        slug="sante",
        kind="health_service",
        identity_scheme="member_number",
        member_number_pattern=r"\d{7}",
        login_methods=["email_code", "first_connection_link", "password"],
        allowed_modules=["health", "billing"],
        primary_colour="#8a1c4a",
        staff=[("planification", StaffRole.PLANNER)],
    ),
    dict(
        name="Plateforme des employeurs publics",
        slug="collectivites",
        kind="public_employers",
        identity_scheme="siret",
        login_methods=["password"],
        allowed_modules=["questions"],
        primary_colour="#3a3a8c",
        staff=[("conseiller", StaffRole.ADVISOR)],
    ),
]


def demo_person(email: str, full_name: str) -> User:
    user = User.objects.filter(email=email).first() or User.objects.create_user(email, None, full_name=full_name)
    return user_password_set(actor=None, user=user, password=DEMO_PASSWORD)


def seed_members(spec: dict) -> None:
    """Three members, each with its administrator; the first also has a user with chosen
    rights; an accounting firm acts for the first two."""
    firm = demo_person(DEMO_FIRM_EMAIL, "Fiduciaire Exemple")
    for number, (name, local, legal_form, naf, city) in enumerate(DEMO_MEMBERS, start=1):
        identifier = demo_siret(number) if spec["identity_scheme"] == "siret" else f"{number:07d}"
        contact_email = f"{local}@{spec['slug']}.example.com"
        member = member_create(
            actor=None, name=name, identifier=identifier, legal_form=legal_form, naf_code=naf, email=contact_email
        )
        address_set(
            actor=None,
            member=member,
            kind="head_office",
            line1=f"{number} rue de la République",
            postcode=f"6900{number}",
            city=city,
        )
        administrator = demo_person(contact_email, f"Responsable {name}")
        membership_grant(actor=None, member=member, user=administrator, role=MemberRole.ADMINISTRATOR)
        if number == 1:
            assistant = demo_person(f"assistant.{local}@{spec['slug']}.example.com", f"Assistant {name}")
            membership_grant(actor=None, member=member, user=assistant, rights=["questions.ask_question"])
        if number <= 2:
            membership_grant(
                actor=None,
                member=member,
                user=firm,
                kind=MembershipKind.DELEGATE,
                rights=["billing.view_invoices", "billing.pay_invoices", "billing.submit_declaration"],
            )


# The legal questions of the demo members, one per situation a jurist meets in the queue:
# (member index in DEMO_MEMBERS, asked by the "admin" or the "assistant", theme, sub-theme,
#  subject, question, story). Stories: late, soon, new, waiting, answered, callback.
DEMO_QUESTIONS = [
    (
        0,
        "admin",
        "Contrat de travail",
        "Période d'essai",
        "Renouvellement de la période d'essai d'un vendeur",
        "Notre vendeur est en période d'essai de deux mois depuis le 1er du mois. Pouvons-nous la "
        "renouveler, et faut-il son accord écrit ?",
        "late",
    ),
    (
        1,
        "admin",
        "Durée du travail",
        "Heures supplémentaires",
        "Majoration des heures supplémentaires des chauffeurs",
        "Nos chauffeurs routiers dépassent régulièrement 39 heures. Quel taux de majoration "
        "appliquer au-delà de la 43e heure ?",
        "soon",
    ),
    (
        2,
        "admin",
        "Santé et sécurité au travail",
        None,
        "Document unique d'évaluation des risques",
        "Nous comptons huit salariés. Devons-nous mettre à jour le document unique chaque année ?",
        "new",
    ),
    (
        2,
        "admin",
        "Congés et absences",
        "Congés payés",
        "Report des congés payés après un arrêt maladie",
        "Une collaboratrice revient d'un arrêt maladie de quatre mois. Peut-elle reporter les congés "
        "qu'elle n'a pas pu prendre ?",
        "waiting",
    ),
    (
        0,
        "assistant",
        "Paie et rémunération",
        "Primes",
        "Prime de fin d'année et salariés à temps partiel",
        "Devons-nous verser la prime de fin d'année au prorata aux salariés à temps partiel ?",
        "answered",
    ),
    (
        1,
        "admin",
        "Relations collectives",
        "CSE",
        "Mise en place du CSE",
        "Nous venons de dépasser onze salariés. Quand devons-nous organiser l'élection du CSE ?",
        "callback",
    ),
]

DEMO_INFO_REQUEST = (
    "<p>Pour vous répondre, pouvez-vous nous indiquer la date exacte de reprise et nous "
    "transmettre l'avis d'arrêt de travail ?</p>"
)
DEMO_ANSWER = (
    "<p>Oui : sauf disposition contraire de la convention collective, la prime est due aux salariés "
    "à temps partiel <strong>au prorata de leur durée du travail</strong> (article L. 3123-5 du "
    "code du travail).</p><p>Vérifiez aussi les conditions d'ancienneté prévues par l'usage.</p>"
)


def _received_ago(question, days: int, clock) -> None:
    """Date a demo question back (the services always record "now"), its due day with it."""
    from modules.questions.models import Question

    received = timezone.now() - timedelta(days=days)
    Question.objects.filter(pk=question.pk).update(
        received_at=received, updated_at=received, due_on=clock.due_on(received)
    )


def _days_back_to_be_due_soon(clock) -> int:
    """How many days ago a question must have come for its answer to be due by the next working day."""
    from core.working_days import working_days_add

    today = timezone.localdate()
    soon = working_days_add(today, 1, alsace_moselle=clock.alsace_moselle)
    now = timezone.now()
    return next(days for days in range(60) if clock.due_on(now - timedelta(days=days)) <= soon)


def seed_questions(spec: dict) -> None:
    """A handful of legal questions of the demo members, in every status, through the services
    (in the caller's transaction: all of them or none)."""
    # The demo knows the questions module; the platform's own code never imports a module.
    from core.accounts.models import StaffRole
    from core.members.models import Member
    from modules.questions import services
    from modules.questions.models import Question, SubTheme, Theme
    from modules.questions.policy import questions_clock
    from modules.questions.selectors import question_workers

    if Question.objects.exists():
        return  # once: a new schema, or one whose module was switched on later, gets them
    workers = question_workers()
    jurist = workers.filter(staff_role=StaffRole.JURIST).first() or workers.first()
    clock = questions_clock()
    for index, asker, theme_name, sub_theme_name, subject, body, story in DEMO_QUESTIONS:
        name, local = DEMO_MEMBERS[index][0], DEMO_MEMBERS[index][1]
        email = f"{local}@{spec['slug']}.example.com"
        if asker == "assistant":
            email = f"assistant.{email}"
        person, member = User.objects.filter(email=email).first(), Member.objects.filter(name=name).first()
        theme = Theme.objects.filter(name=theme_name, is_active=True).first()
        theme = theme or Theme.objects.filter(is_active=True).first()
        if person is None or member is None or theme is None or jurist is None:
            continue  # the demo world was changed by hand: leave it be
        sub_theme = SubTheme.objects.filter(theme=theme, name=sub_theme_name, is_active=True).first()
        question = services.question_submit(
            actor=person,
            member=member,
            theme_id=theme.pk,
            sub_theme_id=sub_theme.pk if sub_theme else None,
            subject=subject,
            body=body,
            callback_phone="04 78 00 00 00" if story == "callback" else "",
            callback_slot="morning" if story == "callback" else "",
        )
        if story == "late":
            _received_ago(question, 14, clock)
        elif story == "soon":
            _received_ago(question, _days_back_to_be_due_soon(clock), clock)
        elif story in ("waiting", "answered"):
            _received_ago(question, 2, clock)
        if story in ("late", "waiting", "answered"):
            question = services.question_assign(actor=jurist, question=question, assignee=jurist)
        if story == "waiting":
            services.question_info_request(actor=jurist, question=question, body=DEMO_INFO_REQUEST)
        elif story == "answered":
            services.question_answer(actor=jurist, question=question, body=DEMO_ANSWER)


# Bank details of the demo (a valid IBAN of the standard's examples, not a real account).
DEMO_IBAN, DEMO_BIC = "FR14 2004 1010 0505 0001 3M02 606", "PSSTFRPPLYO"
# Keys of the local Stripe server (`localpay`, started by `make run`): any "sk_test_" key works.
DEMO_STRIPE_SECRET_KEY = "sk_test_adhera_demo"


def demo_webhook_secret(slug: str) -> str:
    return f"whsec_adhera_demo_{slug}"


def seed_billing(spec: dict) -> None:
    """Billing settings and keys, last year's campaign invoiced (one invoice paid, one partly
    paid, one due) and this year's campaign open, through the services."""
    # The demo knows the billing module; the platform's own code never imports a module.
    from decimal import Decimal

    from core.modules.settings import module_settings_get, module_settings_save
    from modules.billing.models import DeclarationCampaign
    from modules.billing.services import declarations, invoices, payments

    if DeclarationCampaign.objects.exists():
        return
    admin = User.objects.get(email=f"admin@{spec['slug']}.example.org")
    module_settings_save(
        actor=admin,
        key="billing",
        values={
            **module_settings_get("billing"),
            "seller_name": spec["name"],
            "seller_address": "12 place Bellecour\n69002 Lyon",
            "seller_siret": demo_siret(99),
            "seller_vat_number": "FR68807839816",  # the VAT number of that SIREN
            "iban": DEMO_IBAN,
            "bic": DEMO_BIC,
        },
    )
    payments.payment_account_save(
        actor=admin,
        publishable_key="pk_test_adhera_demo",
        secret_key=DEMO_STRIPE_SECRET_KEY,
        webhook_secret=demo_webhook_secret(spec["slug"]),
    )
    this_year = timezone.localdate().year
    rule = dict(
        rate_basis="payroll",
        head_basis="headcount",
        brackets=[("0", "0.45"), ("500000", "0.25")],
        per_head_amount="12",
        fixed_amount="80",
        minimum="250",
        maximum="8000",
        vat_rate="20",
    )
    last = declarations.campaign_open(actor=admin, year=this_year, deadline=timezone.localdate() - timedelta(days=300))
    declarations.rule_save(actor=admin, campaign=last, label=f"Cotisation annuelle {this_year}", **rule)
    current = declarations.campaign_open(
        actor=admin, year=this_year + 1, deadline=timezone.localdate() + timedelta(days=38)
    )
    declarations.rule_save(actor=admin, campaign=current, label=f"Cotisation annuelle {this_year + 1}", **rule)
    members = list(Member.objects.order_by("pk"))
    figures = [("380000", "9", "11", "8.5"), ("1450000", "31", "36", "33"), ("96000", "2", "3", "2")]
    for member, (payroll, contracts, headcount, fte) in zip(members, figures, strict=False):
        person = member.memberships.filter(role=MemberRole.ADMINISTRATOR).first().user
        values = {"payroll": payroll, "contracts": contracts, "headcount": headcount, "fte": fte}
        declarations.declaration_submit(actor=person, member=member, campaign=last, values=values)
    last = DeclarationCampaign.objects.select_related("rule").get(pk=last.pk)
    issued = [
        invoices.contribution_invoice(actor=admin, campaign=last, priced=priced)
        for priced in invoices.contributions_price(campaign=last, members=members)
    ]
    declarations.campaign_update(actor=admin, campaign=last, deadline=last.deadline, status="closed")
    paid, partly = issued[1], issued[2]
    received = timezone.localdate() - timedelta(days=20)
    payments.payment_record(
        actor=admin,
        invoice=paid,
        method="transfer",
        amount=paid.total_gross,
        received_on=received,
        reference="VIR 0412",
    )
    payments.payment_record(
        actor=admin, invoice=partly, method="cheque", amount=Decimal("100.00"), received_on=received, reference="CHQ 88"
    )
    # The second member already sent this year's data sheet; the first (martin@) has it to fill.
    values = {"payroll": "1500000", "contracts": "32", "headcount": "37", "fte": "34"}
    person = members[1].memberships.filter(role=MemberRole.ADMINISTRATOR).first().user
    declarations.declaration_submit(actor=person, member=members[1], campaign=current, values=values)


class Command(BaseCommand):
    help = "Crée les organisations de démonstration si elles n'existent pas."

    def handle(self, *args, **options):
        platform_ensure(operator_email=OPERATOR_EMAIL, operator_password=DEMO_PASSWORD)
        port = settings.PLATFORM_PORT
        console = f"{settings.PLATFORM_SCHEME}://{settings.PLATFORM_DOMAIN}{':' + port if port else ''}/"
        lines = [f"Console des opérateurs : {console}  ({OPERATOR_EMAIL} / {DEMO_PASSWORD})"]
        for spec in DEMO_ORGANISATIONS:
            spec = dict(spec)
            staff = spec.pop("staff")
            admin_email = f"admin@{spec['slug']}.example.org"
            organisation = Organisation.objects.filter(slug=spec["slug"]).first()
            if organisation is None:
                organisation = organisation_create(actor=None, data=OrganisationInput(admin_email=admin_email, **spec))
                with tenant_context(organisation):
                    user_password_set(actor=None, user=User.objects.get(email=admin_email), password=DEMO_PASSWORD)
                    for local_part, role in staff:
                        user_create_staff(
                            actor=None,
                            email=f"{local_part}@{spec['slug']}.example.org",
                            staff_role=role,
                            password=DEMO_PASSWORD,
                        )
                    seed_members(spec)
            if "questions" in organisation.enabled_modules:
                with tenant_context(organisation), transaction.atomic():
                    seed_questions(spec)
            if "billing" in organisation.enabled_modules:
                with tenant_context(organisation), transaction.atomic():
                    seed_billing(spec)
            logins = ", ".join(
                [admin_email]
                + [f"{local}@{spec['slug']}.example.org" for local, _ in staff]
                + [f"{DEMO_MEMBERS[0][1]}@{spec['slug']}.example.com", DEMO_FIRM_EMAIL]
            )
            lines.append(f"{organisation.name} : {organisation_url(organisation)}  ({logins} / {DEMO_PASSWORD})")
        self.stdout.write("\n".join(lines))
