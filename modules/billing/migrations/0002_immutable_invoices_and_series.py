"""Issued invoices and their lines can no longer change (a trigger refuses UPDATE and DELETE), and
the two number series start at 1."""

from django.db import migrations

REFUSE = """
CREATE FUNCTION billing_issued_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'An issued invoice never changes: issue a credit note instead.'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
CREATE TRIGGER invoice_is_final BEFORE UPDATE OR DELETE ON billing_invoice
    FOR EACH ROW EXECUTE FUNCTION billing_issued_is_final();
CREATE TRIGGER invoice_line_is_final BEFORE UPDATE OR DELETE ON billing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION billing_issued_is_final();
"""

ALLOW = """
DROP TRIGGER invoice_line_is_final ON billing_invoiceline;
DROP TRIGGER invoice_is_final ON billing_invoice;
DROP FUNCTION billing_issued_is_final();
"""


def series_create(apps, schema_editor):
    NumberSeries = apps.get_model("billing", "NumberSeries")
    NumberSeries.objects.get_or_create(kind="invoice", defaults={"prefix": "FAC-"})
    NumberSeries.objects.get_or_create(kind="credit_note", defaults={"prefix": "AVO-"})


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [
        migrations.RunSQL(REFUSE, ALLOW),
        migrations.RunPython(series_create, migrations.RunPython.noop),
    ]
