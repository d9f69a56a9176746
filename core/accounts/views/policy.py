"""The organisation's login policy: which ways in its pages offer; the others answer 404."""

from functools import wraps

from django.db import connection
from django.http import Http404
from django_tenants.utils import get_public_schema_name

from tenants.models import LoginMethod


def in_public_schema() -> bool:
    return connection.schema_name == get_public_schema_name()


def login_methods(request) -> set[str]:
    """The ways in this host allows: the organisation's policy; the operator console keeps passwords."""
    tenant = getattr(request, "tenant", None)
    if tenant is None or in_public_schema():
        return {LoginMethod.PASSWORD}
    return set(tenant.login_methods)


def login_method_required(method: str, *, organisations_only: bool = False):
    """The view answers 404 unless the policy allows `method` (and, if asked, outside the console)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if method not in login_methods(request) or (organisations_only and in_public_schema()):
                raise Http404
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def link_url_template(request, url_name: str) -> str:
    """Absolute URL of a link page on the organisation's own domain, with `{token}` to fill in
    (built from the registered domain, never from the request's Host header)."""
    from django.urls import reverse

    from tenants.services import organisation_url

    placeholder = "TOKENPLACEHOLDER"
    path = reverse(url_name, kwargs={"token": placeholder}).replace(placeholder, "{token}")
    return organisation_url(request.tenant, path)
