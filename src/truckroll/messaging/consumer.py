"""The consumer framework every service's queue handler is built from.

For each SQS record of a batch: read the envelope, check it against the message's ``tenant_id``
attribute, find the subscription for its (event type, version), validate its ``data`` with the
contract model, and run the handler at most once per (tenant, event id) for this consumer
(Powertools idempotency; the tenant is part of the key, so tenants never share a record). Any
failure fails that record alone: Powertools' ``BatchProcessor`` reports it in ``batchItemFailures``
and SQS redelivers it, then moves it to the dead-letter queue after ``max_receive_count`` receives.

An event of the catalog that this consumer does not subscribe to is acknowledged and skipped (a
queue may carry more types than its consumer handles yet). An event type or version the catalog
does not know is poison: it waits in the dead-letter queue until the consumer learns it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Generic, TypeVar

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig, idempotent_function
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from pydantic import BaseModel

from truckroll.contracts.catalog import data_model
from truckroll.contracts.envelope import EventEnvelope

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)

# Longer than anything can redeliver an event: SQS keeps a message 4 days, a stream record 1 day.
IDEMPOTENCY_WINDOW = timedelta(days=4)


class PoisonMessage(Exception):
    """A message this consumer can never process; it fails alone and ends in the dead-letter queue."""


@dataclass(frozen=True)
class Subscription(Generic[M]):
    """Run ``handle`` for events of ``event_type`` at ``version``, with ``data`` parsed as ``model``."""

    event_type: str
    version: int
    model: type[M]
    handle: Callable[[EventEnvelope, M], None]


def idempotency_config() -> IdempotencyConfig:
    return IdempotencyConfig(
        event_key_jmespath="[tenant_id, event_id]",
        payload_validation_jmespath="[event_type, event_version]",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=int(IDEMPOTENCY_WINDOW.total_seconds()),
    )


class EventConsumer:
    """An SQS batch handler: ``consumer(event_dict, context)`` returns the partial batch response."""

    def __init__(
        self,
        name: str,
        subscriptions: Sequence[Subscription[Any]],
        persistence_store: BasePersistenceLayer,
    ) -> None:
        self.name = name
        self._subscriptions = {(s.event_type, s.version): s for s in subscriptions}
        if len(self._subscriptions) != len(subscriptions):
            raise ValueError(f"{name}: two subscriptions for the same event type and version")
        self._config = idempotency_config()
        self._once = idempotent_function(
            data_keyword_argument="envelope",
            persistence_store=persistence_store,
            config=self._config,
            key_prefix=name,
        )(self._run)

    def __call__(self, event: dict[str, Any], context: Any = None) -> PartialItemFailureResponse:
        if context is not None:
            self._config.register_lambda_context(context)
        processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
        return process_partial_response(event, self._record, processor, context)

    def _record(self, record: SQSRecord) -> None:
        """Handle one record; a failure is logged here (Powertools logs it only at debug level)."""
        try:
            self._handle(record)
        except PoisonMessage:
            logger.exception(
                "%s: poison message %s (receive %s) goes to the dead-letter queue after its last receive",
                self.name,
                record.message_id,
                record.attributes.approximate_receive_count,
            )
            raise
        except Exception:  # often passing (throttling, an event ahead of the one it follows)
            logger.warning(
                "%s: message %s failed (receive %s); SQS redelivers it",
                self.name,
                record.message_id,
                record.attributes.approximate_receive_count,
                exc_info=True,
            )
            raise

    def _handle(self, record: SQSRecord) -> None:
        try:
            envelope = EventEnvelope.model_validate_json(record.body)
        except ValueError as error:
            raise PoisonMessage(f"message {record.message_id} holds no event envelope: {error}") from error
        attribute = record.message_attributes["tenant_id"]
        if attribute is not None and attribute.string_value != envelope.tenant_id:
            raise PoisonMessage(f"message {record.message_id}: tenant attribute does not match the envelope")
        subscription = self._subscriptions.get((envelope.event_type, envelope.event_version))
        if subscription is None:
            if data_model(envelope.event_type, envelope.event_version) is not None:
                logger.info(
                    "%s skips %s v%d: not subscribed", self.name, envelope.event_type, envelope.event_version
                )
                return
            raise PoisonMessage(f"{self.name} knows no event {envelope.event_type} v{envelope.event_version}")
        try:
            data = subscription.model.model_validate(envelope.data)
        except ValueError as error:
            raise PoisonMessage(f"event {envelope.event_id}: data breaks its contract: {error}") from error
        self._once(envelope=envelope, data=data, subscription=subscription)

    def _run(self, *, envelope: EventEnvelope, data: BaseModel, subscription: Subscription[Any]) -> None:
        logger.info("%s handles %s %s", self.name, envelope.event_type, envelope.event_id)
        subscription.handle(envelope, data)
