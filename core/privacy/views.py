"""Pages of personal data: a person's JSON export, and staff erasure of a person."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.web.forms import form_show_refusal

from . import services
from .forms import EraseConfirmForm
from .selectors import access_person, person_memberships


@login_required
def export(request):
    """GET explains; POST downloads the JSON (a download is a deliberate act, and audited)."""
    if request.method != "POST":
        return render(request, "privacy/export.html")
    data = services.person_export(actor=request.user)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    filename = f"mes-donnees-{request.tenant.slug}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


@login_required
def erase(request, user_id: int):
    person = access_person(actor=request.user, user_id=user_id)
    form = EraseConfirmForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_erase(actor=request.user, user=person)
        except DomainError as error:
            form_show_refusal(form, error, summary=True)
        else:
            messages.success(request, _("Les données de la personne ont été effacées."))
            return redirect("web:home")
    return render(
        request,
        "privacy/erase.html",
        {
            "person": person,
            "form": form,
            "memberships": person_memberships(user=person),
            "erased": services.is_erased(person),
        },
    )
