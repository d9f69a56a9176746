"""Report which organisations' schemas are migrated for the running code; exit 1 if any lags."""

from django.core.management.base import BaseCommand, CommandError

from tenants.schema_versions import schema_versions_record


class Command(BaseCommand):
    help = "Liste les schémas à jour et en retard de migration."

    def handle(self, *args, **options):
        report = schema_versions_record()
        for schema, up_to_date in sorted(report.items()):
            self.stdout.write(f"{'à jour   ' if up_to_date else 'EN RETARD'} {schema}")
        behind = sorted(schema for schema, up_to_date in report.items() if not up_to_date)
        if behind:
            raise CommandError(f"{len(behind)} schéma(s) en retard : {', '.join(behind)}. Lancez migrate_schemas.")
        self.stdout.write(self.style.SUCCESS(f"{len(report)} schéma(s), tous à jour."))
