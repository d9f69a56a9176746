"""The organisation administrator's page: switch modules on and off, and set their settings."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.web.forms import form_show_refusal
from tenants.services import organisation_module_set

from .registry import registry
from .settings import module_settings_form_class, module_settings_get, module_settings_save


def _require_admin(request) -> None:
    if not request.user.has_perm("modules.manage_modules"):
        raise PermissionDenied


def _planned_spec(request, key: str):
    """The spec of a module in the organisation's plan; 404 for any other key."""
    if key not in request.tenant.allowed_modules or key not in registry:
        raise Http404
    return registry.get(key)


def _rows(organisation) -> list[dict]:
    return [
        {"spec": spec, "enabled": organisation.module_enabled(spec.key)}
        for spec in registry.all()
        if spec.key in organisation.allowed_modules
    ]


@login_required
def module_settings_page(request):
    _require_admin(request)
    return render(request, "modules/settings.html", {"rows": _rows(request.tenant)})


@login_required
@require_POST
def module_toggle(request, key: str):
    _require_admin(request)
    spec = _planned_spec(request, key)
    enabled = request.POST.get("enabled") == "1"
    try:
        request.tenant = organisation_module_set(
            actor=request.user, organisation=request.tenant, key=key, enabled=enabled
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        if not request.htmx:  # with htmx the swapped row says it
            done = _("Module « %(label)s » activé.") if enabled else _("Module « %(label)s » désactivé.")
            messages.success(request, done % {"label": spec.label})
    if request.htmx:
        # The row is swapped in place, and the menu out of band so the module leaves it at once.
        row = {"spec": spec, "enabled": request.tenant.module_enabled(key)}
        return render(request, "modules/_toggle_response.html", {"row": row})
    return redirect("modules:settings")


@login_required
def module_configure(request, key: str):
    _require_admin(request)
    spec = _planned_spec(request, key)
    form_class = module_settings_form_class(key)
    if form_class is None:
        raise Http404
    form = form_class(request.POST or None, initial=module_settings_get(key))
    if request.method == "POST" and form.is_valid():
        try:
            module_settings_save(actor=request.user, key=key, values=request.POST.dict())
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("Réglages enregistrés."))
            return redirect("modules:settings")
    return render(request, "modules/configure.html", {"form": form, "spec": spec})
