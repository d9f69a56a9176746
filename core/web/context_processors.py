"""Template context: the organisation's branding and the menu."""

from django_tenants.utils import get_public_schema_name

from .navigation import menu_links


def organisation(request) -> dict:
    tenant = getattr(request, "tenant", None)
    if tenant is None or tenant.schema_name == get_public_schema_name():
        return {"organisation": None, "brand_colour": "#1f4e79", "menu": []}
    return {"organisation": tenant, "brand_colour": tenant.primary_colour, "menu": menu_links(request)}
