"""Online payment pages: start a Stripe Checkout for chosen invoices, then the return and cancel pages.

The return page only shows what the webhook recorded (see services/webhooks.py): it never writes a
payment, whatever the URL Stripe sent the member back with. While Stripe has not confirmed, its
state fragment asks again every 2 s (htmx) and stops once the payment is settled one way or another.
"""

import uuid
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.views.decorators.http import require_GET, require_POST

from core.errors import DomainError
from core.members.models import Member
from core.web.security import CONTENT_SECURITY_POLICY

from ..contribution import euros
from ..models import CheckoutAttempt, CheckoutStatus
from ..selectors import access_checkout, invoice_list, member_of
from ..services.payments import checkout_start as checkout_open

# A UUID no attempt has: reversed, then replaced by "{key}" for the service to fill in.
_KEY_PLACEHOLDER = uuid.UUID(int=0)
# States in which Stripe has not said its last word: the page keeps asking.
WAITING = (CheckoutStatus.OPEN, CheckoutStatus.PROCESSING)
POLL_SECONDS = 2
STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def return_url(request, name: str) -> str:
    """The absolute URL of the payment page `name` ("billing:checkout_return"…), with "{key}" where
    the attempt's key goes (the service fills it in); the API sends members to the same pages."""
    path = reverse(name, kwargs={"key": _KEY_PLACEHOLDER})
    return request.build_absolute_uri(path).replace(str(_KEY_PLACEHOLDER), "{key}")


def paying_member(user) -> Member:
    """The active member whose invoices the person may read and pay online; 403 otherwise. Both
    rights: the return page, which shows the payment, is for readers of the member's invoices."""
    member = member_of(user)
    if member is None or not user.has_perm("billing.pay_invoices", member):
        raise PermissionDenied
    return member


def checkout_origin() -> str:
    """Where Stripe's hosted payment page lives: the local server in tests and `make run`."""
    if settings.STRIPE_API_BASE:
        parts = urlsplit(settings.STRIPE_API_BASE)
        return f"{parts.scheme}://{parts.netloc}"
    return STRIPE_CHECKOUT_ORIGIN


def allows_checkout_redirect(response):
    """Let a page's forms post to `checkout_start`, which redirects to Stripe: browsers apply the
    page's CSP `form-action` to the redirect too, so the page must name Stripe's origin."""
    policy = CONTENT_SECURITY_POLICY.replace("form-action 'self'", f"form-action 'self' {checkout_origin()}")
    response.headers["Content-Security-Policy"] = policy
    return response


@require_POST
@login_required
def checkout_start(request):
    """Pay the chosen invoices (`invoices` = ids) of the active member on Stripe's page."""
    try:
        attempt = checkout_open(
            actor=request.user,
            member=paying_member(request.user),
            invoice_ids=request.POST.getlist("invoices"),
            success_url=return_url(request, "billing:checkout_return"),
            cancel_url=return_url(request, "billing:checkout_cancel"),
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("billing:invoices")
    response = redirect(attempt.stripe_url)
    response.status_code = 303  # a POST answered by a GET elsewhere
    return response


def _attempt_context(request, attempt: CheckoutAttempt) -> dict:
    ids = [int(invoice_id) for invoice_id in attempt.allocations]
    invoices = invoice_list(actor=request.user).filter(pk__in=ids).order_by("issued_on", "id")
    return {
        "attempt": attempt,
        "amount": euros(attempt.amount),
        "rows": [{"invoice": invoice, "amount": euros(attempt.allocations[str(invoice.pk)])} for invoice in invoices],
        "waiting": attempt.status in WAITING,
        "poll_seconds": POLL_SECONDS,
    }


def _private(response):
    # The page says whether a payment went through: never from a cache.
    add_never_cache_headers(response)
    return response


@require_GET
@login_required
def checkout_return(request, key):
    """Where Stripe sends the member back: the payment and what Stripe said of it so far."""
    attempt = access_checkout(actor=request.user, key=key)
    return _private(render(request, "billing/member/checkout_return.html", _attempt_context(request, attempt)))


@require_GET
@login_required
def checkout_status(request, key):
    """The state fragment the return page polls; 204 (nothing to swap) while it has not changed."""
    attempt = access_checkout(actor=request.user, key=key)
    if request.htmx and request.GET.get("etat") == attempt.status and attempt.status in WAITING:
        response = HttpResponse(status=204)
    else:
        context = {"attempt": attempt, "waiting": attempt.status in WAITING, "poll_seconds": POLL_SECONDS}
        response = render(request, "billing/member/checkout_state.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return _private(response)


@require_GET
@login_required
def checkout_cancel(request, key):
    """The member left Stripe's page without paying: nothing was taken."""
    attempt = access_checkout(actor=request.user, key=key)
    return _private(render(request, "billing/member/checkout_cancel.html", _attempt_context(request, attempt)))
