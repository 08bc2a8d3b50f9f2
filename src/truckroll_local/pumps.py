"""Pumps: Lambda's event source mappings, played against the embedded AWS.

moto runs no functions for SQS or DynamoDB streams the way Lambda does (it ignores
``batchItemFailures``), so these pumps read the queues and streams themselves and call each
handler with the event Lambda would build:

- :class:`SqsPump` receives up to the declared batch size, gives every record its own
  ``messageId`` and its attributes, deletes what succeeded and makes what failed visible again
  after a back-off; SQS itself then moves a message to the dead-letter queue once it has been
  received ``maxReceiveCount`` times (moto implements that redrive; a test proves it).
- :class:`StreamPump` reads every shard of a table's stream from its start, checkpoints at the
  lowest failed sequence number and retries from there at most ``maximum_retry_attempts`` times,
  then sends the batch's description to the consumer's failure queue (the on-failure
  destination) and moves on. A raised exception fails the whole batch. Records the consumer's
  event filter does not match are dropped unseen, as the event source mapping drops them.

Tests call :func:`drain`; ``make run`` runs each pump in a background thread.
"""

from __future__ import annotations

import base64
import json
import logging
import time
import uuid
from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient
from mypy_boto3_sqs import SQSClient
from mypy_boto3_sqs.type_defs import MessageAttributeValueOutputTypeDef, MessageTypeDef

from truckroll_local.aws import REGION
from truckroll_local.bootstrap import QueueRef
from truckroll_local.runtime import HandlerRef, Worker, utc_iso

logger = logging.getLogger("truckroll_local.pumps")

SQS_MAX_RECEIVE = 10
SQS_MAX_BATCH_CALL = 10


def failed_items(response: object, identifiers: Sequence[str]) -> list[str]:
    """The identifiers a function reported as failed, read the way Lambda reads the response.

    No response, one that is not an object, or an empty or null ``batchItemFailures`` is complete
    success. An entry whose ``itemIdentifier`` is missing, empty, null or not in the batch fails the
    whole batch.
    """
    if not isinstance(response, dict):
        return []
    failures = response.get("batchItemFailures")
    if not failures:
        return []
    if not isinstance(failures, list):
        return list(identifiers)
    known = set(identifiers)
    reported = [f.get("itemIdentifier") if isinstance(f, dict) else None for f in failures]
    if not all(isinstance(i, str) and i in known for i in reported):
        return list(identifiers)
    return [i for i in identifiers if i in reported]


class Pump(Worker):
    def __init__(self, name: str, handler: HandlerRef, retry_backoff_seconds: int) -> None:
        super().__init__(name)
        self.handler = handler
        self.retry_backoff_seconds = retry_backoff_seconds

    @abstractmethod
    def idle(self) -> bool:
        """True when the source holds nothing left to deliver (nothing waiting, nothing to retry)."""

    def handlers(self) -> tuple[HandlerRef, ...]:
        return (self.handler,)

    def _deliver(self, event: dict[str, Any], identifiers: Sequence[str]) -> tuple[list[str], bool]:
        """Invoke the function; return the failed identifiers and whether it raised."""
        self.stats.invocations += 1
        self.stats.records += len(identifiers)
        try:
            response = self.handler.invoke(event)
        except Exception:
            logger.exception(
                "%s: %s failed on a batch of %d", self.name, self.handler.function_name, len(identifiers)
            )
            failed, raised = list(identifiers), True
        else:
            failed, raised = failed_items(response, identifiers), False
        self.stats.failed += len(failed)
        return failed, raised


def _lambda_message_attribute(value: MessageAttributeValueOutputTypeDef) -> dict[str, Any]:
    """SQS's ``MessageAttributes`` entry as Lambda spells it in an event (camelCase, base64)."""
    attribute: dict[str, Any] = {
        "dataType": value["DataType"],
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": [base64.b64encode(b).decode() for b in value.get("BinaryListValues", [])],
    }
    if "StringValue" in value:
        attribute["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        attribute["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return attribute


class SqsPump(Pump):
    def __init__(
        self,
        *,
        name: str,
        sqs: SQSClient,
        queue: QueueRef,
        handler: HandlerRef,
        batch_size: int,
        max_receive_count: int,
        retry_backoff_seconds: int = 2,
    ) -> None:
        super().__init__(name, handler, retry_backoff_seconds)
        self._sqs = sqs
        self.queue = queue
        self.batch_size = batch_size
        self.max_receive_count = max_receive_count

    def details(self) -> dict[str, Any]:
        return {
            "source": self.queue.arn,
            "batch_size": self.batch_size,
            "max_receive_count": self.max_receive_count,
        }

    def run_once(self) -> int:
        messages = self._receive()
        if not messages:
            return 0
        ids = [m["MessageId"] for m in messages]
        failed, _ = self._deliver({"Records": [self._record(m) for m in messages]}, ids)
        self._settle(messages, set(failed))
        return len(messages)

    def _receive(self) -> list[MessageTypeDef]:
        messages: list[MessageTypeDef] = []
        while len(messages) < self.batch_size:
            wanted = min(SQS_MAX_RECEIVE, self.batch_size - len(messages))
            received = self._sqs.receive_message(
                QueueUrl=self.queue.url,
                MaxNumberOfMessages=wanted,
                WaitTimeSeconds=0,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            messages.extend(received)
            if len(received) < wanted:
                break
        return messages

    def _record(self, message: MessageTypeDef) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": dict(message.get("Attributes", {})),
            "messageAttributes": {
                k: _lambda_message_attribute(v) for k, v in message.get("MessageAttributes", {}).items()
            },
            "md5OfBody": message["MD5OfBody"],
            "eventSource": "aws:sqs",
            "eventSourceARN": self.queue.arn,
            "awsRegion": REGION,
        }

    def _settle(self, messages: list[MessageTypeDef], failed: set[str]) -> None:
        """Delete what succeeded; make what failed visible again after the back-off."""
        done = [m for m in messages if m["MessageId"] not in failed]
        retry = [m for m in messages if m["MessageId"] in failed]
        for start in range(0, len(done), SQS_MAX_BATCH_CALL):
            chunk = done[start : start + SQS_MAX_BATCH_CALL]
            self._sqs.delete_message_batch(
                QueueUrl=self.queue.url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
        for start in range(0, len(retry), SQS_MAX_BATCH_CALL):
            chunk = retry[start : start + SQS_MAX_BATCH_CALL]
            self._sqs.change_message_visibility_batch(
                QueueUrl=self.queue.url,
                Entries=[
                    {
                        "Id": str(i),
                        "ReceiptHandle": m["ReceiptHandle"],
                        "VisibilityTimeout": self.retry_backoff_seconds,
                    }
                    for i, m in enumerate(chunk)
                ],
            )
        # SQS moves these to the dead-letter queue on the next receive.
        self.stats.dead_lettered += sum(
            1
            for m in retry
            if int(m.get("Attributes", {}).get("ApproximateReceiveCount", "0")) >= self.max_receive_count
        )

    def idle(self) -> bool:
        counts = self._sqs.get_queue_attributes(
            QueueUrl=self.queue.url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
                "ApproximateNumberOfMessagesDelayed",
            ],
        )["Attributes"]
        return sum(int(v) for v in counts.values()) == 0


def _lambda_json(value: Any) -> Any:
    """boto3's parsed stream record back into the JSON Lambda delivers (binary as base64)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _lambda_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_lambda_json(v) for v in value]
    return value


def _created_at(record: dict[str, Any]) -> float:
    """``ApproximateCreationDateTime`` in epoch seconds (boto3 parses it into a datetime)."""
    created = record["dynamodb"]["ApproximateCreationDateTime"]
    return created.timestamp() if isinstance(created, datetime) else float(created)


def lambda_stream_record(record: dict[str, Any], stream_arn: str) -> dict[str, Any]:
    """A ``GetRecords`` record as a Lambda DynamoDB event record: ``eventSourceARN`` added and
    ``ApproximateCreationDateTime`` in epoch seconds (a number, as Chalice requires)."""
    dynamodb = _lambda_json(record["dynamodb"])
    dynamodb["ApproximateCreationDateTime"] = _created_at(record)
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record["eventVersion"],
        "eventSource": record["eventSource"],
        "awsRegion": record["awsRegion"],
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def matches_filter(pattern: Mapping[str, Any], value: Any) -> bool:
    """Whether ``value`` (a record as Lambda delivers it) matches a Lambda event filter ``pattern``.

    Only the part of the filter syntax the resources use: nested objects, and at each leaf the list
    of values accepted as they are."""
    if not isinstance(value, dict):
        return False
    for key, expected in pattern.items():
        if key not in value:
            return False
        if isinstance(expected, Mapping):
            if not matches_filter(expected, value[key]):
                return False
        elif value[key] not in expected:
            return False
    return True


@dataclass
class _Shard:
    shard_id: str
    iterator: str | None
    caught_up: bool = False
    failing_at: str | None = None
    attempts: int = 0
    retry_at: float = 0.0


class StreamPump(Pump):
    def __init__(
        self,
        *,
        name: str,
        streams: DynamoDBStreamsClient,
        stream_arn: str,
        handler: HandlerRef,
        batch_size: int,
        maximum_retry_attempts: int,
        sqs: SQSClient,
        failure_queue: QueueRef,
        filter_pattern: Mapping[str, Any] | None = None,
        retry_backoff_seconds: int = 2,
    ) -> None:
        super().__init__(name, handler, retry_backoff_seconds)
        self.filter_pattern = filter_pattern
        self._streams = streams
        self._sqs = sqs
        self.stream_arn = stream_arn
        self.batch_size = batch_size
        self.maximum_retry_attempts = maximum_retry_attempts
        self.failure_queue = failure_queue
        self._shards: dict[str, _Shard] = {}

    def details(self) -> dict[str, Any]:
        return {
            "source": self.stream_arn,
            "batch_size": self.batch_size,
            "maximum_retry_attempts": self.maximum_retry_attempts,
            "on_failure": self.failure_queue.arn,
            "filter": self.filter_pattern,
        }

    def run_once(self) -> int:
        self._discover_shards()
        return sum(self._poll_shard(s) for s in self._shards.values() if s.iterator is not None)

    def idle(self) -> bool:
        return all(
            s.iterator is None or (s.caught_up and s.failing_at is None) for s in self._shards.values()
        )

    def _discover_shards(self) -> None:
        description = self._streams.describe_stream(StreamArn=self.stream_arn)["StreamDescription"]
        for shard in description.get("Shards", []):
            shard_id = shard["ShardId"]
            if shard_id not in self._shards:
                self._shards[shard_id] = _Shard(shard_id, self._iterator(shard_id))

    def _iterator(self, shard_id: str, sequence_number: str | None = None) -> str:
        """An iterator at ``sequence_number``, or at the shard's oldest record."""
        if sequence_number is None:
            response = self._streams.get_shard_iterator(
                StreamArn=self.stream_arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
            )
        else:
            response = self._streams.get_shard_iterator(
                StreamArn=self.stream_arn,
                ShardId=shard_id,
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=sequence_number,
            )
        return response["ShardIterator"]

    def _poll_shard(self, shard: _Shard) -> int:
        if shard.failing_at is not None and time.monotonic() < shard.retry_at:
            return 0
        assert shard.iterator is not None
        response = self._streams.get_records(ShardIterator=shard.iterator, Limit=self.batch_size)
        read: list[dict[str, Any]] = [dict(r) for r in response["Records"]]
        next_iterator = response.get("NextShardIterator")
        shard.caught_up = not read
        records = [r for r in read if self._wanted(r)]
        if not records:
            shard.iterator = next_iterator
            return 0
        sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in records]
        event = {"Records": [lambda_stream_record(r, self.stream_arn) for r in records]}
        failed, raised = self._deliver(event, sequence_numbers)
        if not failed:
            shard.iterator, shard.failing_at, shard.attempts = next_iterator, None, 0
            return len(records)
        # Lambda checkpoints at the lowest failed sequence number and retries from it.
        lowest = min(failed, key=int)
        shard.attempts = shard.attempts + 1 if shard.failing_at == lowest else 1
        shard.failing_at = lowest
        retries_exhausted = 0 <= self.maximum_retry_attempts < shard.attempts
        if retries_exhausted:
            unprocessed = records[sequence_numbers.index(lowest) :]
            self._send_to_failure_destination(shard, unprocessed, raised)
            shard.iterator, shard.failing_at, shard.attempts = next_iterator, None, 0
        else:
            shard.iterator = self._iterator(shard.shard_id, lowest)
            shard.retry_at = time.monotonic() + self.retry_backoff_seconds
        return len(records)

    def _wanted(self, record: dict[str, Any]) -> bool:
        if self.filter_pattern is None:
            return True
        return matches_filter(self.filter_pattern, lambda_stream_record(record, self.stream_arn))

    def _send_to_failure_destination(
        self, shard: _Shard, records: list[dict[str, Any]], raised: bool
    ) -> None:
        """What Lambda sends an on-failure destination for a stream batch: where it is, not the data."""
        first, last = records[0]["dynamodb"], records[-1]["dynamodb"]
        response_context: dict[str, Any] = {"statusCode": 200, "executedVersion": "$LATEST"}
        if raised:
            response_context["functionError"] = "Unhandled"
        message = {
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": self.handler.function_arn,
                "condition": "RetryAttemptsExhausted",
                "approximateInvokeCount": shard.attempts,
            },
            "responseContext": response_context,
            "version": "1.0",
            "timestamp": utc_iso(time.time()),
            "DDBStreamBatchInfo": {
                "shardId": shard.shard_id,
                "startSequenceNumber": first["SequenceNumber"],
                "endSequenceNumber": last["SequenceNumber"],
                "approximateArrivalOfFirstRecord": utc_iso(_created_at(records[0])),
                "approximateArrivalOfLastRecord": utc_iso(_created_at(records[-1])),
                "batchSize": len(records),
                "streamArn": self.stream_arn,
            },
        }
        self._sqs.send_message(QueueUrl=self.failure_queue.url, MessageBody=json.dumps(message))
        self.stats.dead_lettered += len(records)
        logger.error(
            "%s: retries exhausted at sequence %s; %d record(s) sent to %s",
            self.name,
            first["SequenceNumber"],
            len(records),
            self.failure_queue.arn,
        )


def drain(pumps: Sequence[Pump], timeout: float = 10.0) -> int:
    """Poll every pump until a full round delivers nothing and every source is empty.

    Returns the number of records delivered. Raises ``TimeoutError`` if the pumps are still busy
    after ``timeout`` seconds, and ``RuntimeError`` if a pump cannot poll its source.
    """
    if any(p.background for p in pumps):
        raise RuntimeError("drain() needs pumps that are not running in the background")
    deadline = time.monotonic() + timeout
    total = 0
    while True:
        delivered = 0
        for pump in pumps:
            delivered += pump.poll()
            if pump.stats.last_error is not None:
                raise RuntimeError(f"{pump.name}: {pump.stats.last_error}")
        total += delivered
        if delivered == 0 and all(p.idle() for p in pumps):
            return total
        if time.monotonic() > deadline:
            busy = [p.name for p in pumps if not p.idle()]
            raise TimeoutError(f"pumps still busy after {timeout}s: {busy}")
        if delivered == 0:
            time.sleep(0.05)
