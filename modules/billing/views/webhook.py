"""Stripe's webhook endpoint, one per organisation (its own host): verify, store, answer at once.

No login and no CSRF token (Stripe signs the raw body instead); nothing here redirects an anonymous
request. The event is handled by a task sent after commit (services/webhooks.py), so the answer
never waits for Stripe to be read back. The module gate still answers 404 when billing is off.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from ..services.webhooks import WebhookRefused, stripe_event_receive

# Stripe's events are a few kilobytes; anything much larger is not one of them.
MAX_BODY_BYTES = 256 * 1024


def _refused(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def stripe_webhook(request):
    """Store a signed Stripe event (200, also for a duplicate); 400 if unsigned, forged or stale."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _refused("invalid Content-Length")
    if declared > MAX_BODY_BYTES:
        return _refused("payload too large", status=413)
    # Read at most one byte past the cap, whatever the headers said (the signature covers these bytes).
    payload = request.read(MAX_BODY_BYTES + 1)
    if len(payload) > MAX_BODY_BYTES:
        return _refused("payload too large", status=413)
    try:
        stored = stripe_event_receive(payload=payload, signature=request.META.get("HTTP_STRIPE_SIGNATURE", ""))
    except WebhookRefused as refusal:
        return _refused(str(refusal) or "signature verification failed")
    return JsonResponse({"received": True, "duplicate": stored is None})
