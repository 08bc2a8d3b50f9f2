"""The tenant's user directory: who has signed in, and who is deactivated.

Identities live with the identity provider (Cognito in AWS, the local issuer here); the directory
only knows a user from their first verified request, and keeps whether they may still act. A
deactivated user is refused by the authorizer at their next request, whatever their token says.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from truckroll.auth.principal import Principal, Role
from truckroll.errors import Conflict


class UserStatus(StrEnum):
    ACTIVE = "active"
    DEACTIVATED = "deactivated"


@dataclass(frozen=True)
class User:
    tenant_id: str
    user_id: str  # the token's subject
    role: Role  # as the latest recorded token said
    status: UserStatus
    first_seen_at: datetime
    changed_at: datetime | None = None
    changed_by: str | None = None

    @property
    def active(self) -> bool:
        return self.status is UserStatus.ACTIVE

    @classmethod
    def first_seen(cls, principal: Principal, now: datetime) -> User:
        return cls(principal.tenant_id, principal.sub, principal.role, UserStatus.ACTIVE, now)

    def with_status(self, status: UserStatus, by: Principal, now: datetime) -> User:
        """``by`` sets the status; nobody deactivates themselves (an admin would lock the tenant out
        of its own user directory)."""
        if status is UserStatus.DEACTIVATED and by.sub == self.user_id:
            raise Conflict("you cannot deactivate yourself; ask another admin")
        return replace(self, status=status, changed_at=now, changed_by=by.sub)


class UserDirectory(Protocol):
    def get(self, tenant_id: str, user_id: str) -> User | None: ...

    def add(self, user: User) -> None: ...

    def save(self, user: User, previous: User) -> bool: ...

    def list(self, tenant_id: str) -> list[User]: ...


def admit(principal: Principal, directory: UserDirectory, now: datetime) -> bool:
    """Whether a verified principal may act now: False once deactivated. A user first seen is
    recorded; a role changed at the identity provider is recorded too."""
    user = directory.get(principal.tenant_id, principal.sub)
    if user is None:
        directory.add(User.first_seen(principal, now))
        return True
    if not user.active:
        return False
    if user.role is not principal.role:
        directory.save(replace(user, role=principal.role), user)
    return True
