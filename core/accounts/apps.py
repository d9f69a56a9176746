"""People who log in: platform operators (public schema) and each organisation's users (its schema)."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "core.accounts"
    label = "accounts"
    verbose_name = "Comptes"

    def ready(self):
        from . import sessions, throttling  # noqa: F401  (connect the login, logout and lockout receivers)
