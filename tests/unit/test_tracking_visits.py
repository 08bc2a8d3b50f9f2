"""The visits the measures read, kept from ``appointment.*`` events: arrival and completion times,
who assigned, and what leaves the measures."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from chalicelib.tracking.kpis import measure, project_visits
from test_tracking_links import MemoryAppointments
from test_tracking_progress import NOW, WINDOW, change

from truckroll.auth import Principal, Role
from truckroll.contracts.dispatch import AppointmentChangeV1
from truckroll.contracts.envelope import new_event
from truckroll.domain.status import AppointmentStatus, TechStatus
from truckroll.domain.tracking_kpis import Measured, VisitRecord
from truckroll.domain.tracking_links import TechnicianProgress, TrackedAppointment
from truckroll.errors import Forbidden, RuleViolation


@dataclass
class MemoryVisits:
    visits: dict[tuple[str, str], VisitRecord] = field(default_factory=dict)

    def visit(
        self,
        appointment: TrackedAppointment,
        technician_id: str,
        *,
        arrived_at: datetime | None = None,
        done_at: datetime | None = None,
        auto_assigned: bool | None = None,
    ) -> None:
        key = (appointment.appointment_id, technician_id)
        kept = self.visits.get(key)
        self.visits[key] = VisitRecord(
            appointment.appointment_id,
            technician_id,
            WINDOW,
            arrived_at=(kept.arrived_at if kept else None) or arrived_at,
            done_at=done_at or (kept.done_at if kept else None),
            assigned_automatically=auto_assigned
            if auto_assigned is not None
            else bool(kept and kept.assigned_automatically),
        )

    def drop_visit(self, tenant_id: str, appointment_id: str, technician_id: str) -> None:
        self.visits.pop((appointment_id, technician_id), None)

    def measured(self, tenant_id: str, first: date, last: date) -> Measured:
        return Measured(list(self.visits.values()), {}, {})


def event(
    data: AppointmentChangeV1, tech_status: TechStatus | None, **updates: object
) -> AppointmentChangeV1:
    """``data`` with tech-1 at ``tech_status`` on the appointment (None: no longer on it)."""
    dumped = data.model_dump(mode="json")
    technicians = (
        []
        if tech_status is None
        else [{"technician_id": "tech-1", "status": tech_status.value, "overlap_forced": False}]
    )
    dumped["appointment"]["technicians"] = technicians
    return AppointmentChangeV1.model_validate({**dumped, **updates})


@pytest.fixture
def appointments() -> MemoryAppointments:
    projection = MemoryAppointments()
    projection.put(
        TrackedAppointment(
            "t1",
            "a1",
            "j1",
            AppointmentStatus.SCHEDULED,
            WINDOW.start,
            WINDOW.end,
            (TechnicianProgress("tech-1", TechStatus.ASSIGNED),),
            NOW,
        )
    )
    return projection


def run(
    event_type: str, data: AppointmentChangeV1, appointments: MemoryAppointments, visits: MemoryVisits
) -> None:
    envelope = new_event(event_type, tenant_id="t1", producer="dispatch", data={})
    project_visits(envelope, data, appointments, visits)


def test_a_visit_keeps_who_assigned_the_first_arrival_and_the_completion(
    appointments: MemoryAppointments,
) -> None:
    visits = MemoryVisits()
    base = change("tech-1")
    auto = {"id": "system", "role": "auto_dispatch"}
    run(
        "appointment.assigned",
        event(base, TechStatus.ASSIGNED, actor=auto, added_technician_ids=["tech-1"], technician_id=None),
        appointments,
        visits,
    )
    arrived = NOW + timedelta(minutes=20)
    run(
        "appointment.status_changed",
        event(base, TechStatus.WORKING, at=arrived.isoformat()),
        appointments,
        visits,
    )
    run(
        "appointment.status_changed",
        event(base, TechStatus.PAUSED, at=(arrived + timedelta(hours=1)).isoformat()),
        appointments,
        visits,
    )
    done = NOW + timedelta(hours=2)
    run(
        "appointment.status_changed",
        event(base, TechStatus.DONE, at=done.isoformat()),
        appointments,
        visits,
    )
    (kept,) = visits.visits.values()
    assert (kept.assigned_automatically, kept.arrived_at, kept.done_at) == (True, arrived, done)


def test_a_manual_reassignment_is_not_automatic_and_removed_technicians_leave(
    appointments: MemoryAppointments,
) -> None:
    visits = MemoryVisits()
    base = change("tech-1")
    office = {"id": "dispatcher", "role": "dispatcher"}
    run(
        "appointment.assigned",
        event(base, TechStatus.ASSIGNED, actor=office, added_technician_ids=["tech-1"], technician_id=None),
        appointments,
        visits,
    )
    assert not visits.visits[("a1", "tech-1")].assigned_automatically
    run(
        "appointment.unassigned",
        event(base, None, removed_technician_ids=["tech-1"], technician_id=None),
        appointments,
        visits,
    )
    assert visits.visits == {}


def test_a_deleted_appointment_leaves_the_measures(appointments: MemoryAppointments) -> None:
    visits = MemoryVisits()
    base = change("tech-1")
    run(
        "appointment.assigned",
        event(base, TechStatus.ASSIGNED, added_technician_ids=["tech-1"]),
        appointments,
        visits,
    )
    run("appointment.deleted", event(base, TechStatus.ASSIGNED), appointments, visits)
    assert visits.visits == {}


def test_the_range_is_checked_and_the_measures_are_the_offices() -> None:
    office, tech = Principal("d", "t1", Role.DISPATCHER), Principal("tech-1", "t1", Role.TECHNICIAN)
    first = date(2026, 1, 1)
    assert measure(first, first + timedelta(days=91), office, MemoryVisits()).on_time_arrival_rate is None
    for last in (first - timedelta(days=1), first + timedelta(days=92)):
        with pytest.raises(RuleViolation):
            measure(first, last, office, MemoryVisits())
    with pytest.raises(Forbidden):
        measure(first, first, tech, MemoryVisits())
