"""RS256 JWT verification against a JWKS: the local issuer's here, Cognito's in AWS.

Signature, expiry, issuer and audience are always checked; only RS256 is accepted, so ``alg: none``
and HS256 tokens signed with the public key are refused. Claims may be plain (``tenant_id``,
``role``) or Cognito custom attributes (``custom:tenant_id``, ``custom:role``).
"""

from __future__ import annotations

import json
from typing import Any

import jwt
from jwt import PyJWKClient, PyJWKSet

from truckroll.auth.principal import Principal, Role
from truckroll.config import AuthSettings
from truckroll.errors import Unauthorized
from truckroll.net import check_url

ALGORITHMS = ["RS256"]


class TokenVerifier:
    def __init__(self, settings: AuthSettings) -> None:
        self._settings = settings
        self._static_keys = PyJWKSet.from_dict(json.loads(settings.jwks_json)) if settings.jwks_json else None
        # The key set URL passes the URL guard once, when the verifier is made (it is deployment
        # configuration, Cognito's well-known URL in AWS; PyJWKClient follows no redirects).
        self._client = (
            PyJWKClient(check_url(settings.jwks_url).url, cache_keys=True) if settings.jwks_url else None
        )
        if self._static_keys is None and self._client is None:
            raise RuntimeError("AUTH_JWKS_URL or AUTH_JWKS_JSON must be set")

    def _signing_key(self, token: str) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError as exc:
            raise Unauthorized("malformed token") from exc
        if self._static_keys is not None:
            for key in self._static_keys.keys:
                if key.key_id == kid:
                    return key.key
            raise Unauthorized("token signed by an unknown key")
        assert self._client is not None
        if not isinstance(kid, str):
            raise Unauthorized("token has no key id")
        try:
            return self._client.get_signing_key(kid).key
        except jwt.PyJWKClientError as exc:
            raise Unauthorized("token signed by an unknown key") from exc

    def verify(self, token: str) -> Principal:
        key = self._signing_key(token)
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=ALGORITHMS,
                audience=self._settings.audience,
                issuer=self._settings.issuer,
                leeway=self._settings.leeway_seconds,
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("token expired") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized(f"invalid token: {exc}") from exc
        return principal_from_claims(claims)


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    tenant = claims.get("tenant_id") or claims.get("custom:tenant_id")
    role = claims.get("role") or claims.get("custom:role")
    if not isinstance(tenant, str) or not tenant:
        raise Unauthorized("token has no tenant_id")
    try:
        parsed_role = Role(str(role))
    except ValueError as exc:
        raise Unauthorized("token has no valid role") from exc
    return Principal(sub=str(claims["sub"]), tenant_id=tenant, role=parsed_role)


def verifier_from_settings(settings: AuthSettings) -> TokenVerifier:
    return TokenVerifier(settings)
