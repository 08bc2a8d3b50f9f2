"""The slice through the local stack: the gateway, the issuer's tokens, and the pumps standing in
for Lambda's event source mappings (stream → relay → queues → consumers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from test_slice_booking import BODY

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

TENANT = "slice-pumps"


def test_a_job_booked_through_the_gateway_reaches_board_and_customer(local_stack: LocalStack) -> None:
    admin = local_stack.auth_headers("admin@demo", tenant_id=TENANT)
    dispatcher = local_stack.auth_headers("dispatcher@demo", tenant_id=TENANT)
    settings = {"sms_from_number": "+15125550100", "company_name": "Cool Air"}
    assert local_stack.request("PUT", "/notify/settings", admin, settings).status == 200

    booked = local_stack.request("POST", "/booking/jobs", dispatcher, BODY)
    assert booked.status == 201
    job = booked.json()
    local_stack.drain()

    board = local_stack.request("GET", "/dispatch/board?date=2026-03-03", dispatcher).json()
    mine = [a for a in board["appointments"] if a["job_id"] == job["job_id"]]
    assert [a["appointment_id"] for a in mine] == [job["appointments"][0]["appointment_id"]]
    assert mine[0]["appointment_id"] in board["trays"]["unassigned"]

    deliveries = local_stack.request("GET", f"/notify/deliveries?job_id={job['job_id']}", dispatcher).json()
    (delivery,) = deliveries["deliveries"]
    assert (delivery["channel"], delivery["status"], delivery["template"]) == (
        "sms",
        "sent",
        "booking_confirmation",
    )

    other = local_stack.auth_headers("admin@acme", tenant_id=f"{TENANT}-other")
    assert local_stack.request("GET", f"/booking/jobs/{job['job_id']}", other).status == 404
