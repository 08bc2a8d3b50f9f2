"""Test data: a booked job, its job.booked envelope, and real-shaped SQS and stream events."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

from fakes import NOW

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.publish import envelope_for
from truckroll.domain.customers import Address, Customer, GeoPoint, Location, Phone, PhoneType
from truckroll.domain.jobs import Job, JobDetails, Priority, Visit
from truckroll.domain.windows import TimeWindow

CENTRAL = timezone(timedelta(hours=-6))
STREAM_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/truckroll-test-core/stream/2026-03-02T00:00:00"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=CENTRAL)


def visit(day: int = 3, start: int = 9, end: int = 11, window: tuple[int, int] = (8, 12)) -> Visit:
    return Visit(
        scheduled=TimeWindow(at(day, start), at(day, end)),
        arrival_window=TimeWindow(at(day, window[0]), at(day, window[1])),
    )


def customer(
    tenant: str = "t1", phone_type: PhoneType = PhoneType.MOBILE, email: str | None = None
) -> Customer:
    return Customer(
        tenant_id=tenant,
        customer_id="c1",
        name="Dana Reyes",
        phone=Phone("+15125550123", phone_type),
        email=email,
    )


def location(tenant: str = "t1", tags: tuple[str, ...] = ("dog", "gate-code")) -> Location:
    return Location(
        tenant_id=tenant,
        location_id="l1",
        customer_id="c1",
        address=Address("12 Oak St", "Austin", "TX", "78701"),
        verified=True,
        point=GeoPoint(30.27, -97.74),
        tags=tags,
    )


def details(tags: tuple[str, ...] = ("gate-code", "warranty")) -> JobDetails:
    return JobDetails(
        job_type="AC repair",
        summary="No cooling upstairs",
        priority=Priority.HIGH,
        business_unit="HVAC",
        tags=tags,
    )


def book(
    tenant: str = "t1",
    *,
    with_visit: bool = True,
    phone_type: PhoneType = PhoneType.MOBILE,
    email: str | None = None,
) -> Job:
    return Job.book(
        customer=customer(tenant, phone_type, email),
        location=location(tenant),
        details=details(),
        visit=visit() if with_visit else None,
        now=NOW,
    )


def booked_envelope(tenant: str = "t1", **kwargs: Any) -> EventEnvelope:
    job = book(tenant, **kwargs)
    (event,) = job.pull_events()
    return envelope_for(event, producer="booking")


def sqs_record(body: str, message_id: str, tenant_id: str | None = None) -> dict[str, Any]:
    attributes = {}
    if tenant_id is not None:
        attributes["tenant_id"] = {"stringValue": tenant_id, "dataType": "String"}
    return {
        "messageId": message_id,
        "receiptHandle": f"handle-{message_id}",
        "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1772470800000"},
        "messageAttributes": attributes,
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:truckroll-test-events",
        "awsRegion": "us-east-1",
    }


def sqs_event(*envelopes: EventEnvelope | str) -> dict[str, Any]:
    records = []
    for n, item in enumerate(envelopes):
        if isinstance(item, EventEnvelope):
            records.append(sqs_record(item.model_dump_json(), f"m-{n}", item.tenant_id))
        else:
            records.append(sqs_record(item, f"m-{n}"))
    return {"Records": records}


def stream_record(new_image: dict[str, Any], sequence: str, event_name: str = "INSERT") -> dict[str, Any]:
    return {
        "eventID": f"e-{sequence}",
        "eventName": event_name,
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "eventSourceARN": STREAM_ARN,
        "dynamodb": {
            "ApproximateCreationDateTime": 1772470800,
            "Keys": {"pk": new_image["pk"], "sk": new_image["sk"]},
            "NewImage": new_image,
            "SequenceNumber": sequence,
            "SizeBytes": len(json.dumps(new_image)),
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
    }


def outbox_image(envelope: EventEnvelope) -> dict[str, Any]:
    return {
        "pk": {"S": f"T#{envelope.tenant_id}#OUTBOX#{envelope.event_id}"},
        "sk": {"S": "OUTBOX"},
        "kind": {"S": "outbox"},
        "tenant_id": {"S": envelope.tenant_id},
        "event_id": {"S": envelope.event_id},
        "event_type": {"S": envelope.event_type},
        "producer": {"S": envelope.producer},
        "envelope": {"S": envelope.model_dump_json()},
        "expires_at": {"N": "1773075600"},
    }
