"""The consumer framework: partial batch failures and idempotency per (tenant, event id)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from builders import booked_envelope, sqs_event, sqs_record
from chalice.local import LambdaContext
from fakes import InMemoryIdempotency

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JOB_BOOKED, JobBookedV1
from truckroll.messaging.consumer import EventConsumer, Subscription


class Recorder:
    def __init__(self, fail_for: frozenset[str] = frozenset()) -> None:
        self.handled: list[tuple[str, str]] = []
        self.fail_for = fail_for

    def __call__(self, envelope: EventEnvelope, data: JobBookedV1) -> None:
        if envelope.event_id in self.fail_for:
            raise RuntimeError("downstream unavailable")
        self.handled.append((envelope.tenant_id, data.job_id))


def consumer(
    handler: Recorder, store: InMemoryIdempotency | None = None, name: str = "test.on_event"
) -> Callable[[dict[str, Any]], PartialItemFailureResponse]:
    """The consumer as Lambda runs it: the event and a context with the time left."""
    run = EventConsumer(
        name, [Subscription(JOB_BOOKED, 1, JobBookedV1, handler)], store or InMemoryIdempotency()
    )
    context = LambdaContext(function_name=name, memory_size=128, max_runtime_ms=30_000)
    return lambda event: run(event, context)


def failed_ids(response: PartialItemFailureResponse) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


def test_every_event_of_a_batch_is_handled() -> None:
    handler = Recorder()
    envelopes = [booked_envelope("t1"), booked_envelope("t2")]
    assert failed_ids(consumer(handler)(sqs_event(*envelopes))) == []
    assert [t for t, _ in handler.handled] == ["t1", "t2"]


def test_the_same_event_delivered_three_times_is_handled_once() -> None:
    handler, store = Recorder(), InMemoryIdempotency()
    envelope = booked_envelope()
    run = consumer(handler, store)
    run(sqs_event(envelope))
    run(sqs_event(envelope, envelope))
    assert len(handler.handled) == 1


def test_idempotency_is_per_tenant() -> None:
    """Two tenants' events with the same id are two events: neither may be skipped for the other."""
    handler, store = Recorder(), InMemoryIdempotency()
    first = booked_envelope("t1")
    forged = first.model_copy(update={"tenant_id": "t2"})
    consumer(handler, store)(sqs_event(first, forged))
    assert sorted(t for t, _ in handler.handled) == ["t1", "t2"]


def test_consumers_keep_separate_records() -> None:
    store, envelope = InMemoryIdempotency(), booked_envelope()
    first, second = Recorder(), Recorder()
    consumer(first, store, "a.on_event")(sqs_event(envelope))
    consumer(second, store, "b.on_event")(sqs_event(envelope))
    assert len(first.handled) == len(second.handled) == 1


def test_poison_messages_fail_alone() -> None:
    handler = Recorder()
    good = booked_envelope()
    unknown = good.model_copy(update={"event_id": "01JNZZZZZZZZZZZZZZZZZZZZZZ", "event_type": "job.unknown"})
    newer = good.model_copy(update={"event_id": "01JNYYYYYYYYYYYYYYYYYYYYYY", "event_version": 9})
    broken_data = good.model_copy(update={"event_id": "01JNXXXXXXXXXXXXXXXXXXXXXX", "data": {"job_id": 1}})
    event = sqs_event(unknown, "not json", good, newer, broken_data)
    assert failed_ids(consumer(handler)(event)) == ["m-0", "m-1", "m-3", "m-4"]
    assert len(handler.handled) == 1


def test_a_catalog_event_without_a_subscription_is_acknowledged_and_skipped() -> None:
    """A queue may carry more of the catalog than its consumer handles yet (notify gets every
    appointment event): those are acknowledged, never sent to the dead-letter queue."""
    handler = Recorder()
    held = booked_envelope().model_copy(update={"event_type": "job.held", "data": {"anything": 1}})
    assert failed_ids(consumer(handler)(sqs_event(held, booked_envelope()))) == []
    assert len(handler.handled) == 1


def test_a_message_whose_tenant_attribute_disagrees_with_its_envelope_fails() -> None:
    handler, envelope = Recorder(), booked_envelope("t1")
    event = {"Records": [sqs_record(envelope.model_dump_json(), "m-x", tenant_id="t2")]}
    assert failed_ids(consumer(handler)(event)) == ["m-x"]
    assert handler.handled == []


def test_a_failed_handler_fails_its_record_and_runs_again_on_redelivery() -> None:
    good, bad = booked_envelope(), booked_envelope()
    store = InMemoryIdempotency()
    failing = Recorder(fail_for=frozenset({bad.event_id}))
    assert failed_ids(consumer(failing, store)(sqs_event(good, bad))) == ["m-1"]
    recovered = Recorder()
    assert failed_ids(consumer(recovered, store)(sqs_event(good, bad))) == []
    assert len(recovered.handled) == 1  # only the one that had failed


def test_a_batch_of_only_poison_reports_every_record() -> None:
    assert failed_ids(consumer(Recorder())(sqs_event("x", json.dumps({"a": 1})))) == ["m-0", "m-1"]


def test_two_subscriptions_for_one_event_type_are_refused() -> None:
    sub = Subscription(JOB_BOOKED, 1, JobBookedV1, Recorder())
    with pytest.raises(ValueError, match="two subscriptions"):
        EventConsumer("x", [sub, sub], InMemoryIdempotency())
