"""Reads of the tenant registry for the operator console."""

from django.db.models import QuerySet
from django_tenants.utils import get_public_schema_name

from .models import Organisation


def organisation_list() -> QuerySet[Organisation]:
    """Every organisation but the platform itself, with its domains, in one or two queries."""
    return Organisation.objects.exclude(schema_name=get_public_schema_name()).prefetch_related("domains")


def organisation_get(*, slug: str) -> Organisation:
    """One organisation by slug (never the platform itself); 404 otherwise."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(organisation_list(), slug=slug)
