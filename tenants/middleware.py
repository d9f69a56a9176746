"""Find the organisation from the host; unknown, suspended and archived ones get a platform page."""

from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django_tenants.middleware.main import TenantMainMiddleware
from django_tenants.utils import get_public_schema_name

from .models import OrganisationStatus
from .schema_versions import expected_schema_version

NOTICES = {
    "unknown": (
        404,
        _("Espace introuvable"),
        _("Aucun espace adhérent n'est servi à cette adresse. Vérifiez l'adresse saisie."),
    ),
    OrganisationStatus.SUSPENDED: (
        403,
        _("Espace temporairement suspendu"),
        _("L'accès à cet espace adhérent est suspendu. Pour toute question, contactez directement votre organisation."),
    ),
    OrganisationStatus.ARCHIVED: (
        410,
        _("Espace fermé"),
        _("Cet espace adhérent a été fermé et n'est plus accessible."),
    ),
    "maintenance": (
        503,
        _("Maintenance en cours"),
        _("Cet espace adhérent est en cours de mise à jour. Merci de réessayer dans quelques minutes."),
    ),
}


def platform_notice(reason: str, organisation=None):
    status, heading, text = NOTICES[reason]
    context = {
        "heading": heading,
        "text": text,
        "organisation_name": getattr(organisation, "name", None),
        "colour": getattr(organisation, "primary_colour", None),
    }
    # Rendered without the request: no context processor may touch the organisation's data.
    return HttpResponse(render_to_string("web/platform_notice.html", context), status=status)


class OrganisationMiddleware(TenantMainMiddleware):
    """django-tenants' host → schema switch, with French pages instead of errors."""

    def no_tenant_found(self, request, hostname):
        return platform_notice("unknown")

    def process_request(self, request):
        response = super().process_request(request)
        if response is not None:
            return response
        organisation = request.tenant
        if organisation.schema_name == get_public_schema_name():
            return None
        if organisation.status != OrganisationStatus.ACTIVE:
            connection.set_schema_to_public()
            return platform_notice(organisation.status, organisation)
        if organisation.schema_version != expected_schema_version():
            # Its schema is behind (or ahead of) this code: serving it could corrupt data.
            connection.set_schema_to_public()
            response = platform_notice("maintenance", organisation)
            response["Retry-After"] = "300"
            return response
        return None
