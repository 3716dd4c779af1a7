"""Personal expert links: derive, hash and look up invitation tokens.

A token is HMAC-SHA256(link key, nonce) where the nonce is 128 random bits
from `secrets` kept on the invitation and the link key is derived from the
app's SECRET_KEY. The database stores the nonce and SHA-256(token): a dump
alone reveals no working link, yet the server can show an organizer the link
again. Revoking a link draws a new nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from flask import current_app

NONCE_BYTES = 16  # 128 bits


def new_nonce() -> str:
    """Return a fresh random nonce as hex."""
    return secrets.token_hex(NONCE_BYTES)


def _link_key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    if isinstance(secret, str):
        secret = secret.encode()
    return hmac.new(secret, b"elicit invitation links v1", hashlib.sha256).digest()


def token_for(nonce: str) -> str:
    """Return the URL-safe token (256 bits) for an invitation nonce."""
    digest = hmac.new(_link_key(), bytes.fromhex(nonce), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def hash_token(token: str) -> str:
    """Return the hex SHA-256 of a token, as stored in `Invitation.token_hash`."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(token: str) -> bool:
    """Cheap shape check before touching the database."""
    return 20 <= len(token) <= 100 and all(c.isascii() and (c.isalnum() or c in "-_")
                                           for c in token)
