"""A poison message per consumer: the valid messages of its batch are processed, only the poison is
reported failed, and after its last receive it waits in the dead-letter queue (for a stream relay:
the on-failure destination), logged at every attempt."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from failure_support import (
    QUEUE_SCENARIOS,
    QUEUES,
    RELAY_SCENARIOS,
    RELAYS,
    Message,
    consumer_function,
    consumer_name,
    failed_ids,
    handled,
    relay_id,
    send,
    sqs_event,
    take_all,
    write_outbox,
    write_poison_outbox,
)

from truckroll.contracts.envelope import EventEnvelope
from truckroll.resources import RESOURCES, Queue, StreamConsumer

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.failure


def _with(envelope: EventEnvelope, **changes: object) -> Message:
    raw = json.loads(envelope.model_dump_json())
    raw.update(changes)
    return Message(json.dumps(raw), envelope.tenant_id)


def _without_tenant(envelope: EventEnvelope) -> Message:
    raw = json.loads(envelope.model_dump_json())
    del raw["tenant_id"]
    return Message(json.dumps(raw), None)


POISONS: dict[str, Callable[[EventEnvelope], Message]] = {
    "malformed JSON": lambda e: Message(e.model_dump_json()[:-7], e.tenant_id),
    "unknown event type": lambda e: _with(e, event_type="job.teleported"),
    "unknown event version": lambda e: _with(e, event_version=99),
    "data breaking its contract": lambda e: _with(e, data=dict.fromkeys(e.data)),  # every field null
    "no tenant": _without_tenant,
    "tenant attribute of another tenant": lambda e: Message(e.model_dump_json(), "someone-else"),
}


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
@pytest.mark.parametrize("poison", POISONS.values(), ids=list(POISONS))
def test_only_the_poison_fails_and_it_ends_in_the_dead_letter_queue(
    stack: LocalStack,
    tenant: str,
    queue: Queue,
    poison: Callable[[EventEnvelope], Message],
    caplog: pytest.LogCaptureFixture,
) -> None:
    scenario = QUEUE_SCENARIOS[queue.name]
    effects = scenario.effects
    take_all(stack, queue.dlq_name)
    before, bad, after = scenario.event(tenant), poison(scenario.event(tenant)), scenario.event(tenant)

    # One batch, as Lambda hands it over: only the poison is reported in batchItemFailures.
    event = sqs_event(queue, [("m-1", Message.of(before)), ("m-poison", bad), ("m-2", Message.of(after))])
    response = consumer_function(stack, queue).invoke(event)
    assert failed_ids(response) == ["m-poison"]
    stack.drain()
    assert (effects(stack, before), effects(stack, after)) == (1, 1)

    # Through the queue: redelivered until its last receive, then kept in the dead-letter queue.
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="truckroll.messaging.consumer"):
        send(stack, queue, bad)
        stack.drain()
    assert take_all(stack, queue.dlq_name) == [bad.body]
    logged = [r for r in caplog.records if "poison message" in r.getMessage()]
    assert len(logged) == queue.max_receive_count
    assert all(consumer_name(queue) in r.getMessage() for r in logged)


RELAY_POISONS = {
    "malformed JSON": "{not an envelope",
    "no tenant": json.dumps({"event_id": "0" * 26, "event_type": "job.booked", "event_version": 1}),
}


@pytest.mark.parametrize("relay", RELAYS, ids=relay_id)
@pytest.mark.parametrize("poison", RELAY_POISONS.values(), ids=list(RELAY_POISONS))
def test_a_relay_forwards_the_valid_outbox_items_and_gives_up_on_the_poison(
    stack: LocalStack, tenant: str, relay: StreamConsumer, poison: str, caplog: pytest.LogCaptureFixture
) -> None:
    scenario = RELAY_SCENARIOS[relay_id(relay)]
    for other in RELAYS:
        take_all(stack, other.failure_queue_name)
    valid = [scenario.event(tenant), scenario.event(tenant)]

    with caplog.at_level(logging.INFO):
        write_outbox(relay.table, valid[0])
        write_poison_outbox(relay.table, scenario, tenant, poison)
        write_outbox(relay.table, valid[1])
        stack.drain()

    (failure,) = [json.loads(body) for body in take_all(stack, relay.failure_queue_name)]
    assert failure["requestContext"]["condition"] == "RetryAttemptsExhausted"
    assert failure["requestContext"]["approximateInvokeCount"] == relay.maximum_retry_attempts + 1
    unreadable = [r for r in caplog.records if r.getMessage().startswith("unreadable outbox record")]
    assert len(unreadable) >= relay.maximum_retry_attempts + 1
    for envelope in valid:  # each subscriber handled each valid event once, redeliveries deduplicated
        for queue in RESOURCES.queues_for(envelope.event_type):
            assert handled(caplog.records, queue, envelope) == 1, (queue.name, envelope.event_type)
