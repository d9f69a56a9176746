"""Operator console (public schema): list, onboard, suspend, resume and archive organisations."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.web.forms import form_show_refusal

from ..selectors import organisation_get, organisation_list
from ..services import organisation_change_status, organisation_create, organisation_plan_set, organisation_url
from .forms import OrganisationForm, PlanForm

TRANSITION_MESSAGES = {
    "suspend": gettext_lazy("« %(name)s » est suspendue."),
    "resume": gettext_lazy("« %(name)s » est réactivée."),
    "archive": gettext_lazy("« %(name)s » est archivée."),
}


def _require_operator(request) -> None:
    if not request.user.has_perm("tenants.manage_organisations"):
        raise PermissionDenied


@login_required
def console_home(request):
    _require_operator(request)
    return render(request, "tenants/console/list.html", {"organisations": organisation_list()})


@login_required
def organisation_new(request):
    _require_operator(request)
    form = OrganisationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(actor=request.user, data=form.to_input())
        except DomainError as error:
            form_show_refusal(form, error, summary=True)
        else:
            messages.success(
                request,
                _("« %(name)s » est en ligne sur %(url)s ; invitation envoyée à %(email)s.")
                % {
                    "name": organisation.name,
                    "url": organisation_url(organisation),
                    "email": form.cleaned_data["admin_email"],
                },
            )
            return redirect("console:home")
    return render(request, "tenants/console/new.html", {"form": form})


@login_required
def organisation_plan(request, slug: str):
    _require_operator(request)
    organisation = organisation_get(slug=slug)
    form = PlanForm(request.POST or None, initial={"allowed_modules": organisation.allowed_modules})
    if request.method == "POST" and form.is_valid():
        try:
            organisation_plan_set(
                actor=request.user, organisation=organisation, allowed_modules=form.cleaned_data["allowed_modules"]
            )
        except DomainError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Offre de « %(name)s » mise à jour.") % {"name": organisation.name})
            return redirect("console:home")
    return render(request, "tenants/console/plan.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def organisation_status(request, slug: str, transition: str):
    _require_operator(request)
    organisation = organisation_get(slug=slug)
    try:
        organisation = organisation_change_status(actor=request.user, organisation=organisation, transition=transition)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            TRANSITION_MESSAGES[transition] % {"name": organisation.name},
        )
    return redirect("console:home")
