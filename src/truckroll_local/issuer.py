"""The local identity issuer (development only): RS256 tokens for seeded users, and its JWKS.

It stands in for Cognito. The key pair is generated at every start, so tokens never outlive the
stack that signed them. The functions verify these tokens with the same ``TokenVerifier`` that
checks Cognito's in AWS; they only learn the public JWKS, through ``AUTH_JWKS_JSON``.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from truckroll.auth import Role
from truckroll_local.responses import HttpResponse, json_response, problem

AUDIENCE = "truckroll"
DEFAULT_TTL_SECONDS = 3600
MAX_TTL_SECONDS = 12 * 3600


@dataclass(frozen=True)
class User:
    """A seeded login. Its username (``name@tenant``) is also its token subject."""

    username: str
    tenant_id: str
    role: Role
    display_name: str

    def to_json(self) -> dict[str, str]:
        return {
            "username": self.username,
            "sub": self.username,
            "tenant_id": self.tenant_id,
            "role": self.role.value,
            "name": self.display_name,
        }


def _user(name: str, tenant: str, role: Role, display_name: str) -> User:
    return User(f"{name}@{tenant}", tenant, role, display_name)


SEEDED_USERS: tuple[User, ...] = (
    _user("admin", "demo", Role.ADMIN, "Avery Admin"),
    _user("dispatcher", "demo", Role.DISPATCHER, "Dana Dispatcher"),
    _user("lead", "demo", Role.BOTH, "Lee Lead-Tech"),
    _user("tech-1", "demo", Role.TECHNICIAN, "Tomás Rivera"),
    _user("tech-2", "demo", Role.TECHNICIAN, "Priya Nair"),
    _user("tech-3", "demo", Role.TECHNICIAN, "Sam Okafor"),
    _user("admin", "acme", Role.ADMIN, "Alex Acme-Admin"),
    _user("dispatcher", "acme", Role.DISPATCHER, "Drew Acme-Dispatch"),
    _user("tech-1", "acme", Role.TECHNICIAN, "Terry Acme-Tech"),
)


class UnknownUser(LookupError):
    pass


class LocalIssuer:
    def __init__(self, issuer_url: str, users: tuple[User, ...] = SEEDED_USERS) -> None:
        self.issuer_url = issuer_url
        self.audience = AUDIENCE
        self.users = users
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._key_id = f"local-{uuid.uuid4().hex[:12]}"

    def jwks(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(RSAAlgorithm.to_jwk(self._key.public_key()))
        jwk.update(kid=self._key_id, alg="RS256", use="sig")
        return {"keys": [jwk]}

    def user(self, username: str) -> User:
        for user in self.users:
            if user.username == username:
                return user
        raise UnknownUser(username)

    def mint(self, sub: str, tenant_id: str, role: Role | str, ttl_seconds: int = DEFAULT_TTL_SECONDS) -> str:
        """A signed access token for any principal (a negative ``ttl_seconds`` gives an expired one)."""
        now = int(time.time())
        claims = {
            "sub": sub,
            "tenant_id": tenant_id,
            "role": Role(role).value,
            "iss": self.issuer_url,
            "aud": self.audience,
            "iat": now,
            "exp": now + ttl_seconds,
        }
        return jwt.encode(claims, self._key, algorithm="RS256", headers={"kid": self._key_id})

    def token_for(
        self, username: str, ttl_seconds: int = DEFAULT_TTL_SECONDS, tenant_id: str | None = None
    ) -> str:
        """A token for a seeded user; ``tenant_id`` moves that user into another tenant."""
        user = self.user(username)
        return self.mint(user.username, tenant_id or user.tenant_id, user.role, ttl_seconds)

    def handle(self, method: str, path: str, query: str) -> HttpResponse:
        """The issuer's HTTP endpoints, ``path`` relative to ``/auth``."""
        if method != "GET":
            return problem(405, "Method not allowed", f"{method} is not supported here", {"Allow": "GET"})
        if path == "/.well-known/jwks.json":
            return json_response(self.jwks())
        if path == "/users":
            return json_response({"users": [u.to_json() for u in self.users]})
        if path == "/dev-token":
            return self._dev_token(parse_qs(query))
        return problem(404, "Not found", f"no issuer endpoint {path}")

    def _dev_token(self, params: dict[str, list[str]]) -> HttpResponse:
        username = (params.get("user") or [""])[0]
        ttl_text = (params.get("ttl") or [str(DEFAULT_TTL_SECONDS)])[0]
        if not ttl_text.isdigit() or not 0 < int(ttl_text) <= MAX_TTL_SECONDS:
            return problem(422, "Invalid request", f"ttl must be 1..{MAX_TTL_SECONDS} seconds")
        ttl = int(ttl_text)
        try:
            token = self.token_for(username, ttl)
        except UnknownUser:
            known = ", ".join(u.username for u in self.users)
            return problem(404, "Not found", f"no seeded user {username!r}; known: {known}")
        return json_response({"access_token": token, "token_type": "Bearer", "expires_in": ttl})
