"""Home page of the member space and the branded error pages."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from core.modules.registry import registry


@login_required
def home(request):
    modules = registry.enabled(request.tenant.enabled_modules)
    return render(request, "web/home.html", {"modules": modules})


NOT_FOUND_BODY = {"code": "not_found", "message": "Introuvable.", "errors": {}}


def page_not_found(request, exception=None):
    """Branded page for people, the structured error for API clients."""
    if request.path.startswith("/api/"):
        return JsonResponse(NOT_FOUND_BODY, status=404)
    return render(request, "web/404.html", status=404)


LOGO_CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "jpeg": "image/jpeg", "webp": "image/webp"}


def logo(request):
    """The organisation's logo, read from its own storage folder."""
    from django.http import FileResponse, Http404

    organisation = request.tenant
    if not organisation.logo:
        raise Http404
    extension = organisation.logo.name.rsplit(".", 1)[-1].lower()
    response = FileResponse(
        organisation.logo.open("rb"), content_type=LOGO_CONTENT_TYPES.get(extension, "application/octet-stream")
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
