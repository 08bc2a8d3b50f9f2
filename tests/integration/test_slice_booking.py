"""POST and GET /booking/jobs against moto: validation problems, roles, tenants, one transaction."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from slice_support import STAGE, SliceStack, auth, slice_stack

from truckroll.resources import physical_name

pytestmark = pytest.mark.integration

BODY: dict[str, Any] = {
    "customer": {"name": "Dana Reyes", "phone": "+15125550123", "phone_type": "mobile"},
    "location": {
        "street": "12 Oak St",
        "city": "Austin",
        "state": "TX",
        "postal_code": "78701",
        "lat": 30.27,
        "lon": -97.74,
        "verified": True,
        "tags": ["dog"],
    },
    "job": {
        "job_type": "AC repair",
        "summary": "No cooling upstairs",
        "priority": "high",
        "tags": ["warranty"],
    },
    "appointment": {
        "start": "2026-03-03T09:00:00-06:00",
        "end": "2026-03-03T11:00:00-06:00",
        "arrival_window": {"start": "2026-03-03T08:00:00-06:00", "end": "2026-03-03T12:00:00-06:00"},
    },
}


@pytest.fixture
def stack() -> Iterator[SliceStack]:
    with slice_stack() as s:
        yield s


def core_items() -> list[dict[str, Any]]:
    return boto3.client("dynamodb").scan(TableName=physical_name(STAGE, "core"))["Items"]


def test_booking_writes_the_job_and_its_outbox_item_and_reads_back(stack: SliceStack) -> None:
    status, job, _ = stack.request("booking", "POST", "/jobs", auth("dispatcher"), BODY)
    assert status == 201
    assert job["status"] == "scheduled"
    assert job["tags"] == ["dog", "warranty"]
    (appointment,) = job["appointments"]
    assert appointment["arrival_window"] == BODY["appointment"]["arrival_window"]
    assert appointment["technician_ids"] == []
    kinds = sorted(item["kind"]["S"] for item in core_items())
    assert kinds == ["appointment", "customer", "customer_name", "customer_name", "job", "location", "outbox"]
    outbox = next(i for i in core_items() if i["kind"]["S"] == "outbox")
    assert outbox["pk"]["S"].startswith("T#t1#")
    assert int(outbox["expires_at"]["N"]) > 0

    status, read, _ = stack.request("booking", "GET", f"/jobs/{job['job_id']}", auth("admin"))
    assert status == 200
    assert read["job_id"] == job["job_id"]
    assert read["appointments"] == job["appointments"]


def test_without_an_appointment_the_job_is_unscheduled(stack: SliceStack) -> None:
    body = {k: v for k, v in BODY.items() if k != "appointment"}
    status, job, _ = stack.request("booking", "POST", "/jobs", auth("both"), body)
    assert (status, job["status"], job["appointments"]) == (201, "unscheduled", [])


def test_another_tenants_job_is_not_found(stack: SliceStack) -> None:
    _, job, _ = stack.request("booking", "POST", "/jobs", auth("dispatcher", "t1"), BODY)
    status, problem, headers = stack.request("booking", "GET", f"/jobs/{job['job_id']}", auth("admin", "t2"))
    assert status == 404
    assert headers["Content-Type"] == "application/problem+json"
    assert problem["status"] == 404


def invalid(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(BODY)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = body
        for key in parents:
            target = target[key]
        target[leaf] = value
    return body


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (invalid(tenant_id="t2"), "tenant_id"),
        (invalid(job__status="complete"), "job.status"),
        (invalid(customer__role="admin"), "customer.role"),
        (invalid(customer__phone="5125550123"), "customer.phone"),
        (invalid(appointment__end="2026-03-03T08:00:00-06:00"), "appointment.end"),
    ],
)
def test_invalid_bodies_are_422_problems_naming_the_field(
    stack: SliceStack, body: dict[str, Any], field: str
) -> None:
    status, problem, headers = stack.request("booking", "POST", "/jobs", auth("dispatcher"), body)
    assert status == 422
    assert headers["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in problem["errors"]] == [field]
    assert core_items() == []


def test_a_body_that_is_not_json_is_a_400_problem(stack: SliceStack) -> None:
    status, problem, _ = stack.request("booking", "POST", "/jobs", auth("dispatcher"), "{nope")
    assert status == 400
    assert problem["title"] == "Malformed request body"


def test_callers_without_a_valid_token_or_office_role_are_refused(stack: SliceStack) -> None:
    status, _, _ = stack.request("booking", "POST", "/jobs", {"Content-Type": "application/json"}, BODY)
    assert status == 401
    status, problem, _ = stack.request("booking", "POST", "/jobs", auth("technician"), BODY)
    assert (status, problem["status"]) == (403, 403)
    assert core_items() == []
