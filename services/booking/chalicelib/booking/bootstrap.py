"""Wiring of the booking service: real adapters by default, any of them replaceable (tests)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer

from truckroll.domain.booking_settings import BookingSettings
from truckroll.domain.lead_receivers import LeadReceivers
from truckroll.domain.windows import Clock, utc_now
from truckroll.messaging.idempotency import idempotency_store
from truckroll.messaging.outbox import OutboxRelay
from truckroll.messaging.sqs import Publisher, SqsPublisher
from truckroll.persistence import keys
from truckroll.persistence.booking_uow import DynamoBookingUnitOfWork
from truckroll.persistence.documents import DynamoDocuments
from truckroll.persistence.ports import BookingUnitOfWork, DocumentStore, RateCounter, TechnicianDirectory
from truckroll.persistence.rate_limits import DynamoRateCounter
from truckroll.persistence.technicians import DynamoTechnicianRepository
from truckroll.web.idempotency import IdempotentPosts

SERVICE = "booking"


@dataclass(frozen=True)
class Booking:
    uow: Callable[[], BookingUnitOfWork]
    clock: Clock
    relay: OutboxRelay
    settings: DocumentStore[BookingSettings]
    receivers: DocumentStore[LeadReceivers]
    idempotent: IdempotentPosts
    technicians: TechnicianDirectory
    rates: RateCounter


def bootstrap(
    *,
    uow: Callable[[], BookingUnitOfWork] | None = None,
    clock: Clock = utc_now,
    publisher: Publisher | None = None,
    settings: DocumentStore[BookingSettings] | None = None,
    receivers: DocumentStore[LeadReceivers] | None = None,
    idempotency: BasePersistenceLayer | None = None,
    technicians: TechnicianDirectory | None = None,
    rates: RateCounter | None = None,
) -> Booking:
    def dynamo_uow() -> BookingUnitOfWork:
        return DynamoBookingUnitOfWork(producer=SERVICE, clock=clock)

    return Booking(
        uow=uow or dynamo_uow,
        clock=clock,
        relay=OutboxRelay(SERVICE, publisher or SqsPublisher()),
        settings=settings or DynamoDocuments(BookingSettings, keys.BOOKING_SETTINGS_SK, BookingSettings),
        receivers=receivers or DynamoDocuments(LeadReceivers, keys.LEAD_RECEIVERS_SK, LeadReceivers),
        idempotent=IdempotentPosts(idempotency or idempotency_store(f"{SERVICE}-http")),
        technicians=technicians or DynamoTechnicianRepository(),
        rates=rates or DynamoRateCounter(),
    )
