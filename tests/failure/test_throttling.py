"""DynamoDB throttling injected into requests and consumers: a request succeeds after botocore's
retries or answers a clean 503 with Retry-After and writes nothing; a consumer reports the records
it could not finish, they are redelivered, and in the end every effect happened exactly once."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

import pytest
from failure_support import (
    BOARD_DAY,
    QUEUE_SCENARIOS,
    QUEUES,
    SERVICE_TABLES,
    WRITES,
    DynamoFaults,
    consumer_name,
    physical_table,
    publish,
    take_all,
)

from truckroll.resources import Queue
from truckroll_local.aws import Aws
from truckroll_local.pumps import SqsPump

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.failure

THROTTLING_CODES = ["ProvisionedThroughputExceededException", "ThrottlingException"]

JOB: dict[str, Any] = {
    "customer": {"name": "Dana Reyes", "phone": "+15125550123", "phone_type": "mobile"},
    "location": {
        "street": "12 Oak St",
        "city": "Austin",
        "state": "TX",
        "postal_code": "78701",
        "lat": 30.27,
        "lon": -97.74,
        "verified": True,
    },
    "job": {"job_type": "AC repair", "summary": "No cooling upstairs", "priority": "high"},
    "appointment": {
        "start": f"{BOARD_DAY}T09:00:00-06:00",
        "end": f"{BOARD_DAY}T11:00:00-06:00",
        "arrival_window": {"start": f"{BOARD_DAY}T08:00:00-06:00", "end": f"{BOARD_DAY}T12:00:00-06:00"},
    },
}


def _board(stack: LocalStack, tenant: str) -> list[str]:
    headers = stack.auth_headers("dispatcher@demo", tenant_id=tenant)
    response = stack.request("GET", f"/dispatch/board?date={BOARD_DAY}", headers)
    assert response.status == 200
    return [a["job_id"] for a in response.json()["appointments"]]


def _core_items_of(stack: LocalStack, tenant: str) -> list[dict[str, Any]]:
    """Everything the core table holds about ``tenant`` (a Scan: this is a test reading the table)."""
    dynamodb = Aws(stack.moto.endpoint).dynamodb()
    items: list[dict[str, Any]] = []
    for page in dynamodb.get_paginator("scan").paginate(TableName=physical_table("core")):
        items.extend(i for i in page["Items"] if tenant in json.dumps(i, default=str))
    return items


@pytest.mark.parametrize("code", THROTTLING_CODES)
def test_a_request_succeeds_when_the_throttling_passes_within_the_retries(
    stack: LocalStack, tenant: str, faults: DynamoFaults, code: str
) -> None:
    throttle = faults.throttle(code=code, times=2, operations={"TransactWriteItems"}, tables={"core"})
    dispatcher = stack.auth_headers("dispatcher@demo", tenant_id=tenant)

    booked = stack.request("POST", "/booking/jobs", dispatcher, JOB)

    assert booked.status == 201
    assert throttle.injected == 2
    stack.drain()
    assert _board(stack, tenant) == [booked.json()["job_id"]]


@pytest.mark.parametrize("code", THROTTLING_CODES)
def test_a_write_still_throttled_after_the_retries_answers_503_and_writes_nothing(
    stack: LocalStack, tenant: str, faults: DynamoFaults, code: str
) -> None:
    throttle = faults.throttle(code=code, operations=WRITES, tables={"core"})
    dispatcher = {**stack.auth_headers("dispatcher@demo", tenant_id=tenant), "Idempotency-Key": "book-1"}

    refused = stack.request("POST", "/booking/jobs", dispatcher, JOB)

    assert refused.status == 503
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.headers["Retry-After"] == "2"
    assert refused.json()["title"] == "Service unavailable"
    assert throttle.injected > 0
    faults.clear()
    stack.drain()
    assert _core_items_of(stack, tenant) == []  # not half a job: nothing at all
    assert _board(stack, tenant) == []

    # The same request again, same key: booked once (the refused attempt kept no response).
    booked = stack.request("POST", "/booking/jobs", dispatcher, JOB)
    assert booked.status == 201
    assert stack.request("POST", "/booking/jobs", dispatcher, JOB).json() == booked.json()
    stack.drain()
    assert _board(stack, tenant) == [booked.json()["job_id"]]


def test_a_read_still_throttled_after_the_retries_answers_503(
    stack: LocalStack, tenant: str, faults: DynamoFaults
) -> None:
    faults.throttle(code="ThrottlingException", operations={"Query", "GetItem"}, tables={"core"})
    headers = stack.auth_headers("dispatcher@demo", tenant_id=tenant)

    response = stack.request("GET", f"/dispatch/board?date={BOARD_DAY}", headers)

    assert (response.status, response.headers["Retry-After"]) == (503, "2")


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_a_throttled_consumer_fails_its_records_and_redelivery_loses_nothing(
    stack: LocalStack, tenant: str, faults: DynamoFaults, queue: Queue, caplog: pytest.LogCaptureFixture
) -> None:
    scenario = QUEUE_SCENARIOS[queue.name]
    effects = scenario.effects
    take_all(stack, queue.dlq_name)
    events = [scenario.event(tenant) for _ in range(3)]
    publish(queue, *events)
    # Enough refusals in a row that botocore's retries give up on at least one record.
    throttle = faults.throttle(times=6, tables=SERVICE_TABLES)

    with caplog.at_level(logging.WARNING, logger="truckroll.messaging.consumer"):
        stack.drain()

    assert throttle.injected == 6
    assert any(f"{consumer_name(queue)}: message" in r.getMessage() for r in caplog.records)
    assert [effects(stack, e) for e in events] == [1, 1, 1]
    assert take_all(stack, queue.dlq_name) == []


@pytest.mark.parametrize("queue", QUEUES, ids=lambda q: q.name)
def test_a_consumer_whose_idempotency_records_are_throttled_too_loses_nothing(
    stack: LocalStack, tenant: str, faults: DynamoFaults, queue: Queue, lambda_timed: SqsPump
) -> None:
    """Throttling anywhere, Powertools' own records included: a record left in progress by a failed
    attempt has expired when SQS delivers it again, so it is not stuck until it dead-letters."""
    scenario = QUEUE_SCENARIOS[queue.name]
    effects = scenario.effects
    take_all(stack, queue.dlq_name)
    events = [scenario.event(tenant) for _ in range(3)]
    publish(queue, *events)
    throttle = faults.throttle(times=10)

    stack.drain()

    assert throttle.injected == 10
    assert [effects(stack, e) for e in events] == [1, 1, 1]
    assert take_all(stack, queue.dlq_name) == []


def test_a_throttled_user_directory_answers_503_and_the_view_never_runs(
    stack: LocalStack, tenant: str, faults: DynamoFaults
) -> None:
    """An authorizer can only allow or deny (a failing one is API Gateway's 500): it lets the
    request through marked, and the route answers 503 with Retry-After before doing any work."""
    dispatcher = stack.auth_headers("dispatcher@demo", tenant_id=tenant)
    faults.throttle(code="ProvisionedThroughputExceededException", operations={"GetItem"}, tables={"users"})

    response = stack.request("POST", "/booking/jobs", dispatcher, JOB)

    assert (response.status, response.headers["Retry-After"]) == (503, "2"), response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    faults.clear()
    assert _board(stack, tenant) == []
