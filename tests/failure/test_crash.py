"""A consumer whose process dies mid-batch, after part of the batch's side effects: the event source
delivers the whole batch again and every effect is counted exactly once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from failure_support import (
    QUEUE_SCENARIOS,
    QUEUES,
    SERVICE_TABLES,
    WRITES,
    DynamoFaults,
    Fault,
    publish,
    take_all,
)

from truckroll.resources import Queue
from truckroll_local.pumps import SqsPump

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.failure


def _after_the_first_record_is_marked_done(faults: DynamoFaults) -> Fault:
    """Dies as the second record, its effects done, is about to be marked done (Powertools'
    UpdateItem of its idempotency record): the first is done, the second is done but not marked,
    the rest are not started."""
    return faults.kill(operations={"UpdateItem"}, tables={"idempotency"}, skip=1)


def _at_the_second_state_write(faults: DynamoFaults) -> Fault:
    """Dies in the middle of the batch's state writes: the second write to a service table."""
    return faults.kill(operations=WRITES, tables=SERVICE_TABLES, skip=1)


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
@pytest.mark.parametrize(
    "kill", [_after_the_first_record_is_marked_done, _at_the_second_state_write], ids=["between", "within"]
)
def test_a_batch_whose_process_died_is_delivered_again_without_duplicates(
    stack: LocalStack, tenant: str, faults: DynamoFaults, queue: Queue, lambda_timed: SqsPump, kill: object
) -> None:
    scenario = QUEUE_SCENARIOS[queue.name]
    effects = scenario.effects
    take_all(stack, queue.dlq_name)
    events = [scenario.event(tenant) for _ in range(4)]
    publish(queue, *events)
    assert callable(kill)
    death: Fault = kill(faults)
    invocations = lambda_timed.stats.invocations

    stack.drain()

    assert death.injected == 1
    assert lambda_timed.stats.invocations - invocations >= 2  # the dead invocation, then the batch again
    assert [effects(stack, e) for e in events] == [1, 1, 1, 1]
    assert take_all(stack, queue.dlq_name) == []
