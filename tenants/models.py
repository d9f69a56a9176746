"""Organisation (the tenant) and its domains. Public schema only: registry and operator data."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class OrganisationKind(models.TextChoices):
    EMPLOYERS_UNION = "employers_union", _("Syndicat patronal")
    PURCHASING_CENTRE = "purchasing_centre", _("Centrale d'achats")
    HEALTH_SERVICE = "health_service", _("Service de santé au travail")
    PUBLIC_EMPLOYERS = "public_employers", _("Employeurs publics")
    OTHER = "other", _("Autre")


class IdentityScheme(models.TextChoices):
    SIRET = "siret", _("SIRET")
    MEMBER_NUMBER = "member_number", _("Numéro d'adhérent")


class LoginMethod(models.TextChoices):
    PASSWORD = "password", _("Mot de passe")
    EMAIL_CODE = "email_code", _("Code à usage unique par e-mail")
    FIRST_CONNECTION_LINK = "first_connection_link", _("Lien de première connexion")


class OrganisationStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspendue")
    ARCHIVED = "archived", _("Archivée")


class Organisation(TenantMixin):
    """A federation served on its own subdomain, with its own PostgreSQL schema."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=40, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=OrganisationKind.choices)
    status = models.CharField(
        _("statut"), max_length=20, choices=OrganisationStatus.choices, default=OrganisationStatus.ACTIVE
    )
    identity_scheme = models.CharField(_("identification des adhérents"), max_length=20, choices=IdentityScheme.choices)
    member_number_pattern = models.CharField(
        _("format du numéro d'adhérent"),
        max_length=100,
        blank=True,
        help_text=_("Expression régulière que le numéro entier doit respecter, par ex. \\d{7}."),
    )
    login_methods = ArrayField(models.CharField(max_length=30, choices=LoginMethod.choices))
    allowed_modules = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    enabled_modules = ArrayField(models.CharField(max_length=30), default=list, blank=True)
    primary_colour = models.CharField(_("couleur principale"), max_length=7, default="#1f4e79")
    logo = models.ImageField(_("logo"), upload_to="branding/", blank=True)
    # Hash of the migrations applied to the schema (tenants.schema_versions); set by onboarding
    # and by migrate_schemas. An organisation whose schema lags the code is not served.
    schema_version = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Schemas are cloned from the template by tenants.services, inside the creating transaction.
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        constraints = [
            # A module can be switched on only if the plan allows it: checked here, once for all writers.
            models.CheckConstraint(
                condition=Q(enabled_modules__contained_by=F("allowed_modules")), name="enabled_modules_in_plan"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == OrganisationStatus.ACTIVE

    def module_enabled(self, key: str) -> bool:
        return key in self.enabled_modules


class Domain(DomainMixin):
    """A host name that serves one organisation."""

    class Meta:
        verbose_name = _("domaine")


class TemplateSnapshot(models.Model):
    """The template schema's DDL and reference rows, ready to replay for a new organisation."""

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"template snapshot {self.fingerprint[:12]}"


class SpareSchema(models.Model):
    """A schema already built from the current template, waiting to become an organisation's."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.schema_name
