"""The tenant registry: organisations, their domains, plans and policies (public schema only)."""

from django.apps import AppConfig


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = "Organisations"
