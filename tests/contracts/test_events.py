"""Every published (event type, version) has a golden JSON schema and sample; the producer's output
must keep to them. Changing a golden file is a contract change: additive and optional within a
version, anything else a new version (docs/events.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from dispatch_events import produced

from truckroll.contracts.catalog import CATALOG
from truckroll.contracts.dispatch import (
    APPOINTMENT_EVENTS,
    CREW_EVENTS,
    JOB_EVENTS,
    NON_JOB_EVENTS,
    TECHNICIAN_MESSAGED,
)
from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JobBookedV1
from truckroll.contracts.publish import envelope_for
from truckroll.contracts.tracking import TECHNICIAN_SHIFTS_SET
from truckroll.domain.customers import Address, Customer, Location, Phone, PhoneType
from truckroll.domain.jobs import Job, JobDetails, Visit
from truckroll.domain.windows import TimeWindow

GOLDEN = Path(__file__).parent / "golden"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"
EVENTS = sorted(CATALOG)


def golden(event_type: str, version: int, kind: str) -> Any:
    return json.loads((GOLDEN / f"{event_type}.v{version}.{kind}").read_text())


def shape(value: Any) -> Any:
    """The keys of every object, recursively (values and list lengths ignored)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value and isinstance(value[0], dict) else "list"
    return "value"


@pytest.mark.parametrize(("event_type", "version"), EVENTS)
def test_the_schema_in_code_is_the_golden_one(event_type: str, version: int) -> None:
    assert CATALOG[(event_type, version)].model_json_schema() == golden(event_type, version, "schema.json")


def test_an_event_published_before_appointments_was_added_still_gives_its_visit() -> None:
    data = golden("job.booked", 1, "json")["data"]
    first = JobBookedV1.model_validate(data).visits()
    del data["appointments"]
    assert JobBookedV1.model_validate(data).visits() == first
    assert [v.appointment_id for v in first] == [data["appointment"]["appointment_id"]]


@pytest.mark.parametrize(("event_type", "version"), EVENTS)
def test_the_golden_sample_is_valid(event_type: str, version: int) -> None:
    sample = golden(event_type, version, "json")
    envelope = EventEnvelope.model_validate(sample)
    assert (envelope.event_type, envelope.event_version) == (event_type, version)
    jsonschema.validate(sample["data"], golden(event_type, version, "schema.json"))
    CATALOG[(event_type, version)].model_validate(sample["data"])


@pytest.mark.parametrize(("event_type", "version"), EVENTS)
def test_every_event_is_documented(event_type: str, version: int) -> None:
    assert f"`{event_type}` v{version}" in DOCS.read_text()


def booked(*, with_visit: bool) -> dict[str, Any]:
    local = timezone(timedelta(hours=-5))
    customer = Customer("acme", "c1", "Lee Park", Phone("+13125550111", PhoneType.LANDLINE))
    location = Location("acme", "l1", "c1", Address("1 Elm", "Chicago", "IL", "60601"), verified=False)
    visit = Visit(
        TimeWindow(datetime(2026, 5, 4, 13, tzinfo=local), datetime(2026, 5, 4, 15, tzinfo=local)),
        TimeWindow(datetime(2026, 5, 4, 12, tzinfo=local), datetime(2026, 5, 4, 16, tzinfo=local)),
    )
    job = Job.book(
        customer=customer,
        location=location,
        details=JobDetails(job_type="Drain cleaning", summary="Kitchen sink"),
        visit=visit if with_visit else None,
        now=datetime.now(UTC),
    )
    (event,) = job.pull_events()
    return envelope_for(event, producer="booking").model_dump(mode="json")


@pytest.mark.parametrize("with_visit", [True, False])
def test_what_the_producer_publishes_keeps_to_the_golden_contract(with_visit: bool) -> None:
    produced = booked(with_visit=with_visit)
    sample = golden("job.booked", 1, "json")
    jsonschema.validate(produced["data"], golden("job.booked", 1, "schema.json"))
    if not with_visit:
        assert (produced["data"]["appointment"], produced["data"]["appointments"]) == (None, [])
        sample["data"]["appointment"], sample["data"]["appointments"] = None, []
    else:
        assert produced["data"]["appointments"] == [produced["data"]["appointment"]]
    assert shape(produced) == shape(sample)
    assert produced["data"]["status"] == ("scheduled" if with_visit else "unscheduled")


DISPATCH_EVENTS = sorted(
    [
        *APPOINTMENT_EVENTS.values(),
        *JOB_EVENTS.values(),
        *NON_JOB_EVENTS.values(),
        *CREW_EVENTS.values(),
        TECHNICIAN_MESSAGED,
        TECHNICIAN_SHIFTS_SET,
    ]
)


def test_dispatch_publishes_every_dispatch_event_type() -> None:
    assert sorted(produced()) == DISPATCH_EVENTS


@pytest.mark.parametrize("event_type", DISPATCH_EVENTS)
def test_what_dispatch_publishes_keeps_to_the_golden_contract(event_type: str) -> None:
    envelope = produced()[event_type]
    jsonschema.validate(envelope["data"], golden(event_type, 1, "schema.json"))
    assert shape(envelope) == shape(golden(event_type, 1, "json"))
    assert envelope["producer"] == "dispatch"
