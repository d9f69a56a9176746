"""Invitation becomes AccountLink (invitation, password reset, first connection); one-time e-mail
codes; recorded sessions; the expiry reminder's marker."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _fill_link_emails(apps, schema_editor):
    AccountLink = apps.get_model("accounts", "AccountLink")
    for link in AccountLink.objects.filter(email="").select_related("user"):
        link.email = link.user.email
        link.save(update_fields=["email"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_expiry_last_member"),
    ]

    operations = [
        migrations.RenameModel("Invitation", "AccountLink"),
        migrations.AddField(
            model_name="accountlink",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("invitation", "Invitation"),
                    ("password_reset", "Réinitialisation du mot de passe"),
                    ("first_connection", "Première connexion"),
                ],
                default="invitation",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="accountlink",
            name="email",
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.AlterField(
            model_name="accountlink",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="links",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(_fill_link_emails, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="accountlink",
            index=models.Index(fields=["purpose", "email"], name="accountlink_purpose_email_idx"),
        ),
        migrations.CreateModel(
            name="Invitation",
            fields=[],
            options={"proxy": True, "indexes": [], "constraints": []},
            bases=("accounts.accountlink",),
        ),
        migrations.AddField(
            model_name="user",
            name="expiry_reminded_for",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.CreateModel(
            name="EmailCode",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("salt", models.CharField(max_length=32)),
                ("code_hash", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                ("replayed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="email_codes",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"ordering": ["-created_at", "-id"]},
        ),
        migrations.CreateModel(
            name="UserSession",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("session_key", models.CharField(max_length=40, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_seen_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("user_agent", models.CharField(blank=True, max_length=255)),
                ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sessions",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={"verbose_name": "session", "ordering": ["-last_seen_at", "-id"]},
        ),
    ]
