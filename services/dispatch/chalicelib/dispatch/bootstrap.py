"""Wiring of the dispatch service: real adapters by default, any of them replaceable (tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from chalicelib.dispatch.projection import project_device_silence, project_job_booked

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JOB_BOOKED, JobBookedV1
from truckroll.contracts.tracking import TRACKING_DEVICE_RESUMED, TRACKING_DEVICE_SILENT, DeviceSilenceV1
from truckroll.domain.windows import Clock, utc_now
from truckroll.messaging.consumer import EventConsumer, Subscription
from truckroll.messaging.idempotency import idempotency_store
from truckroll.messaging.outbox import OutboxRelay
from truckroll.messaging.sqs import Publisher, SqsPublisher
from truckroll.persistence.board import DynamoBoardRepository
from truckroll.persistence.core import DynamoCoreUnitOfWork
from truckroll.persistence.ports import BoardRepository
from truckroll.persistence.technicians import DynamoTechnicianRepository

SERVICE = "dispatch"
CONSUMER = "dispatch.on_event"


@dataclass(frozen=True)
class Dispatch:
    board: BoardRepository
    technicians: DynamoTechnicianRepository
    uow: Callable[[], DynamoCoreUnitOfWork]
    clock: Clock
    consumer: EventConsumer
    relay: OutboxRelay


def bootstrap(
    *,
    board: BoardRepository | None = None,
    idempotency: BasePersistenceLayer | None = None,
    clock: Clock = utc_now,
    publisher: Publisher | None = None,
) -> Dispatch:
    board = board or DynamoBoardRepository(clock)
    technicians = DynamoTechnicianRepository()

    def on_job_booked(envelope: EventEnvelope, data: JobBookedV1) -> None:
        project_job_booked(envelope.tenant_id, data, board)

    def on_device_silence(envelope: EventEnvelope, data: DeviceSilenceV1) -> None:
        project_device_silence(envelope, data, technicians)

    consumer = EventConsumer(
        CONSUMER,
        [
            Subscription(JOB_BOOKED, 1, JobBookedV1, on_job_booked),
            Subscription(TRACKING_DEVICE_SILENT, 1, DeviceSilenceV1, on_device_silence),
            Subscription(TRACKING_DEVICE_RESUMED, 1, DeviceSilenceV1, on_device_silence),
        ],
        idempotency or idempotency_store(CONSUMER),
    )
    return Dispatch(
        board=board,
        technicians=technicians,
        uow=lambda: DynamoCoreUnitOfWork(producer=SERVICE, clock=clock),
        clock=clock,
        consumer=consumer,
        relay=OutboxRelay(SERVICE, publisher or SqsPublisher()),
    )
