"""Tracking's events through the local stack: dispatch's event reaches tracking, whose outbox is
relayed from its table's stream (on to notify, which texts "on my way"); a silent device shows on
the dispatch board until it resumes."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from test_tracking_link_api import DESTINATION, TECH, Customer

from truckroll.resources import Queue, Resources
from truckroll_local.runtime import HandlerRef
from truckroll_local.stack import LocalStack
from truckroll_local.ticker import scheduled_event

pytestmark = pytest.mark.integration


@pytest.fixture
def observed(local_stack: LocalStack, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Every ``tracking.*`` event the relays send also goes to a queue of this test's own."""
    sqs = boto3.client("sqs", endpoint_url=local_stack.environment["AWS_ENDPOINT_URL"])
    suffix = uuid.uuid4().hex[:8]
    name, env_var = f"observer-{suffix}", f"OBSERVER_{suffix.upper()}_QUEUE"  # publishers cache by env var
    url = sqs.create_queue(QueueName=name)["QueueUrl"]
    monkeypatch.setenv(env_var, name)
    observer = Queue(name, env_var, "tracking", "none", ("tracking.*",))
    declared = Resources.queues_for

    def with_observer(self: Resources, event_type: str) -> tuple[Queue, ...]:
        extra = (observer,) if event_type.startswith("tracking.") else ()
        return (*declared(self, event_type), *extra)

    monkeypatch.setattr(Resources, "queues_for", with_observer)

    def received(tenant_id: str) -> list[dict[str, Any]]:
        envelopes = []
        while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            for message in messages:
                envelopes.append(json.loads(message["Body"]))
                sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        return [e for e in envelopes if e["tenant_id"] == tenant_id]

    yield received
    sqs.delete_queue(QueueUrl=url)


def test_a_dispatch_publishes_on_the_way_with_the_link_and_eta(
    local_stack: LocalStack, observed: Any
) -> None:
    customer = Customer(local_stack)
    customer.post_fix(30.27, -97.74)  # 4.3 km south of the destination: 7 minutes
    customer.act("assign", {"technician_ids": [TECH]}, customer.office)
    customer.act("dispatch", {}, customer.tech)
    events = observed(customer.tenant)
    (on_the_way,) = [e for e in events if e["event_type"] == "tracking.on_the_way"]
    data = on_the_way["data"]
    assert (data["appointment_id"], data["technician_id"], data["technician_first_name"]) == (
        customer.appointment_id,
        TECH,
        "Maria",
    )
    assert data["distance_m"] == pytest.approx(4336.6, abs=0.1)
    assert on_the_way["producer"] == "tracking"
    assert "tracking.position_reported" in [e["event_type"] for e in events]
    assert data["link_url"].startswith(f"{local_stack.base_url}/tracking/links/")  # the gateway's route
    path = urlsplit(data["link_url"]).path
    shown = local_stack.request("GET", path)
    assert (shown.status, shown.json()["eta_minutes"], shown.json()["destination"]["lat"]) == (
        200,
        7,
        DESTINATION[0],
    ), shown.text
    customer.act("progress", {"action": "arrived"}, customer.tech)
    customer.act("progress", {"action": "done"}, customer.tech)
    assert local_stack.request("GET", path).status == 410


def _noon_zone(now: datetime) -> timezone:
    """A UTC offset in which ``now`` falls around local noon, so a shift around it stays in one day."""
    return timezone(timedelta(hours=12 - now.hour))


def post_fix(local_stack: LocalStack, customer: Customer, at: datetime) -> None:
    fix = {"recorded_at": at.isoformat(), "lat": 30.27, "lon": -97.74, "accuracy_m": 5.0}
    posted = local_stack.request("POST", "/tracking/fixes", customer.tech, {"fixes": [fix]})
    assert (posted.status, posted.json()["stored"]) == (200, 1), posted.text
    local_stack.drain()


def _row(local_stack: LocalStack, customer: Customer, day: str) -> dict[str, Any]:
    board = local_stack.request("GET", f"/dispatch/board?date={day}", customer.office)
    assert board.status == 200, board.text
    (row,) = [r for r in board.json()["technicians"] if r["technician_id"] == TECH]
    return row


def test_a_silent_device_is_flagged_on_the_board_until_it_sends_again(
    local_stack: LocalStack, observed: Any
) -> None:
    customer = Customer(local_stack)
    now = datetime.now(UTC)
    zone = _noon_zone(now)
    local = now.astimezone(zone)
    shift = {
        "start": local.replace(hour=9, minute=0, second=0, microsecond=0).isoformat(),
        "end": local.replace(hour=15, minute=0, second=0, microsecond=0).isoformat(),
    }
    added = customer.dispatch("POST", f"/technicians/{TECH}/shifts", shift)
    assert added.status == 201, added.text
    post_fix(local_stack, customer, now - timedelta(minutes=20))
    day = local.date().isoformat()
    assert _row(local_stack, customer, day)["alerts"] == []
    cursor = local_stack.request("GET", f"/dispatch/board?date={day}", customer.office).json()["cursor"]

    sweep = HandlerRef(local_stack.apps["tracking"], "sweep_silent_devices")
    sweep.invoke(scheduled_event("arn:aws:events:us-east-1:123456789012:rule/sweep", time.time()))
    local_stack.drain()
    assert _row(local_stack, customer, day)["alerts"] == ["gps_silent"]
    changes = local_stack.request(
        "GET", f"/dispatch/board/changes?date={day}&cursor={cursor}", customer.office
    ).json()["changes"]
    rows = [c["technician"] for c in changes if c["kind"] == "technician"]
    assert [(r["technician_id"], r["alerts"]) for r in rows] == [(TECH, ["gps_silent"])]
    silent = [e for e in observed(customer.tenant) if e["event_type"] == "tracking.device_silent"]
    assert [e["data"]["technician_id"] for e in silent] == [TECH]
    other_day = (local.date() + timedelta(days=1)).isoformat()
    assert _row(local_stack, customer, other_day)["alerts"] == []

    post_fix(local_stack, customer, datetime.now(UTC))
    assert _row(local_stack, customer, day)["alerts"] == []
    resumed = [e for e in observed(customer.tenant) if e["event_type"] == "tracking.device_resumed"]
    assert len(resumed) == 1


def test_a_technician_who_never_sent_a_fix_is_flagged_until_their_first(
    local_stack: LocalStack, observed: Any
) -> None:
    customer = Customer(local_stack)
    now = datetime.now(UTC)
    local = now.astimezone(_noon_zone(now))
    shift = {
        "start": local.replace(hour=9, minute=0, second=0, microsecond=0).isoformat(),
        "end": local.replace(hour=15, minute=0, second=0, microsecond=0).isoformat(),
    }
    assert customer.dispatch("POST", f"/technicians/{TECH}/shifts", shift).status == 201
    local_stack.drain()  # tracking keeps the shift, and so knows the tenant
    day = local.date().isoformat()
    assert _row(local_stack, customer, day)["alerts"] == []

    sweep = HandlerRef(local_stack.apps["tracking"], "sweep_silent_devices")
    for _ in range(2):  # flagged once
        sweep.invoke(scheduled_event("arn:aws:events:us-east-1:123456789012:rule/sweep", time.time()))
        local_stack.drain()
    assert _row(local_stack, customer, day)["alerts"] == ["gps_silent"]
    silent = [e["data"] for e in observed(customer.tenant) if e["event_type"] == "tracking.device_silent"]
    assert silent == [{"technician_id": TECH, "last_fix_at": None}]

    post_fix(local_stack, customer, datetime.now(UTC))
    post_fix(local_stack, customer, datetime.now(UTC) + timedelta(seconds=1))
    assert _row(local_stack, customer, day)["alerts"] == []
    resumed = [e for e in observed(customer.tenant) if e["event_type"] == "tracking.device_resumed"]
    assert len(resumed) == 1


def test_the_customer_is_told_the_technician_is_on_the_way(local_stack: LocalStack) -> None:
    customer = Customer(local_stack)
    admin = local_stack.auth_headers("admin@demo", tenant_id=customer.tenant)
    settings = {
        "sms_from_number": "+15125550100",
        "email_from": "office@coolair.example",
        "company_name": "Cool Air",
    }
    assert local_stack.request("PUT", "/notify/settings", admin, settings).status == 200
    customer.post_fix(30.27, -97.74)
    customer.act("assign", {"technician_ids": [TECH]}, customer.office)
    customer.act("dispatch", {}, customer.tech)
    logged = local_stack.request("GET", f"/notify/deliveries?job_id={customer.job_id}", customer.office)
    assert logged.status == 200, logged.text
    sent = [(d["template"], d["status"]) for d in logged.json()["deliveries"]]
    assert ("on_my_way", "sent") in sent, sent
