"""The validation link of a pending person ("en attente de validation").

A new person chooses their password (when the organisation logs in with passwords) and is logged
in; an existing account (an accounting firm already acting for other members) only confirms, once
logged in as itself. An unknown, used, replaced or expired link gives the same page, 404.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from core.accounts.backends import PASSWORD_BACKEND
from core.accounts.expiry import EXPIRED, account_expired
from core.accounts.forms import PasswordChoiceForm
from core.errors import DomainError
from core.web.forms import form_show_refusal
from tenants.models import LoginMethod

from ..acting import memberships_forget
from ..services import active_member_choose, membership_accept, membership_for_token


def _refused(request, message, *, status: int):
    return render(request, "accounts/link_invalid.html", {"message": message}, status=status)


@sensitive_post_parameters("password", "password_confirm")
def accept_page(request, token: str):
    try:
        membership = membership_for_token(token)
    except DomainError as error:
        return _refused(request, error.message, status=404)
    person = membership.user
    if account_expired(person):
        return _refused(request, EXPIRED, status=403)
    signed_in_as_person = request.user.is_authenticated and request.user.pk == person.pk
    context = {"membership": membership, "member": membership.member, "person": person, "form": None}
    if person.has_usable_password() and not signed_in_as_person:
        # The link proves the mailbox; an existing account also proves it is its owner who accepts.
        if request.user.is_authenticated:
            return render(request, "access/accept.html", {**context, "mode": "other_account"}, status=403)
        login_url = f"{reverse('accounts:login')}?{urlencode({'next': request.path})}"
        return render(request, "access/accept.html", {**context, "mode": "login", "login_url": login_url})
    wants_password = not person.has_usable_password() and LoginMethod.PASSWORD in request.tenant.login_methods
    form = PasswordChoiceForm(request.POST or None) if wants_password else None
    context.update(form=form, mode="password" if wants_password else "confirm")
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = membership_accept(
                token=token,
                password=form.cleaned_data["password"] if form else None,
                password_required=wants_password,
            )
        except DomainError as error:
            if form is None:
                return _refused(request, error.message, status=404)
            form_show_refusal(form, error)
        else:
            if signed_in_as_person:
                memberships_forget(request.user)  # loaded before this membership became active
            else:
                # The accepted membership's user carries the new password (the session's hash).
                login(request, membership.user, backend=PASSWORD_BACKEND)
            active_member_choose(request=request, member_id=membership.member_id)
            messages.success(
                request, _("Votre accès à %(member)s est validé. Bienvenue !") % {"member": membership.member}
            )
            return redirect("web:home")
    return render(request, "access/accept.html", context, status=400 if form is not None and form.errors else 200)
