"""Service agreement visits booked as a batch through the local stack: each its own job, confirmed
visits locked on the board, a refused visit answered on its own without stopping the others."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from test_slice_booking import BODY

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

TENANT = "agreements"
DAY = "2026-04-07"


def test_a_batch_of_agreement_visits_books_each_and_reports_each(local_stack: LocalStack) -> None:
    admin = local_stack.auth_headers("admin@demo", tenant_id=TENANT)
    office = local_stack.auth_headers("dispatcher@demo", tenant_id=TENANT)
    notify = {"sms_from_number": "+15125550100", "company_name": "Cool Air"}
    assert local_stack.request("PUT", "/notify/settings", admin, notify).status == 200
    customer = {**BODY["customer"], "locations": [BODY["location"]]}
    created = local_stack.request("POST", "/booking/customers", office, customer).json()
    customer_id, location_id = created["customer_id"], created["locations"][0]["location_id"]
    tune_up = {"job_type": "Maintenance", "summary": "Spring tune-up (agreement visit 1 of 2)"}
    visits = {
        "agreement": "AGR-2026-014",
        "confirm": True,
        "visits": [
            {
                "customer_id": customer_id,
                "location_id": location_id,
                "job": tune_up,
                "appointment": {
                    "start": f"{DAY}T09:00:00-05:00",
                    "end": f"{DAY}T10:00:00-05:00",
                    "arrival_window": {"start": f"{DAY}T08:00:00-05:00", "end": f"{DAY}T10:00:00-05:00"},
                },
            },
            {"customer_id": customer_id, "location_id": location_id, "job": tune_up},
            {"customer_id": customer_id, "location_id": "no-such-location", "job": tune_up},
        ],
    }
    answer = local_stack.request("POST", "/booking/agreement-visits", office, visits)
    assert answer.status == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == [201, 201, 404]
    scheduled, unscheduled = results[0]["job"], results[1]["job"]
    assert (scheduled["status"], scheduled["appointments"][0]["status"]) == ("scheduled", "confirmed")
    assert (unscheduled["status"], unscheduled["source"], unscheduled["campaign"]) == (
        "unscheduled",
        "service_agreement",
        "AGR-2026-014",
    )
    assert results[2]["problem"]["status"] == 404

    local_stack.drain()
    board = local_stack.request("GET", f"/dispatch/board?date={DAY}", office).json()
    assert [(a["job_id"], a["status"]) for a in board["appointments"]] == [(scheduled["job_id"], "confirmed")]
    deliveries = local_stack.request("GET", f"/notify/deliveries?job_id={scheduled['job_id']}", office).json()
    assert [d["template"] for d in deliveries["deliveries"]] == ["booking_confirmation"]


def test_a_visit_that_cannot_be_read_refuses_the_whole_batch(local_stack: LocalStack) -> None:
    office = local_stack.auth_headers("dispatcher@demo", tenant_id=TENANT)
    bad = {
        "agreement": "AGR-1",
        "visits": [
            {
                "customer_id": "c",
                "location_id": "l",
                "job": {"job_type": "Maintenance", "summary": "x"},
                "appointment": {
                    "start": f"{DAY}T11:00:00-05:00",
                    "end": f"{DAY}T10:00:00-05:00",
                    "arrival_window": {"start": f"{DAY}T08:00:00-05:00", "end": f"{DAY}T12:00:00-05:00"},
                },
            }
        ],
    }
    refused = local_stack.request("POST", "/booking/agreement-visits", office, bad)
    assert refused.status == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["visits[0].appointment.end"]
    technician = local_stack.auth_headers("tech-1@demo", tenant_id=TENANT)
    readable = {**bad, "visits": [{k: v for k, v in bad["visits"][0].items() if k != "appointment"}]}
    assert local_stack.request("POST", "/booking/agreement-visits", technician, readable).status == 403
