"""Keeping dispatch's board projection up to date from events (and technicians' device health)."""

from __future__ import annotations

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JobBookedV1, WindowV1
from truckroll.contracts.tracking import TRACKING_DEVICE_SILENT, DeviceSilenceV1
from truckroll.domain.board import BoardAppointment
from truckroll.domain.places import Place
from truckroll.domain.windows import TimeWindow
from truckroll.persistence.ports import BoardRepository
from truckroll.persistence.technicians import DynamoTechnicianRepository


def _window(window: WindowV1) -> TimeWindow:
    return TimeWindow(window.start, window.end)


def project_job_booked(tenant_id: str, event: JobBookedV1, board: BoardRepository) -> None:
    """Put a job booked with a time on the board of each appointment's day (an appointment without
    a technician lands in the Unassigned tray) unless dispatch has already put it there (its own
    entry is newer). A job booked without a time has no place on any day's board yet."""
    location = event.location
    for appointment in event.visits():
        board.put_new(
            BoardAppointment(
                tenant_id=tenant_id,
                appointment_id=appointment.appointment_id,
                job_id=event.job_id,
                scheduled=TimeWindow(appointment.start, appointment.end),
                arrival_window=_window(appointment.arrival_window),
                status=appointment.status,
                job_status=event.status,
                customer_name=event.customer.name,
                job_type=event.job_type,
                business_unit=event.business_unit,
                summary=event.summary,
                priority=event.priority,
                tags=tuple(event.tags),
                location=Place(
                    street=location.street,
                    city=location.city,
                    state=location.state,
                    postal_code=location.postal_code,
                    verified=location.verified,
                    lat=location.lat,
                    lon=location.lon,
                ),
                technician_ids=tuple(appointment.technician_ids),
                job_version=1,
            )
        )


def project_device_silence(
    envelope: EventEnvelope, event: DeviceSilenceV1, technicians: DynamoTechnicianRepository
) -> None:
    """Tracking says a technician's device fell silent or resumed: the board's row shows it."""
    silent = envelope.event_type == TRACKING_DEVICE_SILENT
    technicians.set_gps_silent(envelope.tenant_id, event.technician_id, silent, envelope.occurred_at)
