"""Contracts of dispatch's events: what happened to an appointment, to a job as a whole, to a
non-job event on a technician's timeline or to a crew, and messages to technicians (shifts are
published as ``technician.shifts_set``, in truckroll.contracts.tracking). Version 1 may only grow
by optional fields; anything else is version 2.

All ``appointment.*`` types share one data model (the appointment after the change, who did it,
why, and what the change added, removed or moved); all ``job.*`` types share another. Their
golden samples differ in which of the optional parts they fill.
"""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from truckroll.contracts.jobs import ContractModel, WindowV1
from truckroll.domain.crews import MemberKind
from truckroll.domain.events import AppointmentChange, CrewChange, JobChange, NonJobEventChange
from truckroll.domain.status import AppointmentStatus, JobStatus, TechStatus

APPOINTMENT_EVENTS = {change: f"appointment.{change.value}" for change in AppointmentChange}
JOB_EVENTS = {change: f"job.{change.value}" for change in JobChange}
NON_JOB_EVENTS = {change: f"non_job_event.{change.value}" for change in NonJobEventChange}
CREW_EVENTS = {change: f"crew.{change.value}" for change in CrewChange}
TECHNICIAN_MESSAGED = "technician.messaged"


class ActorV1(ContractModel):
    id: str = Field(description="the user id, or 'system' for automatic changes")
    role: str


class TechnicianProgressV1(ContractModel):
    technician_id: str
    status: TechStatus
    pause_reason: str | None = None
    overlap_forced: bool = Field(description="assigned over another booking by an explicit override")
    first_name: str | None = Field(
        default=None, description="the technician's first name, as when assigned (null if unknown)"
    )


class AppointmentStateV1(ContractModel):
    appointment_id: str
    start: AwareDatetime
    end: AwareDatetime
    arrival_window: WindowV1
    status: AppointmentStatus
    confirmed: bool
    technician_ids: list[str]
    technicians: list[TechnicianProgressV1]


class VisitV1(ContractModel):
    start: AwareDatetime
    end: AwareDatetime
    arrival_window: WindowV1


class AppointmentChangeV1(ContractModel):
    """``appointment.<change>`` v1."""

    job_id: str
    job_status: JobStatus = Field(description="the job's status after the change")
    appointment: AppointmentStateV1 = Field(description="the appointment after the change")
    actor: ActorV1
    at: AwareDatetime
    reason: str | None = Field(description="why: the pause reason, a deletion reason...")
    added_technician_ids: list[str] = Field(description="technicians who gained the appointment")
    removed_technician_ids: list[str] = Field(description="technicians who lost it")
    technician_id: str | None = Field(description="whose progress changed (dispatch, status)")
    previous: VisitV1 | None = Field(description="the visit before a reschedule")


class JobChangeV1(ContractModel):
    """``job.<change>`` v1."""

    job_id: str
    job_status: JobStatus
    appointment_ids: list[str]
    actor: ActorV1
    at: AwareDatetime
    reason: str | None
    invoice_items_deleted: int = Field(ge=0, description="invoice items deleted by a cancellation")


class TechniciansMessagedV1(ContractModel):
    """``technician.messaged`` v1: a message to one technician or an announcement to several."""

    message_id: str
    technician_ids: list[str]
    text: str
    announcement: bool
    actor: ActorV1
    at: AwareDatetime


class NonJobEventV1(ContractModel):
    event_id: str
    type: str = Field(description="meeting, training, time off...")
    start: AwareDatetime
    end: AwareDatetime
    counts_against_capacity: bool
    timesheet_code: str | None
    completed: bool


class NonJobEventChangeV1(ContractModel):
    """``non_job_event.<change>`` v1: the event after the change (as it was, for a deletion)."""

    technician_id: str
    event: NonJobEventV1
    actor: ActorV1
    at: AwareDatetime


class CrewMemberV1(ContractModel):
    technician_id: str
    kind: MemberKind


class CrewChangeV1(ContractModel):
    """``crew.<change>`` v1: the crew after the change."""

    crew_id: str
    name: str
    members: list[CrewMemberV1]
    technician_id: str | None = Field(description="the member added or removed")
    actor: ActorV1
    at: AwareDatetime


AUTO_DISPATCH_REQUESTED = "dispatch.auto_dispatch_requested"


class AutoDispatchRequestedV1(ContractModel):
    """``dispatch.auto_dispatch_requested`` v1: dispatch's note to itself, sent on its own queue with
    the tenant's debounce as delay, that automatic dispatch should plan the tenant (what asked first
    in the burst is ``trigger``)."""

    requested_at: AwareDatetime
    trigger: str = Field(description="schedule, job.booked, a status change or tracking.running_late")
