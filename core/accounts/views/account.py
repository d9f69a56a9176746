""" "Mon compte": open sessions, signing out everywhere, changing the password, the API token."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.web.forms import form_show_refusal

from .. import services
from ..forms import PasswordChangeForm
from ..sessions import session_key_moved, user_sessions_end, user_sessions_live
from ..throttling import Limit, throttle_hit
from .policy import in_public_schema

# Guessing the current password from a borrowed session: a few tries, then wait.
PASSWORD_CHANGE_PER_USER = Limit("password-change", 5, 15 * 60)


def _token_of(user):
    """The person's API token row, if any (tokens exist in organisations only)."""
    if in_public_schema():
        return None
    from rest_framework.authtoken.models import Token

    return Token.objects.filter(user=user).only("created").first()


def _account_page(request, *, form=None, new_token: str | None = None, status: int = 200):
    sessions = list(user_sessions_live(user=request.user))
    context = {
        "form": form or PasswordChangeForm(),
        "sessions": sessions,
        "current_key": request.session.session_key,
        "tokens_offered": not in_public_schema(),
        "token": _token_of(request.user),
        "new_token": new_token,
    }
    return render(request, "accounts/account.html", context, status=status)


@login_required
def account(request):
    return _account_page(request)


@sensitive_post_parameters("old_password", "password", "password_confirm")
@login_required
@require_POST
def password_change(request):
    form = PasswordChangeForm(request.POST)
    if not form.is_valid():
        return _account_page(request, form=form, status=400)
    if not throttle_hit(PASSWORD_CHANGE_PER_USER, str(request.user.pk)):
        form.add_error(None, _("Trop d'essais. Réessayez dans quelques minutes."))
        return _account_page(request, form=form, status=429)
    try:
        user = services.user_password_change(
            user=request.user, old_password=form.cleaned_data["old_password"], password=form.cleaned_data["password"]
        )
    except DomainError as error:
        form_show_refusal(form, error)
        return _account_page(request, form=form, status=400)
    old_key = request.session.session_key
    update_session_auth_hash(request, user)  # this session stays, with a new key
    session_key_moved(old_key=old_key, new_key=request.session.session_key)
    user_sessions_end(actor=user, user=user, keep_session_key=request.session.session_key)
    messages.success(request, _("Mot de passe modifié. Vos autres sessions sont fermées."))
    return redirect("accounts:account")


@login_required
@require_POST
def sessions_end(request):
    """End every session of the person, this one included, and remove their API token."""
    user = request.user
    user_sessions_end(actor=user, user=user)
    if not in_public_schema():
        services.api_token_delete(actor=user, user=user)
    logout(request)
    messages.success(request, _("Toutes vos sessions sont fermées. Reconnectez-vous pour continuer."))
    return redirect("accounts:login")


@login_required
@require_POST
def api_token(request):
    if in_public_schema():
        raise Http404
    if request.POST.get("action") == "delete":
        if services.api_token_delete(actor=request.user, user=request.user):
            messages.success(request, _("Jeton d'API supprimé."))
        return redirect("accounts:account")
    key = services.api_token_create(user=request.user)
    # Shown on this answer only: the page is not cached and the key is never displayed again.
    response = _account_page(request, new_token=key)
    response["Cache-Control"] = "no-store"
    return response
