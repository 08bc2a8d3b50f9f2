"""The dispatch board's read model: one entry per appointment per day, and the trays of a day.

The board is a projection kept by dispatch from events. An appointment belongs to the calendar day
of its start in its own UTC offset, which is the local time of the business that booked it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from truckroll.domain.jobs import Appointment, Job, Priority
from truckroll.domain.places import Place
from truckroll.domain.status import AppointmentStatus, JobStatus
from truckroll.domain.windows import TimeWindow

DOUBLE_BOOKED = "double_booked"
RUNNING_LATE = "running_late"
GPS_SILENT = "gps_silent"  # on a technician's row: their device fell silent while on shift
AUTO_DISPATCH = "auto_dispatch"  # automatic dispatch left it unassigned (the reason is in auto_alert)
NOT_ARRIVED = frozenset(
    {AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED, AppointmentStatus.DISPATCHED}
)


def board_date(start: datetime) -> date:
    return start.date()


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
    location: Place
    technician_ids: tuple[str, ...] = ()
    alerts: tuple[str, ...] = ()
    auto_alert: str | None = None
    job_version: int = 0  # the job version this entry shows; newer entries replace older ones

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

    def at(self, now: datetime) -> BoardAppointment:
        """The entry with the alerts that depend on the time: running late once the arrival window
        has closed and nobody has arrived."""
        late = now > self.arrival_window.end and self.status in NOT_ARRIVED and not self.on_hold
        if not late or RUNNING_LATE in self.alerts:
            return self
        return replace(self, alerts=(*self.alerts, RUNNING_LATE))

    def same_as(self, other: BoardAppointment) -> bool:
        return replace(self, job_version=0) == replace(other, job_version=0)


@dataclass(frozen=True)
class Site:
    """Whom and where a job is for, as the board shows it."""

    customer_name: str
    location: Place


def board_entries(job: Job, site: Site, version: int) -> dict[str, BoardAppointment]:
    """The board entry of each of ``job``'s appointments, showing job ``version``."""
    details = job.details
    return {
        a.appointment_id: BoardAppointment(
            tenant_id=job.tenant_id,
            appointment_id=a.appointment_id,
            job_id=job.job_id,
            scheduled=a.visit.scheduled,
            arrival_window=a.visit.arrival_window,
            status=a.status,
            job_status=job.status,
            customer_name=site.customer_name,
            job_type=details.job_type,
            business_unit=details.business_unit,
            summary=details.summary,
            priority=details.priority,
            tags=details.tags,
            location=site.location,
            technician_ids=a.technician_ids,
            alerts=_alerts(a),
            auto_alert=a.auto_alert,
            job_version=version,
        )
        for a in job.appointments
    }


def _alerts(appointment: Appointment) -> tuple[str, ...]:
    forced = any(s.overlap_forced for s in appointment.assignments)
    return (*((DOUBLE_BOOKED,) if forced else ()), *((AUTO_DISPATCH,) if appointment.auto_alert else ()))


@dataclass(frozen=True)
class BoardChange:
    """One change of a day's board: ``entry`` is the appointment as it now shows on ``day``, or
    None when it left that day (deleted or moved to another day)."""

    day: date
    appointment_id: str
    entry: BoardAppointment | None
    previous_technician_ids: tuple[str, ...]

    def visible_to(self, technician_id: str) -> BoardChange | None:
        """What a technician may see of it: their own appointments, and the removal of one that
        was theirs (a reassignment removes it from their list at once)."""
        now_mine = self.entry is not None and technician_id in self.entry.technician_ids
        if now_mine:
            return self
        if technician_id in self.previous_technician_ids:
            return replace(self, entry=None)
        return None


def board_changes(
    before: dict[str, BoardAppointment], after: dict[str, BoardAppointment]
) -> list[BoardChange]:
    """What changes on the board between two versions of a job's entries."""
    changes: list[BoardChange] = []
    for appointment_id in sorted(before.keys() | after.keys()):
        old, new = before.get(appointment_id), after.get(appointment_id)
        if old is not None and new is not None and old.same_as(new):
            continue
        if old is not None and (new is None or new.day != old.day):
            changes.append(BoardChange(old.day, appointment_id, None, old.technician_ids))
        if new is not None:
            previous = old.technician_ids if old is not None and old.day == new.day else ()
            changes.append(BoardChange(new.day, appointment_id, new, previous))
    return changes


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


def technician_alerts(gps_silent: bool, working: Iterable[TimeWindow], now: datetime) -> tuple[str, ...]:
    """The alerts of a technician's row on a day with ``working`` time: GPS silent while tracking
    says their device is silent and they are working now (other days' rows show no alert)."""
    return (GPS_SILENT,) if gps_silent and any(w.contains(now) for w in working) else ()
