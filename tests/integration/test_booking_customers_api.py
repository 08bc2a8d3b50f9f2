"""Customers, locations and booking settings through the booking app against moto: search by
phone and name are Queries that follow every change, and settings gate bookings."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slice_support import SliceStack, auth, slice_stack
from test_slice_booking import BODY

pytestmark = pytest.mark.integration

DANA = {
    "name": "Dana Reyes",
    "phone": "+15125550123",
    "phone_type": "mobile",
    "locations": [BODY["location"]],
}


@pytest.fixture
def stack() -> Iterator[SliceStack]:
    with slice_stack() as s:
        yield s


def call(stack: SliceStack, method: str, path: str, body: Any = None, role: str = "dispatcher") -> Any:
    status, answer, _ = stack.request("booking", method, path, auth(role), body)
    return status, answer


def names(stack: SliceStack, query: str) -> list[str]:
    status, found = call(stack, "GET", f"/customers?{query}")
    assert status == 200, found
    return [c["name"] for c in found["customers"]]


def test_customers_are_found_by_phone_and_name_and_follow_changes(stack: SliceStack) -> None:
    status, dana = call(stack, "POST", "/customers", DANA)
    assert status == 201, dana
    assert (dana["version"], dana["locations"][0]["tags"]) == (1, ["dog"])
    call(
        stack,
        "POST",
        "/customers",
        {"name": "Danny Ortiz", "phone": "+15125550199", "phone_type": "landline"},
    )
    assert names(stack, "phone=(512)%20555-0123") == ["Dana Reyes"]
    assert names(stack, "name=dan") == ["Dana Reyes", "Danny Ortiz"]
    assert names(stack, "name=REY") == ["Dana Reyes"]

    renamed = {"name": "Dana Whitfield", "phone": "+15125550177", "phone_type": "mobile"}
    status, replaced = call(stack, "PUT", f"/customers/{dana['customer_id']}", renamed)
    assert (status, replaced["version"], len(replaced["locations"])) == (200, 2, 1)
    assert names(stack, "name=rey") == []
    assert names(stack, "name=whit") == ["Dana Whitfield"]
    assert names(stack, "phone=+15125550177") == ["Dana Whitfield"]
    assert names(stack, "phone=+15125550123") == []

    assert names(stack, "name=dan") == ["Dana Whitfield", "Danny Ortiz"]
    other = stack.request("booking", "GET", "/customers?name=dan", auth("dispatcher", "t2"))[1]
    assert other == {"customers": []}


def test_a_job_at_a_stored_location_copies_its_current_tags(stack: SliceStack) -> None:
    _, dana = call(stack, "POST", "/customers", DANA)
    customer_id, location = dana["customer_id"], dana["locations"][0]
    moved = {**BODY["location"], "tags": ["dog", "ladder"], "verified": False}
    status, stored = call(
        stack, "PUT", f"/customers/{customer_id}/locations/{location['location_id']}", moved
    )
    assert (status, stored["version"], stored["verified"]) == (200, 2, False)
    body = {"customer_id": customer_id, "location_id": location["location_id"], "job": BODY["job"]}
    status, job = call(stack, "POST", "/jobs", body)
    assert status == 201, job
    assert job["tags"] == ["dog", "ladder", "warranty"]
    status, read = call(stack, "GET", f"/customers/{customer_id}")
    assert [loc["tags"] for loc in read["locations"]] == [["dog", "ladder"]]


def test_unknown_customers_and_locations_are_404_problems(stack: SliceStack) -> None:
    assert call(stack, "GET", "/customers/nope")[0] == 404
    assert call(stack, "PUT", "/customers/nope/locations/x", BODY["location"])[0] == 404
    body = {"customer_id": "nope", "location": BODY["location"], "job": BODY["job"]}
    assert call(stack, "POST", "/jobs", body)[0] == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [("", "phone"), ("phone=12", "phone"), ("name=a", "name"), ("name=x&phone=1", "phone")],
)
def test_a_search_without_a_usable_criterion_is_a_4xx_problem(
    stack: SliceStack, query: str, field: str
) -> None:
    status, problem, headers = stack.request("booking", "GET", f"/customers?{query}", auth("dispatcher"))
    assert status == 422
    assert headers["Content-Type"] == "application/problem+json"
    assert field in problem.get("field", "") or field in [e["field"] for e in problem.get("errors", [])]


SETTINGS = {
    "version": 0,
    "business_units": ["HVAC", "Plumbing"],
    "job_types": [
        {"name": "AC repair", "duration_minutes": 120, "skills": ["hvac"], "business_unit": "HVAC"}
    ],
    "arrival_windows": [{"label": "Morning", "start": "08:00", "end": "12:00", "business_units": []}],
    "required_fields": ["job.business_unit"],
}


def test_settings_gate_bookings_and_are_versioned(stack: SliceStack) -> None:
    assert call(stack, "PUT", "/settings", SETTINGS)[0] == 403
    status, stored = call(stack, "PUT", "/settings", SETTINGS, role="admin")
    assert (status, stored["version"]) == (200, 1)
    defaults = {"time_zone": "UTC", "opening_hours": [], "online": None}
    assert call(stack, "GET", "/settings")[1] == {**SETTINGS, **defaults, "version": 1}
    assert call(stack, "PUT", "/settings", SETTINGS, role="admin")[0] == 409

    status, problem = call(stack, "POST", "/jobs", BODY)
    assert status == 422
    assert [e["field"] for e in problem["errors"]] == ["job.business_unit"]
    status, job = call(stack, "POST", "/jobs", {**BODY, "job": {**BODY["job"], "business_unit": "HVAC"}})
    assert status == 201, job


def test_a_project_groups_its_customers_jobs(stack: SliceStack) -> None:
    _, dana = call(stack, "POST", "/customers", DANA)
    _, other = call(stack, "POST", "/customers", {**DANA, "name": "Lee Park", "phone": "+15125550188"})
    status, project = call(
        stack, "POST", "/projects", {"customer_id": dana["customer_id"], "name": "Basement"}
    )
    assert (status, project["jobs"]) == (201, [])
    project_id = project["project_id"]

    def job_for(customer: dict[str, Any], summary: str) -> Any:
        job = {**BODY["job"], "summary": summary, "project_id": project_id}
        body = {
            "customer_id": customer["customer_id"],
            "location_id": customer["locations"][0]["location_id"],
        }
        return call(stack, "POST", "/jobs", {**body, "job": job})

    first, second = job_for(dana, "Rough-in plumbing"), job_for(dana, "Finish plumbing")
    assert (first[0], second[0]) == (201, 201)
    assert first[1]["project_id"] == project_id
    status, problem = job_for(other, "Not theirs")
    assert (status, problem["field"]) == (422, "job.project_id")

    status, read = call(stack, "GET", f"/projects/{project_id}")
    assert status == 200
    assert [j["summary"] for j in read["jobs"]] == ["Rough-in plumbing", "Finish plumbing"]
    assert call(stack, "GET", "/projects/nope")[0] == 404
    assert stack.request("booking", "GET", f"/projects/{project_id}", auth("admin", "t2"))[0] == 404
    customer = {k: v for k, v in DANA.items() if k != "locations"}
    unknown = {**BODY["job"], "project_id": "no-such-project"}
    body = {"customer": customer, "location": BODY["location"], "job": unknown}
    assert call(stack, "POST", "/jobs", body)[0] == 404
    assert call(stack, "POST", "/projects", {"customer_id": "nobody", "name": "X"})[0] == 404


def test_a_sold_estimate_becomes_one_job(stack: SliceStack) -> None:
    sold = {**BODY["job"], "source": "sold_estimate", "estimate_id": "EST-1042"}
    status, job = call(stack, "POST", "/jobs", {**BODY, "job": sold})
    assert (status, job["source"], job["estimate_id"]) == (201, "sold_estimate", "EST-1042")
    status, problem = call(stack, "POST", "/jobs", {**BODY, "job": sold})
    assert (status, problem["job_id"]) == (409, job["job_id"])
    for wrong in ({**BODY["job"], "source": "sold_estimate"}, {**BODY["job"], "estimate_id": "EST-1"}):
        status, problem = call(stack, "POST", "/jobs", {**BODY, "job": wrong})
        assert (status, [e["field"] for e in problem["errors"]]) == (422, ["job.estimate_id"])
    other_tenant = stack.request("booking", "POST", "/jobs", auth("dispatcher", "t2"), {**BODY, "job": sold})
    assert other_tenant[0] == 201
