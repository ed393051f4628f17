"""Invitation link tokens: HMAC(SECRET_KEY, invitation id + salt), stored only as a SHA-256.

The plain token is derived again whenever a reminder is sent, so it is never stored; a copy of
the database without the secret key opens no survey. 256 bits, URL-safe.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets


def new_salt() -> str:
    """A fresh random salt for a new invitation (also lets a link be replaced by a new one)."""
    return secrets.token_hex(16)


def derive(secret_key: str, invitation_id: int, salt: str) -> str:
    """The invitation's link token."""
    digest = hmac.new(
        secret_key.encode(), f"invitation:{invitation_id}:{salt}".encode(), hashlib.sha256
    ).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    """What the database stores and looks tokens up by."""
    return hashlib.sha256(token.encode()).hexdigest()
