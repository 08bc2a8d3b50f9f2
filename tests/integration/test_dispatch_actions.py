"""Dispatch's actions through the local stack's gateway: assignment and the double-booking rule,
the job and appointment lifecycle, trays, the change feed, the audit trail, what a technician may
see and do, and the events reaching notify's queue."""

from __future__ import annotations

import sys
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from truckroll_local.responses import HttpResponse
from truckroll_local.stack import LocalStack

if str(Path(__file__).resolve().parents[2]) not in sys.path:
    sys.path.append(str(Path(__file__).resolve().parents[2]))

from bench.suites.dispatch import job_request

pytestmark = pytest.mark.integration

DAY = date(2027, 4, 6)
TECH_1, TECH_2 = "tech-1@demo", "tech-2@demo"


class Office:
    """One tenant of its own on the shared stack, spoken to as its dispatcher, with two technicians."""

    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.tenant = f"t-{uuid.uuid4().hex[:10]}"
        self.headers = stack.auth_headers("dispatcher@demo", tenant_id=self.tenant)
        for technician_id in (TECH_1, TECH_2):
            self.hire(technician_id)

    def hire(self, technician_id: str, active: bool = True) -> None:
        profile = {"technician_id": technician_id, "name": technician_id.split("@")[0], "active": active}
        assert self.call("POST", "/technicians", profile).status == 201

    def as_user(self, username: str) -> dict[str, str]:
        return self.stack.auth_headers(username, tenant_id=self.tenant)

    def call(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        return self.stack.request(method, f"/dispatch{path}", headers or self.headers, body)

    def book(self, n: int = 1, day: date = DAY, hour: int | None = None) -> tuple[str, str]:
        body = job_request(day, n)
        if hour is not None:
            body["appointment"] = {
                "start": f"{day.isoformat()}T{hour:02d}:00:00+00:00",
                "end": f"{day.isoformat()}T{hour + 1:02d}:00:00+00:00",
                "arrival_window": {
                    "start": f"{day.isoformat()}T{hour:02d}:00:00+00:00",
                    "end": f"{day.isoformat()}T{hour + 2:02d}:00:00+00:00",
                },
            }
        booked = self.stack.request("POST", "/booking/jobs", self.headers, body)
        assert booked.status == 201, booked.text
        job = booked.json()
        return job["job_id"], job["appointments"][0]["appointment_id"]

    def act(
        self, job: tuple[str, str], action: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> HttpResponse:
        job_id, appointment_id = job
        return self.call(
            "POST", f"/jobs/{job_id}/appointments/{appointment_id}/{action}", body or {}, headers
        )

    def board(self, headers: dict[str, str] | None = None) -> dict[str, Any]:
        response = self.call("GET", f"/board?date={DAY.isoformat()}", headers=headers)
        assert response.status == 200, response.text
        board: dict[str, Any] = response.json()
        return board


@pytest.fixture
def office(local_stack: LocalStack) -> Office:
    return Office(local_stack)


def entry(board: dict[str, Any], appointment_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(a for a in board["appointments"] if a["appointment_id"] == appointment_id)
    return found


def test_assigning_puts_the_job_on_the_technicians_row_and_out_of_the_unassigned_tray(office: Office) -> None:
    job = office.book()
    office.stack.drain()
    assert office.board()["trays"]["unassigned"] == [job[1]]
    assigned = office.act(job, "assign", {"technician_ids": [TECH_1, TECH_2]})
    assert assigned.status == 200, assigned.text
    assert [t["technician_id"] for t in assigned.json()["appointments"][0]["technicians"]] == [TECH_1, TECH_2]
    board = office.board()
    assert board["trays"]["unassigned"] == []
    shown = entry(board, job[1])
    assert [t["technician_id"] for t in shown["technicians"]] == [TECH_1, TECH_2]
    assert (shown["customer"]["name"], shown["status"], shown["job_status"]) == (
        "Race customer 1",
        "scheduled",
        "scheduled",
    )


def test_a_technician_is_not_double_booked_unless_the_dispatcher_forces_it(office: Office) -> None:
    first, second, later = office.book(1), office.book(2), office.book(3, hour=11)
    assert office.act(first, "assign", {"technician_ids": [TECH_1]}).status == 200
    refused = office.act(second, "assign", {"technician_ids": [TECH_1]})
    assert refused.status == 409
    problem = refused.json()
    assert problem["conflicting"] == [first[1]]
    assert "force" in problem["detail"]
    assert office.act(later, "assign", {"technician_ids": [TECH_1]}).status == 200  # back to back
    forced = office.act(second, "assign", {"technician_ids": [TECH_1], "force": True})
    assert forced.status == 200, forced.text
    assert forced.json()["appointments"][0]["technicians"][0]["overlap_forced"] is True
    board = office.board()
    assert entry(board, second[1])["alerts"] == ["double_booked"]
    assert entry(board, first[1])["alerts"] == []
    schedule = office.call("GET", f"/technicians/{TECH_1}/schedule?from={DAY}&to={DAY}").json()
    (day,) = schedule["days"]
    assert sorted((s["id"], s["double_booked"]) for s in day["slots"]) == sorted(
        [(first[1], False), (second[1], True), (later[1], False)]
    )


def test_moving_or_unassigning_frees_the_technicians_time(office: Office) -> None:
    first, second = office.book(1), office.book(2)
    assert office.act(first, "assign", {"technician_ids": [TECH_1]}).status == 200
    assert office.act(first, "unassign", {"technician_ids": [TECH_1]}).status == 200
    assert office.act(second, "assign", {"technician_ids": [TECH_1]}).status == 200
    moved = office.act(
        second,
        "reschedule",
        {
            "start": "2027-04-06T13:00:00+00:00",
            "end": "2027-04-06T14:00:00+00:00",
            "arrival_window": {"start": "2027-04-06T13:00:00+00:00", "end": "2027-04-06T15:00:00+00:00"},
        },
    )
    assert moved.status == 200, moved.text
    assert office.act(first, "assign", {"technician_ids": [TECH_1]}).status == 200


@pytest.mark.parametrize(
    ("steps", "advice"),
    [
        (["on_my_way"], "cancel the dispatch first"),
        (["arrived"], "mark it Done first"),
        (["arrived", "done"], "cancel the dispatch first"),
    ],
)
def test_dispatched_working_and_done_appointments_cannot_be_unassigned(
    office: Office, steps: list[str], advice: str
) -> None:
    job = office.book()
    assert office.act(job, "assign", {"technician_ids": [TECH_1]}).status == 200
    for action in steps:
        assert office.act(job, "progress", {"action": action, "technician_id": TECH_1}).status == 200
    refused = office.act(job, "unassign", {"technician_ids": [TECH_1]})
    assert refused.status == 409
    assert advice in refused.json()["detail"]


def test_the_technicians_own_day_through_its_statuses(office: Office) -> None:
    job = office.book()
    office.act(job, "assign", {"technician_ids": [TECH_1]})
    tech = office.as_user(TECH_1)
    dispatched = office.act(job, "dispatch", {}, tech)
    assert (dispatched.status, dispatched.json()["status"]) == (200, "in_progress")
    office.act(job, "progress", {"action": "arrived"}, tech)
    pause_without_reason = office.act(job, "progress", {"action": "pause"}, tech)
    assert pause_without_reason.status == 422
    paused = office.act(job, "progress", {"action": "pause", "reason": "part needed"}, tech)
    assert (paused.json()["status"], paused.json()["appointments"][0]["status"]) == ("paused", "paused")
    office.act(job, "progress", {"action": "arrived"}, tech)
    done = office.act(job, "progress", {"action": "done"}, tech)
    assert (done.json()["status"], done.json()["appointments"][0]["status"]) == ("complete", "done")


def test_a_technician_sees_only_their_own_appointments_and_changes_only_their_own_status(
    office: Office,
) -> None:
    mine, theirs = office.book(1), office.book(2, hour=14)
    office.act(mine, "assign", {"technician_ids": [TECH_1, TECH_2]})
    office.act(theirs, "assign", {"technician_ids": [TECH_2]})
    office.stack.drain()
    tech = office.as_user(TECH_1)
    assert [a["appointment_id"] for a in office.board(tech)["appointments"]] == [mine[1]]
    assert office.call("GET", f"/jobs/{theirs[0]}", headers=tech).status == 404
    assert office.act(theirs, "progress", {"action": "on_my_way"}, tech).status == 404
    assert office.call("GET", f"/jobs/{theirs[0]}/audit", headers=tech).status == 403  # the office's
    assert office.act(mine, "progress", {"action": "on_my_way", "technician_id": TECH_2}, tech).status == 403
    assert office.act(mine, "assign", {"technician_ids": [TECH_1]}, tech).status == 403
    assert office.call("POST", f"/jobs/{mine[0]}/hold", {"reason": "x"}, tech).status == 403
    assert office.act(mine, "progress", {"action": "on_my_way"}, tech).status == 200
    other_tenant = office.stack.auth_headers("dispatcher@demo", tenant_id=f"{office.tenant}-other")
    assert office.call("GET", f"/jobs/{mine[0]}", headers=other_tenant).status == 404


def test_hold_and_cancel_fill_the_trays_and_uncancel_brings_the_job_back(office: Office) -> None:
    held, canceled = office.book(1), office.book(2, hour=14)
    job_id = held[0]
    assert office.call("POST", f"/jobs/{job_id}/hold", {}).status == 422  # a reason is required
    assert (
        office.call("POST", f"/jobs/{job_id}/hold", {"reason": "waiting for approval"}).json()["status"]
        == "on_hold"
    )
    office.act(canceled, "assign", {"technician_ids": [TECH_1]})
    office.call("PUT", f"/jobs/{canceled[0]}/billing", {"payments": 1, "invoice_items": ["diagnostic fee"]})
    refused = office.call("POST", f"/jobs/{canceled[0]}/cancel", {"reason": "customer moved"})
    assert (refused.status, "payment" in refused.json()["detail"]) == (409, True)
    office.call("PUT", f"/jobs/{canceled[0]}/billing", {"payments": 0, "invoice_items": ["diagnostic fee"]})
    done = office.call("POST", f"/jobs/{canceled[0]}/cancel", {"reason": "customer moved"}).json()
    assert (done["status"], done["invoice_items"], done["appointments"][0]["status"]) == (
        "canceled",
        [],
        "canceled",
    )
    trays = office.board()["trays"]
    assert trays == {"unassigned": [], "on_hold": [held[1]], "canceled": [canceled[1]]}
    # the canceled appointment released the technician's time
    assert office.act(office.book(3, hour=14), "assign", {"technician_ids": [TECH_1]}).status == 200
    assert office.call("POST", f"/jobs/{canceled[0]}/uncancel", {}).status == 409  # the slot is taken now
    back = office.call("POST", f"/jobs/{canceled[0]}/uncancel", {"force": True}).json()
    assert (back["status"], back["appointments"][0]["status"]) == ("scheduled", "scheduled")
    removed = office.call("DELETE", f"/jobs/{job_id}/hold").json()
    assert removed["status"] == "scheduled"
    assert office.board()["trays"]["on_hold"] == []


def test_every_action_is_in_the_audit_trail_with_who_when_what_and_why(office: Office) -> None:
    job = office.book()
    office.act(job, "assign", {"technician_ids": [TECH_1]})
    office.act(job, "reassign", {"from_technician_id": TECH_1, "to_technician_id": TECH_2})
    office.call("POST", f"/jobs/{job[0]}/hold", {"reason": "waiting for approval"})
    trail = office.call("GET", f"/jobs/{job[0]}/audit").json()["entries"]
    assert [e["what"] for e in trail] == ["appointment.assigned", "appointment.reassigned", "job.held"]
    assert {e["who"]["id"] for e in trail} == {"dispatcher@demo"}
    assert trail[-1]["why"] == "waiting for approval"
    assert trail[1]["details"]["added_technician_ids"] == [TECH_2]
    assert trail[1]["details"]["removed_technician_ids"] == [TECH_1]
    assert all(e["at"] for e in trail)


def test_other_dispatchers_and_the_old_technician_follow_the_change_feed(office: Office) -> None:
    job = office.book()
    office.stack.drain()
    cursor = office.board()["cursor"]
    office.act(job, "assign", {"technician_ids": [TECH_1]})
    office.act(job, "reassign", {"from_technician_id": TECH_1, "to_technician_id": TECH_2})
    feed = office.call("GET", f"/board/changes?date={DAY}&cursor={cursor}").json()
    latest = appointment_changes(feed)[-1]["appointment"]
    assert [t["technician_id"] for t in latest["technicians"]] == [TECH_2]
    assert feed["cursor"] > cursor
    old = office.call(
        "GET", f"/board/changes?date={DAY}&cursor={cursor}", headers=office.as_user(TECH_1)
    ).json()
    assert [c["removed"] for c in appointment_changes(old)] == [False, True]
    new = office.call(
        "GET", f"/board/changes?date={DAY}&cursor={cursor}", headers=office.as_user(TECH_2)
    ).json()
    assert [c["removed"] for c in appointment_changes(new)] == [False]
    stranger = office.as_user("tech-3@demo")
    assert (
        appointment_changes(
            office.call("GET", f"/board/changes?date={DAY}&cursor={cursor}", headers=stranger).json()
        )
        == []
    )
    assert office.call("GET", f"/board/changes?date={DAY}&cursor=nope").status == 422


def appointment_changes(feed: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in feed["changes"] if c["kind"] == "appointment"]


def technician_rows(feed: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        c["technician"]["technician_id"]: c["technician"]
        for c in feed["changes"]
        if c["kind"] == "technician"
    }


def test_the_change_feed_carries_technicians_rows(office: Office) -> None:
    """Shifts and non-job events on the day's feed, profiles on every day's: open boards redraw the
    technician's row; a technician reads only their own."""
    cursor = office.board()["cursor"]
    shift = {"start": f"{DAY}T08:00:00+00:00", "end": f"{DAY}T16:00:00+00:00"}
    assert office.call("POST", f"/technicians/{TECH_1}/shifts", shift).status == 201
    lunch = {"type": "lunch", "start": f"{DAY}T12:00:00+00:00", "end": f"{DAY}T12:30:00+00:00"}
    assert office.call("POST", f"/technicians/{TECH_2}/events", lunch).status == 201
    office.hire("tech-3@demo")
    rows = technician_rows(office.call("GET", f"/board/changes?date={DAY}&cursor={cursor}").json())
    assert [s["start"] for s in rows[TECH_1]["shifts"]] == [shift["start"]]
    assert [e["type"] for e in rows[TECH_2]["events"]] == ["lunch"]
    assert (rows["tech-3@demo"]["name"], rows["tech-3@demo"]["shifts"]) == ("tech-3", [])
    next_day = date.fromordinal(DAY.toordinal() + 1)
    other = technician_rows(office.call("GET", f"/board/changes?date={next_day}&cursor={cursor}").json())
    assert "tech-3@demo" in other  # a profile shows on every day
    assert all(row["shifts"] == [] for row in other.values())  # the shift is not that day's
    own = office.call(
        "GET", f"/board/changes?date={DAY}&cursor={cursor}", headers=office.as_user(TECH_1)
    ).json()
    assert list(technician_rows(own)) == [TECH_1]


def test_batch_assign_inside_a_circle_rectangle_or_polygon(office: Office) -> None:
    office.book(1)  # no coordinates: never picked by a shape
    inside = _book_at(office, 3, 30.27, -97.74, 9)
    also_inside = _book_at(office, 4, 30.28, -97.75, 13)
    outside = _book_at(office, 5, 30.60, -97.40, 15)
    body = {
        "date": DAY.isoformat(),
        "technician_id": TECH_1,
        "shape": {"type": "circle", "center": {"lat": 30.275, "lon": -97.745}, "radius_m": 3000},
    }
    results = office.call("POST", "/board/assign-area", body).json()["results"]
    assert sorted((r["appointment_id"], r["assigned"]) for r in results) == sorted(
        [(inside[1], True), (also_inside[1], True)]
    )
    rectangle = {
        "type": "rectangle",
        "south_west": {"lat": 30.5, "lon": -97.5},
        "north_east": {"lat": 30.7, "lon": -97.3},
    }
    polygon = {
        "type": "polygon",
        "points": [{"lat": 30.5, "lon": -97.5}, {"lat": 30.7, "lon": -97.5}, {"lat": 30.6, "lon": -97.3}],
    }
    found = office.call("POST", "/board/assign-area", {**body, "technician_id": TECH_2, "shape": rectangle})
    assert [(r["appointment_id"], r["assigned"]) for r in found.json()["results"]] == [(outside[1], True)]
    again = office.call("POST", "/board/assign-area", {**body, "technician_id": TECH_1, "shape": polygon})
    assert again.json()["results"] == [
        {
            "appointment_id": outside[1],
            "job_id": outside[0],
            "assigned": False,
            "detail": "already assigned to tech-2",  # by name
        }
    ]
    assert office.call("POST", f"/jobs/{outside[0]}/hold", {"reason": "parts on order"}).status == 200
    office.stack.drain()
    held = office.call("POST", "/board/assign-area", {**body, "shape": polygon}).json()["results"]
    assert [(r["assigned"], r["detail"]) for r in held] == [(False, "on hold")]
    assert office.call("POST", f"/jobs/{outside[0]}/cancel", {"reason": "customer moved"}).status == 200
    office.stack.drain()
    assert office.call("POST", "/board/assign-area", {**body, "shape": polygon}).json()["results"] == []
    assert office.call("POST", "/board/assign-area", {**body, "shape": {"type": "circle"}}).status == 422


def _book_at(office: Office, n: int, lat: float, lon: float, hour: int) -> tuple[str, str]:
    body = job_request(DAY, n)
    body["location"].update(lat=lat, lon=lon)
    body["appointment"] = {
        "start": f"{DAY.isoformat()}T{hour:02d}:00:00+00:00",
        "end": f"{DAY.isoformat()}T{hour + 1:02d}:00:00+00:00",
        "arrival_window": {
            "start": f"{DAY.isoformat()}T{hour:02d}:00:00+00:00",
            "end": f"{DAY.isoformat()}T{hour + 2:02d}:00:00+00:00",
        },
    }
    booked = office.stack.request("POST", "/booking/jobs", office.headers, body)
    assert booked.status == 201, booked.text
    office.stack.drain()
    job = booked.json()
    return job["job_id"], job["appointments"][0]["appointment_id"]


def test_dispatch_events_reach_notify_which_skips_what_it_does_not_handle_yet(office: Office) -> None:
    office.stack.drain()
    failed_before = sum(p.stats.failed for p in office.stack.pumps)
    job = office.book()
    office.act(job, "assign", {"technician_ids": [TECH_1]})
    sent = office.call("POST", "/technicians/nobody@demo/messages", {"text": "Call the office"})
    assert sent.status == 404  # no such technician profile
    assert office.call("POST", f"/technicians/{TECH_1}/messages", {"text": "Call the office"}).status == 202
    assert office.stack.drain() > 0
    assert sum(p.stats.failed for p in office.stack.pumps) == failed_before


def test_technicians_are_listed_on_the_board_with_their_rows(office: Office) -> None:
    profile = {
        "technician_id": TECH_1,
        "name": "Tomás Rivera",
        "home": {
            "street": "1 Main",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
            "verified": True,
        },
    }
    assert office.call("POST", "/technicians", profile).status == 201
    job = office.book()
    office.act(job, "assign", {"technician_ids": [TECH_1]})
    rows = {r["technician_id"]: r for r in office.board()["technicians"]}
    assert (rows[TECH_1]["name"], rows[TECH_1]["appointments"], rows[TECH_2]["appointments"]) == (
        "Tomás Rivera",
        [job[1]],
        [],
    )
    assert office.call("GET", f"/technicians/{TECH_1}", headers=office.as_user(TECH_2)).status == 404
    assert (
        office.call("GET", f"/technicians/{TECH_1}", headers=office.as_user(TECH_1)).json()["home"][
            "verified"
        ]
        is True
    )
    week = office.call("GET", f"/board/week?start={DAY}").json()
    assert [len(d["appointments"]) for d in week["days"]] == [1, 0, 0, 0, 0, 0, 0]


def test_the_map_tile_server_is_an_admin_setting_checked_before_it_is_stored(office: Office) -> None:
    assert office.call("GET", "/settings").json() == {
        "tile_url_template": None,
        "tile_attribution": None,
        "version": 0,
    }
    admin = office.as_user("admin@demo")
    tiles = {
        "tile_url_template": "https://tiles.example.com/{z}/{x}/{y}.png",
        "tile_attribution": "© Example",
    }
    assert office.call("PUT", "/settings", tiles | {"version": 0}).status == 403
    for bad in ("http://tiles.example.com/{z}/{x}/{y}.png", "https://169.254.169.254/{z}/{x}/{y}"):
        refused = office.call("PUT", "/settings", {"tile_url_template": bad, "version": 0}, headers=admin)
        assert refused.status == 422
        assert refused.header("Content-Type") == "application/problem+json"
        assert refused.json()["field"] == "tile_url_template"
    assert (
        office.call("PUT", "/settings", {"tile_url_template": 7, "version": 0}, headers=admin).status == 422
    )
    saved = office.call("PUT", "/settings", tiles | {"version": 0}, headers=admin)
    assert saved.status == 200
    assert saved.json() == tiles | {"version": 1}
    assert office.call("GET", "/settings").json() == tiles | {"version": 1}
    assert office.call("PUT", "/settings", {"version": 0}, headers=admin).status == 409
    cleared = office.call("PUT", "/settings", {"version": 1}, headers=admin).json()
    assert cleared == {"tile_url_template": None, "tile_attribution": None, "version": 2}
    assert office.call("GET", "/settings", headers=office.as_user(TECH_1)).status == 403
