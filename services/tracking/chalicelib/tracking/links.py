"""The customer's tracking link: the appointment projection it reads (from ``job.booked``,
``appointment.*``, ``job.canceled`` and ``job.uncanceled`` events), the office issuing a link, and
the customer opening it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from chalicelib.tracking.ports import AppointmentProjection, Links

from truckroll.auth import Principal
from truckroll.config import PUBLIC_LINKS_PATH
from truckroll.contracts.dispatch import APPOINTMENT_EVENTS, JOB_EVENTS, AppointmentChangeV1, JobChangeV1
from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JobBookedV1
from truckroll.domain.events import AppointmentChange, JobChange
from truckroll.domain.status import AppointmentStatus, JobStatus, TechStatus
from truckroll.domain.tracking_links import (
    Destination,
    Link,
    LinkToken,
    Progress,
    TechnicianProgress,
    TrackedAppointment,
    progress,
)
from truckroll.errors import Conflict, Gone, NotFound

NO_LINK = "no such tracking link"
APPOINTMENT_DELETED = APPOINTMENT_EVENTS[AppointmentChange.DELETED]
JOB_CANCELED = JOB_EVENTS[JobChange.CANCELED]
JOB_UNCANCELED = JOB_EVENTS[JobChange.UNCANCELED]


def project_booking(envelope: EventEnvelope, event: JobBookedV1, projection: AppointmentProjection) -> None:
    """Keep the job's destination, and every appointment it was booked with."""
    location = event.location
    projection.put_destination(
        envelope.tenant_id, event.job_id, Destination(location.lat, location.lon, location.verified)
    )
    for booked in event.visits():
        projection.put(
            TrackedAppointment(
                tenant_id=envelope.tenant_id,
                appointment_id=booked.appointment_id,
                job_id=event.job_id,
                status=booked.status,
                window_start=booked.arrival_window.start,
                window_end=booked.arrival_window.end,
                technicians=tuple(TechnicianProgress(t, TechStatus.ASSIGNED) for t in booked.technician_ids),
                occurred_at=envelope.occurred_at,
            )
        )


def project_appointment(
    envelope: EventEnvelope, event: AppointmentChangeV1, projection: AppointmentProjection
) -> None:
    """Keep the appointment as the event leaves it; a deleted appointment ends like a canceled one."""
    state = event.appointment
    deleted = envelope.event_type == APPOINTMENT_DELETED
    projection.put(
        TrackedAppointment(
            tenant_id=envelope.tenant_id,
            appointment_id=state.appointment_id,
            job_id=event.job_id,
            status=AppointmentStatus.CANCELED if deleted else state.status,
            window_start=state.arrival_window.start,
            window_end=state.arrival_window.end,
            technicians=tuple(
                TechnicianProgress(t.technician_id, t.status, t.first_name) for t in state.technicians
            ),
            occurred_at=envelope.occurred_at,
            job_canceled=event.job_status == JobStatus.CANCELED,
        )
    )


def project_job_cancellation(
    envelope: EventEnvelope, event: JobChangeV1, projection: AppointmentProjection
) -> None:
    """A job canceled (or set back): each of its appointments known to tracking is over (or active
    again), unless news about it that occurred later was already kept."""
    canceled = envelope.event_type == JOB_CANCELED
    for appointment_id in event.appointment_ids:
        appointment = projection.get(envelope.tenant_id, appointment_id)
        if appointment is not None:
            projection.put(replace(appointment, job_canceled=canceled, occurred_at=envelope.occurred_at))


def issue_link(appointment_id: str, principal: Principal, links: Links) -> LinkToken:
    """A new link to a dispatched appointment; its token is shown this once, only its hash is kept."""
    principal.require_office()
    appointment = links.appointments.get(principal.tenant_id, appointment_id)
    if appointment is None:
        raise NotFound("tracking knows no such appointment")
    if appointment.ended:
        raise Gone("the appointment is over")
    if not appointment.started:
        raise Conflict("the appointment has not been dispatched")
    token = LinkToken.new()
    day = appointment.window_start.date()
    link = Link(principal.tenant_id, appointment_id, appointment.job_id, links.clock(), day=day)
    links.links.add(token.hash, link)
    return token


@dataclass(frozen=True)
class Tracked:
    """What the customer's link shows."""

    appointment: TrackedAppointment
    destination: Destination | None
    progress: Progress | None


def open_link(value: str, links: Links) -> Tracked:
    """Nothing (404) before dispatch or for an unknown token, 410 once over; each open is counted."""
    token = LinkToken.parse(value)
    link = links.links.get(token.hash) if token is not None else None
    if token is None or link is None:
        raise NotFound(NO_LINK)
    appointment = links.appointments.get(link.tenant_id, link.appointment_id)
    if appointment is None or not (appointment.started or appointment.ended):
        raise NotFound(NO_LINK)
    if appointment.ended:
        raise Gone("the appointment is over")
    links.links.count_open(token.hash)
    destination = links.appointments.destination(link.tenant_id, link.job_id)
    technician_id = appointment.on_the_way
    position = links.positions.latest(link.tenant_id, technician_id, links.clock()) if technician_id else None
    shown = progress(position, destination, links.travel) if destination is not None else None
    return Tracked(appointment, destination, shown)


def issued_view(token: LinkToken, appointment_id: str) -> dict[str, Any]:
    return {
        "appointment_id": appointment_id,
        "token": token.value,
        "path": f"{PUBLIC_LINKS_PATH}{token.value}",
    }


def tracked_view(tracked: Tracked) -> dict[str, Any]:
    appointment, destination, shown = tracked.appointment, tracked.destination, tracked.progress
    point = destination.point if destination is not None else None
    named = appointment.technician_named
    return {
        "status": appointment.status.value,
        "on_the_way": appointment.technician_on_the_way is not None,
        "technician": {"first_name": named.first_name} if named is not None else None,
        "arrival_window": {
            "start": appointment.window_start.isoformat(),
            "end": appointment.window_end.isoformat(),
        },
        "destination": {"lat": point.lat, "lon": point.lon} if point is not None else None,
        "position": (
            {
                "lat": shown.position.fix.lat,
                "lon": shown.position.fix.lon,
                "recorded_at": shown.position.fix.recorded_at.isoformat(),
            }
            if shown is not None
            else None
        ),
        "distance_km": round(shown.estimate.distance_km, 1) if shown is not None else None,
        "eta_minutes": shown.estimate.eta_minutes if shown is not None else None,
    }
