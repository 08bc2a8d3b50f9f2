"""The outbox relay: a producer's stream handler that forwards its outbox items to subscriber queues.

A use case writes its state and the outbox item of each event in one transaction; the table's
stream then carries the item here. For every INSERTed outbox item of this producer the envelope is
sent to each queue subscribed to its event type (``RESOURCES.queues_for``). All messages of a stream
batch go out in SendMessageBatch calls; a record whose envelope is unreadable or whose sending
failed is reported in ``batchItemFailures``, and Lambda retries from the lowest failed record, so a
subscriber may receive an event more than once (consumers are idempotent). Other records (other
items, updates, deletions, other producers' events) are acknowledged untouched.
"""

from __future__ import annotations

import logging
from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
    DynamoDBRecord,
    DynamoDBRecordEventName,
)

from truckroll.contracts.envelope import EventEnvelope
from truckroll.messaging.sqs import OutboundMessage, Publisher
from truckroll.persistence.outbox import outbox_envelope
from truckroll.resources import RESOURCES, Resources

logger = logging.getLogger(__name__)


class RelayFailed(Exception):
    """An outbox record could not be forwarded; Lambda will retry it."""


class OutboxRelay:
    def __init__(self, producer: str, publisher: Publisher, resources: Resources = RESOURCES) -> None:
        self._producer = producer
        self._publisher = publisher
        self._resources = resources

    def __call__(self, event: dict[str, Any], context: Any = None) -> PartialItemFailureResponse:
        outcomes = self._forward([DynamoDBRecord(raw) for raw in event.get("Records", [])])

        def check(record: DynamoDBRecord) -> None:
            problem = outcomes.get(record.dynamodb.sequence_number if record.dynamodb else None)
            if problem is not None:
                raise problem

        processor = BatchProcessor(event_type=EventType.DynamoDBStreams, raise_on_entire_batch_failure=False)
        return process_partial_response(event, check, processor, context)

    def _envelope(self, record: DynamoDBRecord) -> EventEnvelope | None:
        if record.event_name is not DynamoDBRecordEventName.INSERT or record.dynamodb is None:
            return None
        envelope = outbox_envelope(record.raw_event["dynamodb"].get("NewImage", {}))
        if envelope is None or envelope.producer != self._producer:
            return None
        return envelope

    def _forward(self, records: list[DynamoDBRecord]) -> dict[str | None, Exception]:
        """Send every outbox envelope of the batch; the problem of each record that failed."""
        problems: dict[str | None, Exception] = {}
        pending: dict[str | None, EventEnvelope] = {}
        for record in records:
            sequence = record.dynamodb.sequence_number if record.dynamodb else None
            try:
                envelope = self._envelope(record)
            except Exception as error:  # an unreadable outbox item fails its record only
                logger.exception("unreadable outbox record %s", sequence)
                problems[sequence] = RelayFailed(f"unreadable outbox record: {error}")
                continue
            if envelope is not None:
                pending[sequence] = envelope
        messages = [
            OutboundMessage(queue=queue, envelope=envelope)
            for envelope in pending.values()
            for queue in self._resources.queues_for(envelope.event_type)
        ]
        failed_ids = self._publisher.publish(messages) if messages else set()
        for sequence, envelope in pending.items():
            if envelope.event_id in failed_ids:
                problems[sequence] = RelayFailed(f"event {envelope.event_id} was not sent to every queue")
        return problems
