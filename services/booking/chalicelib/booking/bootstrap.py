"""Wiring of the booking service: real adapters by default, any of them replaceable (tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from truckroll.domain.windows import Clock, utc_now
from truckroll.messaging.outbox import OutboxRelay
from truckroll.messaging.sqs import Publisher, SqsPublisher
from truckroll.persistence.booking_settings import DynamoBookingSettings
from truckroll.persistence.core import DynamoCoreUnitOfWork
from truckroll.persistence.ports import BookingSettingsStore, CoreUnitOfWork

SERVICE = "booking"


@dataclass(frozen=True)
class Booking:
    uow: Callable[[], CoreUnitOfWork]
    clock: Clock
    relay: OutboxRelay
    settings: BookingSettingsStore


def bootstrap(
    *,
    uow: Callable[[], CoreUnitOfWork] | None = None,
    clock: Clock = utc_now,
    publisher: Publisher | None = None,
    settings: BookingSettingsStore | None = None,
) -> Booking:
    def dynamo_uow() -> CoreUnitOfWork:
        return DynamoCoreUnitOfWork(producer=SERVICE, clock=clock)

    return Booking(
        uow=uow or dynamo_uow,
        clock=clock,
        relay=OutboxRelay(SERVICE, publisher or SqsPublisher()),
        settings=settings or DynamoBookingSettings(),
    )
