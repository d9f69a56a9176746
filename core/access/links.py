"""The absolute address of a validation link, on the organisation's registered domain."""

from django.urls import reverse

from tenants.services import organisation_url

PLACEHOLDER = "TOKENPLACEHOLDER"


def accept_url_template(request) -> str:
    """`…/acces/validation/{token}/`, built from the organisation's domain, never the Host header."""
    path = reverse("access:accept", kwargs={"token": PLACEHOLDER}).replace(PLACEHOLDER, "{token}")
    return organisation_url(request.tenant, path)


def staff_accept_url_template(request) -> str:
    """The invitation page of core.accounts, where a new staff member chooses a password."""
    path = reverse("accounts:invitation_accept", kwargs={"token": PLACEHOLDER}).replace(PLACEHOLDER, "{token}")
    return organisation_url(request.tenant, path)
