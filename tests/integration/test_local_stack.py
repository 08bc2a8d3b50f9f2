"""The real services on the local stack: the demo seeder's requests are accepted by the APIs, and
a booking travels through the stream relay and the queues to the board, moved only by drain()."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from truckroll_local.seed import DEMO_JOBS, job_request, notify_settings_request
from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

DAY = date(2027, 3, 2)


def _failed(stack: LocalStack) -> int:
    return sum(p.stats.failed for p in stack.pumps)


def test_the_seeders_requests_are_accepted_and_a_booking_reaches_the_board(local_stack: LocalStack) -> None:
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    office = local_stack.auth_headers("dispatcher@demo", tenant_id=tenant)
    admin = local_stack.auth_headers("admin@demo", tenant_id=tenant)
    local_stack.drain()
    failed_before = _failed(local_stack)

    settings = local_stack.request("PUT", "/notify/settings", admin, notify_settings_request())
    booked = local_stack.request("POST", "/booking/jobs", office, job_request(DEMO_JOBS[0], DAY))

    assert settings.status == 200, settings.text
    assert booked.status == 201, booked.text
    assert local_stack.drain() > 0
    board = local_stack.request("GET", f"/dispatch/board?date={DAY.isoformat()}", office)
    assert board.status == 200, board.text
    assert [a["summary"] for a in board.json()["appointments"]] == [DEMO_JOBS[0].summary]
    assert _failed(local_stack) == failed_before
