"""How domain events become published envelopes (the producer side of the contracts)."""

from __future__ import annotations

from truckroll.contracts.envelope import EventEnvelope, new_event
from truckroll.contracts.jobs import (
    JOB_BOOKED,
    AppointmentV1,
    CustomerV1,
    JobBookedV1,
    LocationV1,
    WindowV1,
)
from truckroll.domain.events import DomainEvent, JobBooked
from truckroll.domain.jobs import Appointment


def _appointment(appointment: Appointment) -> AppointmentV1:
    window = appointment.visit.arrival_window
    return AppointmentV1(
        appointment_id=appointment.appointment_id,
        start=appointment.start,
        end=appointment.end,
        arrival_window=WindowV1(start=window.start, end=window.end),
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
    )


def envelope_for(event: DomainEvent, *, producer: str, correlation_id: str | None = None) -> EventEnvelope:
    """The envelope ``producer`` publishes for ``event`` (its current contract version)."""
    match event:
        case JobBooked():
            data = job_booked_v1(event).model_dump(mode="json")
            return new_event(
                JOB_BOOKED,
                tenant_id=event.tenant_id,
                producer=producer,
                data=data,
                correlation_id=correlation_id,
                version=1,
            )
