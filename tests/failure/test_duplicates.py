"""Duplicate delivery and replay: a consumer given the same message twice, and a stream relay given
the same outbox records again (out of order, as a shard's retry may), produce each effect once."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import pytest
from failure_support import (
    QUEUE_SCENARIOS,
    QUEUES,
    RELAY_SCENARIOS,
    RELAYS,
    Message,
    consumer_function,
    failed_ids,
    handled,
    publish,
    relay_function,
    relay_id,
    sqs_event,
    stream_event,
)

from truckroll.resources import RESOURCES, Queue, StreamConsumer

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.failure


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_a_message_delivered_twice_has_its_effect_once(
    stack: LocalStack, tenant: str, queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    scenario = QUEUE_SCENARIOS[queue.name]
    effects = scenario.effects
    event, other = scenario.event(tenant), scenario.event(tenant)

    with caplog.at_level(logging.INFO, logger="truckroll.messaging.consumer"):
        # Twice through the queue (two messages of one event) ...
        publish(queue, event)
        publish(queue, event)
        stack.drain()
        # ... and twice in one batch, as SQS's at-least-once delivery may hand it over.
        twice = [("m-1", Message.of(other)), ("m-2", Message.of(other))]
        assert failed_ids(consumer_function(stack, queue).invoke(sqs_event(queue, twice))) == []
        stack.drain()

    assert (effects(stack, event), effects(stack, other)) == (1, 1)
    assert (handled(caplog.records, queue, event), handled(caplog.records, queue, other)) == (1, 1)


@pytest.mark.parametrize("relay", RELAYS, ids=relay_id)
def test_a_relay_replaying_its_records_out_of_order_causes_no_duplicate_downstream(
    stack: LocalStack, tenant: str, relay: StreamConsumer, caplog: pytest.LogCaptureFixture
) -> None:
    scenario = RELAY_SCENARIOS[relay_id(relay)]
    events = [scenario.event(tenant) for _ in range(3)]
    records = [(str(100 + i), e) for i, e in enumerate(events)]
    function = relay_function(stack, relay)

    with caplog.at_level(logging.INFO, logger="truckroll.messaging.consumer"):
        assert failed_ids(function.invoke(stream_event(relay, records))) == []
        stack.drain()
        # The shard's retry hands the same records over again, in another order.
        replay = [records[2], records[0], records[1]]
        assert failed_ids(function.invoke(stream_event(relay, replay))) == []
        stack.drain()

    for envelope in events:
        for queue in RESOURCES.queues_for(envelope.event_type):
            assert handled(caplog.records, queue, envelope) == 1, (queue.name, envelope.event_id)
    if scenario.event_type == "job.booked":  # booking's events: count the effects themselves too
        for queue in RESOURCES.queues_for("job.booked"):
            assert [QUEUE_SCENARIOS[queue.name].effects(stack, e) for e in events] == [1, 1, 1]
