"""Wiring of the tracking service: real adapters by default, any of them replaceable (tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from chalicelib.tracking.kpis import project_visits
from chalicelib.tracking.links import (
    JOB_CANCELED,
    JOB_UNCANCELED,
    project_appointment,
    project_booking,
    project_job_cancellation,
)
from chalicelib.tracking.ports import (
    AppointmentProjection,
    DeviceRepository,
    FixStore,
    KpiRepository,
    LatestPositions,
    LinkRepository,
    Links,
    ProgressStore,
    ShiftRepository,
    Tracking,
    TrackingSettingsRepository,
)
from chalicelib.tracking.progress import DISPATCHED, follow_change, job_canceled, start_following
from chalicelib.tracking.shifts import project_shifts

from truckroll.config import LinkSettings, link_settings
from truckroll.contracts.dispatch import APPOINTMENT_EVENTS, AppointmentChangeV1, JobChangeV1
from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JOB_BOOKED, JobBookedV1
from truckroll.contracts.tracking import TECHNICIAN_SHIFTS_SET, TechnicianShiftsSetV1
from truckroll.domain.windows import Clock, utc_now
from truckroll.messaging.consumer import EventConsumer, Subscription
from truckroll.messaging.idempotency import idempotency_store
from truckroll.messaging.outbox import OutboxRelay
from truckroll.messaging.sqs import Publisher, SqsPublisher
from truckroll.persistence.tracking import (
    DynamoDeviceRepository,
    DynamoFixStore,
    DynamoShiftRepository,
    DynamoTrackingSettingsRepository,
)
from truckroll.persistence.tracking_kpis import DynamoKpiRepository
from truckroll.persistence.tracking_links import DynamoAppointmentProjection, DynamoLinkRepository
from truckroll.persistence.tracking_progress import DynamoProgressStore
from truckroll.travel import TravelTimes, travel_from_environment

SERVICE = "tracking"
CONSUMER = "tracking.on_event"


@dataclass(frozen=True)
class TrackingService:
    tracking: Tracking
    links: Links
    measures: KpiRepository
    consumer: EventConsumer
    relay: OutboxRelay


def bootstrap(
    *,
    fixes: FixStore | None = None,
    shifts: ShiftRepository | None = None,
    settings: TrackingSettingsRepository | None = None,
    devices: DeviceRepository | None = None,
    appointments: AppointmentProjection | None = None,
    links: LinkRepository | None = None,
    positions: LatestPositions | None = None,
    travel: TravelTimes | None = None,
    progress: ProgressStore | None = None,
    measures: KpiRepository | None = None,
    clock: Clock = utc_now,
    idempotency: BasePersistenceLayer | None = None,
    publisher: Publisher | None = None,
    link_config: Callable[[], LinkSettings] = link_settings,
) -> TrackingService:
    fix_store = DynamoFixStore()
    travel_time = travel or travel_from_environment()
    tracking = Tracking(
        fixes=fixes or fix_store,
        shifts=shifts or DynamoShiftRepository(),
        settings=settings or DynamoTrackingSettingsRepository(),
        devices=devices or DynamoDeviceRepository(),
        progress=progress or DynamoProgressStore(),
        travel=travel_time,
        clock=clock,
    )
    link_service = Links(
        appointments=appointments or DynamoAppointmentProjection(),
        links=links or DynamoLinkRepository(),
        positions=positions or fix_store,
        travel=travel_time,
        clock=clock,
    )

    def on_shifts_set(envelope: EventEnvelope, data: TechnicianShiftsSetV1) -> None:
        project_shifts(envelope, data, tracking.shifts, tracking.progress)

    def on_job_booked(envelope: EventEnvelope, data: JobBookedV1) -> None:
        project_booking(envelope, data, link_service.appointments)

    kpi_repository = measures or DynamoKpiRepository()

    def on_appointment(envelope: EventEnvelope, data: AppointmentChangeV1) -> None:
        project_appointment(envelope, data, link_service.appointments)
        project_visits(envelope, data, link_service.appointments, kpi_repository)
        if envelope.event_type == DISPATCHED:
            start_following(envelope, data, link_service, tracking, link_config())
        else:
            follow_change(envelope, data, link_service, tracking)

    def on_job_cancellation(envelope: EventEnvelope, data: JobChangeV1) -> None:
        project_job_cancellation(envelope, data, link_service.appointments)
        if envelope.event_type == JOB_CANCELED:
            job_canceled(envelope, data, link_service, tracking)

    consumer = EventConsumer(
        CONSUMER,
        [
            Subscription(JOB_CANCELED, 1, JobChangeV1, on_job_cancellation),
            Subscription(JOB_UNCANCELED, 1, JobChangeV1, on_job_cancellation),
            Subscription(TECHNICIAN_SHIFTS_SET, 1, TechnicianShiftsSetV1, on_shifts_set),
            Subscription(JOB_BOOKED, 1, JobBookedV1, on_job_booked),
            *(
                Subscription(event_type, 1, AppointmentChangeV1, on_appointment)
                for event_type in APPOINTMENT_EVENTS.values()
            ),
        ],
        idempotency or idempotency_store(CONSUMER),
    )
    return TrackingService(
        tracking=tracking,
        links=link_service,
        measures=kpi_repository,
        consumer=consumer,
        relay=OutboxRelay(SERVICE, publisher or SqsPublisher()),
    )
