"""Notify against moto, in process: "on my way" sent once however often its event arrives, STOP and
START by text (signed SNS deliveries), the webhook's refusals, templates and settings."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from chalice.local import LambdaContext
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.core import DEFAULT_ACCOUNT_ID
from notify_support import SnsCertificateHost, on_the_way_envelope, sns_reply
from slice_support import REGION, STAGE, SliceStack, auth, failed_ids, slice_stack
from test_slice_booking import BODY
from test_slice_flow import SETTINGS, book, configure, deliveries, relay

from truckroll.contracts.envelope import EventEnvelope
from truckroll.messaging.sqs import OutboundMessage, SqsPublisher
from truckroll.resources import RESOURCES, physical_name
from truckroll_local.ticker import scheduled_event

pytestmark = pytest.mark.integration

TOPIC_ARN = f"arn:aws:sns:{REGION}:{DEFAULT_ACCOUNT_ID}:{physical_name(STAGE, 'inbound-sms')}"
CUSTOMER, TENANT_NUMBER = BODY["customer"]["phone"], SETTINGS["sms_from_number"]
NOTIFY_EVENTS = next(q for q in RESOURCES.queues if q.name == "notify-events")


@pytest.fixture
def stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SliceStack]:
    with slice_stack() as s:
        monkeypatch.setenv("INBOUND_SMS_TOPIC_ARN", TOPIC_ARN)
        module = s.apps["notify"]
        wired = module.bootstrap(sns_endpoint=SnsCertificateHost())
        monkeypatch.setattr(module, "service", lambda: wired)
        yield s


def booked(stack: SliceStack) -> dict[str, Any]:
    """A job booked for the customer, its confirmation handled by notify."""
    job = book(stack)
    relay(stack)
    assert failed_ids(stack.invoke("notify", "on_event", stack.receive("notify-events"))) == []
    stack.receive("dispatch-events")
    return job


def deliver(stack: SliceStack, envelope: EventEnvelope) -> None:
    assert SqsPublisher(boto3.client("sqs")).publish([OutboundMessage(NOTIFY_EVENTS, envelope)]) == set()
    assert failed_ids(stack.invoke("notify", "on_event", stack.receive("notify-events"))) == []


def reply(stack: SliceStack, text: str, **changes: Any) -> tuple[int, Any]:
    body = {**sns_reply(TOPIC_ARN, sender=CUSTOMER, to=TENANT_NUMBER, text=text), **changes}
    status, answer, _ = stack.request(
        "notify", "POST", "/sms/inbound", {"Content-Type": "application/json"}, body
    )
    return status, answer


def texts(stack: SliceStack) -> list[str]:
    return [text for to, text in stack.sms_sent() if to == CUSTOMER]


def test_on_my_way_arriving_three_times_is_texted_once_with_eta_and_link(stack: SliceStack) -> None:
    configure(stack, SETTINGS)
    job = booked(stack)
    envelope = on_the_way_envelope("t1", job, "tech-1")
    for _ in range(3):
        deliver(stack, envelope)
    confirmation, on_my_way = texts(stack)
    assert confirmation.startswith("Cool Air: your AC repair visit is booked")
    assert on_my_way == (
        f"Cool Air: Maria is on the way, arriving around 8:40 AM. Follow along: {envelope.data['link_url']}"
        " Reply STOP to opt out."
    )
    templates = [(d["template"], d["status"]) for d in deliveries(stack, job["job_id"])]
    assert sorted(templates) == [("booking_confirmation", "sent"), ("on_my_way", "sent")]


def test_a_second_technician_dispatched_to_the_same_visit_sends_no_second_notice(stack: SliceStack) -> None:
    configure(stack, SETTINGS)
    job = booked(stack)
    deliver(stack, on_the_way_envelope("t1", job, "tech-1"))
    deliver(stack, on_the_way_envelope("t1", job, "tech-2", first_name="Sam"))
    assert len(texts(stack)) == 2
    configure(stack, {**SETTINGS, "one_dispatch_notice_per_job": False})
    deliver(stack, on_the_way_envelope("t1", job, "tech-3", first_name="Lee"))
    assert "Lee is on the way" in texts(stack)[-1]


def test_stop_holds_back_every_text_until_start(stack: SliceStack) -> None:
    configure(stack, SETTINGS)
    first, second = booked(stack), booked(stack)
    assert reply(stack, " stop ") == (200, {"outcome": "opted_out"})
    deliver(stack, on_the_way_envelope("t1", first, "tech-1"))
    assert len(texts(stack)) == 2  # the two confirmations, sent before STOP
    held = next(d for d in deliveries(stack, first["job_id"]) if d["template"] == "on_my_way")
    assert (held["status"], held["recipient"]) == ("suppressed", "+*******0123")
    assert "STOP" in held["reason"]

    assert reply(stack, "START") == (200, {"outcome": "opted_in"})
    deliver(stack, on_the_way_envelope("t1", second, "tech-1"))
    assert len(texts(stack)) == 3
    assert "is on the way" in texts(stack)[-1]


@pytest.mark.parametrize(
    "keyword", ["STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT-OUT", "REMOVE", "ARRET"]
)
def test_every_opt_out_keyword_opts_out_and_unstop_opts_back_in(stack: SliceStack, keyword: str) -> None:
    configure(stack, SETTINGS)
    assert reply(stack, keyword.lower()) == (200, {"outcome": "opted_out"})
    assert reply(stack, "Unstop") == (200, {"outcome": "opted_in"})
    assert reply(stack, "Can you come earlier?") == (200, {"outcome": "ignored"})


def test_replies_that_sns_did_not_sign_for_our_topic_are_refused(stack: SliceStack) -> None:
    configure(stack, SETTINGS)
    forged_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = sns_reply(TOPIC_ARN, sender=CUSTOMER, to=TENANT_NUMBER, text="STOP", key=forged_key)
    status, problem, headers = stack.request("notify", "POST", "/sms/inbound", {}, forged)
    assert (status, headers["Content-Type"]) == (401, "application/problem+json")
    assert "signature" in problem["detail"]
    other_topic = TOPIC_ARN.replace(DEFAULT_ACCOUNT_ID, "999999999999")
    assert reply(stack, "STOP", TopicArn=other_topic)[0] == 401  # signed fields changed: refused either way
    old = sns_reply(
        TOPIC_ARN, sender=CUSTOMER, to=TENANT_NUMBER, text="STOP", at=datetime.now(UTC) - timedelta(hours=2)
    )
    assert stack.request("notify", "POST", "/sms/inbound", {}, old)[0] == 401
    assert reply(stack, "STOP", SigningCertURL="https://evil.example.com/cert.pem")[0] == 401
    assert reply(stack, "STOP", SigningCertURL="https://sns.us-east-1.amazonaws.com/gone.pem")[0] == 401
    status, problem, _ = stack.request("notify", "POST", "/sms/inbound", {}, "{nope")
    assert (status, problem["title"]) == (400, "Malformed request body")
    status, problem, _ = stack.request("notify", "POST", "/sms/inbound", {}, {"Type": "Notification"})
    assert status == 422
    assert "MessageId" in [e["field"] for e in problem["errors"]]


def test_a_reply_to_a_number_no_tenant_uses_is_not_found(stack: SliceStack) -> None:
    status, problem = reply(stack, "STOP")
    assert (status, problem["detail"]) == (404, f"no company texts from {TENANT_NUMBER}")


def test_templates_are_checked_when_saved_and_previewed_with_sample_values(stack: SliceStack) -> None:
    admin = auth("admin")
    status, problem, _ = stack.request(
        "notify",
        "PUT",
        "/templates/reminder",
        admin,
        {"text": "Hi {customer_name}, {tech_nmae} comes {when}"},
    )
    assert status == 422
    assert problem["errors"][0]["field"] == "text"
    assert "tech_nmae, when" in problem["errors"][0]["message"]
    text = "{company}: see you {date} between {window}, {customer_name}."
    status, saved, _ = stack.request("notify", "PUT", "/templates/reminder", admin, {"text": text})
    assert (status, saved) == (200, {"template": "reminder", "text": text, "audience": "customer"})
    status, shown, _ = stack.request("notify", "POST", "/templates/reminder/preview", auth("dispatcher"), {})
    assert status == 200
    assert (
        shown["text"]
        == "Cool Air: see you Tue Mar 3 between 8:00 AM-12:00 PM, Dana Reyes. Reply STOP to opt out."
    )
    status, listed, _ = stack.request("notify", "GET", "/templates", auth("dispatcher"))
    assert {t["template"]: t["text"] for t in listed["templates"]}["reminder"] == text
    assert stack.request("notify", "PUT", "/templates/nonsense", admin, {"text": "x"})[0] == 404
    assert stack.request("notify", "PUT", "/templates/reminder", auth("dispatcher"), {"text": "x"})[0] == 403
    _, theirs, _ = stack.request("notify", "GET", "/templates", auth("admin", "t2"))
    assert {t["template"]: t["text"] for t in theirs["templates"]}["reminder"] != text


def test_a_stop_holds_for_every_tenant_texting_from_the_number_and_a_changed_number_is_let_go(
    stack: SliceStack,
) -> None:
    configure(stack, SETTINGS)
    configure(stack, SETTINGS, tenant="t2")
    assert reply(stack, "STOP") == (200, {"outcome": "opted_out"})
    job = book(stack, tenant="t2")
    relay(stack)
    assert failed_ids(stack.invoke("notify", "on_event", stack.receive("notify-events"))) == []
    (held,) = deliveries(stack, job["job_id"], tenant="t2")
    assert held["status"] == "suppressed"
    configure(stack, {**SETTINGS, "sms_from_number": "+15125550111"})
    configure(stack, {**SETTINGS, "sms_from_number": "+15125550111"}, tenant="t2")
    assert reply(stack, "START")[0] == 404


def test_failed_deliveries_show_in_the_tenants_notification_health(stack: SliceStack) -> None:
    job = booked(stack)  # no settings: no outbound number
    status, health, _ = stack.request("notify", "GET", "/delivery-health", auth("dispatcher"))
    assert status == 200
    assert health["ok"] is False
    (reason,) = health["failed_reasons"]
    assert reason["count"] == 1
    assert "sms_from_number" in reason["reason"]
    assert health["recent_failures"][0]["job_id"] == job["job_id"]
    _, theirs, _ = stack.request("notify", "GET", "/delivery-health", auth("dispatcher", "t2"))
    assert theirs == {"ok": True, "failed_reasons": [], "recent_failures": []}
    assert stack.request("notify", "GET", "/delivery-health", auth("technician"))[0] == 403
    assert json.dumps(health).count("+15125550123") == 0
    configure(stack, SETTINGS)
    booked(stack)  # sent: its claim leaves the index
    _, later, _ = stack.request("notify", "GET", "/delivery-health", auth("dispatcher"))
    assert later["failed_reasons"] == health["failed_reasons"]


def test_the_sweeper_sends_a_due_reminder_once_after_quiet_hours(
    stack: SliceStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [datetime(2026, 3, 2, 15, 0, tzinfo=UTC)]  # 9:00 the day before, customer time (UTC-6)
    module = stack.apps["notify"]
    wired = module.bootstrap(clock=lambda: now[0], sns_endpoint=SnsCertificateHost())
    monkeypatch.setattr(module, "service", lambda: wired)
    configure(stack, SETTINGS)
    booked(stack)  # window 8:00-12:00 on Mar 3: the 24-hour reminder is past, the 2-hour one is at 6:00

    def sweep(at: datetime) -> int:
        now[0] = at
        event = scheduled_event("arn:aws:events:us-east-1:123456789012:rule/sweep", at.timestamp())
        context = LambdaContext(
            function_name="notify-send_due_messages", memory_size=512, max_runtime_ms=30_000
        )
        handled: int = module.send_due_messages(event, context)["handled"]
        return handled

    assert sweep(datetime(2026, 3, 3, 11, 59, tzinfo=UTC)) == 0
    assert sweep(datetime(2026, 3, 3, 12, 0, 30, tzinfo=UTC)) == 1  # 6:00 for the customer: deferred
    assert len(texts(stack)) == 1
    assert sweep(datetime(2026, 3, 3, 13, 59, tzinfo=UTC)) == 0
    assert sweep(datetime(2026, 3, 3, 14, 0, 30, tzinfo=UTC)) == 1  # 8:00: sent
    assert sweep(datetime(2026, 3, 3, 14, 1, 30, tzinfo=UTC)) == 0
    reminder = texts(stack)[-1]
    assert reminder.startswith(
        "Cool Air: reminder of your AC repair visit on Tue Mar 3, arrival between 8:00 AM"
    )
    assert len(texts(stack)) == 2


def test_rescheduling_moves_the_reminders_and_sends_a_reschedule_notice(
    stack: SliceStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = [datetime(2026, 3, 2, 15, 0, tzinfo=UTC)]
    module = stack.apps["notify"]
    wired = module.bootstrap(clock=lambda: now[0], sns_endpoint=SnsCertificateHost())
    monkeypatch.setattr(module, "service", lambda: wired)
    configure(stack, SETTINGS)
    job = booked(stack)
    appointment = job["appointments"][0]["appointment_id"]
    moved = {
        "start": "2026-03-05T14:00:00-06:00",
        "end": "2026-03-05T15:00:00-06:00",
        "arrival_window": {"start": "2026-03-05T13:00:00-06:00", "end": "2026-03-05T16:00:00-06:00"},
    }
    path = f"/jobs/{job['job_id']}/appointments/{appointment}/reschedule"
    status, _, _ = stack.request("dispatch", "POST", path, auth("dispatcher"), moved)
    assert status == 200
    assert failed_ids(stack.invoke("dispatch", "relay_outbox", stack.stream_records())) == []
    assert failed_ids(stack.invoke("notify", "on_event", stack.receive("notify-events"))) == []
    assert texts(stack)[-1].startswith(
        "Cool Air: your AC repair visit has moved to Thu Mar 5, arrival between 1:00 PM"
    )

    now[0] = datetime(2026, 3, 3, 14, 0, 30, tzinfo=UTC)  # when the old reminder would have gone
    assert wired.notify.due.due(now[0]) == []
    now[0] = datetime(2026, 3, 4, 19, 0, 30, tzinfo=UTC)  # 24 hours before the new window
    (due,) = wired.notify.due.due(now[0])
    assert due.due == datetime(2026, 3, 4, 19, 0, tzinfo=UTC)
