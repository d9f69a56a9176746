"""The organisation's team ("Équipe"), for its administrators: invite, role, end date, deactivation.

The last working administrator of the organisation can be neither downgraded, time-limited nor
deactivated (see `core.access.services.refuse_last_organisation_administrator`).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.accounts.expiry import account_expired
from core.errors import DomainError
from core.web.forms import form_show_refusal

from ..forms import ExpiryForm, StaffInviteForm, StaffRoleForm
from ..links import staff_accept_url_template
from ..selectors import access_staff, staff_list
from ..services import user_deactivate, user_expiry_set
from ..staff import staff_invite, staff_role_change

MANAGE_STAFF = "access.manage_staff"


def _require(request) -> None:
    if not request.user.has_perm(MANAGE_STAFF):
        raise PermissionDenied


@login_required
def staff_page(request):
    _require(request)
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = staff_invite(
                actor=request.user, accept_url_template=staff_accept_url_template(request), **form.cleaned_data
            )
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(request, _("Invitation envoyée à %(email)s.") % {"email": user.email})
            return redirect("access:staff")
    people = [{"user": user, "expired": account_expired(user)} for user in staff_list(actor=request.user)]
    return render(request, "access/staff.html", {"people": people, "form": form}, status=400 if form.errors else 200)


def _member_render(request, person, *, status: int = 200, role_form=None, expiry_form=None, deactivate_error=None):
    context = {
        "person": person,
        "expired": account_expired(person),
        "role_form": role_form or StaffRoleForm(initial={"staff_role": person.staff_role}),
        "expiry_form": expiry_form or ExpiryForm(initial={"expires_on": person.expires_on}),
        "deactivate_error": deactivate_error,
        "is_self": person.pk == request.user.pk,
    }
    return render(request, "access/staff_member.html", context, status=status)


@login_required
def staff_member_page(request, user_id: int):
    """One staff member; POST changes their role."""
    person = access_staff(actor=request.user, user_id=user_id)
    if request.method != "POST":
        return _member_render(request, person)
    form = StaffRoleForm(request.POST)
    if form.is_valid():
        try:
            staff_role_change(actor=request.user, user=person, staff_role=form.cleaned_data["staff_role"])
        except DomainError as error:
            form_show_refusal(form, error, summary=True)
        else:
            messages.success(request, _("Rôle de %(person)s enregistré.") % {"person": person})
            return redirect("access:staff")
    return _member_render(request, person, role_form=form, status=400)


@login_required
@require_POST
def staff_expiry(request, user_id: int):
    person = access_staff(actor=request.user, user_id=user_id)
    form = ExpiryForm(request.POST)
    if form.is_valid():
        try:
            user_expiry_set(actor=request.user, user=person, expires_on=form.cleaned_data["expires_on"])
        except DomainError as error:
            form_show_refusal(form, error, summary=True)
        else:
            messages.success(request, _("Date d'expiration de %(person)s enregistrée.") % {"person": person})
            return redirect("access:staff_member", user_id=person.pk)
    return _member_render(request, person, expiry_form=form, status=400)


@login_required
@require_POST
def staff_deactivate(request, user_id: int):
    person = access_staff(actor=request.user, user_id=user_id)
    if not person.is_active:
        return redirect("access:staff")
    try:
        user_deactivate(actor=request.user, user=person)
    except DomainError as error:
        return _member_render(request, person, deactivate_error=error.message, status=400)
    messages.success(request, _("Le compte de %(person)s est désactivé.") % {"person": person})
    return redirect("access:staff")
