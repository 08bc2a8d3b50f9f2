"""Wiring of the dispatch service: real adapters by default, any of them replaceable (tests)."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from chalicelib.dispatch.projection import project_job_booked

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JOB_BOOKED, JobBookedV1
from truckroll.messaging.consumer import EventConsumer, Subscription
from truckroll.messaging.idempotency import idempotency_store
from truckroll.persistence.board import DynamoBoardRepository
from truckroll.persistence.ports import BoardRepository

SERVICE = "dispatch"
CONSUMER = "dispatch.on_event"


@dataclass(frozen=True)
class Dispatch:
    board: BoardRepository
    consumer: EventConsumer


def bootstrap(
    *,
    board: BoardRepository | None = None,
    idempotency: BasePersistenceLayer | None = None,
) -> Dispatch:
    board = board or DynamoBoardRepository()

    def on_job_booked(envelope: EventEnvelope, data: JobBookedV1) -> None:
        project_job_booked(envelope.tenant_id, data, board)

    consumer = EventConsumer(
        CONSUMER,
        [Subscription(JOB_BOOKED, 1, JobBookedV1, on_job_booked)],
        idempotency or idempotency_store(CONSUMER),
    )
    return Dispatch(board=board, consumer=consumer)
