"""How domain events become published envelopes (the producer side of the contracts)."""

from __future__ import annotations

from pydantic import BaseModel

from truckroll.contracts.dispatch import (
    APPOINTMENT_EVENTS,
    CREW_EVENTS,
    JOB_EVENTS,
    NON_JOB_EVENTS,
    TECHNICIAN_MESSAGED,
    ActorV1,
    AppointmentChangeV1,
    AppointmentStateV1,
    CrewChangeV1,
    CrewMemberV1,
    JobChangeV1,
    NonJobEventChangeV1,
    NonJobEventV1,
    TechnicianProgressV1,
    TechniciansMessagedV1,
    VisitV1,
)
from truckroll.contracts.envelope import EventEnvelope, new_event
from truckroll.contracts.jobs import (
    JOB_BOOKED,
    AppointmentV1,
    CustomerV1,
    JobBookedV1,
    LocationV1,
    WindowV1,
)
from truckroll.contracts.tracking import TECHNICIAN_SHIFTS_SET, ShiftV1, TechnicianShiftsSetV1
from truckroll.domain.events import (
    Actor,
    AppointmentChanged,
    CrewChanged,
    DomainEvent,
    JobBooked,
    JobChanged,
    NonJobEventChanged,
    ShiftsSet,
    TechniciansMessaged,
)
from truckroll.domain.jobs import Appointment, Visit
from truckroll.domain.windows import TimeWindow


def _window(window: TimeWindow) -> WindowV1:
    return WindowV1(start=window.start, end=window.end)


def _appointment(appointment: Appointment) -> AppointmentV1:
    return AppointmentV1(
        appointment_id=appointment.appointment_id,
        start=appointment.start,
        end=appointment.end,
        arrival_window=_window(appointment.visit.arrival_window),
        status=appointment.status,
        technician_ids=list(appointment.technician_ids),
    )


def job_booked_v1(event: JobBooked) -> JobBookedV1:
    details, customer, location = event.details, event.customer, event.location
    point = location.point
    return JobBookedV1(
        job_id=event.job_id,
        status=event.status,
        job_type=details.job_type,
        business_unit=details.business_unit,
        summary=details.summary,
        priority=details.priority,
        tags=list(details.tags),
        source=details.source,
        campaign=details.campaign,
        call_id=details.call_id,
        booked_at=event.booked_at,
        customer=CustomerV1(
            customer_id=customer.customer_id,
            name=customer.name,
            phone=customer.phone.number,
            phone_type=customer.phone.type,
            email=customer.email,
        ),
        location=LocationV1(
            location_id=location.location_id,
            street=location.address.street,
            city=location.address.city,
            state=location.address.state,
            postal_code=location.address.postal_code,
            lat=point.lat if point else None,
            lon=point.lon if point else None,
            verified=location.verified,
            tags=list(location.tags),
        ),
        appointment=_appointment(event.appointment) if event.appointment else None,
        appointments=[_appointment(a) for a in event.appointments],
    )


def _actor(actor: Actor) -> ActorV1:
    return ActorV1(id=actor.id, role=actor.role)


def _visit(visit: Visit) -> VisitV1:
    return VisitV1(
        start=visit.scheduled.start, end=visit.scheduled.end, arrival_window=_window(visit.arrival_window)
    )


def appointment_change_v1(event: AppointmentChanged) -> AppointmentChangeV1:
    a = event.appointment
    return AppointmentChangeV1(
        job_id=event.job_id,
        job_status=event.job_status,
        appointment=AppointmentStateV1(
            appointment_id=a.appointment_id,
            start=a.start,
            end=a.end,
            arrival_window=_window(a.visit.arrival_window),
            status=a.status,
            confirmed=a.confirmed,
            technician_ids=list(a.technician_ids),
            technicians=[
                TechnicianProgressV1(
                    technician_id=t.technician_id,
                    status=t.status,
                    pause_reason=t.pause_reason,
                    overlap_forced=t.overlap_forced,
                    first_name=t.first_name,
                )
                for t in a.assignments
            ],
        ),
        actor=_actor(event.actor),
        at=event.at,
        reason=event.reason,
        added_technician_ids=list(event.added),
        removed_technician_ids=list(event.removed),
        technician_id=event.technician_id,
        previous=_visit(event.previous) if event.previous else None,
    )


def job_change_v1(event: JobChanged) -> JobChangeV1:
    return JobChangeV1(
        job_id=event.job_id,
        job_status=event.job_status,
        appointment_ids=list(event.appointment_ids),
        actor=_actor(event.actor),
        at=event.at,
        reason=event.reason,
        invoice_items_deleted=event.invoice_items_deleted,
    )


def technicians_messaged_v1(event: TechniciansMessaged) -> TechniciansMessagedV1:
    return TechniciansMessagedV1(
        message_id=event.message_id,
        technician_ids=list(event.technician_ids),
        text=event.text,
        announcement=event.announcement,
        actor=_actor(event.actor),
        at=event.at,
    )


def shifts_set_v1(event: ShiftsSet) -> TechnicianShiftsSetV1:
    return TechnicianShiftsSetV1(
        technician_id=event.technician_id,
        day=event.day,
        shifts=[ShiftV1(start=w.start, end=w.end) for w in event.working],
    )


def non_job_event_change_v1(event: NonJobEventChanged) -> NonJobEventChangeV1:
    e = event.event
    return NonJobEventChangeV1(
        technician_id=event.technician_id,
        event=NonJobEventV1(
            event_id=e.event_id,
            type=e.type,
            start=e.window.start,
            end=e.window.end,
            counts_against_capacity=e.counts_against_capacity,
            timesheet_code=e.timesheet_code,
            completed=e.completed,
        ),
        actor=_actor(event.actor),
        at=event.at,
    )


def crew_change_v1(event: CrewChanged) -> CrewChangeV1:
    crew = event.crew
    return CrewChangeV1(
        crew_id=crew.crew_id,
        name=crew.name,
        members=[CrewMemberV1(technician_id=m.technician_id, kind=m.kind) for m in crew.members],
        technician_id=event.technician_id,
        actor=_actor(event.actor),
        at=event.at,
    )


def _current(event: DomainEvent) -> tuple[str, BaseModel]:
    """The event type and data of the current contract version of ``event``."""
    match event:
        case JobBooked():
            return JOB_BOOKED, job_booked_v1(event)
        case AppointmentChanged():
            return APPOINTMENT_EVENTS[event.change], appointment_change_v1(event)
        case JobChanged():
            return JOB_EVENTS[event.change], job_change_v1(event)
        case TechniciansMessaged():
            return TECHNICIAN_MESSAGED, technicians_messaged_v1(event)
        case ShiftsSet():
            return TECHNICIAN_SHIFTS_SET, shifts_set_v1(event)
        case NonJobEventChanged():
            return NON_JOB_EVENTS[event.change], non_job_event_change_v1(event)
        case CrewChanged():
            return CREW_EVENTS[event.change], crew_change_v1(event)


def envelope_for(event: DomainEvent, *, producer: str, correlation_id: str | None = None) -> EventEnvelope:
    """The envelope ``producer`` publishes for ``event`` (its current contract version, 1 for all)."""
    event_type, data = _current(event)
    return new_event(
        event_type,
        tenant_id=event.tenant_id,
        producer=producer,
        data=data.model_dump(mode="json"),
        correlation_id=correlation_id,
        version=1,
    )
