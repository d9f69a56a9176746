"""Platform jobs (public schema)."""

from config.celery_app import app

from .schema_template import spare_schemas_refill


@app.task(name="tenants.refill_spare_schemas")
def spare_schemas_refill_task() -> int:
    """Build the spare schemas that onboarding took."""
    return spare_schemas_refill()
