"""The one declaration of Truckroll's AWS resources.

The CDK stacks (infra/) and the local stack (truckroll_local) both build from these objects, so the
tables, streams, queues, dead-letter queues, topics and event routes can never drift apart.
Names here are logical: a stage prefix is added by :func:`physical_name`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Literal

Service = Literal["booking", "dispatch", "notify", "tracking"]
SERVICES: tuple[Service, ...] = ("booking", "dispatch", "notify", "tracking")


@dataclass(frozen=True)
class Index:
    name: str
    partition_key: str
    sort_key: str


@dataclass(frozen=True)
class Table:
    """A DynamoDB table: string keys ``pk``/``sk``, on-demand billing, optional stream and TTL."""

    name: str
    env_var: str
    owners: tuple[Service, ...]
    indexes: tuple[Index, ...] = ()
    stream: bool = False
    ttl_attribute: str | None = None

    @property
    def stream_env_var(self) -> str:
        return f"{self.env_var}_STREAM_ARN"


@dataclass(frozen=True)
class Queue:
    """An SQS queue with its dead-letter queue; ``consumer`` runs ``handler`` on its messages."""

    name: str
    env_var: str
    consumer: Service
    handler: str
    event_types: tuple[str, ...]
    max_receive_count: int = 5
    batch_size: int = 10
    visibility_timeout_seconds: int = 180
    timeout_seconds: int | None = None  # the consumer function's, when not the services' default

    @property
    def dlq_name(self) -> str:
        return f"{self.name}-dlq"

    @property
    def arn_env_var(self) -> str:
        return f"{self.env_var}_ARN"


@dataclass(frozen=True)
class StreamConsumer:
    """A function reading a table's stream (Lambda's DynamoDB event source mapping).

    ``filter_pattern`` is a Lambda event filter (JSON): records it does not match are dropped by the
    event source mapping and never invoke the function."""

    table: str
    consumer: Service
    handler: str
    batch_size: int = 100
    maximum_retry_attempts: int = 5
    filter_pattern: str | None = None

    @property
    def failure_queue_name(self) -> str:
        """Where records that exhausted their retries are sent (the on-failure destination)."""
        return f"{self.consumer}-{self.table}-stream-failures"


@dataclass(frozen=True)
class Topic:
    name: str
    env_var: str

    @property
    def arn_env_var(self) -> str:
        return f"{self.env_var}_ARN"


@dataclass(frozen=True)
class PushApplication:
    """An SNS platform application of the technician app (``platform`` as the API names it)."""

    name: str
    platform: str
    sns_platform: str
    env_var: str


@dataclass(frozen=True)
class Bucket:
    """A private S3 bucket written and read by its ``owners``; browsers reach its objects only
    through presigned URLs (``cors_methods`` are the methods they may use on them)."""

    name: str
    env_var: str
    owners: tuple[Service, ...]
    cors_methods: tuple[str, ...] = ()
    abort_incomplete_uploads_days: int = 1
    infrequent_access_after_days: int | None = None  # rarely looked at once the job is done


@dataclass(frozen=True)
class Schedule:
    """A scheduled handler: ``rate_minutes`` between runs."""

    consumer: Service
    handler: str
    rate_minutes: int


@dataclass(frozen=True)
class Resources:
    tables: tuple[Table, ...]
    queues: tuple[Queue, ...]
    stream_consumers: tuple[StreamConsumer, ...]
    topics: tuple[Topic, ...]
    schedules: tuple[Schedule, ...] = field(default=())
    push_applications: tuple[PushApplication, ...] = field(default=())
    buckets: tuple[Bucket, ...] = field(default=())

    def table(self, name: str) -> Table:
        return next(t for t in self.tables if t.name == name)

    def queues_for(self, event_type: str) -> tuple[Queue, ...]:
        """Queues subscribed to ``event_type`` (exact type or ``prefix.*``)."""
        return tuple(q for q in self.queues if _subscribed(q.event_types, event_type))

    def environment(self, stage: str) -> dict[str, str]:
        """Environment variables naming every resource, as the functions read them."""
        env = {"STAGE": stage}
        for t in self.tables:
            env[t.env_var] = physical_name(stage, t.name)
        for q in self.queues:
            env[q.env_var] = physical_name(stage, q.name)
        for topic in self.topics:
            env[topic.env_var] = physical_name(stage, topic.name)
        return env


def _subscribed(patterns: tuple[str, ...], event_type: str) -> bool:
    for pattern in patterns:
        if pattern == event_type or (pattern.endswith(".*") and event_type.startswith(pattern[:-1])):
            return True
    return False


def physical_name(stage: str, logical: str) -> str:
    return f"truckroll-{stage}-{logical}"


CORE = Table(
    name="core",
    env_var="CORE_TABLE",
    owners=("booking", "dispatch"),
    indexes=(
        Index("gsi1", "gsi1pk", "gsi1sk"),
        Index("gsi2", "gsi2pk", "gsi2sk"),
    ),
    stream=True,
    ttl_attribute="expires_at",
)
NOTIFY = Table(
    name="notify",
    env_var="NOTIFY_TABLE",
    owners=("notify",),
    indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),),
    ttl_attribute="expires_at",
)
TRACKING = Table(
    name="tracking",
    env_var="TRACKING_TABLE",
    owners=("tracking",),
    indexes=(Index("gsi1", "gsi1pk", "gsi1sk"),),
    stream=True,
    ttl_attribute="expires_at",
)
IDEMPOTENCY = Table(
    name="idempotency",
    env_var="IDEMPOTENCY_TABLE",
    owners=SERVICES,
    ttl_attribute="expiration",
)
# The user directory: whether a user may still act. Every service's authorizer reads it (and records
# a user first seen); the dispatch service's admin routes change it.
USERS = Table(name="users", env_var="USERS_TABLE", owners=SERVICES)

INBOUND_SMS_TOPIC = "inbound-sms"

# Photos technicians take on a job: keys ``{tenant}/jobs/{job_id}/photos/{photo_id}``.
PHOTOS = Bucket(
    name="photos",
    env_var="PHOTOS_BUCKET",
    owners=("dispatch",),
    cors_methods=("PUT", "GET"),
    infrequent_access_after_days=90,
)

# The records an outbox relay acts on: new outbox items. Every other write to its table (board
# entries, GPS history, ...) is dropped by the event source mapping instead of invoking the relay.
OUTBOX_INSERTS = json.dumps({"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["outbox"]}}}})

RESOURCES = Resources(
    tables=(CORE, NOTIFY, TRACKING, IDEMPOTENCY, USERS),
    queues=(
        Queue(
            name="dispatch-events",
            env_var="DISPATCH_EVENTS_QUEUE",
            consumer="dispatch",
            handler="on_event",
            event_types=(
                "job.booked",
                "tracking.device_silent",
                "tracking.device_resumed",
                "tracking.running_late",
                "tracking.position_reported",
            ),
        ),
        # Automatic dispatch's runs, one per message and function call: a run solves each day of the
        # tenant's horizon, which would not fit in (nor hold up) a batch of other events. Dispatch
        # sends the tenant's run request here itself (delayed by the debounce); nothing is routed.
        Queue(
            name="auto-dispatch-runs",
            env_var="AUTO_DISPATCH_RUNS_QUEUE",
            consumer="dispatch",
            handler="on_run_request",
            event_types=(),
            batch_size=1,
            max_receive_count=3,
            timeout_seconds=120,
            visibility_timeout_seconds=720,
        ),
        Queue(
            name="notify-events",
            env_var="NOTIFY_EVENTS_QUEUE",
            consumer="notify",
            handler="on_event",
            event_types=(
                "job.*",
                "appointment.*",
                "technician.messaged",
                "tracking.on_the_way",
                "tracking.running_late",
            ),
        ),
        Queue(
            name="tracking-events",
            env_var="TRACKING_EVENTS_QUEUE",
            consumer="tracking",
            handler="on_event",
            event_types=(
                "technician.shifts_set",
                "job.booked",
                "appointment.*",
                "job.canceled",
                "job.uncanceled",
            ),
        ),
    ),
    stream_consumers=(
        StreamConsumer(
            table="core", consumer="booking", handler="relay_outbox", filter_pattern=OUTBOX_INSERTS
        ),
        StreamConsumer(
            table="core", consumer="dispatch", handler="relay_outbox", filter_pattern=OUTBOX_INSERTS
        ),
        StreamConsumer(
            table="tracking", consumer="tracking", handler="relay_outbox", filter_pattern=OUTBOX_INSERTS
        ),
    ),
    topics=(
        Topic(name="alarms", env_var="ALARMS_TOPIC"),
        # Customers' text replies, published by AWS End User Messaging two-way SMS.
        Topic(name=INBOUND_SMS_TOPIC, env_var="INBOUND_SMS_TOPIC"),
    ),
    schedules=(
        Schedule(consumer="notify", handler="send_due_messages", rate_minutes=1),
        Schedule(consumer="tracking", handler="sweep_silent_devices", rate_minutes=1),
        Schedule(consumer="dispatch", handler="auto_dispatch", rate_minutes=5),
    ),
    # Made outside the stacks in AWS (they hold the FCM and APNs credentials; infra is given their
    # ARNs), by the local stack in moto; notify reads each ARN from ``env_var``.
    push_applications=(
        PushApplication(
            name="technician-app-fcm", platform="fcm", sns_platform="GCM", env_var="PUSH_FCM_APPLICATION_ARN"
        ),
        PushApplication(
            name="technician-app-apns",
            platform="apns",
            sns_platform="APNS",
            env_var="PUSH_APNS_APPLICATION_ARN",
        ),
    ),
    # Named by the stack in AWS (bucket names are global), ``physical_name`` locally; each owner's
    # functions get the name in ``env_var``.
    buckets=(PHOTOS,),
)
