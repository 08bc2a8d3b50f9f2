"""Wiring of the notify service: real adapters by default, any of them replaceable (tests)."""

from __future__ import annotations

from dataclasses import dataclass

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from chalicelib.notify.adapters import SesEmailSender, SnsSmsSender
from chalicelib.notify.confirmations import confirm_booking
from chalicelib.notify.ports import EmailSender, Notify, SmsSender

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JOB_BOOKED, JobBookedV1
from truckroll.domain.windows import Clock, utc_now
from truckroll.messaging.consumer import EventConsumer, Subscription
from truckroll.messaging.idempotency import idempotency_store
from truckroll.persistence.notify import DynamoDeliveryRepository, DynamoNotifySettingsRepository
from truckroll.persistence.ports import DeliveryRepository, NotifySettingsRepository

SERVICE = "notify"
CONSUMER = "notify.on_event"


@dataclass(frozen=True)
class NotifyService:
    notify: Notify
    consumer: EventConsumer


def bootstrap(
    *,
    settings: NotifySettingsRepository | None = None,
    deliveries: DeliveryRepository | None = None,
    sms: SmsSender | None = None,
    email: EmailSender | None = None,
    clock: Clock = utc_now,
    idempotency: BasePersistenceLayer | None = None,
) -> NotifyService:
    notify = Notify(
        settings=settings or DynamoNotifySettingsRepository(),
        deliveries=deliveries or DynamoDeliveryRepository(),
        sms=sms or SnsSmsSender(),
        email=email or SesEmailSender(),
        clock=clock,
    )

    def on_job_booked(envelope: EventEnvelope, data: JobBookedV1) -> None:
        confirm_booking(envelope, data, notify)

    consumer = EventConsumer(
        CONSUMER,
        [Subscription(JOB_BOOKED, 1, JobBookedV1, on_job_booked)],
        idempotency or idempotency_store(CONSUMER),
    )
    return NotifyService(notify=notify, consumer=consumer)
