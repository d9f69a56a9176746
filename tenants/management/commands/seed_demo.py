"""Seed the four demo organisations (if absent) and print their addresses and logins."""

from django.conf import settings
from django.core.management.base import BaseCommand
from django_tenants.utils import tenant_context

from core.access.models import MemberRole, MembershipKind
from core.access.services import membership_grant
from core.accounts.models import StaffRole, User
from core.accounts.services import user_create_staff, user_password_set
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
            logins = ", ".join(
                [admin_email]
                + [f"{local}@{spec['slug']}.example.org" for local, _ in staff]
                + [f"{DEMO_MEMBERS[0][1]}@{spec['slug']}.example.com", DEMO_FIRM_EMAIL]
            )
            lines.append(f"{organisation.name} : {organisation_url(organisation)}  ({logins} / {DEMO_PASSWORD})")
        self.stdout.write("\n".join(lines))
