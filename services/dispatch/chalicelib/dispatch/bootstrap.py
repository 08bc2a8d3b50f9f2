"""Wiring of the dispatch service: real adapters by default, any of them replaceable (tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

from truckroll.config import DEFAULT_SOLVE_SECONDS, auto_dispatch_solve_seconds
from truckroll.domain.map_settings import MapSettings
from truckroll.domain.users import UserDirectory
from truckroll.domain.windows import Clock, utc_now
from truckroll.messaging.consumer import EventConsumer
from truckroll.messaging.idempotency import idempotency_store
from truckroll.messaging.outbox import OutboxRelay
from truckroll.messaging.sqs import OutboundMessage, Publisher, SqsPublisher
from truckroll.persistence import keys
from truckroll.persistence.autodispatch import DynamoAutoDispatchRepository
from truckroll.persistence.board import DynamoBoardRepository
from truckroll.persistence.core import DynamoCoreUnitOfWork
from truckroll.persistence.documents import DynamoDocuments
from truckroll.persistence.job_notes import DynamoJobNotesRepository
from truckroll.persistence.photo_store import PhotoStore, S3PhotoStore
from truckroll.persistence.ports import BoardRepository
from truckroll.persistence.technicians import DynamoTechnicianRepository
from truckroll.persistence.users import DynamoUserDirectory
from truckroll.travel import TravelTimes, travel_from_environment

SERVICE = "dispatch"
CONSUMER = "dispatch.on_event"
RUNS_CONSUMER = "dispatch.on_run_request"


class DelayedSender(Protocol):
    def send_later(self, message: OutboundMessage, delay_seconds: int) -> None: ...


@dataclass(frozen=True)
class Dispatch:
    board: BoardRepository
    technicians: DynamoTechnicianRepository
    uow: Callable[[], DynamoCoreUnitOfWork]
    clock: Clock
    consumer: EventConsumer
    runs: EventConsumer
    relay: OutboxRelay
    auto: DynamoAutoDispatchRepository
    later: DelayedSender
    travel: TravelTimes
    notes: DynamoJobNotesRepository
    photos: PhotoStore
    users: UserDirectory
    map_settings: DynamoDocuments[MapSettings]
    solve_seconds: float = DEFAULT_SOLVE_SECONDS


def bootstrap(
    *,
    board: BoardRepository | None = None,
    idempotency: BasePersistenceLayer | None = None,
    clock: Clock = utc_now,
    publisher: Publisher | None = None,
    later: DelayedSender | None = None,
    travel: TravelTimes | None = None,
    photos: PhotoStore | None = None,
) -> Dispatch:
    # The handlers run use cases that take the finished wiring; imported here, as they import it.
    from chalicelib.dispatch.handlers import run_subscriptions, subscriptions

    wired: list[Dispatch] = []
    consumer = EventConsumer(
        CONSUMER, subscriptions(lambda: wired[0]), idempotency or idempotency_store(CONSUMER)
    )
    runs = EventConsumer(
        RUNS_CONSUMER, run_subscriptions(lambda: wired[0]), idempotency or idempotency_store(RUNS_CONSUMER)
    )
    sqs = SqsPublisher()
    wired.append(
        Dispatch(
            board=board or DynamoBoardRepository(clock),
            technicians=DynamoTechnicianRepository(clock),
            uow=lambda: DynamoCoreUnitOfWork(producer=SERVICE, clock=clock),
            clock=clock,
            consumer=consumer,
            runs=runs,
            relay=OutboxRelay(SERVICE, publisher or sqs),
            auto=DynamoAutoDispatchRepository(),
            later=later or sqs,
            travel=travel or travel_from_environment(),
            notes=DynamoJobNotesRepository(),
            photos=photos or S3PhotoStore.from_environment(),
            users=DynamoUserDirectory(),
            map_settings=DynamoDocuments(MapSettings, keys.MAP_SETTINGS_SK, MapSettings),
            solve_seconds=auto_dispatch_solve_seconds(),
        )
    )
    return wired[0]
