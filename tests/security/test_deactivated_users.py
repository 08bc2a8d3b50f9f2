"""A deactivated user is refused at once, even with an unexpired token, by every service.

Each test mints its own subjects, so deactivating them never touches the seeded users other tests
sign in as.
"""

from __future__ import annotations

import uuid

import pytest

from truckroll.auth import Role
from truckroll_local.stack import LocalStack

# One office route per service: each answers 200 to an active dispatcher.
PROBES = (
    "/booking/settings",
    "/dispatch/technicians",
    "/notify/templates",
    "/tracking/positions",
)


def _bearer(stack: LocalStack, sub: str, tenant: str, role: Role) -> dict[str, str]:
    return {"Authorization": f"Bearer {stack.issuer.mint(sub, tenant, role)}"}


@pytest.fixture
def tenant() -> str:
    return f"sec-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def admin(local_stack: LocalStack, tenant: str) -> dict[str, str]:
    return _bearer(local_stack, f"admin-{uuid.uuid4().hex[:6]}", tenant, Role.ADMIN)


def _user(local_stack: LocalStack, tenant: str, role: Role = Role.DISPATCHER) -> tuple[str, dict[str, str]]:
    sub = f"user-{uuid.uuid4().hex[:8]}"
    headers = _bearer(local_stack, sub, tenant, role)
    assert local_stack.request("GET", "/dispatch/board?date=2026-03-03", headers=headers).status == 200
    return sub, headers


def test_a_deactivated_user_is_refused_by_every_service_until_reactivated(
    local_stack: LocalStack, tenant: str, admin: dict[str, str]
) -> None:
    sub, headers = _user(local_stack, tenant)
    for path in PROBES:
        assert local_stack.request("GET", path, headers=headers).status == 200, path

    answer = local_stack.request("POST", f"/dispatch/users/{sub}/deactivate", headers=admin)
    assert answer.status == 200, answer.text
    assert answer.json()["status"] == "deactivated"
    for path in PROBES:
        refused = local_stack.request("GET", path, headers=headers)
        assert refused.status == 401, (path, refused.text)
        assert refused.header("Content-Type") == "application/problem+json"
    # A token minted after the deactivation is refused just the same.
    fresh = _bearer(local_stack, sub, tenant, Role.DISPATCHER)
    assert local_stack.request("GET", PROBES[0], headers=fresh).status == 401

    answer = local_stack.request("POST", f"/dispatch/users/{sub}/reactivate", headers=admin)
    assert answer.status == 200, answer.text
    assert answer.json()["status"] == "active"
    for path in PROBES:
        assert local_stack.request("GET", path, headers=headers).status == 200, path


def test_the_directory_lists_the_tenants_users_with_their_status(
    local_stack: LocalStack, tenant: str, admin: dict[str, str]
) -> None:
    sub, _ = _user(local_stack, tenant, Role.TECHNICIAN)
    assert local_stack.request("POST", f"/dispatch/users/{sub}/deactivate", headers=admin).status == 200
    users = {
        u["user_id"]: u for u in local_stack.request("GET", "/dispatch/users", headers=admin).json()["users"]
    }
    assert users[sub]["role"] == "technician"
    assert users[sub]["status"] == "deactivated"
    assert users[sub]["changed_by"] is not None
    assert {u["status"] for k, u in users.items() if k != sub} == {"active"}


def test_an_admin_cannot_deactivate_themselves(local_stack: LocalStack, tenant: str) -> None:
    sub = f"admin-{uuid.uuid4().hex[:6]}"
    headers = _bearer(local_stack, sub, tenant, Role.ADMIN)
    answer = local_stack.request("POST", f"/dispatch/users/{sub}/deactivate", headers=headers)
    assert answer.status == 409, answer.text
    assert answer.header("Content-Type") == "application/problem+json"
    assert local_stack.request("GET", "/dispatch/users", headers=headers).status == 200


@pytest.mark.parametrize("role", [Role.DISPATCHER, Role.BOTH, Role.TECHNICIAN])
def test_only_an_admin_manages_users(local_stack: LocalStack, tenant: str, role: Role) -> None:
    target, _ = _user(local_stack, tenant)
    _, headers = _user(local_stack, tenant, role)
    assert local_stack.request("GET", "/dispatch/users", headers=headers).status == 403
    for action in ("deactivate", "reactivate"):
        answer = local_stack.request("POST", f"/dispatch/users/{target}/{action}", headers=headers)
        assert answer.status == 403, (action, answer.text)


def test_an_admin_cannot_reach_another_tenants_users(
    local_stack: LocalStack, tenant: str, admin: dict[str, str]
) -> None:
    victim, victim_headers = _user(local_stack, f"{tenant}-other")
    answer = local_stack.request("POST", f"/dispatch/users/{victim}/deactivate", headers=admin)
    assert answer.status == 404, answer.text
    assert "first_seen_at" not in answer.text
    listed = local_stack.request("GET", "/dispatch/users", headers=admin).json()["users"]
    assert victim not in {u["user_id"] for u in listed}
    assert local_stack.request("GET", PROBES[1], headers=victim_headers).status == 200


def test_an_unknown_user_is_not_found(local_stack: LocalStack, admin: dict[str, str]) -> None:
    answer = local_stack.request("POST", "/dispatch/users/nobody-ever/deactivate", headers=admin)
    assert answer.status == 404
