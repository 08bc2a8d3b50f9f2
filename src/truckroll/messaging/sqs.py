"""Publishing envelopes to SQS queues with SendMessageBatch."""

from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Protocol

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from truckroll.contracts.envelope import EventEnvelope
from truckroll.resources import Queue

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient
    from mypy_boto3_sqs.type_defs import (
        MessageAttributeValueTypeDef,
        SendMessageBatchRequestEntryTypeDef,
    )

logger = logging.getLogger(__name__)

SQS_BATCH_LIMIT = 10


@dataclass(frozen=True)
class OutboundMessage:
    """``envelope`` bound for ``queue``; the event id identifies it in batch results."""

    queue: Queue
    envelope: EventEnvelope

    @property
    def message_id(self) -> str:
        return self.envelope.event_id


class Publisher(Protocol):
    def publish(self, messages: Sequence[OutboundMessage]) -> set[str]:
        """Send every message; return the event ids of those that could not be sent."""
        ...


class SqsPublisher:
    """Queue URLs are looked up once from the physical queue name in the queue's env var."""

    def __init__(self, client: SQSClient | None = None) -> None:
        self._given_client = client
        self._urls: dict[str, str] = {}

    @cached_property
    def _client(self) -> SQSClient:
        return self._given_client or boto3.client("sqs")

    def _url(self, queue: Queue) -> str:
        url = self._urls.get(queue.env_var)
        if url is None:
            name = os.environ.get(queue.env_var)
            if not name:
                raise RuntimeError(f"environment variable {queue.env_var} is not set")
            url = self._client.get_queue_url(QueueName=name)["QueueUrl"]
            self._urls[queue.env_var] = url
        return url

    def publish(self, messages: Sequence[OutboundMessage]) -> set[str]:
        by_queue: dict[Queue, list[OutboundMessage]] = defaultdict(list)
        for message in messages:
            by_queue[message.queue].append(message)
        failed: set[str] = set()
        for queue, queued in by_queue.items():
            for start in range(0, len(queued), SQS_BATCH_LIMIT):
                chunk = queued[start : start + SQS_BATCH_LIMIT]
                failed |= self._send(queue, chunk)
        return failed

    def send_later(self, message: OutboundMessage, delay_seconds: int) -> None:
        """Send one message that becomes visible ``delay_seconds`` from now (SQS allows up to 900)."""
        envelope = message.envelope
        self._client.send_message(
            QueueUrl=self._url(message.queue),
            MessageBody=envelope.model_dump_json(),
            DelaySeconds=delay_seconds,
            MessageAttributes=_attributes(envelope),
        )

    def _send(self, queue: Queue, chunk: list[OutboundMessage]) -> set[str]:
        entries: list[SendMessageBatchRequestEntryTypeDef] = [
            {
                "Id": m.message_id,
                "MessageBody": m.envelope.model_dump_json(),
                "MessageAttributes": _attributes(m.envelope),
            }
            for m in chunk
        ]
        try:
            response = self._client.send_message_batch(QueueUrl=self._url(queue), Entries=entries)
        except (ClientError, BotoCoreError):
            logger.exception("SendMessageBatch to %s failed", queue.name)
            return {m.message_id for m in chunk}
        failures = response.get("Failed", [])
        for failure in failures:
            logger.error("queue %s refused %s: %s", queue.name, failure["Id"], failure.get("Message"))
        return {f["Id"] for f in failures}


def _attributes(envelope: EventEnvelope) -> dict[str, MessageAttributeValueTypeDef]:
    return {
        "event_type": {"DataType": "String", "StringValue": envelope.event_type},
        "tenant_id": {"DataType": "String", "StringValue": envelope.tenant_id},
    }
