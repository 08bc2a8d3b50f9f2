"""Dispatch's board projection in the core table: one partition per tenant and day, so a day's
board is one Query however long the tenant's history is."""

from __future__ import annotations

from datetime import date, datetime

from truckroll.domain.board import BoardAppointment, BoardDay, BoardLocation
from truckroll.domain.jobs import Priority
from truckroll.domain.status import AppointmentStatus, JobStatus
from truckroll.domain.windows import TimeWindow
from truckroll.persistence import keys
from truckroll.persistence.core_models import BoardEntryItem


class DynamoBoardRepository:
    def put(self, entry: BoardAppointment) -> None:
        location = entry.location
        BoardEntryItem(
            pk=keys.board_pk(entry.tenant_id, entry.day),
            sk=keys.appointment_sk(entry.appointment_id),
            tenant_id=entry.tenant_id,
            appointment_id=entry.appointment_id,
            job_id=entry.job_id,
            start=entry.scheduled.start.isoformat(),
            end=entry.scheduled.end.isoformat(),
            window_start=entry.arrival_window.start.isoformat(),
            window_end=entry.arrival_window.end.isoformat(),
            status=entry.status.value,
            job_status=entry.job_status.value,
            customer_name=entry.customer_name,
            job_type=entry.job_type,
            business_unit=entry.business_unit,
            summary=entry.summary,
            priority=entry.priority.value,
            tags=list(entry.tags),
            street=location.street,
            city=location.city,
            state=location.state,
            postal_code=location.postal_code,
            verified=location.verified,
            lat=location.lat,
            lon=location.lon,
            technician_ids=list(entry.technician_ids),
            alerts=list(entry.alerts),
        ).save()

    def day(self, tenant_id: str, day: date) -> BoardDay:
        items = BoardEntryItem.query(keys.board_pk(tenant_id, day), consistent_read=True)
        entries = sorted((_entry(i) for i in items), key=lambda e: (e.scheduled.start, e.appointment_id))
        return BoardDay(day=day, appointments=tuple(entries))


def _window(start: str, end: str) -> TimeWindow:
    return TimeWindow(datetime.fromisoformat(start), datetime.fromisoformat(end))


def _entry(item: BoardEntryItem) -> BoardAppointment:
    return BoardAppointment(
        tenant_id=item.tenant_id,
        appointment_id=item.appointment_id,
        job_id=item.job_id,
        scheduled=_window(item.start, item.end),
        arrival_window=_window(item.window_start, item.window_end),
        status=AppointmentStatus(item.status),
        job_status=JobStatus(item.job_status),
        customer_name=item.customer_name,
        job_type=item.job_type,
        business_unit=item.business_unit,
        summary=item.summary,
        priority=Priority(item.priority),
        tags=tuple(item.tags),
        location=BoardLocation(
            street=item.street,
            city=item.city,
            state=item.state,
            postal_code=item.postal_code,
            verified=item.verified,
            lat=item.lat,
            lon=item.lon,
        ),
        technician_ids=tuple(item.technician_ids),
        alerts=tuple(item.alerts),
    )
