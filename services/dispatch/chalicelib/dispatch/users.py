"""The tenant's users (admin only): list them, deactivate and reactivate one.

A deactivated user is refused by every service's authorizer at their next request, even with an
unexpired token (:func:`truckroll.domain.users.admit`). Dispatch owns these routes because it owns
the people the office manages (technicians); the directory itself is the shared users table.
"""

from __future__ import annotations

from chalicelib.dispatch.bootstrap import Dispatch

from truckroll.auth import Principal
from truckroll.domain.users import User, UserStatus
from truckroll.errors import Conflict, NotFound


def list_users(principal: Principal, dispatch: Dispatch) -> list[User]:
    principal.require_admin()
    return sorted(dispatch.users.list(principal.tenant_id), key=lambda u: u.user_id)


def set_status(user_id: str, status: UserStatus, principal: Principal, dispatch: Dispatch) -> User:
    principal.require_admin()
    user = dispatch.users.get(principal.tenant_id, user_id)
    if user is None:
        raise NotFound(f"user {user_id} not found (a user is known from their first sign-in)")
    if user.status is status:
        return user
    changed = user.with_status(status, principal, dispatch.clock())
    if not dispatch.users.save(changed, user):
        raise Conflict("the user changed meanwhile; read it again and retry")
    return changed
