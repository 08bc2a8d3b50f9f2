"""The authorizer's decision on the user directory (:func:`truckroll.domain.users.admit`), pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from truckroll.auth import Principal, Role
from truckroll.domain.users import User, UserStatus, admit
from truckroll.errors import Conflict

NOW = datetime(2027, 5, 4, 12, tzinfo=UTC)
ALICE = Principal("alice", "t1", Role.DISPATCHER)
ADMIN = Principal("root", "t1", Role.ADMIN)


class Directory:
    def __init__(self) -> None:
        self.users: dict[tuple[str, str], User] = {}
        self.writes = 0

    def get(self, tenant_id: str, user_id: str) -> User | None:
        return self.users.get((tenant_id, user_id))

    def add(self, user: User) -> None:
        self.writes += 1
        self.users.setdefault((user.tenant_id, user.user_id), user)

    def save(self, user: User, previous: User) -> bool:
        self.writes += 1
        if self.users.get((user.tenant_id, user.user_id)) != previous:
            return False
        self.users[(user.tenant_id, user.user_id)] = user
        return True

    def list(self, tenant_id: str) -> list[User]:
        return [u for (t, _), u in self.users.items() if t == tenant_id]


def test_a_user_first_seen_is_recorded_active_and_admitted() -> None:
    directory = Directory()
    assert admit(ALICE, directory, NOW)
    assert directory.get("t1", "alice") == User("t1", "alice", Role.DISPATCHER, UserStatus.ACTIVE, NOW)
    assert admit(ALICE, directory, NOW)
    assert directory.writes == 1  # later requests only read


def test_a_deactivated_user_is_refused_and_admitted_again_once_reactivated() -> None:
    directory = Directory()
    admit(ALICE, directory, NOW)
    user = directory.get("t1", "alice")
    assert user is not None
    off = user.with_status(UserStatus.DEACTIVATED, ADMIN, NOW)
    assert directory.save(off, user)
    assert not admit(ALICE, directory, NOW)
    assert (off.changed_by, off.changed_at) == ("root", NOW)
    assert directory.save(off.with_status(UserStatus.ACTIVE, ADMIN, NOW), off)
    assert admit(ALICE, directory, NOW)


def test_the_same_subject_in_another_tenant_is_another_user() -> None:
    directory = Directory()
    admit(ALICE, directory, NOW)
    user = directory.get("t1", "alice")
    assert user is not None
    directory.save(user.with_status(UserStatus.DEACTIVATED, ADMIN, NOW), user)
    assert admit(replace(ALICE, tenant_id="t2"), directory, NOW)


def test_a_role_changed_at_the_identity_provider_is_recorded() -> None:
    directory = Directory()
    admit(ALICE, directory, NOW)
    assert admit(replace(ALICE, role=Role.BOTH), directory, NOW)
    recorded = directory.get("t1", "alice")
    assert recorded is not None
    assert recorded.role is Role.BOTH


def test_nobody_deactivates_themselves() -> None:
    me = User("t1", "root", Role.ADMIN, UserStatus.ACTIVE, NOW)
    with pytest.raises(Conflict, match="yourself"):
        me.with_status(UserStatus.DEACTIVATED, ADMIN, NOW)
