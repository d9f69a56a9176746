"""Password reset and first connection: ask for a link, then use it.

Asking always ends on the same page with the same status, whether or not anyone was found; only
the throttle (same for everyone) can answer otherwise.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from core.errors import DomainError
from core.web.forms import form_show_refusal
from tenants.models import LoginMethod

from .. import recovery
from ..forms import EmailForm, FirstConnectionForm, PasswordChoiceForm
from ..throttling import TOO_MANY_REQUESTS, throttle_sending
from .login import LINK_REFUSALS, link_refused, password_link_page, session_open
from .policy import link_url_template, login_method_required, login_methods


def _too_many(request, template: str, form):
    form.add_error(None, TOO_MANY_REQUESTS)
    return render(request, template, {"form": form}, status=429)


@login_method_required(LoginMethod.PASSWORD, organisations_only=True)
def password_reset_request(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not throttle_sending(request, email):
            return _too_many(request, "accounts/password_reset_request.html", form)
        recovery.password_reset_request(
            email=email, url_template=link_url_template(request, "accounts:password_reset_confirm")
        )
        return redirect("accounts:password_reset_sent")
    return render(request, "accounts/password_reset_request.html", {"form": form})


@login_method_required(LoginMethod.PASSWORD, organisations_only=True)
def password_reset_sent(request):
    return render(request, "accounts/link_sent.html", {"purpose": "reset", "minutes": recovery.LINK_MINUTES})


@sensitive_post_parameters("password", "password_confirm")
@login_method_required(LoginMethod.PASSWORD, organisations_only=True)
def password_reset_confirm(request, token: str):
    return password_link_page(
        request,
        token,
        find=recovery.password_reset_link,
        spend=recovery.password_reset_confirm,
        template="accounts/password_reset_confirm.html",
        welcome=_("Votre nouveau mot de passe est enregistré ; vos autres sessions sont fermées."),
        person_key="person",
    )


@login_method_required(LoginMethod.FIRST_CONNECTION_LINK)
def first_connection_request(request):
    form = FirstConnectionForm(request.POST or None, identity_scheme=request.tenant.identity_scheme)
    if request.method == "POST" and form.is_valid():
        identifier = form.cleaned_data["identifier"]
        if not throttle_sending(request, identifier):
            return _too_many(request, "accounts/first_connection_request.html", form)
        recovery.first_connection_request(
            identifier=identifier,
            identity_scheme=request.tenant.identity_scheme,
            url_template=link_url_template(request, "accounts:first_connection_accept"),
        )
        return redirect("accounts:first_connection_sent")
    return render(request, "accounts/first_connection_request.html", {"form": form})


@login_method_required(LoginMethod.FIRST_CONNECTION_LINK)
def first_connection_sent(request):
    return render(request, "accounts/link_sent.html", {"purpose": "first_connection", "minutes": recovery.LINK_MINUTES})


@sensitive_post_parameters("password", "password_confirm")
@login_method_required(LoginMethod.FIRST_CONNECTION_LINK)
def first_connection_accept(request, token: str):
    try:
        link = recovery.first_connection_link(token)
    except DomainError as error:
        return link_refused(request, error)
    # Without passwords in the policy, the link alone opens the account.
    chooses_password = LoginMethod.PASSWORD in login_methods(request)
    form = PasswordChoiceForm(request.POST or None) if chooses_password else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            user = recovery.first_connection_accept(
                token=token, password=form.cleaned_data["password"] if form is not None else None
            )
        except DomainError as error:
            if form is None or error.code in (*LINK_REFUSALS, "has_administrator"):
                return link_refused(request, error)
            form_show_refusal(form, error)
        else:
            session_open(request, user)
            messages.success(request, _("Bienvenue ! Votre accès est prêt."))
            return redirect("web:home")
    return render(request, "accounts/first_connection_accept.html", {"form": form, "link": link})
