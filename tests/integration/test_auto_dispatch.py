"""Automatic dispatch under the pumps: jobs booked through booking's HTTP API are planned by the
run their bookings trigger; a dispatcher's assignment racing a run wins; every appointment auto mode
leaves or takes unassigned carries an alert with the reason, on the board and in the audit trail."""

from __future__ import annotations

import sys
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from truckroll.contracts.envelope import new_event
from truckroll.messaging.sqs import OutboundMessage, SqsPublisher
from truckroll.resources import RESOURCES
from truckroll_local.apps import module_name
from truckroll_local.responses import HttpResponse
from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

AUSTIN = (30.2672, -97.7431)
SYSTEM = {"id": "system", "role": "auto_dispatch"}
PLANNING = {"appointment.assigned", "appointment.rescheduled", "appointment.reassigned"}


def _at(day: date, hour: float) -> str:
    return (datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour)).isoformat()


class AutoOffice:
    """A tenant of its own on the shared stack with auto mode on, planning tomorrow (UTC)."""

    def __init__(self, stack: LocalStack, technicians: int) -> None:
        self.stack = stack
        self.tenant = f"t-{uuid.uuid4().hex[:10]}"
        self.headers = stack.auth_headers("dispatcher@demo", tenant_id=self.tenant)
        self.day = datetime.now(UTC).date() + timedelta(days=1)
        self.technicians = [f"auto-{n}@demo" for n in range(technicians)]
        for n, technician_id in enumerate(self.technicians):
            self.hire(technician_id, n)

    def hire(self, technician_id: str, n: int, skills: tuple[str, ...] = ()) -> None:
        lat, lon = AUSTIN[0] + 0.02 * (n % 3 - 1), AUSTIN[1] + 0.02 * (n // 3 - 1)
        profile = {
            "technician_id": technician_id,
            "name": f"Tech {n}",
            "skills": list(skills),
            "home": {
                "street": f"{n} Home St",
                "city": "Austin",
                "state": "TX",
                "postal_code": "78701",
                "verified": True,
                "lat": lat,
                "lon": lon,
            },
        }
        assert self.call("POST", "/technicians", profile).status == 201
        shift = {"start": _at(self.day, 7), "end": _at(self.day, 19)}
        assert self.call("POST", f"/technicians/{technician_id}/shifts", shift).status == 201

    def call(self, method: str, path: str, body: Any = None) -> HttpResponse:
        return self.stack.request(method, f"/dispatch{path}", self.headers, body)

    def enable(self, **settings: Any) -> None:
        body = {"enabled": True, "horizon_days": 2, "debounce_seconds": 0, **settings}
        saved = self.call("PUT", "/auto-dispatch", body)
        assert saved.status == 200, saved.text

    def book(self, n: int, window_start: float, tags: tuple[str, ...] = ()) -> tuple[str, str]:
        """A one-hour job at a spot near downtown, its arrival window two hours from ``window_start``."""
        where = (AUSTIN[0] + 0.01 * ((n * 7) % 9 - 4), AUSTIN[1] + 0.01 * ((n * 5) % 9 - 4))
        return self.book_at(n, where, window_start, (window_start, window_start + 2), tags)

    def book_at(
        self,
        n: int,
        where: tuple[float, float],
        start: float,
        window: tuple[float, float],
        tags: tuple[str, ...] = (),
        verified: bool = True,
    ) -> tuple[str, str]:
        """A one-hour job at ``where`` starting at ``start`` (hours of the day) inside ``window``."""
        body = {
            "customer": {"name": f"Customer {n}", "phone": f"+1512555{n:04d}", "phone_type": "mobile"},
            "location": {
                "street": f"{n} Oak St",
                "city": "Austin",
                "state": "TX",
                "postal_code": "78701",
                "verified": verified,
                "lat": where[0],
                "lon": where[1],
                "tags": list(tags),
            },
            "job": {"job_type": "Maintenance", "summary": f"Visit {n}"},
            "appointment": {
                "start": _at(self.day, start),
                "end": _at(self.day, start + 1),
                "arrival_window": {"start": _at(self.day, window[0]), "end": _at(self.day, window[1])},
            },
        }
        booked = self.stack.request("POST", "/booking/jobs", self.headers, body)
        assert booked.status == 201, booked.text
        job = booked.json()
        return job["job_id"], job["appointments"][0]["appointment_id"]

    def job(self, job_id: str) -> dict[str, Any]:
        response = self.call("GET", f"/jobs/{job_id}")
        assert response.status == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def board(self) -> dict[str, Any]:
        response = self.call("GET", f"/board?date={self.day.isoformat()}")
        assert response.status == 200, response.text
        board: dict[str, Any] = response.json()
        return board

    def audit(self, job_id: str) -> list[dict[str, Any]]:
        response = self.call("GET", f"/jobs/{job_id}/audit")
        assert response.status == 200, response.text
        entries: list[dict[str, Any]] = response.json()["entries"]
        return entries


def _auto() -> tuple[Any, Any]:
    """Automatic dispatch's use cases and the dispatch service's wiring, as the local stack loaded them."""
    return sys.modules["chalicelib.dispatch.auto"], sys.modules[module_name("dispatch")].dispatch()


def test_thirty_booked_jobs_are_assigned_by_the_runs_their_bookings_trigger(local_stack: LocalStack) -> None:
    office = AutoOffice(local_stack, technicians=5)
    office.enable()
    jobs = [office.book(n, window_start=7 + (n % 10)) for n in range(30)]
    local_stack.drain()
    board = office.board()
    assert board["trays"]["unassigned"] == []
    entries = {e["appointment_id"]: e for e in board["appointments"]}
    assert sorted(entries) == sorted(a for _, a in jobs)
    by_technician: dict[str, list[tuple[datetime, datetime]]] = {}
    for job_id, appointment_id in jobs:
        (appointment,) = office.job(job_id)["appointments"]
        start, end = datetime.fromisoformat(appointment["start"]), datetime.fromisoformat(appointment["end"])
        window = appointment["arrival_window"]
        assert datetime.fromisoformat(window["start"]) <= start <= datetime.fromisoformat(window["end"])
        assert start >= datetime.fromisoformat(_at(office.day, 7))
        assert end <= datetime.fromisoformat(_at(office.day, 19))
        (technician,) = appointment["technicians"]
        assert technician["technician_id"] in office.technicians
        assert entries[appointment_id]["technicians"] == [{"technician_id": technician["technician_id"]}]
        by_technician.setdefault(technician["technician_id"], []).append((start, end))
        planned = [e for e in office.audit(job_id) if e["what"] in PLANNING]
        assert [e["who"] for e in planned] == [SYSTEM]
        assert planned[0]["why"].startswith(f"planned by automatic dispatch: {technician['technician_id']}")
    for visits in by_technician.values():
        ordered = sorted(visits)
        assert all(a[1] <= b[0] for a, b in pairwise(ordered)), "double booked"


def test_a_manual_assignment_racing_a_run_wins_and_switches_auto_mode_off_for_the_job(
    local_stack: LocalStack,
) -> None:
    office = AutoOffice(local_stack, technicians=2)
    job_id, appointment_id = office.book(1, window_start=9)
    local_stack.drain()  # auto mode is still off: nothing is planned
    office.enable()
    auto, dispatch = _auto()
    plans = auto.plan_days(dispatch.auto.settings(office.tenant), dispatch)  # the run has its plan...
    (planned,) = [d for p in plans for d in p.decisions if d.appointment_id == appointment_id]
    (other,) = [t for t in office.technicians if t != planned.technician_id]
    manual = office.call(  # ...when a dispatcher assigns the job to someone else
        "POST", f"/jobs/{job_id}/appointments/{appointment_id}/assign", {"technician_ids": [other]}
    )
    assert manual.status == 200, manual.text
    runs = [auto.carry_out(office.tenant, plan, dispatch) for plan in plans]
    (outcome,) = [o for r in runs for o in r.outcomes if o.appointment_id == appointment_id]
    assert outcome.action == "skipped"
    assert "changed after the plan" in outcome.detail
    job = office.job(job_id)
    assert job["auto_dispatch"] is False
    assert [t["technician_id"] for t in job["appointments"][0]["technicians"]] == [other]
    assert all(e["who"] != SYSTEM for e in office.audit(job_id))
    local_stack.drain()  # the run enabling asked for leaves the job alone
    assert [t["technician_id"] for t in office.job(job_id)["appointments"][0]["technicians"]] == [other]


def test_every_appointment_auto_mode_leaves_or_takes_unassigned_carries_an_alert(
    local_stack: LocalStack,
) -> None:
    office = AutoOffice(local_stack, technicians=1)
    office.enable(skill_tags=["gas"])
    gas_job, gas_appointment = office.book(1, window_start=9, tags=("gas",))
    job_id, appointment_id = office.book(2, window_start=11)
    local_stack.drain()
    board = office.board()
    assert board["trays"]["unassigned"] == [gas_appointment]
    gas_entry = next(e for e in board["appointments"] if e["appointment_id"] == gas_appointment)
    assert gas_entry["alerts"] == ["auto_dispatch"]
    assert gas_entry["auto_dispatch_reason"] == "no technician with skill 'gas' on shift"
    flagged = [e for e in office.audit(gas_job) if e["what"] == "appointment.flagged"]
    assert [(e["who"], e["why"]) for e in flagged] == [(SYSTEM, "no technician with skill 'gas' on shift")]

    # The technician's shift is taken away: auto mode takes its own assignment back, and says why.
    technician = office.technicians[0]
    shifts = office.call(
        "GET", f"/technicians/{technician}/shifts?from={office.day.isoformat()}&to={office.day.isoformat()}"
    ).json()
    (shift,) = shifts["days"][0]["shifts"]
    assert (
        office.call("DELETE", f"/technicians/{technician}/shifts/{office.day}/{shift['shift_id']}").status
        == 204
    )
    ran = office.call("POST", "/auto-dispatch/run")
    assert ran.status == 200, ran.text
    board = office.board()
    assert sorted(board["trays"]["unassigned"]) == sorted([gas_appointment, appointment_id])
    entry = next(e for e in board["appointments"] if e["appointment_id"] == appointment_id)
    assert entry["alerts"] == ["auto_dispatch"]
    assert entry["auto_dispatch_reason"] == "no technician is on shift"
    trail = [(e["what"], e["who"], e["why"]) for e in office.audit(job_id)]
    assert trail[-2:] == [
        ("appointment.unassigned", SYSTEM, "no technician is on shift"),
        ("appointment.flagged", SYSTEM, "no technician is on shift"),
    ]
    gas_trail = office.audit(gas_job)
    latest = gas_trail[-1]
    assert (latest["what"], latest["why"]) == ("appointment.flagged", "no technician is on shift")
    assert office.call("POST", "/auto-dispatch/run").status == 200  # nothing new to say: no new alert
    assert len(office.audit(job_id)) == len(trail)
    assert len(office.audit(gas_job)) == len(gas_trail)


class Recorder:
    """Stands in for SQS's delayed send, to see what the debounce sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[Any, int]] = []
        self.queues: set[str] = set()

    def send_later(self, message: Any, delay_seconds: int) -> None:
        self.sent.append((message.envelope, delay_seconds))
        self.queues.add(message.queue.name)


class Unreachable:
    def send_later(self, message: Any, delay_seconds: int) -> None:
        raise ConnectionError("SQS is unreachable")


def test_a_burst_of_triggers_collapses_into_one_delayed_request(local_stack: LocalStack) -> None:
    office = AutoOffice(local_stack, technicians=0)
    auto, wiring = _auto()
    triggers = sys.modules["chalicelib.dispatch.triggers"]
    recorder = Recorder()
    dispatch = replace(wiring, later=recorder)
    assert triggers.request_plan(office.tenant, "job.booked", dispatch) is False  # auto mode is off
    office.enable()
    local_stack.drain()  # the request enabling made (sent for real, at once) runs and clears
    wiring.auto.put_settings(replace(wiring.auto.settings(office.tenant), debounce_seconds=120))
    asked = [triggers.request_plan(office.tenant, f"trigger {n}", dispatch) for n in range(5)]
    assert asked == [True, False, False, False, False]
    ((envelope, delay),) = recorder.sent
    assert (envelope.event_type, envelope.tenant_id, delay) == (
        "dispatch.auto_dispatch_requested",
        office.tenant,
        120,
    )
    assert envelope.data["trigger"] == "trigger 0"
    assert recorder.queues == {"auto-dispatch-runs"}  # runs have their own queue and function
    auto.run_requested(
        office.tenant, "trigger 0", envelope.event_id, dispatch
    )  # clears the request: the next trigger asks again
    assert triggers.request_plan(office.tenant, "later", dispatch) is True
    auto.run_requested(office.tenant, "later", recorder.sent[-1][0].event_id, dispatch)
    with pytest.raises(ConnectionError):  # a request that could not be sent does not block the next
        triggers.request_plan(office.tenant, "lost", replace(wiring, later=Unreachable()))
    assert triggers.request_plan(office.tenant, "after the outage", dispatch) is True
    assert [e.data["trigger"] for e, _ in recorder.sent] == ["trigger 0", "later", "after the outage"]


def test_the_schedule_asks_for_a_run_of_every_tenant_with_auto_mode_on(local_stack: LocalStack) -> None:
    on, off = AutoOffice(local_stack, technicians=0), AutoOffice(local_stack, technicians=0)
    on.enable()
    assert off.call("PUT", "/auto-dispatch", {"enabled": False}).status == 200
    local_stack.drain()
    auto, wiring = _auto()
    with pytest.raises(RuntimeError, match="could not be asked"):  # loud, and the request is not left pending
        auto.request_all(replace(wiring, later=Unreachable()))
    recorder = Recorder()
    assert auto.request_all(replace(wiring, later=recorder)) >= 1
    asked = {e.tenant_id for e, _ in recorder.sent}
    assert on.tenant in asked
    assert off.tenant not in asked
    assert {e.data["trigger"] for e, _ in recorder.sent} == {"schedule"}


def test_the_latest_live_position_of_each_technician_is_kept(local_stack: LocalStack) -> None:
    office = AutoOffice(local_stack, technicians=0)
    _, wiring = _auto()
    (queue,) = RESOURCES.queues_for("tracking.position_reported")

    def report(lat: float, minutes_ago: int) -> None:
        at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        data = {"technician_id": "auto-0@demo", "lat": lat, "lon": -97.7, "at": at.isoformat()}
        envelope = new_event(
            "tracking.position_reported", tenant_id=office.tenant, producer="tracking", data=data
        )
        assert SqsPublisher().publish([OutboundMessage(queue, envelope)]) == set()
        local_stack.drain()

    report(30.1, minutes_ago=5)
    report(30.2, minutes_ago=1)
    report(30.3, minutes_ago=3)  # late and older than the one kept: dropped
    (position,) = wiring.auto.positions(office.tenant).values()
    assert position.point.lat == 30.2


def test_settings_and_toggles_are_for_the_office_and_bad_values_are_refused(local_stack: LocalStack) -> None:
    office = AutoOffice(local_stack, technicians=1)
    assert office.call("GET", "/auto-dispatch").json()["enabled"] is False
    technician = local_stack.auth_headers("tech-1@demo", tenant_id=office.tenant)
    refused = local_stack.request("GET", "/dispatch/auto-dispatch", technician)
    assert refused.status == 403
    for body, field in [
        ({"enabled": True, "timezone": "Mars/Olympus"}, "timezone"),
        ({"enabled": True, "business_start": "18:00", "business_end": "08:00"}, "business_end"),
        ({"enabled": True, "business_end": 0}, "business_end"),
        ({"enabled": True, "business_start": "07:00Z"}, "business_start"),
        ({"enabled": True, "horizon_days": 30}, "horizon_days"),
        ({"enabled": "yes"}, "enabled"),
    ]:
        bad = office.call("PUT", "/auto-dispatch", body)
        assert bad.status == 422, bad.text
        assert bad.headers["Content-Type"].startswith("application/problem+json")
        assert field in bad.text
    office.enable(horizon_days=3, business_start="08:30", job_types=["Maintenance"])
    saved = office.call("GET", "/auto-dispatch").json()
    assert (saved["horizon_days"], saved["business_start"], saved["job_types"]) == (
        3,
        "08:30",
        ["Maintenance"],
    )

    job_id, _ = office.book(1, window_start=9)
    path = f"/dispatch/jobs/{job_id}/auto-dispatch"
    assert local_stack.request("PUT", path, technician, {"auto_dispatch": False}).status == 403
    assert office.call("PUT", f"/jobs/{job_id}/auto-dispatch", {"auto_dispatch": "no"}).status == 422
    toggled = office.call(
        "PUT", f"/jobs/{job_id}/auto-dispatch", {"auto_dispatch": True, "technician_specific": True}
    )
    assert toggled.status == 200, toggled.text
    assert (toggled.json()["auto_dispatch"], toggled.json()["technician_specific"]) == (True, True)


def test_explain_names_every_technician_with_why_they_are_ruled_out_or_how_they_rank(
    local_stack: LocalStack,
) -> None:
    office = AutoOffice(local_stack, technicians=0)
    office.hire("near@demo", 0, skills=("gas",))  # 2 km from the job
    office.hire("far@demo", 8, skills=("gas",))  # 8 km away
    office.hire("no-gas@demo", 4)
    profile = {"technician_id": "off@demo", "name": "Off Duty", "skills": ["gas"]}
    assert office.call("POST", "/technicians", profile).status == 201  # no shift that day
    office.call("PUT", "/auto-dispatch", {"enabled": False, "skill_tags": ["gas"]})
    job_id, appointment_id = office.book(4, window_start=10, tags=("gas",))
    local_stack.drain()
    explained = office.call("GET", f"/jobs/{job_id}/explain")
    assert explained.status == 200, explained.text
    body = explained.json()
    assert (body["appointment_id"], body["date"], body["auto_dispatch_enabled"]) == (
        appointment_id,
        office.day.isoformat(),
        False,
    )
    assert body["treated_as"]["part"] == "free"
    verdicts = {t["technician_id"]: t for t in body["technicians"]}
    assert (verdicts["near@demo"]["verdict"], verdicts["near@demo"]["rank"]) == ("candidate", 1)
    assert (verdicts["far@demo"]["verdict"], verdicts["far@demo"]["rank"]) == ("candidate", 2)
    assert verdicts["far@demo"]["extra_drive_seconds"] > verdicts["near@demo"]["extra_drive_seconds"]
    assert verdicts["no-gas@demo"] == {
        "technician_id": "no-gas@demo",
        "verdict": "ruled_out",
        "rank": None,
        "extra_drive_seconds": None,
        "reason": "lacks skill 'gas'",
    }
    assert verdicts["off@demo"]["reason"] == "no regular shift that day (off, on call or time off)"
    assert [t["technician_id"] for t in body["technicians"][:2]] == ["near@demo", "far@demo"]

    unknown = office.call("GET", f"/jobs/{job_id}/explain?appointment_id=nope")
    assert unknown.status == 404
    technician = local_stack.auth_headers("tech-1@demo", tenant_id=office.tenant)
    assert local_stack.request("GET", f"/dispatch/jobs/{job_id}/explain", technician).status == 403
    assert office.call("POST", f"/jobs/{job_id}/cancel", {"reason": "moved away"}).status == 200
    canceled = office.call("GET", f"/jobs/{job_id}/explain?appointment_id={appointment_id}")
    assert canceled.status == 409
    assert "nothing to plan" in canceled.json()["detail"]


def _east(km: float) -> tuple[float, float]:
    return AUSTIN[0], AUSTIN[1] + km / 96.0  # about 96 km per degree of longitude at Austin


def test_optimizing_a_technicians_day_reorders_only_what_may_move_and_names_what_does_not_fit(
    local_stack: LocalStack,
) -> None:
    office = AutoOffice(local_stack, technicians=0)
    technician = "route@demo"
    office.hire(technician, 4)  # home downtown, shift 7:00-19:00

    def booked(
        n: int, km: float, start: float, window: tuple[float, float], verified: bool = True
    ) -> tuple[str, str]:
        job_id, appointment_id = office.book_at(n, _east(km), start, window, verified=verified)
        assigned = office.call(
            "POST",
            f"/jobs/{job_id}/appointments/{appointment_id}/assign",
            {"technician_ids": [technician], "force": True},
        )
        assert assigned.status == 200, assigned.text
        return job_id, appointment_id

    far = booked(1, km=9, start=8, window=(8, 16))
    near = booked(2, km=1, start=10, window=(8, 16))
    middle = booked(3, km=5, start=12, window=(8, 16))
    confirmed = booked(4, km=3, start=14, window=(14, 15))
    assert office.call("POST", f"/jobs/{confirmed[0]}/appointments/{confirmed[1]}/confirm").status == 200
    unverified = booked(5, km=2, start=16, window=(16, 17), verified=False)
    unreachable = booked(6, km=60, start=7, window=(7, 7.1))  # an hour's drive from home by 7:06
    local_stack.drain()

    result = office.call("POST", f"/technicians/{technician}/days/{office.day}/optimize")
    assert result.status == 200, result.text
    body = result.json()
    assert [u["appointment_id"] for u in body["cannot_fit"]] == [unreachable[1]]
    assert [u["appointment_id"] for u in body["left_out_unverified"]] == [unverified[1]]
    moved = {m["appointment_id"] for m in body["moved"]}
    assert moved <= {far[1], near[1], middle[1]}
    starts = {}
    for job_id, appointment_id in (far, near, middle, confirmed, unverified, unreachable):
        (appointment,) = office.job(job_id)["appointments"]
        starts[appointment_id] = datetime.fromisoformat(appointment["start"])
        window = appointment["arrival_window"]
        assert (
            datetime.fromisoformat(window["start"])
            <= starts[appointment_id]
            <= datetime.fromisoformat(window["end"])
        )
    assert starts[near[1]] < starts[middle[1]] < starts[far[1]]  # out and back along one road
    assert starts[confirmed[1]] == datetime.fromisoformat(_at(office.day, 14))
    assert starts[unverified[1]] == datetime.fromisoformat(_at(office.day, 16))
    assert starts[unreachable[1]] == datetime.fromisoformat(_at(office.day, 7))
    trail = office.audit(near[0]) if near[1] in moved else office.audit(far[0])
    assert (trail[-1]["what"], trail[-1]["why"]) == ("appointment.rescheduled", "route optimized for the day")
    schedule = office.call(
        "GET", f"/technicians/{technician}/schedule?from={office.day}&to={office.day}"
    ).json()
    (day,) = schedule["days"]
    slots = sorted((s["start"], s["end"]) for s in day["slots"] if s["id"] != unreachable[1])
    assert all(a[1] <= b[0] for a, b in pairwise(slots)), "the new order double-books the technician"

    assert office.call("POST", f"/technicians/nobody@demo/days/{office.day}/optimize").status == 404
    assert office.call("POST", f"/technicians/{technician}/days/tomorrow/optimize").status == 422


def test_a_technician_running_late_asks_for_a_run(local_stack: LocalStack) -> None:
    office = AutoOffice(local_stack, technicians=1)
    job_id, appointment_id = office.book(1, window_start=9)
    local_stack.drain()  # auto mode off: the booking planned nothing
    _, wiring = _auto()
    settings = wiring.auto.settings(office.tenant)
    wiring.auto.put_settings(replace(settings, enabled=True, debounce_seconds=0))  # saved without a trigger
    local_stack.drain()
    assert office.job(job_id)["appointments"][0]["technicians"] == []
    late = {
        "appointment_id": "elsewhere",
        "job_id": "elsewhere",
        "technician_id": office.technicians[0],
        "eta": _at(office.day, 10),
        "arrival_window_end": _at(office.day, 9),
        "minutes_late": 60,
    }
    envelope = new_event("tracking.running_late", tenant_id=office.tenant, producer="tracking", data=late)
    (queue,) = RESOURCES.queues_for("tracking.position_reported")
    assert SqsPublisher().publish([OutboundMessage(queue, envelope)]) == set()
    local_stack.drain()
    (appointment,) = office.job(job_id)["appointments"]
    assert [t["technician_id"] for t in appointment["technicians"]] == office.technicians
    assert office.board()["trays"]["unassigned"] == []
    assert appointment_id in {e["appointment_id"] for e in office.board()["appointments"]}


def test_a_run_does_not_write_to_a_technicians_day_that_changed_after_its_plan(
    local_stack: LocalStack,
) -> None:
    office = AutoOffice(local_stack, technicians=1)
    (technician,) = office.technicians
    morning = office.book(1, window_start=9)
    afternoon = office.book(2, window_start=14)
    local_stack.drain()
    auto, wiring = _auto()
    wiring.auto.put_settings(replace(wiring.auto.settings(office.tenant), enabled=True, debounce_seconds=0))
    plans = auto.plan_days(wiring.auto.settings(office.tenant), wiring)
    planned = {d.appointment_id: d.technician_id for p in plans for d in p.decisions}
    assert planned == {morning[1]: technician, afternoon[1]: technician}
    manual = office.call(  # the afternoon job lands on the technician's day by hand, clear of the morning
        "POST",
        f"/jobs/{afternoon[0]}/appointments/{afternoon[1]}/assign",
        {"technician_ids": [technician]},
    )
    assert manual.status == 200, manual.text
    runs = [auto.carry_out(office.tenant, plan, wiring) for plan in plans]
    outcomes = {o.appointment_id: o for r in runs for o in r.outcomes}
    assert {o.action for o in outcomes.values()} == {"skipped"}
    assert "day of" in outcomes[morning[1]].detail
    assert "changed after the plan" in outcomes[morning[1]].detail
    assert office.job(morning[0])["appointments"][0]["technicians"] == []
    assert office.call("POST", "/auto-dispatch/run").status == 200  # the next run plans from the new day
    assigned = office.job(morning[0])["appointments"][0]["technicians"]
    assert [t["technician_id"] for t in assigned] == [technician]


def test_each_run_is_kept_in_the_run_history_with_its_trigger_and_outcomes(local_stack: LocalStack) -> None:
    office = AutoOffice(local_stack, technicians=1)
    assert office.call("GET", "/auto-dispatch/runs").json() == {"runs": []}
    job_id, _ = office.book(1, 9)
    local_stack.drain()  # booked while auto mode is off: no run
    office.enable()
    local_stack.drain()  # the request enabling made runs on the queue of runs

    runs = office.call("GET", "/auto-dispatch/runs").json()["runs"]
    assert len(runs) == 1, runs
    (requested,) = runs
    assert (requested["trigger"], requested["enabled"], requested["days"]) == ("settings", True, 2)
    assert requested["request_event_id"] is not None
    assert requested["outcomes"] == {"assigned": 1}
    assert office.call("GET", f"/jobs/{job_id}").json()["appointments"][0]["technicians"]

    assert office.call("POST", "/auto-dispatch/run").status == 200
    runs = office.call("GET", "/auto-dispatch/runs").json()["runs"]
    assert [r["trigger"] for r in runs] == ["plan now", "settings"]  # newest first
    assert (runs[0]["request_event_id"], runs[0]["outcomes"]) == (None, {})  # nothing left to do

    technician = local_stack.auth_headers("tech-1@demo", tenant_id=office.tenant)
    assert local_stack.request("GET", "/dispatch/auto-dispatch/runs", technician).status == 403
