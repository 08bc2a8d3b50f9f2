"""Who is calling: subject, tenant and role, taken from a verified token."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from truckroll.errors import Forbidden


class Role(StrEnum):
    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    TECHNICIAN = "technician"
    BOTH = "both"  # dispatcher rights, and can be scheduled on appointments


OFFICE_ROLES = frozenset({Role.ADMIN, Role.DISPATCHER, Role.BOTH})


@dataclass(frozen=True)
class Principal:
    sub: str
    tenant_id: str
    role: Role

    @property
    def is_office(self) -> bool:
        return self.role in OFFICE_ROLES

    def require_office(self) -> None:
        if not self.is_office:
            raise Forbidden("this action needs a dispatcher or admin role")

    def require_admin(self) -> None:
        if self.role is not Role.ADMIN:
            raise Forbidden("this action needs the admin role")

    def to_context(self) -> dict[str, str]:
        """Flat string map, as API Gateway passes an authorizer's context to the function."""
        return {"sub": self.sub, "tenant_id": self.tenant_id, "role": self.role.value}

    @classmethod
    def from_context(cls, context: dict[str, str]) -> Principal:
        return cls(sub=context["sub"], tenant_id=context["tenant_id"], role=Role(context["role"]))
