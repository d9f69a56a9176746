"""Report which organisations' schemas are migrated for the running code; exit 1 if any lags."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from tenants.schema_versions import schema_versions_record


class Command(BaseCommand):
    help = "Liste les schémas à jour et en retard de migration."

    def handle(self, *args, **options):
        report = schema_versions_record()
        for schema, up_to_date in sorted(report.items()):
            label = _("à jour") if up_to_date else _("EN RETARD")
            self.stdout.write(f"{label:<9} {schema}")
        behind = sorted(schema for schema, up_to_date in report.items() if not up_to_date)
        if behind:
            raise CommandError(
                _("%(count)s schéma(s) en retard : %(schemas)s. Lancez migrate_schemas.")
                % {"count": len(behind), "schemas": ", ".join(behind)}
            )
        self.stdout.write(self.style.SUCCESS(_("%(count)s schéma(s), tous à jour.") % {"count": len(report)}))
