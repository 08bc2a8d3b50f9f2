"""The measures the product reports for a date range: the visits they read (kept from
``appointment.*`` events) and the office's GET of them."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from chalicelib.tracking.ports import AppointmentProjection, KpiRepository

from truckroll.auth import Principal
from truckroll.contracts.dispatch import APPOINTMENT_EVENTS, AppointmentChangeV1
from truckroll.contracts.envelope import EventEnvelope
from truckroll.domain.events import AppointmentChange
from truckroll.domain.status import TechStatus
from truckroll.domain.tracking_kpis import Kpis, kpis
from truckroll.errors import RuleViolation

MAX_RANGE_DAYS = 92
AUTO_DISPATCH = ("system", "auto_dispatch")  # the actor of automatic assignments
ASSIGNING = {APPOINTMENT_EVENTS[AppointmentChange.ASSIGNED], APPOINTMENT_EVENTS[AppointmentChange.REASSIGNED]}
DELETED = APPOINTMENT_EVENTS[AppointmentChange.DELETED]
STATUS_CHANGED = APPOINTMENT_EVENTS[AppointmentChange.STATUS_CHANGED]


def project_visits(
    envelope: EventEnvelope,
    event: AppointmentChangeV1,
    appointments: AppointmentProjection,
    measures: KpiRepository,
) -> None:
    """Keep each technician's visit: at the appointment's latest window, arrived when their status
    became working, done when done, assigned automatically when auto dispatch added them. Removed
    technicians and deleted appointments leave the measures."""
    tenant_id = envelope.tenant_id
    appointment = appointments.get(tenant_id, event.appointment.appointment_id)
    if appointment is None:
        return
    gone = list(event.removed_technician_ids)
    if envelope.event_type == DELETED:
        gone += [t.technician_id for t in event.appointment.technicians]
    for technician_id in gone:
        measures.drop_visit(tenant_id, appointment.appointment_id, technician_id)
    if envelope.event_type == DELETED:
        return
    auto = (event.actor.id, event.actor.role) == AUTO_DISPATCH
    added = set(event.added_technician_ids) if envelope.event_type in ASSIGNING else set()
    progressed = event.technician_id if envelope.event_type == STATUS_CHANGED else None
    for technician in event.appointment.technicians:
        mine = technician.technician_id == progressed
        measures.visit(
            appointment,
            technician.technician_id,
            arrived_at=event.at if mine and technician.status == TechStatus.WORKING else None,
            done_at=event.at if mine and technician.status == TechStatus.DONE else None,
            auto_assigned=auto if technician.technician_id in added else None,
        )


def measure(first: date, last: date, principal: Principal, measures: KpiRepository) -> Kpis:
    """The tenant's measures over the local days from ``first`` to ``last`` (at most 92 days)."""
    principal.require_office()
    if last < first:
        raise RuleViolation("to must not be before from", field="to")
    if last - first >= timedelta(days=MAX_RANGE_DAYS):
        raise RuleViolation(f"a range spans at most {MAX_RANGE_DAYS} days", field="to")
    measured = measures.measured(principal.tenant_id, first, last)
    visits = [
        replace(
            v,
            link_sent=v.appointment_id in measured.link_opens,
            link_opened=measured.link_opens.get(v.appointment_id, 0) > 0,
        )
        for v in measured.visits
    ]
    return kpis(visits, measured.shifts)


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


def kpis_view(first: date, last: date, measured: Kpis) -> dict[str, Any]:
    drive = measured.average_drive_time
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "average_drive_minutes": round(drive.total_seconds() / 60, 1) if drive is not None else None,
        "on_time_arrival_rate": _round(measured.on_time_arrival_rate),
        "link_open_rate": _round(measured.link_open_rate),
        "auto_assigned_share": _round(measured.auto_assigned_share),
        "utilization": [
            {
                "technician_id": technician_id,
                "working_minutes": int(u.working.total_seconds() // 60),
                "shift_minutes": int(u.shift.total_seconds() // 60),
                "rate": _round(u.rate),
                "overtime_minutes": int(u.overtime.total_seconds() // 60),
                "overtime": u.overtime_flagged,
            }
            for technician_id, u in sorted(measured.utilization.items())
        ],
    }
