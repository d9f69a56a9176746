"""The "Utilisateurs" pages: a member's people, inviting them, their rights, removal and end dates.

A member's administrator manages the member they act for (`/acces/utilisateurs/`); the
organisation's staff manage any member's people from `/acces/adherents/<id>/utilisateurs/`.
People come from `access_membership`: another member's id answers the same 404 as a missing one.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.members.models import Member
from core.web.forms import form_show_refusal

from ..forms import ExpiryForm, InviteForm, MembershipForm, RemoveForm
from ..links import accept_url_template
from ..models import Membership, MembershipKind
from ..rights import rights_catalogue, rights_merge
from ..rules import is_organisation_staff
from ..selectors import access_member, access_membership, account_shared, membership_list, successor_list
from ..services import (
    contact_expiry_set,
    is_last_administrator,
    membership_invite,
    membership_link_resend,
    membership_remove,
    membership_update,
)

VIEW = "access.view_contacts"
MANAGE = "access.manage_contacts"


def _list_url(request, member: Member) -> str:
    if is_organisation_staff(request.user):
        return reverse("access:member_contacts", args=[member.pk])
    return reverse("access:contacts")


def _enabled(request) -> list[str]:
    return list(request.tenant.enabled_modules)


@login_required
def contacts_page(request):
    """The people of the member the person acts for; staff pick a member first."""
    active = getattr(request, "active_member", None)
    if active is None:
        if is_organisation_staff(request.user):
            return redirect("members:list")
        raise Http404
    return _contacts(request, active.pk)


@login_required
def member_contacts_page(request, member_id: int):
    return _contacts(request, member_id)


def _contacts(request, member_id):
    member = access_member(actor=request.user, member_id=member_id, perm=VIEW)
    can_manage = request.user.has_perm(MANAGE, member)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = InviteForm(request.POST or None, enabled_modules=_enabled(request)) if can_manage else None
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_invite(
                actor=request.user,
                member=member,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                kind=form.cleaned_data["kind"],
                role=form.cleaned_data["role"],
                rights=form.chosen_rights(),
                accept_url_template=accept_url_template(request),
            )
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            messages.success(
                request,
                _("Invitation envoyée à %(email)s : son accès reste en attente de validation jusqu'à son clic.")
                % {"email": membership.user.email},
            )
            return redirect(_list_url(request, member))
    labels = {right.codename: right.label for right in rights_catalogue()}
    rows = [
        {"membership": membership, "rights": [labels.get(codename, codename) for codename in membership.rights]}
        for membership in membership_list(member=member)
    ]
    context = {
        "member": member,
        "rows": rows,
        "can_manage": can_manage,
        "form": form,
        "is_staff": is_organisation_staff(request.user),
        "action_url": request.path,
    }
    return render(request, "access/contacts.html", context, status=400 if form is not None and form.errors else 200)


def _contact(request, membership_id) -> Membership:
    return access_membership(actor=request.user, membership_id=membership_id, perm=MANAGE)


def _contact_render(request, membership: Membership, *, status: int = 200, **forms):
    """The page of one person: role and rights, validation link, end date, removal."""
    successors = list(successor_list(membership=membership))
    last_admin = is_last_administrator(membership)
    expiry_allowed = membership.kind == MembershipKind.CONTACT and not account_shared(membership=membership)
    rights_form = forms.get("rights_form") or MembershipForm(
        enabled_modules=_enabled(request), initial={"role": membership.role, "rights": membership.rights}
    )
    context = {
        "membership": membership,
        "member": membership.member,
        "person": membership.user,
        "rights_form": rights_form,
        "remove_form": forms.get("remove_form") or RemoveForm(successors=successors, needs_successor=last_admin),
        "expiry_form": forms.get("expiry_form") or ExpiryForm(initial={"expires_on": membership.user.expires_on}),
        "expiry_allowed": expiry_allowed,
        "last_admin": last_admin,
        "list_url": _list_url(request, membership.member),
        "is_self": membership.user_id == request.user.pk,
    }
    return render(request, "access/contact.html", context, status=status)


@login_required
def contact_page(request, membership_id: int):
    membership = _contact(request, membership_id)
    if request.method != "POST":
        return _contact_render(request, membership)
    form = MembershipForm(request.POST, enabled_modules=_enabled(request))
    if form.is_valid():
        rights = rights_merge(kept=membership.rights, chosen=form.chosen_rights(), enabled_modules=_enabled(request))
        try:
            membership_update(actor=request.user, membership=membership, role=form.cleaned_data["role"], rights=rights)
        except DomainError as error:
            form_show_refusal(form, error, summary=True)
        else:
            messages.success(request, _("Autorisations de %(person)s enregistrées.") % {"person": membership.user})
            return redirect(_list_url(request, membership.member))
    return _contact_render(request, membership, rights_form=form, status=400)


@login_required
@require_POST
def contact_resend(request, membership_id: int):
    membership = _contact(request, membership_id)
    try:
        membership_link_resend(
            actor=request.user, membership=membership, accept_url_template=accept_url_template(request)
        )
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Nouveau lien envoyé à %(email)s ; le précédent ne fonctionne plus.") % {"email": membership.user.email},
        )
    return redirect("access:contact", membership_id=membership.pk)


@login_required
@require_POST
def contact_remove(request, membership_id: int):
    membership = _contact(request, membership_id)
    form = RemoveForm(
        request.POST,
        successors=list(successor_list(membership=membership)),
        needs_successor=is_last_administrator(membership),
    )
    if form.is_valid():
        try:
            membership_remove(actor=request.user, membership=membership, successor=form.chosen_successor())
        except DomainError as error:
            form_show_refusal(form, error, summary=True)
        else:
            messages.success(
                request,
                _("%(person)s n'a plus accès à %(member)s.") % {"person": membership.user, "member": membership.member},
            )
            if membership.user_id == request.user.pk:
                return redirect("web:home")
            return redirect(_list_url(request, membership.member))
    return _contact_render(request, membership, remove_form=form, status=400)


@login_required
@require_POST
def contact_expiry(request, membership_id: int):
    membership = _contact(request, membership_id)
    form = ExpiryForm(request.POST)
    if form.is_valid():
        try:
            contact_expiry_set(actor=request.user, membership=membership, expires_on=form.cleaned_data["expires_on"])
        except DomainError as error:
            form_show_refusal(form, error, summary=True)
        else:
            expires_on = form.cleaned_data["expires_on"]
            if expires_on:
                message = _("Le compte de %(person)s expirera le %(date)s.") % {
                    "person": membership.user,
                    "date": expires_on.strftime("%d/%m/%Y"),
                }
            else:
                message = _("Le compte de %(person)s n'a plus de date d'expiration.") % {"person": membership.user}
            messages.success(request, message)
            return redirect("access:contact", membership_id=membership.pk)
    return _contact_render(request, membership, expiry_form=form, status=400)
