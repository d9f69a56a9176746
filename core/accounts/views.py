"""Login, logout and invitation acceptance (for operators and organisation users alike)."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.web.forms import form_show_refusal

from . import services
from .forms import EmailAuthenticationForm, PasswordChoiceForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def invitation_accept(request, token: str):
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as error:
        return render(request, "accounts/invitation_invalid.html", {"message": error.message}, status=404)
    form = PasswordChoiceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(token=token, password=form.cleaned_data["password"])
        except DomainError as error:
            form_show_refusal(form, error)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Votre mot de passe est enregistré. Bienvenue !"))
            return redirect("web:home")
    return render(request, "accounts/invitation_accept.html", {"form": form, "invited": invitation.user})
