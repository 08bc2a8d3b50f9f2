"""The explicit allow-list of routes that carry no user token.

Each of these authenticates by other means (webhook credentials or signatures, a tracking-link token, a public
booking page rate limit) or reveals nothing (health). Every other route gets the JWT authorizer,
and ``tests/integration/test_route_protection.py`` proves it.
"""

from __future__ import annotations

PUBLIC_ROUTES: dict[str, frozenset[tuple[str, str]]] = {
    "booking": frozenset(
        {
            ("GET", "/health"),
            ("POST", "/intake/thumbtack/{tenant_id}"),
            ("POST", "/intake/angi/{tenant_id}"),
            ("POST", "/intake/google/{tenant_id}"),
            ("POST", "/intake/webhook/{tenant_id}"),
            ("GET", "/online/{tenant_id}/availability"),
            ("POST", "/online/{tenant_id}/bookings"),
            ("GET", "/rwg/{tenant_id}/v3/HealthCheck"),
            ("POST", "/rwg/{tenant_id}/v3/BatchAvailabilityLookup"),
            ("POST", "/rwg/{tenant_id}/v3/CheckAvailability"),
            ("POST", "/rwg/{tenant_id}/v3/CreateBooking"),
            ("POST", "/rwg/{tenant_id}/v3/UpdateBooking"),
            ("POST", "/rwg/{tenant_id}/v3/GetBookingStatus"),
            ("POST", "/rwg/{tenant_id}/v3/ListBookings"),
        }
    ),
    "dispatch": frozenset({("GET", "/health")}),
    "notify": frozenset({("GET", "/health"), ("POST", "/sms/inbound")}),
    "tracking": frozenset({("GET", "/health"), ("POST", "/device-fixes"), ("GET", "/links/{token}")}),
}


def is_public(service: str, method: str, path: str) -> bool:
    return (method.upper(), path) in PUBLIC_ROUTES.get(service, frozenset())
