"""The suite covers every consumer: the catalog's queues and stream relays, and what the apps wire."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from chalice.app import DynamoDBEventConfig, SQSEventConfig
from failure_support import QUEUE_SCENARIOS, QUEUES, RELAY_SCENARIOS, RELAYS, relay_id

from truckroll.resources import RESOURCES

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.failure


def test_every_queue_consumer_has_a_failure_scenario() -> None:
    assert set(QUEUE_SCENARIOS) == {q.name for q in QUEUES}


def test_every_stream_relay_has_a_failure_scenario() -> None:
    assert set(RELAY_SCENARIOS) == {relay_id(r) for r in RELAYS}


def test_each_relay_scenario_is_an_event_its_producer_publishes_to_some_queue() -> None:
    for relay in RELAYS:
        event = RELAY_SCENARIOS[relay_id(relay)].event("catalog")
        assert event.producer == relay.consumer
        assert RESOURCES.queues_for(event.event_type), event.event_type


def test_the_apps_consume_exactly_what_the_catalog_declares(local_stack: LocalStack) -> None:
    """A consumer wired in a service but missing from the catalog would escape the suite."""
    queues, streams = set(), set()
    for service, app in local_stack.apps.items():
        for source in app.event_sources:
            if isinstance(source, SQSEventConfig):
                queues.add((service, source.name))
            elif isinstance(source, DynamoDBEventConfig):
                streams.add((service, source.name))
    assert queues == {(q.consumer, q.handler) for q in QUEUES}
    assert streams == {(r.consumer, r.handler) for r in RELAYS}
