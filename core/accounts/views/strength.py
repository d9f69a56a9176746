"""The live strength meter: scores the password being typed and answers a small fragment.

POST only (the password never sits in a URL or an access log), CSRF-checked like any form,
rate-limited per client; nothing of the request is logged or stored.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from ..forms import StrengthForm
from ..strength import password_strength, user_words
from ..throttling import METER_PER_CLIENT, client_ip, throttle_hit

MIN_LENGTH = 12
MAX_LENGTH = 256


@sensitive_variables("password")
@sensitive_post_parameters("password")
@never_cache
@require_POST
def password_strength_meter(request):
    if not throttle_hit(METER_PER_CLIENT, client_ip(request), fail_open=True):
        return render(request, "accounts/_strength.html", {"throttled": True}, status=429)
    form = StrengthForm(request.POST)
    password = form.cleaned_data["password"] if form.is_valid() else ""
    if not password:
        return render(request, "accounts/_strength.html", {"empty": True})
    if len(password) > MAX_LENGTH:
        return render(request, "accounts/_strength.html", {"too_long": True, "max_length": MAX_LENGTH})
    organisation = getattr(request, "tenant", None)
    user = request.user if request.user.is_authenticated else None
    strength = password_strength(password, user_inputs=user_words(user, getattr(organisation, "name", "")))
    context = {
        "strength": strength,
        "missing": max(0, MIN_LENGTH - len(password)),
        "acceptable": strength.score >= 3 and len(password) >= MIN_LENGTH,
    }
    return render(request, "accounts/_strength.html", context)
