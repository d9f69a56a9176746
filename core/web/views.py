"""Home page of the member space and the branded error pages."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render

from core.modules.registry import registry
from tenants.branding import LOGO_CONTENT_TYPES

from .api_errors import not_found_body


@login_required
def home(request):
    modules = registry.enabled(request.tenant.enabled_modules)
    return render(request, "web/home.html", {"modules": modules})


def page_not_found(request, exception=None):
    """Branded page for people, the structured error for API clients."""
    if request.path.startswith("/api/"):
        return JsonResponse(not_found_body(), status=404)
    return render(request, "web/404.html", status=404)


def logo(request):
    """The organisation's logo, read from its own storage folder."""
    organisation = request.tenant
    if not organisation.logo:
        raise Http404
    extension = organisation.logo.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        organisation.logo.open("rb"), content_type=LOGO_CONTENT_TYPES.get(extension, "application/octet-stream")
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
