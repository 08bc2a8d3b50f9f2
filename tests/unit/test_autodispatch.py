"""Automatic dispatch's planning rules: what each appointment is to the plan, the problem built from
a day (shifts, time off, on call, blocks, business hours, live positions, work in progress), the
decisions drawn from a solution, and a real solve that breaks no hard rule."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest

from truckroll.domain.autodispatch import (
    AUTO_DISPATCH,
    AutoSettings,
    Move,
    Part,
    Position,
    TechnicianDay,
    Unplanned,
    Visiting,
    build_plan,
    day_route,
    decide,
    part_of,
    with_travel,
)
from truckroll.domain.customers import Address, Customer, GeoPoint, Location, Phone, PhoneType
from truckroll.domain.geo import Point
from truckroll.domain.jobs import Job, JobDetails, TechAction, Visit
from truckroll.domain.places import Place
from truckroll.domain.schedule import TechDay
from truckroll.domain.technicians import Technician
from truckroll.domain.timeline import NonJobEvent, Shift, ShiftKind
from truckroll.domain.windows import TimeWindow
from truckroll.errors import RuleViolation
from truckroll.optimize import check, solve
from truckroll.travel import Haversine

pytestmark = pytest.mark.unit

CENTRAL = timezone(timedelta(hours=-6))
DAY = date(2026, 3, 3)
OFFICE = AUTO_DISPATCH
SETTINGS = AutoSettings("t1", enabled=True, timezone="America/Chicago", skill_tags=("gas",))
DOWNTOWN = (30.27, -97.74)


def at(hour: float) -> datetime:
    return datetime(2026, 3, 3, tzinfo=CENTRAL) + timedelta(hours=hour)


def place(lat: float = DOWNTOWN[0], lon: float | None = DOWNTOWN[1]) -> Place:
    return Place("1 Oak St", "Austin", "TX", "78701", True, lat, lon)


def job(
    n: int, window: tuple[float, float] = (9, 11), tags: tuple[str, ...] = (), kind: str = "Tune-up"
) -> Job:
    customer = Customer("t1", f"c{n}", f"Customer {n}", Phone("+15125550123", PhoneType.MOBILE))
    location = Location(
        "t1", f"l{n}", f"c{n}", Address("1 Oak St", "Austin", "TX", "78701"), True, GeoPoint(*DOWNTOWN)
    )
    booked = Job.book(
        customer=customer,
        location=location,
        details=JobDetails(job_type="Tune-up", summary="Tune-up", tags=tags),
        visit=Visit(TimeWindow(at(window[0]), at(window[0] + 1)), TimeWindow(at(window[0]), at(window[1]))),
        now=at(0),
    )
    booked.version = 1
    booked.pull_events()
    return booked


def visiting(booked: Job, where: Place | None = None) -> Visiting:
    return Visiting(booked, booked.appointments[0], where or place())


def technician(tech_id: str, skills: tuple[str, ...] = (), home: Place | None = None) -> Technician:
    return Technician("t1", tech_id, f"Tech {tech_id}", skills=skills, home=home or place(30.30, -97.70))


def on_shift(
    tech: Technician, *shifts: tuple[ShiftKind, float, float], events: tuple[NonJobEvent, ...] = ()
) -> TechnicianDay:
    day = TechDay("t1", tech.technician_id, DAY)
    for n, (kind, start, end) in enumerate(shifts):
        day = day.with_shift(Shift(f"s{n}", kind, TimeWindow(at(start), at(end))))
    return TechnicianDay(tech, replace(day, events=events))


def problem_of(
    crew: list[TechnicianDay], visits: list[Visiting], now: datetime | None = None
) -> tuple[Any, dict[str, Any]]:
    plan, matrix = build_plan(SETTINGS, DAY, crew, visits, now or at(-24))
    seconds = [[leg.duration_s for leg in row] for row in Haversine().matrix(matrix.points, matrix.points)]
    return plan, with_travel(plan, matrix, seconds)


# -- what each appointment is to the plan --------------------------------------------------------


def test_an_unassigned_job_with_auto_on_is_free_and_one_with_auto_off_is_left_alone() -> None:
    booked = job(1)
    assert part_of(booked, booked.appointments[0], SETTINGS) is Part.FREE
    booked.set_auto_dispatch(auto_dispatch=False, technician_specific=False)
    assert part_of(booked, booked.appointments[0], SETTINGS) is Part.IGNORED


def test_jobs_of_types_not_enabled_are_not_planned_but_their_visits_block_the_technician() -> None:
    settings = replace(SETTINGS, job_types=("Install",))
    booked = job(1)
    assert part_of(booked, booked.appointments[0], settings) is Part.IGNORED
    booked.assign(booked.appointments[0].appointment_id, ("t-a",), actor=OFFICE, at=at(0))
    assert part_of(booked, booked.appointments[0], settings) is Part.FIXED


def test_assigned_appointments_are_movable_specific_fixed_or_in_progress() -> None:
    booked = job(1)
    appointment_id = booked.appointments[0].appointment_id
    booked.assign(appointment_id, ("t-a",), actor=OFFICE, at=at(0))
    assert part_of(booked, booked.appointments[0], SETTINGS) is Part.MOVABLE
    booked.set_auto_dispatch(auto_dispatch=True, technician_specific=True)
    assert part_of(booked, booked.appointments[0], SETTINGS) is Part.SPECIFIC
    booked.confirm(appointment_id, actor=OFFICE, at=at(0))
    assert part_of(booked, booked.appointments[0], SETTINGS) is Part.FIXED
    booked.progress(appointment_id, "t-a", TechAction.ON_MY_WAY, actor=OFFICE, at=at(0))
    assert part_of(booked, booked.appointments[0], SETTINGS) is Part.IN_PROGRESS


def test_a_manual_change_takes_the_job_out_of_auto_mode() -> None:
    booked = job(1)
    booked.take_over()
    assert booked.auto_dispatch is False


# -- the problem of a day ------------------------------------------------------------------------


def test_time_off_inside_a_shift_and_non_job_events_are_blocks_and_on_call_is_no_shift() -> None:
    meeting = NonJobEvent("e1", "meeting", TimeWindow(at(8), at(9)))
    crew = [
        on_shift(
            technician("a"), (ShiftKind.REGULAR, 7, 17), (ShiftKind.TIME_OFF, 12, 13), events=(meeting,)
        ),
        on_shift(technician("b"), (ShiftKind.ON_CALL, 7, 17)),
        on_shift(technician("c")),
    ]
    plan, problem = problem_of(crew, [])
    (a,) = problem["technicians"]
    assert a["shift"] == {"start": at(7).isoformat(), "end": at(17).isoformat()}
    assert sorted((b["start"], b["end"]) for b in a["blocks"]) == [
        (at(8).isoformat(), at(9).isoformat()),
        (at(12).isoformat(), at(13).isoformat()),
    ]
    assert plan.skipped_technicians == {
        "b": "no regular shift that day (off, on call or time off)",
        "c": "no regular shift that day (off, on call or time off)",
    }


def test_today_a_route_starts_from_a_fresh_live_position_and_never_before_now() -> None:
    tech = on_shift(technician("a"), (ShiftKind.REGULAR, 7, 17))
    now = at(10)
    fresh = replace(tech, position=Position(Point(30.25, -97.75), now - timedelta(minutes=5)))
    _, problem = problem_of([fresh], [], now)
    (a,) = problem["technicians"]
    assert a["start"] == {"id": "pos:a"}
    assert a["end"] == {"id": "home:a"}
    assert a["shift"]["start"] == now.isoformat()
    stale = replace(tech, position=Position(Point(30.25, -97.75), now - timedelta(hours=2)))
    _, problem = problem_of([stale], [], now)
    assert problem["technicians"][0]["start"] == {"id": "home:a"}


def test_work_in_progress_stays_and_the_route_starts_where_and_when_it_ends() -> None:
    working = job(1, window=(8, 10))
    appointment_id = working.appointments[0].appointment_id
    working.assign(appointment_id, ("a",), actor=OFFICE, at=at(0))
    working.progress(appointment_id, "a", TechAction.ARRIVED, actor=OFFICE, at=at(8))
    tech = on_shift(technician("a"), (ShiftKind.REGULAR, 7, 17))
    plan, problem = problem_of([tech], [visiting(working)], at(8.5))
    (a,) = problem["technicians"]
    assert a["start"] == {"id": f"appt:{appointment_id}"}
    assert a["shift"]["start"] == at(9).isoformat()  # the appointment's end
    assert problem["jobs"] == []
    assert plan.parts[appointment_id] is Part.IN_PROGRESS


def test_arrival_windows_are_cut_to_business_hours_so_the_job_also_ends_inside_them() -> None:
    early = job(1, window=(5, 9))
    late = job(2, window=(19.5, 21))
    tech = on_shift(technician("a"), (ShiftKind.REGULAR, 5, 22))
    plan, problem = problem_of([tech], [visiting(early), visiting(late)])
    (planned,) = problem["jobs"]
    assert planned["windows"] == [{"start": at(7).isoformat(), "end": at(9).isoformat()}]
    late_id = late.appointments[0].appointment_id
    assert plan.left_out == {late_id: "its arrival window leaves no time to do the job inside business hours"}
    decisions = decide(plan, {"routes": [], "unassigned": []})
    said = {d.appointment_id: d.reason for d in decisions if isinstance(d, Unplanned)}
    assert said[late_id] == plan.left_out[late_id]


def test_a_visit_over_several_days_is_not_planned_and_says_why() -> None:
    booked = job(1)
    appointment = booked.appointments[0]
    two_days = Visit(
        TimeWindow(appointment.start, appointment.start + timedelta(days=1)), appointment.visit.arrival_window
    )
    booked.reschedule(appointment.appointment_id, two_days, None, actor=OFFICE, at=at(0))
    booked.pull_events()
    crew = [on_shift(technician("a"), (ShiftKind.REGULAR, 7, 17))]
    plan, problem = problem_of(crew, [visiting(booked)])
    assert problem["jobs"] == []
    (decision,) = decide(plan, {"routes": [], "unassigned": []})
    assert isinstance(decision, Unplanned)
    assert decision.reason.startswith("it spans several days")


def test_only_tags_that_are_skills_are_required() -> None:
    tagged = job(1, tags=("gas", "dog", "hvac"))
    crew = [on_shift(technician("a", skills=("hvac",)), (ShiftKind.REGULAR, 7, 17))]
    _, problem = problem_of(crew, [visiting(tagged)])
    assert problem["jobs"][0]["skills"] == ["gas", "hvac"]  # "gas" is a skill tag, "dog" is not


def test_an_invalid_settings_value_is_a_rule_violation_naming_the_field() -> None:
    with pytest.raises(RuleViolation) as raised:
        AutoSettings("t1", business_start=time(18), business_end=time(8))
    assert raised.value.extensions["field"] == "business_end"


# -- decisions ----------------------------------------------------------------------------------


def test_auto_modes_own_assignment_is_kept_while_it_holds_and_taken_back_with_the_reason_when_not() -> None:
    booked = job(1)
    appointment_id = booked.appointments[0].appointment_id
    booked.assign(appointment_id, ("a",), actor=OFFICE, at=at(0))
    tech = on_shift(technician("a"), (ShiftKind.REGULAR, 7, 17))
    plan, problem = problem_of([tech], [visiting(booked)])
    assert plan.parts[appointment_id] is Part.KEPT
    assert decide(plan, solve(problem, 0.5)) == []
    off = on_shift(technician("a"), (ShiftKind.REGULAR, 12, 17))  # the shift now starts after the visit
    plan, problem = problem_of([off], [visiting(booked)])
    assert plan.parts[appointment_id] is Part.MOVABLE
    (decision,) = decide(plan, solve(problem, 0.5))
    assert isinstance(decision, Unplanned)
    assert decision.unassign == ("a",)
    assert "arrival window" in decision.reason


def test_an_alert_already_raised_with_the_same_reason_is_not_raised_again() -> None:
    booked = job(1, tags=("gas",))
    appointment_id = booked.appointments[0].appointment_id
    crew = [on_shift(technician("a"), (ShiftKind.REGULAR, 7, 17))]
    plan, problem = problem_of(crew, [visiting(booked)])
    (decision,) = decide(plan, solve(problem, 0.5))
    assert decision == Unplanned(
        booked.job_id, appointment_id, 1, "no technician with skill 'gas' on shift", ()
    )
    booked.flag_unplanned(appointment_id, decision.reason, actor=OFFICE, at=at(0))
    plan, problem = problem_of(crew, [visiting(booked)])
    assert decide(plan, solve(problem, 0.5)) == []


def test_a_day_planned_from_bookings_breaks_no_hard_rule() -> None:
    booked = [job(n, window=(8 + n % 8, 10 + n % 8)) for n in range(12)]
    visits = [
        visiting(b, place(30.25 + 0.01 * (n % 5), -97.76 + 0.01 * (n // 5))) for n, b in enumerate(booked)
    ]
    crew = [
        on_shift(technician("a"), (ShiftKind.REGULAR, 7, 18), (ShiftKind.TIME_OFF, 12, 12.5)),
        on_shift(technician("b"), (ShiftKind.REGULAR, 7, 18)),
    ]
    plan, problem = problem_of(crew, visits)
    solution = solve(problem, 1.0)
    assert check(problem, solution) == []
    moves = [d for d in decide(plan, solution) if isinstance(d, Move)]
    assert len(moves) == 12
    for move in moves:
        window = plan.visits[move.appointment_id].appointment.visit.arrival_window
        assert window.contains(move.visit.scheduled.start)
        assert move.version == 1


# -- one technician's day -------------------------------------------------------------------------


def test_a_days_route_moves_only_its_own_scheduled_visits_and_blocks_the_time_of_the_rest() -> None:
    own, confirmed, shared, unverified, held = (job(n, window=(8 + 2 * n, 10 + 2 * n)) for n in range(5))
    for booked in (own, confirmed, unverified, held):
        booked.assign(booked.appointments[0].appointment_id, ("a",), actor=OFFICE, at=at(0))
    shared.assign(shared.appointments[0].appointment_id, ("a", "b"), actor=OFFICE, at=at(0))
    confirmed.confirm(confirmed.appointments[0].appointment_id, actor=OFFICE, at=at(0))
    unlisted = Place("9 Elm St", "Austin", "TX", "78701", False, 30.2, -97.7)
    visits = [
        visiting(own),
        visiting(confirmed),
        visiting(shared),
        visiting(unverified, unlisted),
        visiting(held),
    ]
    tech = on_shift(technician("a"), (ShiftKind.REGULAR, 7, 19))
    held_id = held.appointments[0].appointment_id
    route = day_route(SETTINGS, tech, visits, at(-24), hold=frozenset({held_id}))
    assert route.refused is None
    jobs = {j["id"]: j for j in route.plan.problem["jobs"]}
    own_id = own.appointments[0].appointment_id
    assert jobs[own_id]["technician"] == "a"
    assert jobs[own_id]["windows"] == [{"start": at(8).isoformat(), "end": at(10).isoformat()}]
    for locked in (confirmed, shared):
        appointment = locked.appointments[0]
        assert jobs[f"{appointment.appointment_id}@a"]["locked_start"] == appointment.start.isoformat()
    assert route.unverified == (unverified.appointments[0].appointment_id,)
    (entry,) = route.plan.problem["technicians"]
    blocked = {(b["start"], b["end"]) for b in entry["blocks"]}
    for kept in (unverified, held):
        assert (kept.appointments[0].start.isoformat(), kept.appointments[0].end.isoformat()) in blocked
    assert set(jobs) == {
        own_id,
        f"{confirmed.appointments[0].appointment_id}@a",
        f"{shared.appointments[0].appointment_id}@a",
    }


def test_a_technician_without_a_shift_has_no_route_to_optimize() -> None:
    route = day_route(SETTINGS, on_shift(technician("a")), [], at(-24))
    assert route.refused == "no regular shift that day (off, on call or time off)"
