"""A job over several days: booked with one appointment per visit, each on the board of its own
day, the customer confirmed once, and every visit kept by notify and tracking."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from test_dispatch_actions import DAY, Office, job_request, office

from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration
__all__ = ["office"]


def visit(day: date, hour: int = 9) -> dict[str, Any]:
    at = day.isoformat()
    return {
        "start": f"{at}T{hour:02d}:00:00+00:00",
        "end": f"{at}T{hour + 6:02d}:00:00+00:00",
        "arrival_window": {
            "start": f"{at}T{hour:02d}:00:00+00:00",
            "end": f"{at}T{hour + 1:02d}:00:00+00:00",
        },
    }


def board_of(office: Office, day: date) -> dict[str, Any]:
    response = office.call("GET", f"/board?date={day.isoformat()}")
    assert response.status == 200, response.text
    board: dict[str, Any] = response.json()
    return board


def test_a_three_day_job_is_on_the_board_of_each_day(office: Office, local_stack: LocalStack) -> None:
    days = [DAY + timedelta(days=n) for n in range(3)]
    body = {
        **job_request(DAY, 1),
        "appointment": visit(days[0]),
        "later_appointments": [visit(days[2]), visit(days[1])],
    }
    booked = local_stack.request("POST", "/booking/jobs", office.headers, body)
    assert booked.status == 201, booked.text
    job = booked.json()
    appointments = job["appointments"]
    assert [a["start"][:10] for a in appointments] == [d.isoformat() for d in days]
    local_stack.drain()

    for day, appointment in zip(days, appointments, strict=True):
        board = board_of(office, day)
        assert [(a["job_id"], a["appointment_id"]) for a in board["appointments"]] == [
            (job["job_id"], appointment["appointment_id"])
        ]
        assert board["trays"]["unassigned"] == [appointment["appointment_id"]]
    assert board_of(office, days[2] + timedelta(days=1))["appointments"] == []

    deliveries = local_stack.request(
        "GET", f"/notify/deliveries?job_id={job['job_id']}", office.headers
    ).json()
    assert [d["template"] for d in deliveries["deliveries"]] == ["booking_confirmation"]


def test_visits_that_overlap_or_come_without_a_first_are_refused(
    office: Office, local_stack: LocalStack
) -> None:
    base = job_request(DAY, 2)
    overlapping = {**base, "appointment": visit(DAY), "later_appointments": [visit(DAY, hour=12)]}
    refused = local_stack.request("POST", "/booking/jobs", office.headers, overlapping)
    assert refused.status == 422, refused.text
    without_first = {**base, "appointment": None, "later_appointments": [visit(DAY)]}
    assert local_stack.request("POST", "/booking/jobs", office.headers, without_first).status == 422
    broken = {**base, "appointment": visit(DAY), "later_appointments": [{"start": "soon"}]}
    assert local_stack.request("POST", "/booking/jobs", office.headers, broken).status in (400, 422)
