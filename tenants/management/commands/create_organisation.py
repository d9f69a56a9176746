"""Onboard an organisation from a script: the same service, checks and atomicity as the console."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from core.errors import DomainError
from tenants.models import IdentityScheme, LoginMethod, OrganisationKind
from tenants.services import OrganisationInput, organisation_create, organisation_url


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class Command(BaseCommand):
    help = "Crée une organisation (schéma cloné du modèle) et invite son premier administrateur."

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help=_("Nom affiché de l'organisation."))
        parser.add_argument(
            "--slug", required=True, help=_("Identifiant et sous-domaine (minuscules, chiffres, tirets).")
        )
        parser.add_argument(
            "--kind", required=True, help=_("Type : %(kinds)s.") % {"kinds": ", ".join(OrganisationKind.values)}
        )
        parser.add_argument(
            "--identity",
            required=True,
            dest="identity_scheme",
            help=_("Identification des adhérents : %(schemes)s.") % {"schemes": ", ".join(IdentityScheme.values)},
        )
        parser.add_argument(
            "--member-number-pattern",
            default="",
            help=_("Format du numéro d'adhérent (expression régulière, par ex. \\d{7})."),
        )
        parser.add_argument(
            "--login-methods",
            default=LoginMethod.PASSWORD,
            help=_("Modes de connexion séparés par des virgules : %(methods)s.")
            % {"methods": ", ".join(LoginMethod.values)},
        )
        parser.add_argument("--modules", default="", help=_("Modules prévus par l'offre, séparés par des virgules."))
        parser.add_argument(
            "--enabled-modules", default=None, help=_("Modules activés au départ (par défaut : tous ceux de l'offre).")
        )
        parser.add_argument(
            "--domain", action="append", default=[], dest="extra_domains", help=_("Domaine supplémentaire (répétable).")
        )
        parser.add_argument("--colour", default="#1f4e79", help=_("Couleur principale, #RRVVBB."))
        parser.add_argument("--logo", default=None, help=_("Chemin d'un logo PNG, JPEG ou WebP."))
        parser.add_argument("--admin-email", required=True, help=_("E-mail du premier administrateur (invité)."))

    def handle(self, *args, **options):
        logo = None
        if options["logo"]:
            try:
                with open(options["logo"], "rb") as handle:
                    logo = SimpleUploadedFile(options["logo"].rsplit("/", 1)[-1], handle.read())
            except OSError as exc:
                raise CommandError(_("Logo illisible : %(error)s") % {"error": exc}) from exc
        data = OrganisationInput(
            name=options["name"],
            slug=options["slug"],
            kind=options["kind"],
            identity_scheme=options["identity_scheme"],
            member_number_pattern=options["member_number_pattern"],
            login_methods=_csv(options["login_methods"]),
            allowed_modules=_csv(options["modules"]),
            enabled_modules=None if options["enabled_modules"] is None else _csv(options["enabled_modules"]),
            extra_domains=options["extra_domains"],
            primary_colour=options["colour"],
            logo=logo,
            admin_email=options["admin_email"],
        )
        try:
            organisation = organisation_create(actor=None, data=data)
        except DomainError as error:
            lines = [error.message] + [
                "  " + _("%(field)s : %(message)s") % {"field": field, "message": message}
                for field, messages in error.errors.items()
                for message in messages
            ]
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(
            self.style.SUCCESS(
                _("Organisation « %(name)s » créée : %(url)s (invitation envoyée à %(email)s).")
                % {"name": organisation.name, "url": organisation_url(organisation), "email": data.admin_email}
            )
        )
