"""The explicit allow-list of routes that carry no user token.

Each of these authenticates by other means (webhook credentials or signatures, a tracking-link token, a public
booking page rate limit) or reveals nothing (health). Every other route gets the JWT authorizer,
and ``tests/integration/test_route_protection.py`` proves it.
"""

from __future__ import annotations

PUBLIC_ROUTES: dict[str, frozenset[tuple[str, str]]] = {
    "booking": frozenset({("GET", "/health")}),
    "dispatch": frozenset({("GET", "/health")}),
    "notify": frozenset({("GET", "/health"), ("POST", "/sms/inbound")}),
    "tracking": frozenset({("GET", "/health"), ("POST", "/device-fixes"), ("GET", "/links/{token}")}),
}


def is_public(service: str, method: str, path: str) -> bool:
    return (method.upper(), path) in PUBLIC_ROUTES.get(service, frozenset())
