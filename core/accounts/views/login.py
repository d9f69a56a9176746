"""Login page (whatever ways in the policy allows), logout and invitation acceptance."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from core.errors import DomainError
from core.web.forms import form_show_refusal
from tenants.models import LoginMethod

from .. import services
from ..backends import PASSWORD_BACKEND
from ..forms import EmailAuthenticationForm, PasswordChoiceForm
from .policy import login_methods


class LoginView(auth_views.LoginView):
    """Password form when the policy has passwords, and links to the other ways in."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if LoginMethod.PASSWORD not in login_methods(request):
            raise Http404
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        methods = login_methods(self.request)
        return super().get_context_data(
            offers_password=LoginMethod.PASSWORD in methods,
            offers_code=LoginMethod.EMAIL_CODE in methods,
            offers_first_connection=LoginMethod.FIRST_CONNECTION_LINK in methods,
            **kwargs,
        )


class LogoutView(auth_views.LogoutView):
    pass


def session_open(request, user) -> None:
    """Log the person in after a link proved who they are (Django gives the session a new key)."""
    login(request, user, backend=PASSWORD_BACKEND)


# What the link services refuse with, and the status of the page saying so; any other refusal
# of a link (what it would do is no longer possible) is a conflict.
LINK_REFUSALS = {"link_invalid": 404, "expired": 403}


def link_refused(request, error: DomainError):
    """The page for a link that cannot serve: dead (404), of an expired account (403), or too late (409)."""
    template = "accounts/access_expired.html" if error.code == "expired" else "accounts/link_invalid.html"
    return render(request, template, {"message": error.message}, status=LINK_REFUSALS.get(error.code, 409))


def password_link_page(request, token: str, *, find, spend, template: str, welcome: str, person_key: str):
    """A page opened from an e-mailed link where the person chooses a password: the link is
    checked, then spent with the password, and the person is signed in."""
    try:
        link = find(token)
    except DomainError as error:
        return link_refused(request, error)
    form = PasswordChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = spend(token=token, password=form.cleaned_data["password"])
        except DomainError as error:
            if error.code in LINK_REFUSALS:
                return link_refused(request, error)
            form_show_refusal(form, error)
        else:
            session_open(request, user)
            messages.success(request, welcome)
            return redirect("web:home")
    return render(request, template, {"form": form, person_key: link.user})


@sensitive_post_parameters("password", "password_confirm")
def invitation_accept(request, token: str):
    return password_link_page(
        request,
        token,
        find=services.invitation_for_token,
        spend=services.invitation_accept,
        template="accounts/invitation_accept.html",
        welcome=_("Votre mot de passe est enregistré. Bienvenue !"),
        person_key="invited",
    )
