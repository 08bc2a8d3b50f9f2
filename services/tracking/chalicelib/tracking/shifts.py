"""Keeping tracking's shift projection from ``technician.shifts_set`` events."""

from __future__ import annotations

from chalicelib.tracking.ports import ProgressStore, ShiftRepository

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.tracking import TechnicianShiftsSetV1
from truckroll.domain.windows import TimeWindow


def project_shifts(
    envelope: EventEnvelope, event: TechnicianShiftsSetV1, shifts: ShiftRepository, progress: ProgressStore
) -> None:
    """Replace the technician's shifts of that day, unless a later event about it was already kept.
    A tenant with shifts is one the silence sweeper visits (a technician may never send a fix)."""
    if event.shifts:
        progress.register_tenant(envelope.tenant_id)
    shifts.put(
        envelope.tenant_id,
        event.technician_id,
        event.day,
        [TimeWindow(s.start, s.end) for s in event.shifts],
        envelope.occurred_at,
    )
