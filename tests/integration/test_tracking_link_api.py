"""The customer tracking link through the local stack: booking and dispatch's events feed tracking's
appointment projection; the office issues a link once dispatched; the public GET shows position,
distance and ETA, nothing before dispatch, 410 once done, and counts opens."""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from truckroll.contracts.envelope import new_event
from truckroll.contracts.tracking import TECHNICIAN_SHIFTS_SET
from truckroll.domain.tracking_links import LinkToken
from truckroll.messaging.sqs import OutboundMessage, SqsPublisher
from truckroll.persistence.tracking_links import DynamoLinkRepository
from truckroll.resources import RESOURCES
from truckroll_local.responses import HttpResponse
from truckroll_local.stack import LocalStack

if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parents[2]))

from bench.suites.dispatch import job_request

pytestmark = pytest.mark.integration

DAY = date(2027, 4, 6)
TECH = "tech-1@demo"
NOW = datetime.now(UTC).replace(microsecond=0)
DESTINATION = (30.30, -97.74)


class Customer:
    """One tenant of its own: a dispatcher, one technician on shift now, and one booked job."""

    def __init__(self, stack: LocalStack, verified: bool = True) -> None:
        self.stack = stack
        self.tenant = f"lnk-{uuid.uuid4().hex[:10]}"
        self.office = stack.auth_headers("dispatcher@demo", tenant_id=self.tenant)
        self.tech = stack.auth_headers(TECH, tenant_id=self.tenant)
        profile = {"technician_id": TECH, "name": "Maria Lopez", "active": True}
        assert self.dispatch("POST", "/technicians", profile).status == 201
        self._on_shift()
        body = job_request(DAY, 1)
        body["location"].update(lat=DESTINATION[0], lon=DESTINATION[1], verified=verified)
        booked = stack.request("POST", "/booking/jobs", self.office, body)
        assert booked.status == 201, booked.text
        self.job_id = booked.json()["job_id"]
        self.appointment_id = booked.json()["appointments"][0]["appointment_id"]
        stack.drain()

    def _on_shift(self) -> None:
        envelope = new_event(
            TECHNICIAN_SHIFTS_SET,
            tenant_id=self.tenant,
            producer="dispatch",
            data={
                "technician_id": TECH,
                "day": NOW.date().isoformat(),
                "shifts": [
                    {
                        "start": (NOW - timedelta(hours=6)).isoformat(),
                        "end": (NOW + timedelta(hours=6)).isoformat(),
                    }
                ],
            },
        )
        (queue,) = RESOURCES.queues_for(TECHNICIAN_SHIFTS_SET)
        assert SqsPublisher().publish([OutboundMessage(queue, envelope)]) == set()

    def dispatch(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        return self.stack.request(method, f"/dispatch{path}", headers or self.office, body)

    def act(self, action: str, body: Any, headers: dict[str, str]) -> None:
        path = f"/jobs/{self.job_id}/appointments/{self.appointment_id}/{action}"
        response = self.dispatch("POST", path, body, headers)
        assert response.status == 200, response.text
        self.stack.drain()

    def issue(self) -> HttpResponse:
        return self.stack.request(
            "POST", f"/tracking/appointments/{self.appointment_id}/links", self.office, {}
        )

    def dispatched(self) -> str:
        self.act("assign", {"technician_ids": [TECH]}, self.office)
        self.act("dispatch", {}, self.tech)
        issued = self.issue()
        assert issued.status == 201, issued.text
        path: str = issued.json()["path"]
        return path

    def post_fix(self, lat: float, lon: float) -> None:
        fix = {
            "recorded_at": (NOW - timedelta(minutes=1)).isoformat(),
            "lat": lat,
            "lon": lon,
            "accuracy_m": 5.0,
        }
        posted = self.stack.request("POST", "/tracking/fixes", self.tech, {"fixes": [fix]})
        assert (posted.status, posted.json()["stored"]) == (200, 1), posted.text


def opens(path: str) -> int:
    link = DynamoLinkRepository().get(LinkToken(path.rsplit("/", 1)[1]).hash)
    assert link is not None
    return link.opens


def test_a_dispatched_appointment_gets_a_link_showing_distance_and_eta_until_done(
    local_stack: LocalStack,
) -> None:
    customer = Customer(local_stack)
    before = customer.issue()
    assert (before.status, before.header("Content-Type")) == (409, "application/problem+json")
    path = customer.dispatched()
    customer.post_fix(30.27, -97.74)
    shown = local_stack.request("GET", path)
    assert shown.status == 200, shown.text
    body = shown.json()
    assert (body["status"], body["on_the_way"]) == ("dispatched", True)
    assert body["technician"] == {"first_name": "Maria"}
    assert "Lopez" not in shown.text
    assert body["destination"] == {"lat": DESTINATION[0], "lon": DESTINATION[1]}
    assert (body["position"]["lat"], body["distance_km"], body["eta_minutes"]) == (30.27, 4.3, 7)
    assert local_stack.request("GET", path).status == 200
    assert opens(path) == 2
    customer.act("progress", {"action": "arrived"}, customer.tech)
    customer.act("progress", {"action": "done"}, customer.tech)
    gone = local_stack.request("GET", path)
    assert (gone.status, gone.header("Content-Type")) == (410, "application/problem+json")
    assert opens(path) == 2


def test_an_unverified_address_shows_the_destination_but_no_position_or_eta(local_stack: LocalStack) -> None:
    customer = Customer(local_stack, verified=False)
    path = customer.dispatched()
    customer.post_fix(30.27, -97.74)
    shown = local_stack.request("GET", path)
    body = shown.json()
    assert body["technician"] == {"first_name": "Maria"}
    assert "Lopez" not in shown.text
    assert body["destination"] == {"lat": DESTINATION[0], "lon": DESTINATION[1]}
    assert (body["position"], body["distance_km"], body["eta_minutes"]) == (None, None, None)


def test_a_canceled_dispatch_hides_the_link_and_an_unknown_token_is_404(local_stack: LocalStack) -> None:
    customer = Customer(local_stack)
    path = customer.dispatched()
    customer.act("progress", {"action": "cancel_dispatch"}, customer.tech)
    assert local_stack.request("GET", path).status == 404
    for token in (LinkToken.new().value, "nope"):
        unknown = local_stack.request("GET", f"/tracking/links/{token}")
        assert (unknown.status, unknown.header("Content-Type")) == (404, "application/problem+json")


def test_only_the_office_issues_links(local_stack: LocalStack) -> None:
    customer = Customer(local_stack)
    customer.dispatched()
    refused = local_stack.request(
        "POST", f"/tracking/appointments/{customer.appointment_id}/links", customer.tech, {}
    )
    assert refused.status == 403


def test_a_canceled_job_takes_its_link_down_until_it_is_set_back(local_stack: LocalStack) -> None:
    customer = Customer(local_stack)
    path = customer.dispatched()
    canceled = customer.dispatch("POST", f"/jobs/{customer.job_id}/cancel", {"reason": "customer moved"})
    assert canceled.status == 200, canceled.text
    local_stack.drain()
    gone = local_stack.request("GET", path)
    assert (gone.status, gone.header("Content-Type")) == (410, "application/problem+json")
    back = customer.dispatch("POST", f"/jobs/{customer.job_id}/uncancel", {"reason": "moved back"})
    assert back.status == 200, back.text
    local_stack.drain()
    assert local_stack.request("GET", path).status == 200
