"""Reading positions: every technician's latest one (with device health) and one technician's track."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.tracking.ports import Tracking

from truckroll.auth import Principal
from truckroll.domain.tracking import Fix, Position, TrackingSettings
from truckroll.domain.windows import TimeWindow
from truckroll.errors import FieldError, Forbidden, RuleViolation, ValidationFailed

MAX_TRACK_SPAN = timedelta(days=7)


@dataclass(frozen=True)
class Positions:
    """Every technician's latest position, read at ``now``."""

    positions: list[Position]
    now: datetime
    settings: TrackingSettings


def latest_positions(principal: Principal, tracking: Tracking) -> Positions:
    principal.require_office()
    now = tracking.clock()
    settings = tracking.settings.get(principal.tenant_id)
    positions = sorted(tracking.fixes.positions(principal.tenant_id, now), key=lambda p: p.fix.technician_id)
    return Positions(positions, now, settings)


def parse_instant(name: str, value: str | None) -> datetime:
    try:
        parsed = datetime.fromisoformat(value or "")
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ValidationFailed([FieldError(name, "expected an ISO-8601 instant with a UTC offset")])
    return parsed


def track(
    technician_id: str, start: datetime, end: datetime, principal: Principal, tracking: Tracking
) -> list[Fix]:
    """The fixes of ``technician_id`` from ``start`` to ``end``: the office's, or a technician's own."""
    if not principal.is_office and principal.sub != technician_id:
        raise Forbidden("a technician may read only their own track")
    if end <= start:
        raise RuleViolation("to must be after from", field="to")
    if end - start > MAX_TRACK_SPAN:
        raise RuleViolation("a track spans at most 7 days", field="to")
    return tracking.fixes.track(principal.tenant_id, technician_id, TimeWindow(start, end), tracking.clock())


def fix_view(fix: Fix) -> dict[str, Any]:
    return {
        "recorded_at": fix.recorded_at.isoformat(),
        "lat": fix.lat,
        "lon": fix.lon,
        "accuracy_m": fix.accuracy_m,
        "speed_mps": fix.speed_mps,
        "heading_deg": fix.heading_deg,
    }


def positions_view(read: Positions) -> dict[str, Any]:
    return {
        "as_of": read.now.isoformat(),
        "silent_after_minutes": read.settings.silent_after_minutes,
        "positions": [
            {
                "technician_id": p.fix.technician_id,
                **fix_view(p.fix),
                "received_at": p.received_at.isoformat(),
                "silent_for_seconds": int(p.silent_for(read.now).total_seconds()),
                "silent": p.is_silent(read.now, read.settings),
            }
            for p in read.positions
        ],
    }
