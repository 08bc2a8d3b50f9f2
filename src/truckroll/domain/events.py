"""Events the aggregates record. They are facts in the domain's own terms; the outbox turns each
into a versioned contract (truckroll.contracts) when the aggregate is committed, and every event of
a dispatch action is also the job's audit trail entry: who, when, what and why."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from truckroll.domain.customers import Customer, Location
from truckroll.domain.status import JobStatus

if TYPE_CHECKING:
    from truckroll.domain.crews import Crew
    from truckroll.domain.jobs import Appointment, JobDetails, Visit
    from truckroll.domain.timeline import NonJobEvent
    from truckroll.domain.windows import TimeWindow


@dataclass(frozen=True)
class JobBooked:
    """A job was created, with its appointments when it was booked with a time (several for a job
    over several days, earliest first)."""

    tenant_id: str
    job_id: str
    status: JobStatus
    details: JobDetails
    customer: Customer
    location: Location
    appointments: tuple[Appointment, ...]
    booked_at: datetime

    @property
    def appointment(self) -> Appointment | None:
        """The first visit."""
        return self.appointments[0] if self.appointments else None


@dataclass(frozen=True)
class Actor:
    """Who did it: a user id and role, or ``system`` for automatic changes (which then say why)."""

    id: str
    role: str


class AppointmentChange(StrEnum):
    """What happened to an appointment; the event type is ``appointment.<value>``."""

    SCHEDULED = "scheduled"  # an appointment was added to the job
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    REASSIGNED = "reassigned"
    RESCHEDULED = "rescheduled"
    DISPATCHED = "dispatched"
    DISPATCH_CANCELED = "dispatch_canceled"
    STATUS_CHANGED = "status_changed"  # a technician arrived, paused or finished
    CONFIRMED = "confirmed"
    DELETED = "deleted"
    FLAGGED = "flagged"  # automatic dispatch left it unassigned, and says why


class JobChange(StrEnum):
    """What happened to a job as a whole; the event type is ``job.<value>``."""

    HELD = "held"
    HOLD_REMOVED = "hold_removed"
    CANCELED = "canceled"
    UNCANCELED = "uncanceled"


@dataclass(frozen=True)
class AppointmentChanged:
    """``appointment`` as it is after the change; ``previous`` its visit before a reschedule."""

    change: AppointmentChange
    tenant_id: str
    job_id: str
    job_status: JobStatus
    appointment: Appointment
    actor: Actor
    at: datetime
    reason: str | None = None
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    technician_id: str | None = None
    previous: Visit | None = None


@dataclass(frozen=True)
class JobChanged:
    change: JobChange
    tenant_id: str
    job_id: str
    job_status: JobStatus
    appointment_ids: tuple[str, ...]
    actor: Actor
    at: datetime
    reason: str | None = None
    invoice_items_deleted: int = 0


@dataclass(frozen=True)
class TechniciansMessaged:
    """A dispatcher wrote to one technician or announced something to several."""

    tenant_id: str
    message_id: str
    technician_ids: tuple[str, ...]
    text: str
    announcement: bool
    actor: Actor
    at: datetime


@dataclass(frozen=True)
class ShiftsSet:
    """A technician's working time on one local day, as it now is (empty: off all day)."""

    tenant_id: str
    technician_id: str
    day: date
    working: tuple[TimeWindow, ...]
    at: datetime


class NonJobEventChange(StrEnum):
    """What happened to a non-job event; the event type is ``non_job_event.<value>``."""

    CREATED = "created"
    EDITED = "edited"
    COMPLETED = "completed"
    DELETED = "deleted"


@dataclass(frozen=True)
class NonJobEventChanged:
    """``event`` as it is after the change (as it was, for a deletion)."""

    change: NonJobEventChange
    tenant_id: str
    technician_id: str
    event: NonJobEvent
    actor: Actor
    at: datetime


class CrewChange(StrEnum):
    """What happened to a crew; the event type is ``crew.<value>``."""

    CREATED = "created"
    MEMBER_ADDED = "member_added"
    MEMBER_REMOVED = "member_removed"


@dataclass(frozen=True)
class CrewChanged:
    """``crew`` as it is after the change; ``technician_id`` the member added or removed."""

    change: CrewChange
    tenant_id: str
    crew: Crew
    actor: Actor
    at: datetime
    technician_id: str | None = None


DomainEvent = (
    JobBooked
    | AppointmentChanged
    | JobChanged
    | TechniciansMessaged
    | ShiftsSet
    | NonJobEventChanged
    | CrewChanged
)
AuditedEvent = AppointmentChanged | JobChanged


@dataclass(frozen=True)
class AuditEntry:
    """One line of a job's audit trail: who did what (and to which appointment), when and why;
    ``details`` is the published event's data."""

    event_id: str
    event_type: str
    at: datetime
    actor: Actor
    appointment_id: str | None
    reason: str | None
    details: dict[str, Any]
