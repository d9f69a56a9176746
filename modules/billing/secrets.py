"""Encrypt and decrypt an organisation's payment keys (Fernet, key derived from ADHERA_SECRETS_KEY)."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"adhera-payment-keys:" + settings.ADHERA_SECRETS_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_seal(value: str) -> str:
    """The encrypted form of `value` to store ("" stays "")."""
    return _fernet().encrypt(value.encode()).decode() if value else ""


def secret_open(sealed: str) -> str:
    """The stored value in clear, or "" when none was stored or the key changed (logged by callers)."""
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        return ""
