"""The dispatch board's read model: one entry per appointment per day, and the trays of a day.

The board is a projection kept by dispatch from events. An appointment belongs to the calendar day
of its start in its own UTC offset, which is the local time of the business that booked it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from truckroll.domain.jobs import Priority
from truckroll.domain.status import AppointmentStatus, JobStatus
from truckroll.domain.windows import TimeWindow


def board_date(start: datetime) -> date:
    return start.date()


@dataclass(frozen=True)
class BoardLocation:
    street: str
    city: str
    state: str
    postal_code: str
    verified: bool
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class BoardAppointment:
    tenant_id: str
    appointment_id: str
    job_id: str
    scheduled: TimeWindow
    arrival_window: TimeWindow
    status: AppointmentStatus
    job_status: JobStatus
    customer_name: str
    job_type: str
    business_unit: str | None
    summary: str
    priority: Priority
    tags: tuple[str, ...]
    location: BoardLocation
    technician_ids: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()

    @property
    def day(self) -> date:
        return board_date(self.scheduled.start)

    @property
    def on_hold(self) -> bool:
        return self.job_status is JobStatus.ON_HOLD

    @property
    def canceled(self) -> bool:
        return self.status is AppointmentStatus.CANCELED or self.job_status is JobStatus.CANCELED

    @property
    def unassigned(self) -> bool:
        return not self.technician_ids and not self.on_hold and not self.canceled


@dataclass(frozen=True)
class BoardDay:
    day: date
    appointments: tuple[BoardAppointment, ...]

    def for_technician(self, technician_id: str) -> BoardDay:
        """Only the appointments ``technician_id`` is assigned to (what a technician may see)."""
        mine = tuple(a for a in self.appointments if technician_id in a.technician_ids)
        return BoardDay(self.day, mine)

    @property
    def unassigned(self) -> tuple[BoardAppointment, ...]:
        return tuple(a for a in self.appointments if a.unassigned)

    @property
    def on_hold(self) -> tuple[BoardAppointment, ...]:
        return tuple(a for a in self.appointments if a.on_hold and not a.canceled)

    @property
    def canceled(self) -> tuple[BoardAppointment, ...]:
        return tuple(a for a in self.appointments if a.canceled)
