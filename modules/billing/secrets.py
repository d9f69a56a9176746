"""Encrypt and decrypt an organisation's payment keys (Fernet, key derived from ADHERA_SECRETS_KEY)."""

import base64
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import connection

logger = logging.getLogger(__name__)


def _fernet() -> Fernet:
    digest = hashlib.sha256(b"adhera-payment-keys:" + settings.ADHERA_SECRETS_KEY.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_seal(value: str) -> str:
    """The encrypted form of `value` to store ("" stays "")."""
    return _fernet().encrypt(value.encode()).decode() if value else ""


def secret_open(sealed: str) -> str:
    """The stored value in clear, or "" when none was stored or ADHERA_SECRETS_KEY changed (logged:
    the organisation's online payment is off until its keys are entered again)."""
    if not sealed:
        return ""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        logger.error("A payment key of %s cannot be decrypted: ADHERA_SECRETS_KEY changed?", connection.schema_name)
        return ""
