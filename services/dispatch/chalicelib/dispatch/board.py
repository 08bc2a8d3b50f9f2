"""Reading the dispatch board: a day, a week, and the changes since a cursor."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from chalicelib.dispatch.bootstrap import Dispatch
from chalicelib.dispatch.schemas import event_view, shift_view
from ulid import ULID

from truckroll.auth import Principal, Role
from truckroll.domain.board import BoardAppointment, BoardChange, BoardDay, technician_alerts
from truckroll.domain.schedule import TechDay
from truckroll.domain.timeline import working_time
from truckroll.errors import FieldError, Forbidden, ValidationFailed
from truckroll.persistence.board import cursor_at
from truckroll.persistence.ports import BoardRepository
from truckroll.persistence.technicians import Roster

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
WEEK = 7


def parse_day(value: str | None, name: str = "date") -> date:
    try:
        if value is None or not ISO_DATE.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValidationFailed([FieldError(name, "expected a calendar date as YYYY-MM-DD")]) from error


def parse_cursor(value: str | None) -> str:
    try:
        return str(ULID.from_str(value or ""))
    except ValueError as error:
        raise ValidationFailed(
            [FieldError("cursor", "expected the cursor a board or changes read returned")]
        ) from error


def board_day(day: date, principal: Principal, board: BoardRepository) -> BoardDay:
    """The day's board: all of it for the office, only their own appointments for a technician."""
    whole = board.day(principal.tenant_id, day)
    if principal.is_office:
        return whole
    if principal.role is Role.TECHNICIAN:
        return whole.for_technician(principal.sub)
    raise Forbidden("this role may not read the board")


def _visible_technicians(principal: Principal, dispatch: Dispatch) -> Roster:
    roster = dispatch.technicians.roster(principal.tenant_id)
    if principal.is_office:
        return roster
    return replace(roster, technicians=[t for t in roster.technicians if t.technician_id == principal.sub])


def _day_view(day: date, roster: Roster, principal: Principal, dispatch: Dispatch) -> dict[str, Any]:
    """The day's appointments and one row per technician: two Queries (the board, the technicians'
    days with their shifts and non-job events)."""
    board = board_day(day, principal, dispatch.board)
    with dispatch.uow() as uow:
        tech_days = {d.technician_id: d for d in uow.schedules.of_date(principal.tenant_id, day)}
    now = dispatch.clock()
    mine: dict[str, list[str]] = {t.technician_id: [] for t in roster.technicians}
    for entry in board.appointments:
        for technician_id in entry.technician_ids:
            mine.setdefault(technician_id, []).append(entry.appointment_id)
    rows = [{**row, "appointments": mine[row["technician_id"]]} for row in _rows(day, roster, tech_days, now)]
    return {**board_view(board, now), "technicians": rows}


def read_board(day: date, principal: Principal, dispatch: Dispatch) -> dict[str, Any]:
    """The day with its technicians' rows and a cursor for the change feed: three Queries."""
    cursor = cursor_at(dispatch.clock())
    return {
        **_day_view(day, _visible_technicians(principal, dispatch), principal, dispatch),
        "cursor": cursor,
    }


def read_week(first: date, principal: Principal, dispatch: Dispatch) -> dict[str, Any]:
    """Seven days from ``first``: two Queries per day, plus the technicians."""
    cursor = cursor_at(dispatch.clock())
    roster = _visible_technicians(principal, dispatch)
    days = [_day_view(first + timedelta(days=n), roster, principal, dispatch) for n in range(WEEK)]
    return {"start": first.isoformat(), "days": days, "cursor": cursor}


def read_changes(day: date, cursor: str, principal: Principal, dispatch: Dispatch) -> dict[str, Any]:
    """Changes of the day's board since ``cursor``: appointments (a technician sees only their own,
    and the removal of those taken from them) and technicians' rows (a technician only their own),
    each row read again when it changed (then one Query and one BatchGetItem more)."""
    if not (principal.is_office or principal.role is Role.TECHNICIAN):
        raise Forbidden("this role may not read the board")
    page = dispatch.board.changes(principal.tenant_id, day, cursor)
    now = dispatch.clock()
    views = []
    for change_id, change in page.changes:
        seen: BoardChange | None = change if principal.is_office else change.visible_to(principal.sub)
        if seen is not None:
            views.append(_change_view(change_id, seen, now))
    latest = {technician_id: change_id for change_id, technician_id in sorted(page.technicians)}
    if latest:
        roster = _visible_technicians(principal, dispatch)
        changed = replace(roster, technicians=[t for t in roster.technicians if t.technician_id in latest])
        with dispatch.uow() as uow:
            tech_days = uow.schedules.many(principal.tenant_id, [(t, day) for t in latest])
        days = {d.technician_id: d for d in tech_days}
        for row in _rows(day, changed, days, now):
            change_id = latest[row["technician_id"]]
            views.append({"kind": "technician", "change_id": change_id, "technician": row})
    return {"date": day.isoformat(), "changes": views, "cursor": page.cursor}


def _change_view(change_id: str, change: BoardChange, now: datetime) -> dict[str, Any]:
    entry = change.entry
    return {
        "kind": "appointment",
        "change_id": change_id,
        "appointment_id": change.appointment_id,
        "removed": entry is None,
        "appointment": _entry_view(entry.at(now)) if entry is not None else None,
    }


def _rows(day: date, roster: Roster, days: dict[str, TechDay], now: datetime) -> list[dict[str, Any]]:
    """One row per technician: their shifts, their non-job events and their alerts of ``day``."""
    rows = []
    for t in roster.technicians:
        tech_day = days.get(t.technician_id, TechDay(t.tenant_id, t.technician_id, day))
        silent = t.technician_id in roster.gps_silent
        rows.append(
            {
                "technician_id": t.technician_id,
                "name": t.name,
                "active": t.active,
                "shifts": [shift_view(s) for s in tech_day.shifts],
                "events": [event_view(e) for e in tech_day.events],
                "alerts": list(technician_alerts(silent, working_time(tech_day.shifts), now)),
            }
        )
    return rows


def _entry_view(entry: BoardAppointment) -> dict[str, Any]:
    location = entry.location
    return {
        "appointment_id": entry.appointment_id,
        "job_id": entry.job_id,
        "job_version": entry.job_version,
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
        "auto_dispatch_reason": entry.auto_alert,
    }


def board_view(board: BoardDay, now: datetime) -> dict[str, Any]:
    return {
        "date": board.day.isoformat(),
        "appointments": [_entry_view(e.at(now)) for e in board.appointments],
        "trays": {
            "unassigned": [e.appointment_id for e in board.unassigned],
            "on_hold": [e.appointment_id for e in board.on_hold],
            "canceled": [e.appointment_id for e in board.canceled],
        },
    }
