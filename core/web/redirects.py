"""Where to send a person back to: only a page of the host they are on."""

from django.utils.http import url_has_allowed_host_and_scheme


def same_site_url(request, target: str | None, fallback: str = "") -> str:
    """`target` if it is a local URL of this host, `fallback` otherwise (no open redirects)."""
    allowed = bool(target) and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else fallback
