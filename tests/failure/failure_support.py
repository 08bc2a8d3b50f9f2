"""What the failure suite is built from: the consumers read from the resource catalog, a valid event
for each with a way to count its effects, poison messages, and faults injected into DynamoDB calls.

Every consumer the catalog declares must have a scenario here (``test_catalog`` fails otherwise), so
a new queue or stream relay cannot ship without its poison, duplicate, throttling and crash tests.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.endpoint import Endpoint
from pynamodb.models import Model
from ulid import ULID

from truckroll.contracts.envelope import EventEnvelope
from truckroll.messaging.sqs import OutboundMessage, SqsPublisher
from truckroll.persistence.core import outbox_item
from truckroll.persistence.tracking_links import DynamoAppointmentProjection
from truckroll.persistence.tracking_progress import outbox_write
from truckroll.resources import RESOURCES, Queue, StreamConsumer, physical_name
from truckroll_local import REPO_ROOT
from truckroll_local.aws import Aws
from truckroll_local.runtime import HandlerRef, InvocationContext

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

    from truckroll_local.stack import LocalStack

GOLDEN = REPO_ROOT / "tests" / "contracts" / "golden"
BOARD_DAY = "2026-03-03"  # the day of the golden job.booked sample's appointment

WRITES = {"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}
# The tables the services keep their state in (the idempotency table is Powertools' bookkeeping).
SERVICE_TABLES = {t.name for t in RESOURCES.tables if t.name != "idempotency"}

QUEUES: tuple[Queue, ...] = RESOURCES.queues
RELAYS: tuple[StreamConsumer, ...] = RESOURCES.stream_consumers


def relay_id(relay: StreamConsumer) -> str:
    return f"{relay.table}:{relay.consumer}"


def consumer_name(queue: Queue) -> str:
    """The name the queue's consumer logs and keys its idempotency records with."""
    return f"{queue.consumer}.{queue.handler}"


# -- events --------------------------------------------------------------------------------------


def new_tenant() -> str:
    return f"failure-{uuid.uuid4().hex[:10]}"


def sample(event_type: str, tenant_id: str) -> EventEnvelope:
    """The golden sample of ``event_type`` v1 as a new event of ``tenant_id``."""
    raw = json.loads((GOLDEN / f"{event_type}.v1.json").read_text())
    event_id = str(ULID())
    raw.update(event_id=event_id, correlation_id=event_id, tenant_id=tenant_id)
    raw["occurred_at"] = datetime.now(UTC).isoformat()
    return EventEnvelope.model_validate(raw)


def job_booked(tenant_id: str) -> EventEnvelope:
    """``job.booked`` of a new job (its own job and appointment ids) on :data:`BOARD_DAY`."""
    envelope = sample("job.booked", tenant_id)
    data = json.loads(json.dumps(envelope.data))
    data["job_id"] = str(ULID())
    appointment_id = str(ULID())
    data["appointment"]["appointment_id"] = appointment_id
    data["appointments"][0]["appointment_id"] = appointment_id
    return envelope.model_copy(update={"data": data})


def appointment_of(envelope: EventEnvelope) -> str:
    return str(envelope.data["appointment"]["appointment_id"])


# -- what each queue's consumer acts on, and one way to count its effect -------------------------------


def _board_entries(stack: LocalStack, envelope: EventEnvelope) -> int:
    headers = stack.auth_headers("dispatcher@demo", tenant_id=envelope.tenant_id)
    board = stack.request("GET", f"/dispatch/board?date={BOARD_DAY}", headers).json()
    return sum(1 for a in board["appointments"] if a["job_id"] == envelope.data["job_id"])


def _confirmations_sent(stack: LocalStack, envelope: EventEnvelope) -> int:
    headers = stack.auth_headers("dispatcher@demo", tenant_id=envelope.tenant_id)
    path = f"/notify/deliveries?job_id={envelope.data['job_id']}"
    deliveries = stack.request("GET", path, headers).json()["deliveries"]
    return sum(1 for d in deliveries if (d["template"], d["status"]) == ("booking_confirmation", "sent"))


def _appointments_tracked(stack: LocalStack, envelope: EventEnvelope) -> int:
    tracked = DynamoAppointmentProjection().get(envelope.tenant_id, appointment_of(envelope))
    return 0 if tracked is None else 1


def run_request(tenant_id: str) -> EventEnvelope:
    """A request for a run of automatic dispatch of ``tenant_id`` (auto mode off: a quick run)."""
    return sample("dispatch.auto_dispatch_requested", tenant_id)


def _runs_recorded(stack: LocalStack, envelope: EventEnvelope) -> int:
    headers = stack.auth_headers("dispatcher@demo", tenant_id=envelope.tenant_id)
    runs = stack.request("GET", "/dispatch/auto-dispatch/runs", headers).json()["runs"]
    return sum(1 for run in runs if run["request_event_id"] == envelope.event_id)


Effects = Callable[["LocalStack", EventEnvelope], int]


@dataclass(frozen=True)
class QueueScenario:
    """A new event of a tenant that the queue's consumer acts on, and its effect counted: exactly 1
    once it was handled. The job.booked effects would count 2 if handled twice; a run request's
    would not (the run history keeps one record per request, by design), so for that queue only
    the consumer's "handled" log lines tell a duplicate run (the duplicates test counts both)."""

    event: Callable[[str], EventEnvelope]
    effects: Effects


QUEUE_SCENARIOS: dict[str, QueueScenario] = {
    "dispatch-events": QueueScenario(job_booked, _board_entries),
    "auto-dispatch-runs": QueueScenario(run_request, _runs_recorded),
    "notify-events": QueueScenario(job_booked, _confirmations_sent),
    "tracking-events": QueueScenario(job_booked, _appointments_tracked),
}


def prepare_tenant(stack: LocalStack, tenant_id: str) -> None:
    """What a tenant needs for every consumer to act on a job.booked: notify's SMS sender."""
    admin = stack.auth_headers("admin@demo", tenant_id=tenant_id)
    settings = {"sms_from_number": "+15125550100", "company_name": "Cool Air"}
    assert stack.request("PUT", "/notify/settings", admin, settings).status == 200


def publish(queue: Queue, *envelopes: EventEnvelope) -> None:
    """Send each envelope to ``queue`` as the outbox relay does."""
    failed = SqsPublisher().publish([OutboundMessage(queue=queue, envelope=e) for e in envelopes])
    assert not failed


# -- stream relays: a valid outbox event per relay, written as its producer writes it -----------------


@dataclass(frozen=True)
class RelayScenario:
    """An event the relay's producer publishes, that some queue subscribes to."""

    event_type: str

    def event(self, tenant_id: str) -> EventEnvelope:
        return (
            job_booked(tenant_id) if self.event_type == "job.booked" else sample(self.event_type, tenant_id)
        )


RELAY_SCENARIOS: dict[str, RelayScenario] = {
    "core:booking": RelayScenario("job.booked"),
    "core:dispatch": RelayScenario("technician.shifts_set"),
    "tracking:tracking": RelayScenario("tracking.position_reported"),
}


def _outbox_item(table: str, envelope: EventEnvelope) -> Model:
    """``envelope``'s outbox item in ``table`` (``core`` or ``tracking``), as its producer writes it."""
    if table == "tracking":
        return outbox_write(envelope, datetime.now(UTC)).item
    return outbox_item(envelope, datetime.now(UTC))


def write_outbox(table: str, envelope: EventEnvelope) -> None:
    _outbox_item(table, envelope).save()


def write_poison_outbox(table: str, scenario: RelayScenario, tenant_id: str, envelope_json: str) -> None:
    """An outbox item of the relay's producer whose envelope no relay can read."""
    item: Any = _outbox_item(table, scenario.event(tenant_id))
    item.envelope = envelope_json
    item.save()


# -- queues read directly ---------------------------------------------------------------------------


def _queue(stack: LocalStack, queue_name: str) -> tuple[SQSClient, str]:
    """A client of the stack's SQS and the URL of the queue named ``queue_name`` (logical)."""
    sqs = Aws(stack.moto.endpoint).sqs()
    physical = physical_name(stack.environment["STAGE"], queue_name)
    return sqs, sqs.get_queue_url(QueueName=physical)["QueueUrl"]


def take_all(stack: LocalStack, queue_name: str) -> list[str]:
    """Every message body in the queue named ``queue_name`` (logical), removed from it."""
    sqs, url = _queue(stack, queue_name)
    bodies: list[str] = []
    while True:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", [])
        if not messages:
            return bodies
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])


# -- faults in this process's DynamoDB calls ---------------------------------------------------------


class ProcessKilled(BaseException):
    """The function's process dies here: nothing after this line runs, no handler catches it."""


@dataclass(frozen=True)
class Call:
    """One DynamoDB request as it leaves botocore: the operation and the physical tables it names."""

    operation: str
    tables: frozenset[str]


def _table_names(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "TableName" and isinstance(inner, str):
                yield inner
            else:
                yield from _table_names(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _table_names(inner)


def _dynamodb_call(request: AWSPreparedRequest) -> Call | None:
    target = request.headers.get("X-Amz-Target")
    if target is None:
        return None
    prefix, _, operation = (target.decode() if isinstance(target, bytes) else target).partition(".")
    if prefix != "DynamoDB_20120810":
        return None
    body = request.body
    raw = body if isinstance(body, bytes) else (body or "").encode() if isinstance(body, str) else b""
    return Call(operation, frozenset(_table_names(json.loads(raw or b"{}"))))


def physical_table(logical: str) -> str:
    return os.environ[RESOURCES.table(logical).env_var]


class _Body:
    def __init__(self, content: bytes) -> None:
        self._content = content

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._content


def error_response(request: AWSPreparedRequest, status: int, code: str) -> AWSResponse:
    """The HTTP answer DynamoDB gives for error ``code``."""
    body = json.dumps({"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": f"injected {code}"})
    headers = {"Content-Type": "application/x-amz-json-1.0", "x-amzn-RequestId": str(uuid.uuid4())}
    return AWSResponse(request.url, status, headers, _Body(body.encode()))


@dataclass
class Fault:
    """The next ``times`` calls matching (after ``skip`` matching calls pass) fail; ``None``: all."""

    operations: frozenset[str] | None
    tables: frozenset[str] | None
    fail: Callable[[AWSPreparedRequest], AWSResponse]
    times: int | None
    skip: int = 0
    injected: int = 0

    def matches(self, call: Call) -> bool:
        if self.operations is not None and call.operation not in self.operations:
            return False
        return self.tables is None or bool(call.tables & self.tables)

    @property
    def spent(self) -> bool:
        return self.times is not None and self.injected >= self.times


@dataclass
class DynamoFaults:
    """Faults injected where botocore sends a request, so every client of this process sees them
    (PynamoDB's, Powertools', boto3's) and botocore's retries still apply."""

    faults: list[Fault] = field(default_factory=list)

    def send(self, endpoint: Endpoint, request: AWSPreparedRequest, real: Callable[..., AWSResponse]) -> Any:
        call = _dynamodb_call(request)
        if call is not None:
            for fault in self.faults:
                if fault.spent or not fault.matches(call):
                    continue
                if fault.skip > 0:
                    fault.skip -= 1
                    continue
                fault.injected += 1
                return fault.fail(request)
        return real(endpoint, request)

    def _add(
        self,
        fail: Callable[[AWSPreparedRequest], AWSResponse],
        *,
        operations: set[str] | None,
        tables: set[str] | None,
        times: int | None,
        skip: int = 0,
    ) -> Fault:
        fault = Fault(
            operations=frozenset(operations) if operations is not None else None,
            tables=frozenset(physical_table(t) for t in tables) if tables is not None else None,
            fail=fail,
            times=times,
            skip=skip,
        )
        self.faults.append(fault)
        return fault

    def throttle(
        self,
        *,
        code: str = "ProvisionedThroughputExceededException",
        times: int | None = None,
        operations: set[str] | None = None,
        tables: set[str] | None = None,
    ) -> Fault:
        """DynamoDB answers 400 ``code`` (a throttling error botocore retries with back-off)."""
        return self._add(
            lambda request: error_response(request, 400, code),
            operations=operations,
            tables=tables,
            times=times,
        )

    def kill(self, *, operations: set[str], tables: set[str], skip: int = 0) -> Fault:
        """The process dies as it sends the (``skip`` + 1)-th of ``operations`` on ``tables``."""

        def die(request: AWSPreparedRequest) -> AWSResponse:
            raise ProcessKilled(f"killed at call {skip + 1} of {sorted(operations)} on {sorted(tables)}")

        return self._add(die, operations=operations, tables=tables, times=1, skip=skip)

    def clear(self) -> None:
        self.faults.clear()


@contextmanager
def dynamodb_faults(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoFaults]:
    faults = DynamoFaults()
    real = Endpoint._send

    def send(endpoint: Endpoint, request: AWSPreparedRequest) -> Any:
        return faults.send(endpoint, request, real)

    monkeypatch.setattr(Endpoint, "_send", send)
    try:
        yield faults
    finally:
        monkeypatch.setattr(Endpoint, "_send", real)


@dataclass(frozen=True)
class LambdaTimedFunction(HandlerRef):
    """A function invoked on Lambda's timing: the event source delivers a failed batch again only
    after the invocation's deadline (a queue's visibility timeout is at least six times the
    function's timeout, which infra checks), so an idempotency record a failed invocation left in
    progress has expired by then. A process death fails the whole invocation."""

    def invoke(self, event: dict[str, Any]) -> Any:
        handler = self.app.handler_map[self.name]
        try:
            return handler(event, InvocationContext(self.function_name, timeout_seconds=0))
        except ProcessKilled as death:
            raise RuntimeError(f"{self.function_name}: the process died ({death})") from None


# -- messages as SQS and Lambda carry them ------------------------------------------------------------


@dataclass(frozen=True)
class Message:
    """An SQS message body with its ``tenant_id`` attribute (``None``: no attribute)."""

    body: str
    tenant_id: str | None

    @classmethod
    def of(cls, envelope: EventEnvelope) -> Message:
        return cls(envelope.model_dump_json(), envelope.tenant_id)


def send(stack: LocalStack, queue: Queue, message: Message) -> None:
    attributes: dict[str, Any] = {}
    if message.tenant_id is not None:
        attributes["tenant_id"] = {"DataType": "String", "StringValue": message.tenant_id}
    sqs, url = _queue(stack, queue.name)
    sqs.send_message(QueueUrl=url, MessageBody=message.body, MessageAttributes=attributes)


def sqs_event(queue: Queue, messages: list[tuple[str, Message]]) -> dict[str, Any]:
    """The event Lambda hands ``queue``'s consumer for ``(message id, message)`` pairs."""
    records = []
    for message_id, message in messages:
        attributes = {}
        if message.tenant_id is not None:
            attributes["tenant_id"] = {"dataType": "String", "stringValue": message.tenant_id}
        records.append(
            {
                "messageId": message_id,
                "receiptHandle": f"handle-{message_id}",
                "body": message.body,
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "0"},
                "messageAttributes": attributes,
                "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": os.environ[queue.arn_env_var],
                "awsRegion": "us-east-1",
            }
        )
    return {"Records": records}


def consumer_function(stack: LocalStack, queue: Queue) -> HandlerRef:
    return HandlerRef(stack.apps[queue.consumer], queue.handler)


def failed_ids(response: Any) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


def stream_event(relay: StreamConsumer, records: list[tuple[str, EventEnvelope]]) -> dict[str, Any]:
    """The event Lambda hands ``relay`` for outbox INSERTs: ``(sequence number, envelope)`` pairs."""
    stream_arn = os.environ[RESOURCES.table(relay.table).stream_env_var]
    event_records = []
    for sequence_number, envelope in records:
        image = _outbox_item(relay.table, envelope).serialize()
        event_records.append(
            {
                "eventID": uuid.uuid4().hex,
                "eventName": "INSERT",
                "eventVersion": "1.1",
                "eventSource": "aws:dynamodb",
                "awsRegion": "us-east-1",
                "dynamodb": {
                    "ApproximateCreationDateTime": datetime.now(UTC).timestamp(),
                    "Keys": {"pk": image["pk"], "sk": image["sk"]},
                    "NewImage": image,
                    "SequenceNumber": sequence_number,
                    "SizeBytes": len(json.dumps(image)),
                    "StreamViewType": "NEW_AND_OLD_IMAGES",
                },
                "eventSourceARN": stream_arn,
            }
        )
    return {"Records": event_records}


def relay_function(stack: LocalStack, relay: StreamConsumer) -> HandlerRef:
    return HandlerRef(stack.apps[relay.consumer], relay.handler)


def handled(records: list[logging.LogRecord], queue: Queue, envelope: EventEnvelope) -> int:
    """How many times ``queue``'s consumer ran its handler for ``envelope`` (it logs each run)."""
    line = f"{consumer_name(queue)} handles {envelope.event_type} {envelope.event_id}"
    return sum(1 for r in records if r.getMessage() == line)
