"""Online self-booking through the local stack: open slots from the technicians' shifts and booked
time, booking one (the job reaches the board and the customer), the last free slot raced by many,
and the per-client rate limit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest

if TYPE_CHECKING:
    from truckroll_local.responses import HttpResponse
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

ZONE = ZoneInfo("America/Chicago")
DAY = datetime.now(ZONE).date() + timedelta(days=3)
SERVICE = "AC not cooling"


def local(hour: int, day: date = DAY) -> str:
    return datetime(day.year, day.month, day.day, hour, tzinfo=ZONE).isoformat()


def settings(requests_per_minute: int = 600) -> dict[str, Any]:
    return {
        "version": 0,
        "job_types": [{"name": "AC repair", "duration_minutes": 120, "skills": ["hvac"]}],
        "time_zone": "America/Chicago",
        "opening_hours": [{"weekday": d, "opens": "08:00", "closes": "17:00"} for d in range(7)],
        "online": {
            "services": [{"label": SERVICE, "job_type": "AC repair"}, {"label": "Something else"}],
            "slot_minutes": 60,
            "requests_per_minute": requests_per_minute,
        },
    }


BOOKING: dict[str, Any] = {
    "service": SERVICE,
    "customer": {"name": "Jo Park", "phone": "+15125550410", "phone_type": "mobile"},
    "address": {"street": "9 Elm St", "city": "Austin", "state": "TX", "postal_code": "78702"},
    "notes": "Upstairs unit blows warm air",
}


class Company:
    def __init__(self, stack: LocalStack, tenant: str, *, shift: tuple[int, int], rate: int = 600) -> None:
        self.stack, self.tenant = stack, tenant
        admin = stack.auth_headers("admin@demo", tenant_id=tenant)
        self.office = stack.auth_headers("dispatcher@demo", tenant_id=tenant)
        assert stack.request("PUT", "/booking/settings", admin, settings(rate)).status == 200
        notify = {"sms_from_number": "+15125550100", "company_name": "Cool Air"}
        assert stack.request("PUT", "/notify/settings", admin, notify).status == 200
        technician = {"technician_id": "ana", "name": "Ana Diaz", "skills": ["hvac"]}
        assert stack.request("POST", "/dispatch/technicians", self.office, technician).status == 201
        window = {"start": local(shift[0]), "end": local(shift[1])}
        added = stack.request("POST", "/dispatch/technicians/ana/shifts", self.office, window)
        assert added.status == 201, added.text

    def slots(self, service: str = SERVICE) -> list[str]:
        query = f"service={quote(service)}&date={DAY.isoformat()}"
        response = self.stack.request("GET", f"/booking/online/{self.tenant}/availability?{query}")
        assert response.status == 200, response.text
        return [s["start"] for s in response.json()["slots"]]

    def book(self, start: str, service: str = SERVICE) -> HttpResponse:
        body = {**BOOKING, "service": service, "start": start}
        return self.stack.request("POST", f"/booking/online/{self.tenant}/bookings", {}, body)


def test_a_customer_books_an_open_slot_and_it_reaches_the_board_and_them(local_stack: LocalStack) -> None:
    company = Company(local_stack, "online-book", shift=(8, 17))
    offered = company.slots()
    assert offered == [local(h) for h in range(8, 16)]

    booked = company.book(local(10))
    assert booked.status == 201, booked.text
    job = booked.json()
    assert (job["status"], job["start"], job["end"]) == ("scheduled", local(10), local(12))
    assert company.slots() == [local(h) for h in (8, 12, 13, 14, 15)]

    local_stack.drain()
    board = local_stack.request("GET", f"/dispatch/board?date={DAY.isoformat()}", company.office).json()
    (entry,) = [a for a in board["appointments"] if a["job_id"] == job["job_id"]]
    assert entry["technicians"] == [{"technician_id": "ana"}]
    assert entry["appointment_id"] not in board["trays"]["unassigned"]
    read = local_stack.request("GET", f"/booking/jobs/{job['job_id']}", company.office).json()
    assert (read["job_type"], read["source"]) == ("AC repair", "online_booking")
    deliveries = local_stack.request(
        "GET", f"/notify/deliveries?job_id={job['job_id']}", company.office
    ).json()
    assert [(d["template"], d["status"]) for d in deliveries["deliveries"]] == [
        ("booking_confirmation", "sent")
    ]


def test_a_service_without_a_mapping_books_an_unknown_job(local_stack: LocalStack) -> None:
    company = Company(local_stack, "online-unknown", shift=(8, 17))
    booked = company.book(local(9), service="Something else")
    assert booked.status == 201, booked.text
    read = local_stack.request("GET", f"/booking/jobs/{booked.json()['job_id']}", company.office).json()
    assert read["job_type"] == "Unknown"


def test_the_last_free_slot_goes_to_exactly_one_of_many(local_stack: LocalStack) -> None:
    company = Company(local_stack, "online-race", shift=(8, 10))
    assert company.slots() == [local(8)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(lambda _: company.book(local(8)), range(10)))
    won = [a for a in answers if a.status == 201]
    lost = [a for a in answers if a.status != 201]
    assert len(won) == 1
    assert {(a.status, a.json().get("code")) for a in lost} == {(409, "SLOT_UNAVAILABLE")}
    assert company.slots() == []


def test_unknown_days_services_and_companies_are_4xx(local_stack: LocalStack) -> None:
    company = Company(local_stack, "online-bad", shift=(8, 17))
    far = DAY + timedelta(days=60)
    checks = [
        ("GET", f"/booking/online/online-bad/availability?service={quote(SERVICE)}&date={far}", 422),
        ("GET", "/booking/online/online-bad/availability?service=Roofing&date=" + DAY.isoformat(), 422),
        ("GET", f"/booking/online/online-bad/availability?service={quote(SERVICE)}&date=tomorrow", 422),
        ("GET", f"/booking/online/nobody/availability?service={quote(SERVICE)}&date={DAY}", 404),
    ]
    for method, path, status in checks:
        response = local_stack.request(method, path)
        assert (response.status, response.header("Content-Type")) == (status, "application/problem+json"), (
            path
        )
    assert company.book(local(8, DAY - timedelta(days=5))).status == 422
    assert company.book("2026-13-01T08:00:00").status == 422


def test_a_client_past_the_rate_limit_is_told_to_wait(local_stack: LocalStack) -> None:
    company = Company(local_stack, "online-rate", shift=(8, 17), rate=3)
    statuses = []
    for _ in range(5):
        query = f"service={quote(SERVICE)}&date={DAY.isoformat()}"
        statuses.append(
            local_stack.request("GET", f"/booking/online/online-rate/availability?{query}").status
        )
    assert statuses[:3] == [200, 200, 200]
    assert 429 in statuses[3:]
    assert (
        company.stack.request("GET", f"/booking/online/online-book/availability?service=x&date={DAY}").status
        != 429
    )
