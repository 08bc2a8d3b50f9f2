"""``technician.shifts_set`` v1, the event tracking consumes: the model keeps to its golden schema
and sample, and the projection replaces the technician's shifts of the day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import jsonschema
from chalicelib.tracking.shifts import project_shifts
from test_tracking_ingest import MemoryFixes, MemoryProgress, MemoryShifts

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.tracking import TECHNICIAN_SHIFTS_SET, TechnicianShiftsSetV1

GOLDEN = Path(__file__).resolve().parents[1] / "contracts" / "golden"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def golden(kind: str) -> Any:
    return json.loads((GOLDEN / f"{TECHNICIAN_SHIFTS_SET}.v1.{kind}").read_text())


def test_the_schema_in_code_is_the_golden_one() -> None:
    assert TechnicianShiftsSetV1.model_json_schema() == golden("schema.json")


def test_the_golden_sample_is_valid_and_documented() -> None:
    sample = golden("json")
    envelope = EventEnvelope.model_validate(sample)
    assert (envelope.event_type, envelope.event_version) == (TECHNICIAN_SHIFTS_SET, 1)
    jsonschema.validate(sample["data"], golden("schema.json"))
    TechnicianShiftsSetV1.model_validate(sample["data"])
    assert f"`{TECHNICIAN_SHIFTS_SET}` v1" in DOCS.read_text()


def test_the_projection_replaces_the_technicians_day() -> None:
    sample = golden("json")
    envelope = EventEnvelope.model_validate(sample)
    shifts, progress = MemoryShifts(), MemoryProgress(MemoryFixes())
    project_shifts(envelope, TechnicianShiftsSetV1.model_validate(sample["data"]), shifts, progress)
    assert progress.tracked == {"acme"}  # the silence sweeper visits the tenant from now on
    kept = shifts.around("acme", "tech-1@acme", date(2026, 5, 4), date(2026, 5, 4))
    assert [(s.start.astimezone(UTC), s.end.astimezone(UTC)) for s in kept] == [
        (datetime(2026, 5, 4, 12, tzinfo=UTC), datetime(2026, 5, 4, 17, tzinfo=UTC)),
        (datetime(2026, 5, 4, 18, tzinfo=UTC), datetime(2026, 5, 4, 22, tzinfo=UTC)),
    ]
