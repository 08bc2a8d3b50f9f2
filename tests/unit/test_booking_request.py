"""The booking request body: strict, unknown fields refused, every broken rule names its field."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from chalicelib.booking.schemas import BookJobRequest
from pydantic import ValidationError

from truckroll.domain.jobs import JobSource, Priority
from truckroll.errors import ValidationFailed
from truckroll.web.requests import validation_failed

BODY: dict[str, Any] = {
    "customer": {
        "name": "Dana Reyes",
        "phone": "+15125550123",
        "phone_type": "mobile",
        "email": "dana@example.com",
    },
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


def body(**changes: Any) -> dict[str, Any]:
    """BODY with ``section__field=value`` changes (value ``...`` deletes the field)."""
    data = copy.deepcopy(BODY)
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        target = data
        for key in parents:
            target = target[key]
        if value is ...:
            del target[leaf]
        else:
            target[leaf] = value
    return data


def fields_of(data: dict[str, Any]) -> list[str]:
    try:
        BookJobRequest.model_validate(data).to_command()
    except ValidationError as error:
        return [e.field for e in validation_failed(error).errors]
    except ValidationFailed as failed:
        return [e.field for e in failed.errors]
    return []


def test_a_full_body_becomes_a_command() -> None:
    command = BookJobRequest.model_validate(BODY).to_command()
    assert command.details.priority is Priority.HIGH
    assert command.details.source is JobSource.OFFICE_CALL
    assert command.location.point is not None
    assert command.visit is not None
    assert command.visit.scheduled.start.utcoffset() is not None


def test_only_the_required_fields() -> None:
    minimal = body(
        appointment=..., customer__email=..., location__lat=..., location__lon=..., job__priority=...
    )
    command = BookJobRequest.model_validate(minimal).to_command()
    assert command.visit is None
    assert command.details.priority is Priority.NORMAL


@pytest.mark.parametrize("smuggled", ["tenant_id", "status", "role"])
def test_fields_the_caller_may_not_set_are_refused(smuggled: str) -> None:
    assert fields_of(body(**{smuggled: "x"})) == [smuggled]
    assert fields_of(body(**{f"job__{smuggled}": "x"})) == [f"job.{smuggled}"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer__phone": "512-555-0123"}, "customer.phone"),
        ({"customer__phone_type": "fax"}, "customer.phone_type"),
        ({"customer__email": "not-an-email"}, "customer.email"),
        ({"customer__name": "  "}, "customer.name"),
        ({"location__verified": "yes"}, "location.verified"),
        ({"location__lat": 91}, "location.lat"),
        ({"location__lon": ...}, "location.lon"),
        ({"job__priority": "asap"}, "job.priority"),
        ({"job__job_type": ...}, "job.job_type"),
        ({"job__tags": "dog"}, "job.tags"),
        ({"appointment__start": "2026-03-03T09:00:00"}, "appointment.start"),
        ({"appointment__start": 1772550000}, "appointment.start"),
        ({"appointment__end": "2026-03-03T08:30:00-06:00"}, "appointment.end"),
        (
            {
                "appointment__start": "2026-03-03T13:00:00-06:00",
                "appointment__end": "2026-03-03T14:00:00-06:00",
            },
            "appointment.start",
        ),
        ({"appointment__arrival_window__end": "2026-03-03T07:00:00-06:00"}, "appointment.arrival_window.end"),
    ],
)
def test_each_broken_rule_names_its_field(changes: dict[str, Any], field: str) -> None:
    assert fields_of(body(**changes)) == [field]
