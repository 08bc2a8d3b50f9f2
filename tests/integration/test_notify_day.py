"""Notify under the local stack's pumps: a batch with a poison message, and a whole day of one job
(book, assign, reassign, reschedule, dispatch, done) sending exactly the expected messages; "on my
way" comes from tracking, which hears of the dispatch and publishes ``tracking.on_the_way``."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from notify_support import on_the_way_envelope
from test_slice_booking import BODY

from truckroll.contracts.envelope import EventEnvelope
from truckroll.messaging.sqs import OutboundMessage, SqsPublisher
from truckroll.resources import RESOURCES
from truckroll_local.aws import Aws
from truckroll_local.pumps import SqsPump
from truckroll_local.responses import HttpResponse
from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

NOTIFY_EVENTS = next(q for q in RESOURCES.queues if q.name == "notify-events")
TECH_1, TECH_2 = "tech-1@demo", "tech-2@demo"
CUSTOMER = "+*******0123"


def midday_zone() -> timezone:
    """A UTC offset where it is about noon now: the day's messages fall outside quiet hours."""
    return timezone(timedelta(hours=(12 - datetime.now(UTC).hour + 12) % 24 - 12))


class Company:
    """A tenant of its own on the shared stack, with two technicians whose phones are registered."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.tenant = f"n-{uuid.uuid4().hex[:10]}"
        self.office = stack.auth_headers("dispatcher@demo", tenant_id=self.tenant)
        settings = {"sms_from_number": "+15125550100", "company_name": "Cool Air"}
        admin = stack.auth_headers("admin@demo", tenant_id=self.tenant)
        assert stack.request("PUT", "/notify/settings", admin, settings).status == 200
        for technician_id in (TECH_1, TECH_2):
            profile = {"technician_id": technician_id, "name": technician_id.split("@")[0]}
            assert self.call("POST", "/dispatch/technicians", profile).status == 201
            phone = stack.auth_headers(technician_id, tenant_id=self.tenant)
            device = {"platform": "fcm", "token": f"device-token-{technician_id}-{self.tenant}"}
            registered = stack.request("POST", "/notify/devices", phone, device)
            assert registered.status == 201, registered.text

    def call(self, method: str, path: str, body: Any = None) -> HttpResponse:
        return self.stack.request(method, path, self.office, body)

    def book(self, day: date, zone: timezone, phone: str = BODY["customer"]["phone"]) -> dict[str, Any]:
        def at(hour: int) -> str:
            return datetime(day.year, day.month, day.day, hour, tzinfo=zone).isoformat()

        body = {
            **BODY,
            "customer": {**BODY["customer"], "phone": phone},
            "appointment": {
                "start": at(10),
                "end": at(11),
                "arrival_window": {"start": at(9), "end": at(12)},
            },
        }
        booked = self.call("POST", "/booking/jobs", body)
        assert booked.status == 201, booked.text
        job: dict[str, Any] = booked.json()
        return job

    def act(self, job: dict[str, Any], action: str, body: dict[str, Any]) -> None:
        path = (
            f"/dispatch/jobs/{job['job_id']}/appointments/{job['appointments'][0]['appointment_id']}/{action}"
        )
        response = self.call("POST", path, body)
        assert response.status == 200, response.text
        self.stack.drain()

    def deliveries(self, job: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.call("GET", f"/notify/deliveries?job_id={job['job_id']}")
        assert response.status == 200, response.text
        found: list[dict[str, Any]] = response.json()["deliveries"]
        return found


def put_on_notify_queue(envelopes: list[EventEnvelope]) -> None:
    assert SqsPublisher().publish([OutboundMessage(NOTIFY_EVENTS, e) for e in envelopes]) == set()


def test_a_whole_day_sends_exactly_the_expected_messages(local_stack: LocalStack) -> None:
    company = Company(local_stack)
    zone = midday_zone()
    day = datetime.now(zone).date() + timedelta(days=7)
    job = company.book(day, zone)
    local_stack.drain()
    company.act(job, "assign", {"technician_ids": [TECH_1]})
    company.act(job, "reassign", {"from_technician_id": TECH_1, "to_technician_id": TECH_2})
    later = day + timedelta(days=1)

    def at(hour: int) -> str:
        return datetime(later.year, later.month, later.day, hour, tzinfo=zone).isoformat()

    company.act(
        job,
        "reschedule",
        {"start": at(14), "end": at(15), "arrival_window": {"start": at(13), "end": at(16)}},
    )
    company.act(job, "dispatch", {"technician_id": TECH_2})
    company.act(job, "progress", {"action": "arrived", "technician_id": TECH_2})
    company.act(job, "progress", {"action": "done", "technician_id": TECH_2})

    deliveries = company.deliveries(job)
    assert {d["status"] for d in deliveries} == {"sent"}
    assert all(d["provider_message_id"] for d in deliveries)
    assert Counter((d["template"], d["recipient"]) for d in deliveries) == Counter(
        {
            ("booking_confirmation", CUSTOMER): 1,
            ("reschedule_notice", CUSTOMER): 1,
            ("on_my_way", CUSTOMER): 1,
            ("review_request", CUSTOMER): 1,
            ("tech_assigned", TECH_1): 1,
            ("tech_removed", TECH_1): 1,
            ("tech_assigned", TECH_2): 1,
            ("tech_rescheduled", TECH_2): 1,
            ("tech_dispatched", TECH_2): 1,
        }
    )
    appointment_id = job["appointments"][0]["appointment_id"]
    only = company.call("GET", f"/notify/deliveries?job_id={job['job_id']}&appointment_id={appointment_id}")
    assert only.json()["deliveries"] == deliveries
    other = company.call("GET", f"/notify/deliveries?job_id={job['job_id']}&appointment_id=nope")
    assert other.json()["deliveries"] == []
    channels = {d["template"]: d["channel"] for d in deliveries}
    assert (channels["on_my_way"], channels["tech_dispatched"]) == ("sms", "push")


def test_a_batch_of_ten_with_one_poison_message_sends_nine_and_dead_letters_one(
    local_stack: LocalStack,
) -> None:
    company = Company(local_stack)
    zone = midday_zone()
    day = datetime.now(zone).date() + timedelta(days=7)
    jobs = [company.book(day, zone, phone=f"+1512555{2000 + n}") for n in range(9)]
    local_stack.drain()
    pump = next(p for p in local_stack.pumps if isinstance(p, SqsPump) and p.name == "sqs:notify-events")
    records, failed = pump.stats.records, pump.stats.failed
    marker = f"not an envelope {uuid.uuid4()}"

    put_on_notify_queue([on_the_way_envelope(company.tenant, job, TECH_1) for job in jobs])
    sqs = Aws(local_stack.moto.endpoint).sqs()
    tenant = {"tenant_id": {"DataType": "String", "StringValue": company.tenant}}
    sqs.send_message(QueueUrl=pump.queue.url, MessageBody=marker, MessageAttributes=tenant)
    local_stack.drain()

    # One batch of ten; then only the poison message again, until its last receive.
    assert pump.stats.records - records == 10 + NOTIFY_EVENTS.max_receive_count - 1
    assert pump.stats.failed - failed == NOTIFY_EVENTS.max_receive_count
    for job in jobs:
        sent = [d for d in company.deliveries(job) if d["template"] == "on_my_way"]
        assert [d["status"] for d in sent] == ["sent"]
    dlq = sqs.get_queue_url(QueueName=pump.queue.url.rsplit("/", 1)[1] + "-dlq")["QueueUrl"]
    bodies: list[str] = []
    while messages := sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, VisibilityTimeout=30).get(
        "Messages", []
    ):
        bodies.extend(m["Body"] for m in messages)
    assert bodies.count(marker) == 1
    assert not any(job["job_id"] in body for body in bodies for job in jobs)
