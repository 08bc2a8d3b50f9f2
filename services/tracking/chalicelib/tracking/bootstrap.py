"""Wiring of the tracking service: real adapters by default, any of them replaceable (tests)."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from chalicelib.tracking.ports import (
    DeviceRepository,
    FixStore,
    ShiftRepository,
    Tracking,
    TrackingSettingsRepository,
)
from chalicelib.tracking.shifts import project_shifts

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.tracking import TECHNICIAN_SHIFTS_SET, TechnicianShiftsSetV1
from truckroll.domain.windows import Clock, utc_now
from truckroll.messaging.consumer import EventConsumer, Subscription
from truckroll.messaging.idempotency import idempotency_store
from truckroll.persistence.tracking import (
    DynamoDeviceRepository,
    DynamoFixStore,
    DynamoShiftRepository,
    DynamoTrackingSettingsRepository,
)

SERVICE = "tracking"
CONSUMER = "tracking.on_event"


@dataclass(frozen=True)
class TrackingService:
    tracking: Tracking
    consumer: EventConsumer


def bootstrap(
    *,
    fixes: FixStore | None = None,
    shifts: ShiftRepository | None = None,
    settings: TrackingSettingsRepository | None = None,
    devices: DeviceRepository | None = None,
    clock: Clock = utc_now,
    idempotency: BasePersistenceLayer | None = None,
) -> TrackingService:
    tracking = Tracking(
        fixes=fixes or DynamoFixStore(),
        shifts=shifts or DynamoShiftRepository(),
        settings=settings or DynamoTrackingSettingsRepository(),
        devices=devices or DynamoDeviceRepository(),
        clock=clock,
    )

    def on_shifts_set(envelope: EventEnvelope, data: TechnicianShiftsSetV1) -> None:
        project_shifts(envelope, data, tracking.shifts)

    consumer = EventConsumer(
        CONSUMER,
        [Subscription(TECHNICIAN_SHIFTS_SET, 1, TechnicianShiftsSetV1, on_shifts_set)],
        idempotency or idempotency_store(CONSUMER),
    )
    return TrackingService(tracking=tracking, consumer=consumer)
