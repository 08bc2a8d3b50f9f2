"""How each lead provider proves it speaks for a tenant, and the checks of those proofs.

- Thumbtack: HTTP Basic credentials set on the tenant's Thumbtack webhook.
- Angi: the API key the tenant gave Angi, sent as ``x-api-key``.
- Google Ads lead forms: the key set on the form, sent as ``google_key`` in the body.
- Any other system: Standard Webhooks (``webhook-id``, ``webhook-timestamp``, ``webhook-signature``:
  HMAC-SHA256 of ``id.timestamp.body`` with the tenant's ``whsec_`` secret, 5 minutes of tolerance).

Passwords and keys are kept as salted SHA-256 digests (they are long random machine secrets, so a
slow hash buys nothing); the webhook secret is kept as given, since the signature needs it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from truckroll.errors import Unauthorized

WEBHOOK_TOLERANCE = timedelta(minutes=5)
WEBHOOK_SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
MIN_SECRET_BYTES = 24


@dataclass(frozen=True)
class SecretDigest:
    salt: str
    digest: str

    @classmethod
    def of(cls, secret: str) -> SecretDigest:
        salt = secrets.token_hex(16)
        return cls(salt, _digest(salt, secret))

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.digest, _digest(self.salt, secret))


def _digest(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def webhook_key(secret: str) -> bytes:
    """The HMAC key of a ``whsec_<base64>`` secret; ``ValueError`` when it is not one."""
    if not secret.startswith(WEBHOOK_SECRET_PREFIX):
        raise ValueError(f"a webhook secret starts with {WEBHOOK_SECRET_PREFIX}")
    try:
        key = base64.b64decode(secret.removeprefix(WEBHOOK_SECRET_PREFIX), validate=True)
    except binascii.Error as error:
        raise ValueError("a webhook secret is whsec_ followed by base64") from error
    if len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"a webhook secret holds {MIN_SECRET_BYTES} random bytes at least")
    return key


@dataclass(frozen=True)
class LeadReceivers:
    """A tenant's receivers; a receiver without credentials is off and refuses everything."""

    tenant_id: str
    thumbtack_username: str | None = None
    thumbtack_password: SecretDigest | None = None
    angi_key: SecretDigest | None = None
    google_key: SecretDigest | None = None
    webhook_secret: str | None = None
    version: int = 0
    reserve_username: str | None = None  # Reserve with Google's booking server calls
    reserve_password: SecretDigest | None = None

    def check_thumbtack(self, authorization: str | None) -> None:
        if not _basic_matches(authorization, self.thumbtack_username, self.thumbtack_password):
            raise Unauthorized("Thumbtack credentials refused")

    def check_reserve(self, authorization: str | None) -> None:
        if not _basic_matches(authorization, self.reserve_username, self.reserve_password):
            raise Unauthorized("Reserve with Google credentials refused")

    def check_angi(self, api_key: str | None) -> None:
        if self.angi_key is None or not api_key or not self.angi_key.matches(api_key):
            raise Unauthorized("Angi API key refused")

    def check_google(self, google_key: object) -> None:
        stored = self.google_key
        if stored is None or not isinstance(google_key, str) or not stored.matches(google_key):
            raise Unauthorized("Google lead form key refused")

    def check_webhook(
        self,
        message_id: str | None,
        timestamp: str | None,
        signatures: str | None,
        body: bytes,
        now: datetime,
    ) -> datetime:
        """Verify a Standard Webhooks delivery; its signed time when genuine and fresh."""
        if self.webhook_secret is None or not message_id or not timestamp or not signatures:
            raise Unauthorized("webhook signature headers missing or receiver not configured")
        try:
            seconds = int(timestamp)
            sent = datetime.fromtimestamp(seconds, tz=now.tzinfo)
        except (ValueError, OverflowError, OSError) as error:
            raise Unauthorized("webhook timestamp is not a Unix time") from error
        expected = sign_webhook(self.webhook_secret, message_id, seconds, body).encode()
        if not any(hmac.compare_digest(expected, given.encode()) for given in signatures.split()):
            raise Unauthorized("webhook signature does not match")
        if abs(now - sent) > WEBHOOK_TOLERANCE:
            raise Unauthorized("webhook timestamp is outside the 5-minute tolerance")
        return sent


def _basic_matches(authorization: str | None, username: str | None, password: SecretDigest | None) -> bool:
    """Whether an ``Authorization: Basic`` header carries these credentials."""
    scheme, _, encoded = (authorization or "").partition(" ")
    try:
        decoded = base64.b64decode(encoded, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    given_user, colon, given_password = decoded.partition(":")
    return (
        scheme.lower() == "basic"
        and bool(colon)
        and username is not None
        and password is not None
        and hmac.compare_digest(given_user.encode(), username.encode())
        and password.matches(given_password)
    )


def sign_webhook(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header a sender computes (used by senders and tests alike)."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(webhook_key(secret), signed, hashlib.sha256).digest()
    return f"v1,{base64.b64encode(digest).decode()}"
