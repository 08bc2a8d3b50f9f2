"""Fixtures of the failure suite: the local stack of this worker, a fresh tenant, injected faults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from failure_support import DynamoFaults, LambdaTimedFunction, dynamodb_faults, new_tenant, prepare_tenant

from truckroll.resources import Queue
from truckroll_local.pumps import SqsPump

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack


@pytest.fixture
def stack(local_stack: LocalStack) -> LocalStack:
    """The worker's stack, with nothing left in flight by an earlier test."""
    local_stack.drain()
    return local_stack


@pytest.fixture
def tenant(stack: LocalStack) -> str:
    tenant_id = new_tenant()
    prepare_tenant(stack, tenant_id)
    return tenant_id


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoFaults]:
    with dynamodb_faults(monkeypatch) as injected:
        yield injected


@pytest.fixture
def lambda_timed(stack: LocalStack, queue: Queue) -> Iterator[SqsPump]:
    """``queue``'s pump, invoking its function on Lambda's timing (see :class:`LambdaTimedFunction`)."""
    (pump,) = [p for p in stack.pumps if isinstance(p, SqsPump) and p.name == f"sqs:{queue.name}"]
    function = pump.handler
    pump.handler = LambdaTimedFunction(function.app, function.name)
    yield pump
    pump.handler = function
