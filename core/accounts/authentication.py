"""API token authentication that, like the login backends, refuses expired accounts."""

from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .expiry import EXPIRED, account_expired


class AccountTokenAuthentication(TokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if account_expired(user):
            raise AuthenticationFailed(EXPIRED)
        return user, token
