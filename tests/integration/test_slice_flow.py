"""The whole slice through moto: a job is booked, its outbox item travels the core table's stream to
the relay, the relay fans it out to the subscribed queues, and dispatch and notify consume it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from slice_support import SliceStack, auth, failed_ids, slice_stack
from test_slice_booking import BODY

pytestmark = pytest.mark.integration

SETTINGS = {
    "sms_from_number": "+15125550100",
    "email_from": "office@coolair.example",
    "company_name": "Cool Air",
}


@pytest.fixture
def stack() -> Iterator[SliceStack]:
    with slice_stack() as s:
        yield s


def book(stack: SliceStack, body: dict[str, Any] = BODY, tenant: str = "t1") -> dict[str, Any]:
    status, job, _ = stack.request("booking", "POST", "/jobs", auth("dispatcher", tenant), body)
    assert status == 201
    return job


def relay(stack: SliceStack) -> None:
    records = stack.stream_records()
    assert records
    assert failed_ids(stack.invoke("booking", "relay_outbox", records)) == []


def configure(stack: SliceStack, settings: dict[str, Any], tenant: str = "t1") -> None:
    status, _, _ = stack.request("notify", "PUT", "/settings", auth("admin", tenant), settings)
    assert status == 200


def deliveries(stack: SliceStack, job_id: str, tenant: str = "t1") -> list[dict[str, Any]]:
    status, body, _ = stack.request(
        "notify", "GET", f"/deliveries?job_id={job_id}", auth("dispatcher", tenant)
    )
    assert status == 200
    result: list[dict[str, Any]] = body["deliveries"]
    return result


def test_a_booked_job_reaches_the_board_and_the_customer(stack: SliceStack) -> None:
    configure(stack, SETTINGS)
    job = book(stack)
    relay(stack)

    to_dispatch, to_notify = stack.receive("dispatch-events"), stack.receive("notify-events")
    assert len(to_dispatch) == len(to_notify) == 1
    envelope = json.loads(to_dispatch[0]["body"])
    assert (envelope["event_type"], envelope["event_version"], envelope["producer"]) == (
        "job.booked",
        1,
        "booking",
    )
    assert to_dispatch[0]["messageAttributes"]["tenant_id"]["stringValue"] == "t1"
    assert to_dispatch[0]["messageAttributes"]["event_type"]["stringValue"] == "job.booked"
    assert failed_ids(stack.invoke("dispatch", "on_event", to_dispatch)) == []
    assert failed_ids(stack.invoke("notify", "on_event", to_notify)) == []

    status, board, _ = stack.request("dispatch", "GET", "/board?date=2026-03-03", auth("dispatcher"))
    assert status == 200
    (entry,) = board["appointments"]
    assert entry["appointment_id"] == job["appointments"][0]["appointment_id"]
    assert (entry["customer"]["name"], entry["job_type"], entry["technicians"]) == (
        "Dana Reyes",
        "AC repair",
        [],
    )
    assert board["trays"]["unassigned"] == [entry["appointment_id"]]
    _, mine, _ = stack.request("dispatch", "GET", "/board?date=2026-03-03", auth("technician", sub="tech-1"))
    assert mine["appointments"] == []
    _, other_tenant, _ = stack.request("dispatch", "GET", "/board?date=2026-03-03", auth("admin", "t2"))
    assert other_tenant["appointments"] == []

    (delivery,) = deliveries(stack, job["job_id"])
    assert delivery["status"] == "sent"
    assert delivery["channel"] == "sms"
    assert delivery["template"] == "booking_confirmation"
    assert delivery["recipient"] == "+*******0123"
    assert delivery["appointment_id"] == entry["appointment_id"]
    assert delivery["event_id"] == envelope["event_id"]
    (sms,) = stack.sms_sent()
    assert sms[0] == "+15125550123"
    assert sms[1].startswith(
        "Cool Air: your AC repair visit is booked for Tue Mar 3, arrival between 8:00 AM-12:00 PM"
    )
    assert deliveries(stack, job["job_id"], tenant="t2") == []


def test_an_event_delivered_three_times_sends_one_text(stack: SliceStack) -> None:
    configure(stack, SETTINGS)
    job = book(stack)
    relay(stack)
    (message,) = stack.receive("notify-events")
    for n in range(3):
        redelivered = {**message, "messageId": f"{message['messageId']}-{n}"}
        assert failed_ids(stack.invoke("notify", "on_event", [redelivered])) == []
    assert len(stack.sms_sent()) == 1
    assert len(deliveries(stack, job["job_id"])) == 1


def test_a_poison_message_fails_alone(stack: SliceStack) -> None:
    configure(stack, SETTINGS)
    book(stack)
    book(stack, {**BODY, "customer": {**BODY["customer"], "phone": "+15125550177"}})
    relay(stack)
    good = stack.receive("notify-events")
    assert len(good) == 2
    envelope = json.loads(good[0]["body"])
    unknown = {**envelope, "event_id": "01JNZZZZZZZZZZZZZZZZZZZZZZ", "event_type": "job.exploded"}
    poison = [
        {**good[0], "messageId": "poison-1", "body": "{not json"},
        {**good[0], "messageId": "poison-2", "body": json.dumps(unknown)},
    ]
    response = stack.invoke("notify", "on_event", [good[0], poison[0], good[1], poison[1]])
    assert failed_ids(response) == ["poison-1", "poison-2"]
    assert len(stack.sms_sent()) == 2


def test_without_an_outbound_number_the_failure_is_visible(stack: SliceStack) -> None:
    job = book(stack)
    relay(stack)
    assert failed_ids(stack.invoke("notify", "on_event", stack.receive("notify-events"))) == []
    (delivery,) = deliveries(stack, job["job_id"])
    assert delivery["status"] == "failed"
    assert "sms_from_number" in delivery["reason"]
    assert stack.sms_sent() == []


def test_a_landline_customer_is_written_to_by_email(stack: SliceStack) -> None:
    import boto3

    boto3.client("ses").verify_email_identity(EmailAddress=SETTINGS["email_from"])
    configure(stack, SETTINGS)
    landline = {
        **BODY,
        "customer": {**BODY["customer"], "phone_type": "landline", "email": "dana@example.com"},
    }
    job = book(stack, landline)
    relay(stack)
    assert failed_ids(stack.invoke("notify", "on_event", stack.receive("notify-events"))) == []
    (delivery,) = deliveries(stack, job["job_id"])
    assert (delivery["channel"], delivery["status"], delivery["recipient"]) == (
        "email",
        "sent",
        "d***@example.com",
    )
    assert stack.sms_sent() == []


def test_notify_settings_are_for_admins_of_the_tenant(stack: SliceStack) -> None:
    status, problem, _ = stack.request("notify", "PUT", "/settings", auth("dispatcher"), SETTINGS)
    assert (status, problem["status"]) == (403, 403)
    status, problem, _ = stack.request(
        "notify", "PUT", "/settings", auth("admin"), {**SETTINGS, "tenant_id": "t2"}
    )
    assert (status, [e["field"] for e in problem["errors"]]) == (422, ["tenant_id"])
    configure(stack, SETTINGS, tenant="t2")
    status, mine, _ = stack.request("notify", "GET", "/settings", auth("admin", "t1"))
    assert (status, mine["sms_from_number"]) == (200, None)
    _, theirs, _ = stack.request("notify", "GET", "/settings", auth("admin", "t2"))
    assert {k: theirs[k] for k in SETTINGS} == SETTINGS
    assert (theirs["reminder_lead_minutes"], theirs["quiet_hours"]) == ([1440, 120], True)


def test_the_board_needs_a_calendar_date(stack: SliceStack) -> None:
    status, problem, _ = stack.request("dispatch", "GET", "/board?date=03/03/2026", auth("dispatcher"))
    assert (status, [e["field"] for e in problem["errors"]]) == (422, ["date"])
