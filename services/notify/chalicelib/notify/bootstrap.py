"""Wiring of the notify service: real adapters by default, any of them replaceable (tests)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from chalicelib.notify import reactions
from chalicelib.notify.adapters import HttpsSnsEndpoint, SesEmailSender, SnsPushSender, SnsSmsSender
from chalicelib.notify.inbound import SnsEndpoint, SnsVerifier
from chalicelib.notify.ports import EmailSender, Notify, PushSender, SmsSender

from truckroll.contracts.dispatch import (
    APPOINTMENT_EVENTS,
    JOB_EVENTS,
    TECHNICIAN_MESSAGED,
    AppointmentChangeV1,
    JobChangeV1,
    TechniciansMessagedV1,
)
from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JOB_BOOKED, JobBookedV1
from truckroll.contracts.tracking import TRACKING_ON_THE_WAY, TRACKING_RUNNING_LATE, OnTheWayV1, RunningLateV1
from truckroll.domain.windows import Clock, utc_now
from truckroll.messaging.consumer import EventConsumer, Subscription
from truckroll.messaging.idempotency import idempotency_store
from truckroll.persistence.notify import (
    DynamoDeliveryLog,
    DynamoDevices,
    DynamoDueMessages,
    DynamoNotifySettingsRepository,
    DynamoOptOuts,
    DynamoProjection,
    DynamoTemplates,
)
from truckroll.resources import INBOUND_SMS_TOPIC, RESOURCES

SERVICE = "notify"
CONSUMER = "notify.on_event"
INBOUND_TOPIC = next(t for t in RESOURCES.topics if t.name == INBOUND_SMS_TOPIC)


@dataclass(frozen=True)
class NotifyService:
    notify: Notify
    consumer: EventConsumer
    inbound: SnsVerifier


def bootstrap(
    *,
    notify: Notify | None = None,
    sms: SmsSender | None = None,
    email: EmailSender | None = None,
    push: PushSender | None = None,
    sns_endpoint: SnsEndpoint | None = None,
    clock: Clock = utc_now,
    idempotency: BasePersistenceLayer | None = None,
) -> NotifyService:
    notify = notify or Notify(
        settings=DynamoNotifySettingsRepository(),
        deliveries=DynamoDeliveryLog(),
        projection=DynamoProjection(),
        opt_outs=DynamoOptOuts(),
        templates=DynamoTemplates(),
        devices=DynamoDevices(),
        due=DynamoDueMessages(),
        sms=sms or SnsSmsSender(),
        email=email or SesEmailSender(),
        push=push or SnsPushSender(),
        clock=clock,
    )

    def run(reaction: Callable[[EventEnvelope, Any, Notify], None]) -> Callable[[EventEnvelope, Any], None]:
        return lambda envelope, data: reaction(envelope, data, notify)

    subscriptions: list[Subscription[Any]] = [
        Subscription(JOB_BOOKED, 1, JobBookedV1, run(reactions.on_job_booked)),
        *(
            Subscription(t, 1, AppointmentChangeV1, run(reactions.on_appointment_changed))
            for t in APPOINTMENT_EVENTS.values()
        ),
        *(Subscription(t, 1, JobChangeV1, run(reactions.on_job_changed)) for t in JOB_EVENTS.values()),
        Subscription(TECHNICIAN_MESSAGED, 1, TechniciansMessagedV1, run(reactions.on_technicians_messaged)),
        Subscription(TRACKING_ON_THE_WAY, 1, OnTheWayV1, run(reactions.on_the_way)),
        Subscription(TRACKING_RUNNING_LATE, 1, RunningLateV1, run(reactions.on_running_late)),
    ]
    consumer = EventConsumer(CONSUMER, subscriptions, idempotency or idempotency_store(CONSUMER))
    verifier = SnsVerifier(
        topic_arn=os.environ.get(INBOUND_TOPIC.arn_env_var) or None,
        endpoint=sns_endpoint or HttpsSnsEndpoint(),
    )
    return NotifyService(notify=notify, consumer=consumer, inbound=verifier)
