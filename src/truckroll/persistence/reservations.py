"""Reserve with Google's bookings in the core table: one item per booking (listed per Google user
on gsi1) and one per idempotency token, written with the job in one transaction."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import TypeAdapter

from truckroll.domain.reservations import Reservation
from truckroll.persistence import keys
from truckroll.persistence.core_models import CoreItem, ReservationItem, ReservationTokenItem
from truckroll.persistence.leads import Stager
from truckroll.persistence.writes import Write

TOKEN_RETENTION = timedelta(days=30)
LIST_LIMIT = 100
_RESERVATION = TypeAdapter(Reservation)


class DynamoReservationRepository:
    def __init__(self, uow: Stager) -> None:
        self._uow = uow

    def add(self, reservation: Reservation, token: str, now: datetime) -> None:
        tenant = reservation.tenant_id
        item = ReservationItem(
            pk=keys.reservation_pk(tenant, reservation.booking_id),
            sk=keys.RESERVATION_SK,
            tenant_id=tenant,
            reservation=_RESERVATION.dump_json(reservation).decode(),
            gsi1pk=keys.reserver_pk(tenant, reservation.user_id),
            gsi1sk=reservation.booking_id,
        )
        guard = ReservationTokenItem(
            pk=keys.reservation_token_pk(tenant, token),
            sk=keys.GUARD_SK,
            tenant_id=tenant,
            booking_id=reservation.booking_id,
            expires_at=now + TOKEN_RETENTION,
        )
        self._uow.stage(Write("put", item, CoreItem.pk.does_not_exist()))
        self._uow.stage(Write("put", guard, CoreItem.pk.does_not_exist()))

    def get(self, tenant_id: str, booking_id: str) -> Reservation | None:
        try:
            item = ReservationItem.get(
                keys.reservation_pk(tenant_id, booking_id), keys.RESERVATION_SK, consistent_read=True
            )
        except ReservationItem.DoesNotExist:
            return None
        return _RESERVATION.validate_json(item.reservation)

    def by_token(self, tenant_id: str, token: str) -> Reservation | None:
        try:
            guard = ReservationTokenItem.get(
                keys.reservation_token_pk(tenant_id, token), keys.GUARD_SK, consistent_read=True
            )
        except ReservationTokenItem.DoesNotExist:
            return None
        return self.get(tenant_id, guard.booking_id)

    def of_user(self, tenant_id: str, user_id: str) -> list[Reservation]:
        items = ReservationItem.of_user.query(keys.reserver_pk(tenant_id, user_id), limit=LIST_LIMIT)
        return [_RESERVATION.validate_json(i.reservation) for i in items]
