"""Authentication (JWT verification) and the principal every use case receives."""

from truckroll.auth.principal import Principal, Role
from truckroll.auth.tokens import TokenVerifier, verifier_from_settings

__all__ = ["Principal", "Role", "TokenVerifier", "verifier_from_settings"]
