"""`migrate_schemas` that also keeps the template schema (the mould of new organisations) migrated."""

from django_tenants.management.commands.migrate_schemas import MigrateSchemasCommand
from django_tenants.migration_executors import get_executor

from tenants.schema_template import (
    TemplateDumpUnavailable,
    spare_schemas_refill,
    template_schema_ensure,
    template_schema_name,
    template_snapshot_build,
)
from tenants.schema_versions import schema_versions_record


class Command(MigrateSchemasCommand):
    def handle(self, *args, **options):
        try:
            super().handle(*args, **options)
        finally:
            # Even after a failure half-way: each organisation's real state, so that those left
            # behind are refused (middleware) and reported (`schema_status`).
            schema_versions_record()
        if self.sync_tenant and not options.get("schema_name"):
            template_schema_ensure()
            executor = get_executor(codename=self.executor)(self.args, self.options)
            executor.run_migrations(tenants=[template_schema_name()])
            try:
                template_snapshot_build()
            except TemplateDumpUnavailable as exc:
                self.stderr.write(f"Template snapshot not recorded ({exc}); organisations will be cloned slowly.")
            else:
                spare_schemas_refill()
