"""Ingesting batches of GPS fixes from technicians' phones and vehicle trackers.

Each fix is judged on its own: a batch keeps every valid fix and names each refused one by its index
and why. The batch's shape (an object with a list of 1 to 500 fixes) is checked first; a batch of
the wrong shape is refused whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Annotated, Any

from chalicelib.tracking import progress
from chalicelib.tracking.ports import Tracking
from chalicelib.tracking.schemas import Identifier
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from truckroll.auth import Principal, Role
from truckroll.domain.tracking import (
    MAX_BATCH,
    OFF_SHIFT,
    DeviceKey,
    Fix,
    on_shift,
    time_problem,
    unique,
)
from truckroll.errors import FieldError, Forbidden, Unauthorized
from truckroll.web.requests import validation_failed

Number = Annotated[float, Field(strict=True)]
NO_DRIVER = "no driver is assigned to this vehicle on that day"


class FixIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    recorded_at: AwareDatetime
    lat: Annotated[Number, Field(ge=-90, le=90)]
    lon: Annotated[Number, Field(ge=-180, le=180)]
    accuracy_m: Annotated[Number, Field(gt=0, le=5000, description="radius of 68% confidence")]
    speed_mps: Annotated[Number, Field(ge=0, le=90)] | None = None
    heading_deg: Annotated[Number, Field(ge=0, lt=360)] | None = None


class BatchIn(BaseModel):
    """The batch's shape; each fix is validated on its own afterwards."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    fixes: list[Any] = Field(min_length=1, max_length=MAX_BATCH)


class TechnicianBatchIn(BatchIn):
    technician_id: Identifier | None = None


_FIX = TypeAdapter(FixIn)


@dataclass(frozen=True)
class Rejected:
    index: int
    errors: list[FieldError]


@dataclass
class IngestResult:
    received: int
    stored: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def reject(self, index: int, *errors: FieldError) -> None:
        self.rejected.append(Rejected(index, list(errors)))


def _parse(index: int, raw: Any, result: IngestResult) -> FixIn | None:
    try:
        return _FIX.validate_python(raw)
    except ValidationError as error:
        result.reject(index, *validation_failed(error).errors)
        return None


def ingest(
    tenant_id: str,
    raw_fixes: list[Any],
    technician_at: Callable[[datetime], str | None],
    tracking: Tracking,
) -> IngestResult:
    """Keep every valid fix taken on shift; ``technician_at`` names whose fix one taken then is."""
    now = tracking.clock()
    settings = tracking.settings.get(tenant_id)
    result = IngestResult(received=len(raw_fixes))
    candidates: dict[str, list[tuple[int, Fix]]] = {}
    for index, raw in enumerate(raw_fixes):
        parsed = _parse(index, raw, result)
        if parsed is None:
            continue
        problem = time_problem(parsed.recorded_at, now, settings)
        technician_id = technician_at(parsed.recorded_at) if problem is None else None
        if problem is not None or technician_id is None:
            result.reject(index, FieldError("recorded_at", problem or NO_DRIVER))
            continue
        fix = Fix(technician_id=technician_id, **parsed.model_dump())
        candidates.setdefault(technician_id, []).append((index, fix))
    for technician_id, indexed in candidates.items():
        days = [fix.day for _, fix in indexed]
        shifts = tracking.shifts.around(
            tenant_id, technician_id, min(days) - timedelta(days=1), max(days) + timedelta(days=1)
        )
        kept: list[Fix] = []
        for index, fix in indexed:
            if on_shift(shifts, fix.instant):
                kept.append(fix)
            else:
                result.reject(index, FieldError("recorded_at", OFF_SHIFT))
        progress.record(tenant_id, unique(kept), settings, tracking)
        result.stored += len(kept)
    result.rejected.sort(key=lambda r: r.index)
    return result


def ingest_own(body: TechnicianBatchIn, principal: Principal, tracking: Tracking) -> IngestResult:
    """A technician's phone posts its own fixes, and only its own."""
    if principal.role not in (Role.TECHNICIAN, Role.BOTH):
        raise Forbidden("only a technician posts fixes, their own")
    if body.technician_id not in (None, principal.sub):
        raise Forbidden("a technician may post only their own fixes")
    return ingest(principal.tenant_id, body.fixes, lambda _: principal.sub, tracking)


def ingest_from_device(body: BatchIn, device_key: str | None, tracking: Tracking) -> IngestResult:
    """A vehicle tracker posts fixes; each is the fix of the vehicle's driver on its local day."""
    key = DeviceKey.parse(device_key or "")
    device = tracking.devices.by_key(key.tenant_id, key.hash) if key is not None else None
    if device is None:
        raise Unauthorized("a valid X-Device-Key header is required")
    drivers: dict[date, str | None] = {}

    def driver_at(recorded_at: datetime) -> str | None:
        day = recorded_at.date()
        if day not in drivers:
            drivers[day] = tracking.devices.driver(device.tenant_id, device.vehicle_id, day)
        return drivers[day]

    return ingest(device.tenant_id, body.fixes, driver_at, tracking)


def result_view(result: IngestResult) -> dict[str, Any]:
    return {
        "received": result.received,
        "stored": result.stored,
        "rejected": [
            {"index": r.index, "errors": [{"field": e.field, "message": e.message} for e in r.errors]}
            for r in result.rejected
        ],
    }
