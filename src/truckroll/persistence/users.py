"""The user directory in the users table, read by every service's authorizer.

Key layout: pk ``T#{tenant}#USERS``, sk ``USER#{user}``. The authorizer's check is one strongly
consistent GetItem of that item (1 read unit): a deactivation is seen by the very next request.
The tenant's list is one Query of the partition. A user is written once, at their first request
(a conditional put), and again only when their token's role changes or an admin sets their status.
"""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import UnicodeAttribute

from truckroll.auth.principal import Role
from truckroll.domain.users import User, UserStatus
from truckroll.persistence.keys import tenant_prefix
from truckroll.persistence.tables import TableMeta, TableModel
from truckroll.persistence.writes import save_if


def users_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#USERS"


def user_sk(user_id: str) -> str:
    return f"USER#{user_id}"


class UserItem(TableModel):
    class Meta(metaclass=TableMeta):
        logical_table = "users"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    tenant_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    status = UnicodeAttribute()
    first_seen_at = UnicodeAttribute()
    changed_at = UnicodeAttribute(null=True)
    changed_by = UnicodeAttribute(null=True)


def _item(user: User) -> UserItem:
    return UserItem(
        pk=users_pk(user.tenant_id),
        sk=user_sk(user.user_id),
        tenant_id=user.tenant_id,
        user_id=user.user_id,
        role=user.role.value,
        status=user.status.value,
        first_seen_at=user.first_seen_at.isoformat(),
        changed_at=user.changed_at.isoformat() if user.changed_at else None,
        changed_by=user.changed_by,
    )


def _user(item: UserItem) -> User:
    return User(
        tenant_id=item.tenant_id,
        user_id=item.user_id,
        role=Role(item.role),
        status=UserStatus(item.status),
        first_seen_at=datetime.fromisoformat(item.first_seen_at),
        changed_at=datetime.fromisoformat(item.changed_at) if item.changed_at else None,
        changed_by=item.changed_by,
    )


class DynamoUserDirectory:
    def get(self, tenant_id: str, user_id: str) -> User | None:
        try:
            return _user(UserItem.get(users_pk(tenant_id), user_sk(user_id), consistent_read=True))
        except UserItem.DoesNotExist:
            return None

    def add(self, user: User) -> None:
        """Record a user first seen; a concurrent first request of the same user is no error."""
        save_if(_item(user), UserItem.pk.does_not_exist())

    def save(self, user: User, previous: User) -> bool:
        """Replace ``previous`` with ``user`` unless someone changed it meanwhile (then False)."""
        condition = (UserItem.status == previous.status.value) & (UserItem.role == previous.role.value)
        return save_if(_item(user), condition)

    def list(self, tenant_id: str) -> list[User]:
        return [_user(item) for item in UserItem.query(users_pk(tenant_id), consistent_read=True)]
