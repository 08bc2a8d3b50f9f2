"""Dispatch's board: projection of job.booked, trays, and who sees what."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from builders import booked_envelope
from chalicelib.dispatch.board import board_day, board_view, parse_day
from chalicelib.dispatch.projection import project_job_booked
from fakes import NOW, FakeBoard

from truckroll.auth import Principal, Role
from truckroll.contracts.jobs import JobBookedV1
from truckroll.domain.board import GPS_SILENT, technician_alerts
from truckroll.domain.status import AppointmentStatus, JobStatus
from truckroll.domain.windows import TimeWindow
from truckroll.errors import ValidationFailed

DAY = date(2026, 3, 3)


def projected(board: FakeBoard, tenant: str = "t1", **kwargs: object) -> JobBookedV1:
    envelope = booked_envelope(tenant, **kwargs)
    data = JobBookedV1.model_validate(envelope.data)
    project_job_booked(envelope.tenant_id, data, board)
    return data


def test_a_booked_appointment_lands_unassigned_on_its_local_day() -> None:
    board = FakeBoard()
    data = projected(board)
    view = board_view(board_day(DAY, Principal("u", "t1", Role.DISPATCHER), board), NOW)
    (entry,) = view["appointments"]
    assert data.appointment is not None
    assert entry["appointment_id"] == data.appointment.appointment_id
    assert entry["customer"] == {"name": "Dana Reyes"}
    assert (entry["job_type"], entry["summary"], entry["status"]) == (
        "AC repair",
        "No cooling upstairs",
        "scheduled",
    )
    assert entry["arrival_window"] == {
        "start": "2026-03-03T08:00:00-06:00",
        "end": "2026-03-03T12:00:00-06:00",
    }
    assert entry["technicians"] == []
    assert entry["alerts"] == []
    assert view["trays"] == {"unassigned": [entry["appointment_id"]], "on_hold": [], "canceled": []}
    assert board_day(date(2026, 3, 4), Principal("u", "t1", Role.DISPATCHER), board).appointments == ()


def test_an_appointment_nobody_reached_by_the_end_of_its_window_is_running_late() -> None:
    board = FakeBoard()
    projected(board)
    day = board_day(DAY, Principal("u", "t1", Role.DISPATCHER), board)
    window_end = day.appointments[0].arrival_window.end
    assert board_view(day, window_end)["appointments"][0]["alerts"] == []
    late = board_view(day, window_end + timedelta(minutes=1))["appointments"][0]
    assert late["alerts"] == ["running_late"]
    (entry,) = board.entries.values()
    board.put(replace(entry, status=AppointmentStatus.WORKING))
    arrived = board_day(DAY, Principal("u", "t1", Role.DISPATCHER), board)
    assert board_view(arrived, window_end + timedelta(hours=1))["appointments"][0]["alerts"] == []


def test_a_job_without_a_time_is_on_no_board() -> None:
    board = FakeBoard()
    projected(board, with_visit=False)
    assert board.entries == {}


def test_projecting_twice_keeps_one_entry() -> None:
    board = FakeBoard()
    envelope = booked_envelope()
    data = JobBookedV1.model_validate(envelope.data)
    project_job_booked("t1", data, board)
    project_job_booked("t1", data, board)
    assert len(board.entries) == 1


def test_technicians_see_only_their_own_appointments_and_tenants_only_theirs() -> None:
    board = FakeBoard()
    projected(board)
    projected(board, "t2")
    assert board_day(DAY, Principal("tech-1", "t1", Role.TECHNICIAN), board).appointments == ()
    (entry,) = board_day(DAY, Principal("u", "t1", Role.ADMIN), board).appointments
    assigned = replace(entry, technician_ids=("tech-1",))
    board.put(assigned)
    assert board_day(DAY, Principal("tech-1", "t1", Role.TECHNICIAN), board).appointments == (assigned,)
    assert board_day(DAY, Principal("u", "t1", Role.ADMIN), board).unassigned == ()


def test_trays_sort_held_and_canceled_jobs_out_of_unassigned() -> None:
    board = FakeBoard()
    projected(board)
    (entry,) = board.entries.values()
    day = board_day(DAY, Principal("u", "t1", Role.BOTH), board)
    assert day.unassigned == (entry,)
    board.put(replace(entry, job_status=JobStatus.ON_HOLD))
    held = board_day(DAY, Principal("u", "t1", Role.BOTH), board)
    assert (held.unassigned, len(held.on_hold), held.canceled) == ((), 1, ())
    board.put(replace(entry, job_status=JobStatus.CANCELED))
    canceled = board_day(DAY, Principal("u", "t1", Role.BOTH), board)
    assert (canceled.unassigned, canceled.on_hold, len(canceled.canceled)) == ((), (), 1)


@pytest.mark.parametrize("value", [None, "", "2026-3-3", "2026-02-30", "tomorrow", "2026-03-03T00:00"])
def test_the_date_must_be_a_calendar_date(value: str | None) -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_day(value)
    assert [e.field for e in failed.value.errors] == ["date"]
    assert parse_day("2026-03-03") == DAY


def test_a_silent_device_is_an_alert_on_the_row_only_while_working() -> None:
    morning = TimeWindow(datetime(2026, 3, 3, 8, tzinfo=UTC), datetime(2026, 3, 3, 12, tzinfo=UTC))
    during, after = datetime(2026, 3, 3, 10, tzinfo=UTC), datetime(2026, 3, 3, 13, tzinfo=UTC)
    assert technician_alerts(True, [morning], during) == (GPS_SILENT,)
    assert technician_alerts(True, [morning], after) == ()
    assert technician_alerts(False, [morning], during) == ()
