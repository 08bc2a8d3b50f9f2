"""A technician's shifts, non-job events and crews through the local stack's gateway: what the
board shows, the capacity rule against assignments, who may see and change them, and shifts
reaching tracking as ``technician.shifts_set``."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from test_dispatch_actions import DAY, TECH_1, TECH_2, Office, office

pytestmark = pytest.mark.integration
__all__ = ["office"]


def at(hour: int, day: date = DAY) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00+00:00"


def meeting(start: int, end: int, **extra: Any) -> dict[str, Any]:
    return {"type": "meeting", "start": at(start), "end": at(end), "timesheet_code": "MTG", **extra}


def test_shifts_are_listed_for_a_range_shown_on_the_board_and_deleted(office: Office) -> None:
    regular = office.call("POST", f"/technicians/{TECH_1}/shifts", {"start": at(7), "end": at(17)})
    assert regular.status == 201, regular.text
    lunch = {"kind": "time_off", "start": at(12), "end": at(13)}
    assert office.call("POST", f"/technicians/{TECH_1}/shifts", lunch).status == 201
    later = DAY + timedelta(days=3)
    assert (
        office.call(
            "POST", f"/technicians/{TECH_1}/shifts", {"start": at(8, later), "end": at(9, later)}
        ).status
        == 201
    )
    listed = office.call(
        "GET", f"/technicians/{TECH_1}/shifts?from={DAY}&to={DAY + timedelta(days=6)}"
    ).json()
    assert [(d["date"], [s["kind"] for s in d["shifts"]]) for d in listed["days"]] == [
        (DAY.isoformat(), ["regular", "time_off"]),
        (later.isoformat(), ["regular"]),
    ]
    rows = {r["technician_id"]: r for r in office.board()["technicians"]}
    assert [s["kind"] for s in rows[TECH_1]["shifts"]] == ["regular", "time_off"]
    assert rows[TECH_2]["shifts"] == []
    shift_id = regular.json()["shift_id"]
    assert office.call("DELETE", f"/technicians/{TECH_1}/shifts/{DAY}/{shift_id}").status == 204
    assert office.call("DELETE", f"/technicians/{TECH_1}/shifts/{DAY}/{shift_id}").status == 404
    rows = {r["technician_id"]: r for r in office.board()["technicians"]}
    assert [s["kind"] for s in rows[TECH_1]["shifts"]] == ["time_off"]


def test_invalid_shifts_are_422_problems(office: Office) -> None:
    for body in (
        {"start": at(9), "end": at(8)},
        {"kind": "nap", "start": at(8), "end": at(9)},
        {"start": "2027-04-06T08:00:00", "end": at(9)},
    ):
        assert office.call("POST", f"/technicians/{TECH_1}/shifts", body).status == 422
    unknown = office.call("POST", "/technicians/nobody@demo/shifts", {"start": at(8), "end": at(9)})
    assert (unknown.status, unknown.json()["unknown"]) == (422, ["nobody@demo"])


def test_a_shift_reaches_tracking_which_then_keeps_the_technicians_fixes(office: Office) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    technician = office.as_user(TECH_1)
    fix = {"fixes": [{"recorded_at": now.isoformat(), "lat": 30.27, "lon": -97.74, "accuracy_m": 5.0}]}
    office.stack.drain()
    before = office.stack.request("POST", "/tracking/fixes", technician, fix).json()
    shift = {"start": (now - timedelta(hours=2)).isoformat(), "end": (now + timedelta(hours=2)).isoformat()}
    assert office.call("POST", f"/technicians/{TECH_1}/shifts", shift).status == 201
    office.stack.drain()
    after = office.stack.request("POST", "/tracking/fixes", technician, fix).json()
    assert (before["stored"], after["stored"]) == (0, 1)


def test_a_non_job_event_blocks_assignment_unless_forced_and_shows_on_the_board(office: Office) -> None:
    created = office.call("POST", f"/technicians/{TECH_1}/events", meeting(9, 10))
    assert created.status == 201, created.text
    event = created.json()
    job = office.book(hour=9)
    refused = office.act(job, "assign", {"technician_ids": [TECH_1]})
    assert (refused.status, refused.json()["conflicting"]) == (409, [event["event_id"]])
    assert office.act(job, "assign", {"technician_ids": [TECH_1], "force": True}).status == 200
    rows = {r["technician_id"]: r for r in office.board()["technicians"]}
    assert [(e["type"], e["timesheet_code"], e["completed"]) for e in rows[TECH_1]["events"]] == [
        ("meeting", "MTG", False)
    ]


def test_an_event_that_does_not_count_against_capacity_lets_the_assignment_through(office: Office) -> None:
    ride_along = meeting(9, 10, type="ride-along", counts_against_capacity=False)
    assert office.call("POST", f"/technicians/{TECH_1}/events", ride_along).status == 201
    assert office.act(office.book(hour=9), "assign", {"technician_ids": [TECH_1]}).status == 200


def test_an_event_over_an_appointment_is_refused_unless_forced(office: Office) -> None:
    assert office.act(office.book(hour=9), "assign", {"technician_ids": [TECH_1]}).status == 200
    assert office.call("POST", f"/technicians/{TECH_1}/events", meeting(9, 10)).status == 409
    assert office.call("POST", f"/technicians/{TECH_1}/events", meeting(9, 10, force=True)).status == 201


def test_a_non_job_event_is_edited_completed_and_deleted(office: Office) -> None:
    event = office.call("POST", f"/technicians/{TECH_1}/events", meeting(9, 10)).json()
    path = f"/technicians/{TECH_1}/events/{DAY}/{event['event_id']}"
    edited = office.call("PUT", path, meeting(14, 15, type="training", timesheet_code=None))
    assert edited.status == 200, edited.text
    assert (edited.json()["type"], edited.json()["start"], edited.json()["timesheet_code"]) == (
        "training",
        "2027-04-06T14:00:00+00:00",
        None,
    )
    assert office.act(office.book(hour=9), "assign", {"technician_ids": [TECH_1]}).status == 200
    assert office.call("POST", path + "/complete").json()["completed"] is True
    assert office.call("GET", path).json()["completed"] is True
    assert office.call("DELETE", path).status == 204
    assert office.call("GET", path).status == 404
    assert office.act(office.book(hour=14), "assign", {"technician_ids": [TECH_1]}).status == 200


def test_a_non_job_event_moves_to_another_day(office: Office) -> None:
    event = office.call("POST", f"/technicians/{TECH_1}/events", meeting(9, 10)).json()
    later = DAY + timedelta(days=1)
    moved = {**meeting(9, 10), "start": at(9, later), "end": at(10, later)}
    assert office.call("PUT", f"/technicians/{TECH_1}/events/{DAY}/{event['event_id']}", moved).status == 200
    assert office.call("GET", f"/technicians/{TECH_1}/events/{DAY}/{event['event_id']}").status == 404
    assert office.call("GET", f"/technicians/{TECH_1}/events/{later}/{event['event_id']}").status == 200


def test_technicians_see_only_their_own_shifts_and_events_and_cannot_create_them(office: Office) -> None:
    event = office.call("POST", f"/technicians/{TECH_1}/events", meeting(9, 10)).json()
    assert office.call("POST", f"/technicians/{TECH_1}/shifts", {"start": at(7), "end": at(17)}).status == 201
    own, other = office.as_user(TECH_1), office.as_user(TECH_2)
    event_path = f"/technicians/{TECH_1}/events/{DAY}/{event['event_id']}"
    shifts_path = f"/technicians/{TECH_1}/shifts?from={DAY}&to={DAY}"
    assert office.call("GET", event_path, headers=own).status == 200
    assert office.call("GET", shifts_path, headers=own).json()["days"][0]["date"] == DAY.isoformat()
    assert office.call("GET", event_path, headers=other).status == 404
    assert office.call("GET", shifts_path, headers=other).status == 404
    assert (
        office.call("POST", f"/technicians/{TECH_1}/shifts", {"start": at(7), "end": at(8)}, own).status
        == 403
    )
    assert office.call("POST", f"/technicians/{TECH_1}/events", meeting(11, 12), own).status == 403
    assert office.call("DELETE", event_path, headers=own).status == 403
    (row,) = office.board(headers=own)["technicians"]
    assert (row["technician_id"], len(row["shifts"]), len(row["events"])) == (TECH_1, 1, 1)


def test_assignment_refuses_unknown_and_inactive_technicians(office: Office) -> None:
    office.hire("gone@demo", active=False)
    job = office.book()
    for technician_id, field in (("nobody@demo", "unknown"), ("gone@demo", "inactive")):
        refused = office.act(job, "assign", {"technician_ids": [technician_id]})
        assert (refused.status, refused.json()[field]) == (422, [technician_id]), refused.text
        assert technician_id in refused.json()["detail"]
    assert office.act(job, "assign", {"technician_ids": [TECH_1]}).status == 200
    moved = office.act(job, "reassign", {"from_technician_id": TECH_1, "to_technician_id": "gone@demo"})
    assert moved.status == 422


def test_crews_have_linked_and_floating_members_that_assignment_does_not_change(office: Office) -> None:
    created = office.call(
        "POST", "/crews", {"name": "Roofing", "members": [{"technician_id": TECH_1, "kind": "linked"}]}
    )
    assert created.status == 201, created.text
    crew_id = created.json()["crew_id"]
    added = office.call("POST", f"/crews/{crew_id}/members", {"technician_id": TECH_2, "kind": "floating"})
    assert added.json()["members"] == [
        {"technician_id": TECH_1, "kind": "linked"},
        {"technician_id": TECH_2, "kind": "floating"},
    ]
    office.hire("tech-3@demo")
    assert office.act(office.book(), "assign", {"technician_ids": ["tech-3@demo"]}).status == 200
    removed = office.call("DELETE", f"/crews/{crew_id}/members/{TECH_1}")
    assert removed.json()["members"] == [{"technician_id": TECH_2, "kind": "floating"}]
    (listed,) = office.call("GET", "/crews").json()["crews"]
    assert listed == removed.json()
    assert office.call("DELETE", f"/crews/{crew_id}/members/{TECH_1}").status == 404
    assert (
        office.call("POST", "/crews/nope/members", {"technician_id": TECH_2, "kind": "linked"}).status == 404
    )
    assert (
        office.call(
            "POST", f"/crews/{crew_id}/members", {"technician_id": "nobody@demo", "kind": "linked"}
        ).status
        == 422
    )
    assert (
        office.call("POST", f"/crews/{crew_id}/members", {"technician_id": TECH_2, "kind": "temp"}).status
        == 422
    )
    assert office.call("GET", "/crews", headers=office.as_user(TECH_1)).status == 403
