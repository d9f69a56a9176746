"""Passwordless login: ask for a code by e-mail, then type it.

Between the two steps the session only remembers the address typed: it grants nothing, every page
still sends to the login page and the API still answers 401.
"""

from django.conf import settings
from django.contrib.auth import login
from django.shortcuts import redirect, render

from core.web.redirects import same_site_url
from tenants.models import LoginMethod

from ..email_codes import CODE_LIFETIME, email_code_send
from ..forms import CodeForm, EmailForm
from ..throttling import TOO_MANY_REQUESTS, throttle_sending
from .policy import login_method_required

PENDING_KEY = "accounts_code_pending"


@login_method_required(LoginMethod.EMAIL_CODE)
def code_request(request):
    form = EmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        if not throttle_sending(request, email):
            form.add_error(None, TOO_MANY_REQUESTS)
            return render(request, "accounts/code_request.html", {"form": form}, status=429)
        email_code_send(email=email)
        wanted = request.POST.get("next") or request.GET.get("next")
        request.session[PENDING_KEY] = {"email": email, "next": same_site_url(request, wanted)}
        return redirect("accounts:code_verify")
    return render(request, "accounts/code_request.html", {"form": form, "next": request.GET.get("next", "")})


@login_method_required(LoginMethod.EMAIL_CODE)
def code_verify(request):
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("accounts:code_request")
    form = CodeForm(request.POST or None, request=request, email=pending["email"])
    if request.method == "POST" and form.is_valid():
        del request.session[PENDING_KEY]
        login(request, form.user)
        return redirect(pending.get("next") or settings.LOGIN_REDIRECT_URL)
    context = {"form": form, "email": pending["email"], "minutes": int(CODE_LIFETIME.total_seconds() // 60)}
    return render(request, "accounts/code_verify.html", context)
