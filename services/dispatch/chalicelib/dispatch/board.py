"""Reading the dispatch board."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from truckroll.auth import Principal, Role
from truckroll.domain.board import BoardAppointment, BoardDay
from truckroll.errors import FieldError, Forbidden, ValidationFailed
from truckroll.persistence.ports import BoardRepository

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(value: str | None) -> date:
    try:
        if value is None or not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValidationFailed([FieldError("date", "expected a calendar date as YYYY-MM-DD")]) from error


def board_day(day: date, principal: Principal, board: BoardRepository) -> BoardDay:
    """The day's board: all of it for the office, only their own appointments for a technician."""
    whole = board.day(principal.tenant_id, day)
    if principal.is_office:
        return whole
    if principal.role is Role.TECHNICIAN:
        return whole.for_technician(principal.sub)
    raise Forbidden("this role may not read the board")


def _entry_view(entry: BoardAppointment) -> dict[str, Any]:
    location = entry.location
    return {
        "appointment_id": entry.appointment_id,
        "job_id": entry.job_id,
        "start": entry.scheduled.start.isoformat(),
        "end": entry.scheduled.end.isoformat(),
        "arrival_window": {
            "start": entry.arrival_window.start.isoformat(),
            "end": entry.arrival_window.end.isoformat(),
        },
        "status": entry.status.value,
        "job_status": entry.job_status.value,
        "customer": {"name": entry.customer_name},
        "job_type": entry.job_type,
        "business_unit": entry.business_unit,
        "summary": entry.summary,
        "priority": entry.priority.value,
        "tags": list(entry.tags),
        "location": {
            "street": location.street,
            "city": location.city,
            "state": location.state,
            "postal_code": location.postal_code,
            "verified": location.verified,
            "lat": location.lat,
            "lon": location.lon,
        },
        "technicians": [{"technician_id": t} for t in entry.technician_ids],
        "alerts": list(entry.alerts),
    }


def board_view(board: BoardDay) -> dict[str, Any]:
    return {
        "date": board.day.isoformat(),
        "appointments": [_entry_view(e) for e in board.appointments],
        "trays": {
            "unassigned": [e.appointment_id for e in board.unassigned],
            "on_hold": [e.appointment_id for e in board.on_hold],
            "canceled": [e.appointment_id for e in board.canceled],
        },
    }
