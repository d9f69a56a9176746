"""Register the platform's own domain (operator console) and, optionally, an operator account."""

from django.core.management.base import BaseCommand

from tenants.services import platform_ensure


class Command(BaseCommand):
    help = "Prépare la console des opérateurs (domaine de la plateforme, compte opérateur)."

    def add_arguments(self, parser):
        parser.add_argument("--operator-email")
        parser.add_argument("--operator-password")

    def handle(self, *args, **options):
        platform_ensure(operator_email=options["operator_email"], operator_password=options["operator_password"])
        self.stdout.write(self.style.SUCCESS("Plateforme prête."))
