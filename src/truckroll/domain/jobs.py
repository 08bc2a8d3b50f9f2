"""The Job aggregate: a job and its appointments (visits), with the job's status derived from them."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from truckroll.domain.customers import Customer, Location
from truckroll.domain.events import (
    Actor,
    AppointmentChange,
    AppointmentChanged,
    DomainEvent,
    JobBooked,
    JobChange,
    JobChanged,
)
from truckroll.domain.ids import new_id
from truckroll.domain.status import (
    UPCOMING,
    AppointmentStatus,
    JobStatus,
    OfferState,
    TechStatus,
    derive_appointment_status,
    derive_job_status,
)
from truckroll.domain.windows import TimeWindow
from truckroll.errors import Conflict, NotFound, RuleViolation


class ActionRefused(Conflict):
    """The action does not fit the job's current state; the detail says what to do instead."""


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class JobSource(StrEnum):
    OFFICE_CALL = "office_call"
    FIELD_APP = "field_app"
    LEAD_INTEGRATION = "lead_integration"
    ONLINE_BOOKING = "online_booking"
    CUSTOMER_PORTAL = "customer_portal"
    SERVICE_AGREEMENT = "service_agreement"
    SOLD_ESTIMATE = "sold_estimate"


@dataclass(frozen=True)
class JobDetails:
    """What the job is about, as given at booking (tags here are the job's own, before location tags)."""

    job_type: str
    summary: str
    priority: Priority = Priority.NORMAL
    business_unit: str | None = None
    tags: tuple[str, ...] = ()
    source: JobSource = JobSource.OFFICE_CALL
    campaign: str | None = None
    call_id: str | None = None
    project_id: str | None = None  # the project the job belongs to, if any
    estimate_id: str | None = None  # the sold estimate the job was made from, if any


@dataclass(frozen=True)
class Visit:
    """When a visit is planned: the scheduled time and the arrival window promised to the customer.
    The scheduled start must fall inside the arrival window."""

    scheduled: TimeWindow
    arrival_window: TimeWindow

    @property
    def start(self) -> datetime:
        return self.scheduled.start

    @property
    def end(self) -> datetime:
        return self.scheduled.end

    def __post_init__(self) -> None:
        if not self.arrival_window.contains(self.scheduled.start):
            raise RuleViolation("the appointment must start inside its arrival window", field="start")


@dataclass(frozen=True)
class Assignment:
    """A technician on an appointment, with their own progress. ``overlap_forced`` marks an
    assignment a dispatcher made over another booking of the same technician (flagged on the board).
    ``first_name`` is the technician's first name when assigned (what the customer's link shows)."""

    technician_id: str
    status: TechStatus = TechStatus.ASSIGNED
    pause_reason: str | None = None
    overlap_forced: bool = False
    first_name: str | None = None


@dataclass(frozen=True)
class Appointment:
    appointment_id: str
    job_id: str
    visit: Visit
    assignments: tuple[Assignment, ...] = ()
    confirmed: bool = False  # a lock: the optimiser must not move it
    canceled: bool = False
    auto_alert: str | None = None  # why automatic dispatch left it unassigned (cleared once assigned)

    @property
    def status(self) -> AppointmentStatus:
        return derive_appointment_status(
            (a.status for a in self.assignments), confirmed=self.confirmed, canceled=self.canceled
        )

    @property
    def technician_ids(self) -> tuple[str, ...]:
        return tuple(a.technician_id for a in self.assignments)

    @property
    def start(self) -> datetime:
        return self.visit.scheduled.start

    @property
    def end(self) -> datetime:
        return self.visit.scheduled.end

    def assignment(self, technician_id: str) -> Assignment | None:
        return next((a for a in self.assignments if a.technician_id == technician_id), None)


NO_NAMES: Mapping[str, str] = {}


def _first_name(appointment: Appointment, technician_id: str, first_names: Mapping[str, str]) -> str | None:
    """The first name given for ``technician_id``, else the one already on their assignment."""
    kept = appointment.assignment(technician_id)
    return first_names.get(technician_id) or (kept.first_name if kept is not None else None)


def merge_tags(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """Union of tag groups, first occurrence first."""
    return tuple(dict.fromkeys(tag for group in groups for tag in group))


class TechAction(StrEnum):
    """What a technician (or a dispatcher for them) reports about their own progress."""

    ON_MY_WAY = "on_my_way"
    ARRIVED = "arrived"
    PAUSE = "pause"
    DONE = "done"
    CANCEL_DISPATCH = "cancel_dispatch"


PROGRESS: dict[TechAction, tuple[frozenset[TechStatus], TechStatus]] = {
    TechAction.ON_MY_WAY: (frozenset({TechStatus.ASSIGNED}), TechStatus.DISPATCHED),
    TechAction.ARRIVED: (
        frozenset({TechStatus.ASSIGNED, TechStatus.DISPATCHED, TechStatus.PAUSED}),
        TechStatus.WORKING,
    ),
    TechAction.PAUSE: (frozenset({TechStatus.WORKING}), TechStatus.PAUSED),
    TechAction.DONE: (frozenset({TechStatus.WORKING, TechStatus.PAUSED}), TechStatus.DONE),
    TechAction.CANCEL_DISPATCH: (frozenset({TechStatus.DISPATCHED, TechStatus.DONE}), TechStatus.ASSIGNED),
}
PROGRESS_CHANGE = {
    TechAction.ON_MY_WAY: AppointmentChange.DISPATCHED,
    TechAction.CANCEL_DISPATCH: AppointmentChange.DISPATCH_CANCELED,
}

# Why a technician cannot be taken off an appointment, and what to do instead (DOMAIN.md).
UNASSIGN_REFUSED = {
    TechStatus.DISPATCHED: "{tech} is on the way: cancel the dispatch first, then unassign",
    TechStatus.WORKING: "{tech} is working on it: mark it Done first, then cancel the dispatch and unassign",
    TechStatus.DONE: "{tech} has completed it: cancel the dispatch first, then unassign",
}
HOLDABLE = frozenset({JobStatus.UNSCHEDULED, JobStatus.SCHEDULED, JobStatus.IN_PROGRESS, JobStatus.PAUSED})
CANCELABLE = HOLDABLE | {JobStatus.ON_HOLD}


def required_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise RuleViolation("a reason is required", field="reason")
    return text


@dataclass
class Job:
    tenant_id: str
    job_id: str
    customer_id: str
    location_id: str
    details: JobDetails
    created_at: datetime
    appointments: list[Appointment] = field(default_factory=list)
    offer: OfferState | None = None
    hold_reason: str | None = None
    cancel_reason: str | None = None
    payments: int = 0  # payments attached (billing facts; a job with payments cannot be canceled)
    invoice_items: tuple[str, ...] = ()
    auto_dispatch: bool = True  # automatic dispatch may assign, move or unassign it
    technician_specific: bool = False  # automatic dispatch keeps its technicians (may shift its start)
    version: int = 0  # optimistic lock: 0 until first stored
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @property
    def status(self) -> JobStatus:
        return derive_job_status(
            (a.status for a in self.appointments),
            offer=self.offer,
            on_hold=self.hold_reason is not None,
            canceled=self.cancel_reason is not None,
        )

    @property
    def tags(self) -> tuple[str, ...]:
        return self.details.tags

    @classmethod
    def book(
        cls,
        *,
        customer: Customer,
        location: Location,
        details: JobDetails,
        visit: Visit | None,
        now: datetime,
        technician_ids: tuple[str, ...] = (),
        first_names: Mapping[str, str] = NO_NAMES,
        confirmed: bool = False,
        later_visits: tuple[Visit, ...] = (),
    ) -> Job:
        """Create a job at ``location`` for ``customer``: Scheduled with an appointment per visit
        when a visit is given (``later_visits``: the further visits of a job over several days; all
        assigned to ``technician_ids``, whose time the caller reserves; locked as Confirmed when
        ``confirmed``), Unscheduled otherwise. The location's tags are copied onto the job."""
        if location.customer_id != customer.customer_id or location.tenant_id != customer.tenant_id:
            raise RuleViolation("the location does not belong to this customer", field="location")
        visits = _visits(visit, later_visits)
        job = cls(
            tenant_id=customer.tenant_id,
            job_id=new_id(),
            customer_id=customer.customer_id,
            location_id=location.location_id,
            details=replace(details, tags=merge_tags(location.tags, details.tags)),
            created_at=now,
        )
        assignments = tuple(
            Assignment(t, first_name=first_names.get(t)) for t in dict.fromkeys(technician_ids)
        )
        for each in visits:
            job.appointments.append(Appointment(new_id(), job.job_id, each, assignments, confirmed=confirmed))
        if not visits and (technician_ids or confirmed):
            raise RuleViolation("only a visit with a time can be assigned or confirmed", field="appointment")
        job.events.append(
            JobBooked(
                tenant_id=job.tenant_id,
                job_id=job.job_id,
                status=job.status,
                details=job.details,
                customer=customer,
                location=location,
                appointments=tuple(job.appointments),
                booked_at=now,
            )
        )
        return job

    def pull_events(self) -> list[DomainEvent]:
        events, self.events = self.events, []
        return events

    # -- dispatch actions: each checks the rules, changes the job and records one event -----------

    def appointment(self, appointment_id: str) -> Appointment:
        for appointment in self.appointments:
            if appointment.appointment_id == appointment_id:
                return appointment
        raise NotFound(f"appointment {appointment_id} not found")

    def add_appointment(
        self,
        visit: Visit,
        technician_ids: tuple[str, ...],
        *,
        actor: Actor,
        at: datetime,
        first_names: Mapping[str, str] = NO_NAMES,
    ) -> Appointment:
        self._require_workable()
        appointment = Appointment(
            appointment_id=new_id(),
            job_id=self.job_id,
            visit=visit,
            assignments=tuple(
                Assignment(t, first_name=first_names.get(t)) for t in dict.fromkeys(technician_ids)
            ),
        )
        self.appointments.append(appointment)
        self._changed(AppointmentChange.SCHEDULED, appointment, actor, at, added=appointment.technician_ids)
        return appointment

    def delete_appointment(
        self, appointment_id: str, *, actor: Actor, at: datetime, reason: str | None
    ) -> None:
        self._require_workable()
        appointment = self.appointment(appointment_id)
        if appointment.status not in UPCOMING:
            raise ActionRefused("technicians have started this appointment: it cannot be deleted")
        self.appointments.remove(appointment)
        self._changed(
            AppointmentChange.DELETED,
            appointment,
            actor,
            at,
            reason=reason,
            removed=appointment.technician_ids,
        )

    def assign(
        self,
        appointment_id: str,
        technician_ids: tuple[str, ...],
        *,
        actor: Actor,
        at: datetime,
        first_names: Mapping[str, str] = NO_NAMES,
        reason: str | None = None,
    ) -> None:
        self._require_workable()
        appointment = self.appointment(appointment_id)
        if appointment.status is AppointmentStatus.DONE:
            raise ActionRefused("the appointment is done: add a new appointment instead")
        added = tuple(t for t in dict.fromkeys(technician_ids) if appointment.assignment(t) is None)
        if not added:
            raise ActionRefused("every technician named is already assigned to this appointment")
        updated = replace(
            appointment,
            assignments=appointment.assignments
            + tuple(Assignment(t, first_name=first_names.get(t)) for t in added),
            auto_alert=None,
        )
        self._changed(AppointmentChange.ASSIGNED, self._put(updated), actor, at, added=added, reason=reason)

    def unassign(
        self,
        appointment_id: str,
        technician_ids: tuple[str, ...],
        *,
        actor: Actor,
        at: datetime,
        reason: str | None = None,
    ) -> None:
        self._require_workable()
        appointment = self.appointment(appointment_id)
        removed = tuple(dict.fromkeys(technician_ids))
        for technician_id in removed:
            _require_removable(appointment, technician_id)
        kept = tuple(a for a in appointment.assignments if a.technician_id not in removed)
        updated = replace(appointment, assignments=kept)
        self._changed(
            AppointmentChange.UNASSIGNED, self._put(updated), actor, at, removed=removed, reason=reason
        )

    def reassign(
        self,
        appointment_id: str,
        old: str,
        new: str,
        *,
        actor: Actor,
        at: datetime,
        first_names: Mapping[str, str] = NO_NAMES,
        reason: str | None = None,
    ) -> None:
        """Put ``new`` in ``old``'s place: ``new`` is told, ``old`` sees it leave their list."""
        self._require_workable()
        appointment = self.appointment(appointment_id)
        _require_removable(appointment, old)
        if appointment.assignment(new) is not None:
            raise ActionRefused(f"{new} is already assigned to this appointment")
        assignment = Assignment(new, first_name=first_names.get(new))
        assignments = tuple(assignment if a.technician_id == old else a for a in appointment.assignments)
        updated = replace(appointment, assignments=assignments, auto_alert=None)
        self._changed(
            AppointmentChange.REASSIGNED,
            self._put(updated),
            actor,
            at,
            added=(new,),
            removed=(old,),
            reason=reason,
        )

    def reschedule(
        self,
        appointment_id: str,
        visit: Visit,
        technician_ids: tuple[str, ...] | None,
        *,
        actor: Actor,
        at: datetime,
        first_names: Mapping[str, str] = NO_NAMES,
        reason: str | None = None,
    ) -> None:
        """Move a visit that has not started to a new time (and window), optionally to other
        technicians. A confirmation was for the old time, so the lock is released."""
        self._require_workable()
        appointment = self.appointment(appointment_id)
        if appointment.status not in UPCOMING:
            raise ActionRefused("technicians have started this appointment: add a new appointment instead")
        before = appointment.technician_ids
        after = before if technician_ids is None else tuple(dict.fromkeys(technician_ids))
        assignments = tuple(Assignment(t, first_name=_first_name(appointment, t, first_names)) for t in after)
        updated = replace(
            appointment,
            visit=visit,
            confirmed=False,
            assignments=assignments,
            auto_alert=appointment.auto_alert if not assignments else None,
        )
        self._changed(
            AppointmentChange.RESCHEDULED,
            self._put(updated),
            actor,
            at,
            added=tuple(t for t in after if t not in before),
            removed=tuple(t for t in before if t not in after),
            previous=appointment.visit,
            reason=reason,
        )

    def progress(
        self,
        appointment_id: str,
        technician_id: str,
        action: TechAction,
        *,
        actor: Actor,
        at: datetime,
        reason: str | None = None,
    ) -> None:
        self._require_workable()
        appointment = self.appointment(appointment_id)
        assignment = appointment.assignment(technician_id)
        if assignment is None:
            raise ActionRefused(f"{technician_id} is not assigned to this appointment")
        allowed, to = PROGRESS[action]
        if assignment.status not in allowed:
            raise ActionRefused(
                f"{technician_id} is {assignment.status.value}: {action.value} needs one of "
                + ", ".join(sorted(s.value for s in allowed))
            )
        pause_reason = required_reason(reason) if action is TechAction.PAUSE else None
        changed = replace(assignment, status=to, pause_reason=pause_reason)
        updated = replace(
            appointment,
            assignments=tuple(
                changed if a.technician_id == technician_id else a for a in appointment.assignments
            ),
        )
        self._changed(
            PROGRESS_CHANGE.get(action, AppointmentChange.STATUS_CHANGED),
            self._put(updated),
            actor,
            at,
            reason=pause_reason,
            technician_id=technician_id,
        )

    def confirm(self, appointment_id: str, *, actor: Actor, at: datetime) -> None:
        """Lock the appointment in place (the optimiser will not move it)."""
        self._require_workable()
        appointment = self.appointment(appointment_id)
        if appointment.status is not AppointmentStatus.SCHEDULED:
            raise ActionRefused(
                f"only a scheduled appointment can be confirmed; this one is {appointment.status.value}"
            )
        self._changed(AppointmentChange.CONFIRMED, self._put(replace(appointment, confirmed=True)), actor, at)

    def set_auto_dispatch(self, *, auto_dispatch: bool, technician_specific: bool) -> None:
        """The job's toggles: whether automatic dispatch plans it, and whether it keeps its technicians."""
        self.auto_dispatch = auto_dispatch
        self.technician_specific = technician_specific

    def take_over(self) -> None:
        """A person planned the job by hand: automatic dispatch leaves it alone from now on."""
        self.auto_dispatch = False

    def flag_unplanned(self, appointment_id: str, reason: str, *, actor: Actor, at: datetime) -> None:
        """Automatic dispatch could not place the appointment: say why on the board and in the audit trail."""
        appointment = self.appointment(appointment_id)
        flagged = self._put(replace(appointment, auto_alert=reason))
        self._changed(AppointmentChange.FLAGGED, flagged, actor, at, reason=reason)

    def flag_overlap(self, appointment_id: str, technician_id: str) -> None:
        """Mark an assignment a dispatcher forced over another booking of the technician."""
        appointment = self.appointment(appointment_id)
        assignments = tuple(
            replace(a, overlap_forced=True) if a.technician_id == technician_id else a
            for a in appointment.assignments
        )
        self._put(replace(appointment, assignments=assignments))

    def hold(self, reason: str | None, *, actor: Actor, at: datetime) -> None:
        status = self.status
        if status not in HOLDABLE:
            raise ActionRefused(f"a {status.value} job cannot be put on hold")
        self.hold_reason = required_reason(reason)
        self._job_changed(JobChange.HELD, actor, at, reason=self.hold_reason)

    def remove_hold(self, *, actor: Actor, at: datetime, reason: str | None = None) -> None:
        if self.status is not JobStatus.ON_HOLD:
            raise ActionRefused("the job is not on hold")
        self.hold_reason = None
        self._job_changed(JobChange.HOLD_REMOVED, actor, at, reason=reason)

    def cancel(self, reason: str | None, *, actor: Actor, at: datetime) -> None:
        """Cancel the job and all its appointments; its invoice items are deleted. A job with
        payments attached cannot be canceled."""
        status = self.status
        if status not in CANCELABLE:
            raise ActionRefused(f"a {status.value} job cannot be canceled")
        if self.payments:
            raise ActionRefused(
                f"the job has {self.payments} payment(s) attached: refund or remove them before canceling"
            )
        self.cancel_reason = required_reason(reason)
        deleted = len(self.invoice_items)
        self.invoice_items = ()
        self.appointments = [replace(a, canceled=True) for a in self.appointments]
        self._job_changed(
            JobChange.CANCELED, actor, at, reason=self.cancel_reason, invoice_items_deleted=deleted
        )

    def uncancel(self, *, actor: Actor, at: datetime, reason: str | None = None) -> None:
        """Set a canceled job back: its appointments are active again."""
        if self.status is not JobStatus.CANCELED:
            raise ActionRefused("the job is not canceled")
        self.cancel_reason = None
        self.appointments = [replace(a, canceled=False) for a in self.appointments]
        self._job_changed(JobChange.UNCANCELED, actor, at, reason=reason)

    def set_billing(self, payments: int, invoice_items: tuple[str, ...]) -> None:
        if payments < 0:
            raise RuleViolation("payments cannot be negative", field="payments")
        self.payments = payments
        self.invoice_items = invoice_items

    def _require_workable(self) -> None:
        status = self.status
        if status is JobStatus.CANCELED:
            raise ActionRefused("the job is canceled: un-cancel it first")
        if status is JobStatus.ON_HOLD:
            raise ActionRefused("the job is on hold: remove the hold first")
        if status in (JobStatus.NEW_OFFER, JobStatus.DECLINED):
            raise ActionRefused("the job is an offer that has not been accepted")

    def _put(self, appointment: Appointment) -> Appointment:
        index = next(
            i for i, a in enumerate(self.appointments) if a.appointment_id == appointment.appointment_id
        )
        self.appointments[index] = appointment
        return appointment

    def _changed(
        self,
        change: AppointmentChange,
        appointment: Appointment,
        actor: Actor,
        at: datetime,
        *,
        reason: str | None = None,
        added: tuple[str, ...] = (),
        removed: tuple[str, ...] = (),
        technician_id: str | None = None,
        previous: Visit | None = None,
    ) -> None:
        self.events.append(
            AppointmentChanged(
                change=change,
                tenant_id=self.tenant_id,
                job_id=self.job_id,
                job_status=self.status,
                appointment=appointment,
                actor=actor,
                at=at,
                reason=reason,
                added=added,
                removed=removed,
                technician_id=technician_id,
                previous=previous,
            )
        )

    def _job_changed(
        self,
        change: JobChange,
        actor: Actor,
        at: datetime,
        *,
        reason: str | None,
        invoice_items_deleted: int = 0,
    ) -> None:
        self.events.append(
            JobChanged(
                change=change,
                tenant_id=self.tenant_id,
                job_id=self.job_id,
                job_status=self.status,
                appointment_ids=tuple(a.appointment_id for a in self.appointments),
                actor=actor,
                at=at,
                reason=reason,
                invoice_items_deleted=invoice_items_deleted,
            )
        )


def _visits(first: Visit | None, later: tuple[Visit, ...]) -> list[Visit]:
    """A job's visits at booking, earliest first; further visits need a first and may not overlap."""
    if first is None:
        if later:
            raise RuleViolation("further visits need a first one", field="appointment")
        return []
    visits = sorted((first, *later), key=lambda v: v.start)
    for earlier, next_one in itertools.pairwise(visits):
        if next_one.start < earlier.end:
            raise RuleViolation("a job's visits may not overlap", field="later_appointments")
    return visits


def _require_removable(appointment: Appointment, technician_id: str) -> None:
    assignment = appointment.assignment(technician_id)
    if assignment is None:
        raise ActionRefused(f"{technician_id} is not assigned to this appointment")
    refusal = UNASSIGN_REFUSED.get(assignment.status)
    if refusal is not None:
        raise ActionRefused(refusal.format(tech=technician_id))
