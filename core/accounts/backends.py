"""Authentication backends: password and one-time e-mail code; an expired account gets neither.

Both also serve `get_user` for open sessions, so an account that expires or is deactivated loses
its sessions at the next request. A refusal after correct credentials is noted on the request
(`accounts_refusal`) so the form can say "accès expiré" and nothing more.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .expiry import account_expired

PASSWORD_BACKEND = "core.accounts.backends.PasswordBackend"
EXPIRED_REFUSAL = "expired"


def _note_refusal(request, reason: str) -> None:
    if request is not None:
        request.accounts_refusal = reason


def refusal_of(request) -> str | None:
    return getattr(request, "accounts_refusal", None)


class PasswordBackend(ModelBackend):
    """E-mail (any case) and password, for working accounts only."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not account_expired(user)

    # Rights live in django-rules (`rules.py`), not in Django's permission tables: asking those
    # would cost two queries for every right refused by the rules.
    def get_user_permissions(self, user_obj, obj=None) -> set:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set:
        return set()

    def authenticate(self, request, username=None, password=None, **kwargs):
        User = get_user_model()
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = User._default_manager.get_by_natural_key(str(username).strip().lower())
        except User.DoesNotExist:
            User().set_password(password)  # as slow as a real check: timing tells nothing
            return None
        if not user.check_password(password) or not user.is_active:
            return None
        if account_expired(user):
            _note_refusal(request, EXPIRED_REFUSAL)
            return None
        return user


class EmailCodeBackend(PasswordBackend):
    """The six-digit code e-mailed to the person (core.accounts.email_codes)."""

    def authenticate(self, request, email=None, code=None):
        from .email_codes import email_code_check

        if email is None or code is None:
            return None
        user = email_code_check(email=email, code=code)
        if user is None or not user.is_active:
            return None
        if account_expired(user):
            _note_refusal(request, EXPIRED_REFUSAL)
            return None
        return user
