"""Automatic dispatch ("auto mode"): what it may plan, the optimizer problem it plans, and the
decisions it draws from a solution. Pure: the dispatch service reads the inputs and writes the
decisions through the same conditional transactions as a dispatcher's actions.

Each appointment of a day plays one part (:func:`part_of`):

- FREE: unassigned, its job's auto toggle on and its type enabled: auto mode may assign it;
- MOVABLE: assigned to one technician by auto mode (toggle still on, not confirmed, not
  technician-specific): while it still fits there it is KEPT (locked); otherwise it may be moved
  to another technician or time, or taken unassigned;
- SPECIFIC: technician-specific: it keeps its technician, its start may shift inside its window;
- FIXED: everything else a technician holds (confirmed, manual, other job types, multi-technician):
  a locked visit the plan routes around;
- IN_PROGRESS: on the way or being worked: the technician's day starts where and when it ends;
- IGNORED: canceled, done, on hold, or not workable.

Every appointment auto mode leaves or takes unassigned gets the optimizer's reason as its alert.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from truckroll.domain.events import Actor
from truckroll.domain.geo import Point
from truckroll.domain.jobs import Appointment, Job, Priority, Visit
from truckroll.domain.places import Place
from truckroll.domain.schedule import TechDay
from truckroll.domain.status import AppointmentStatus, JobStatus
from truckroll.domain.technicians import Technician
from truckroll.domain.timeline import working_time
from truckroll.domain.windows import TimeWindow
from truckroll.errors import RuleViolation

AUTO_DISPATCH = Actor("system", "auto_dispatch")
#: A live position older than this is not where the technician is any more.
FRESH_POSITION = timedelta(minutes=30)
PRIORITY_POINTS = {Priority.LOW: 2, Priority.NORMAL: 5, Priority.HIGH: 8, Priority.URGENT: 10}
WORKABLE = frozenset({JobStatus.SCHEDULED, JobStatus.IN_PROGRESS, JobStatus.PAUSED, JobStatus.COMPLETE})
UNDER_WAY = frozenset({AppointmentStatus.DISPATCHED, AppointmentStatus.WORKING, AppointmentStatus.PAUSED})


@dataclass(frozen=True)
class AutoSettings:
    """A tenant's settings of auto mode. ``job_types`` None: every job type is enabled."""

    tenant_id: str
    enabled: bool = False
    horizon_days: int = 2
    timezone: str = "UTC"
    business_start: time = time(7)
    business_end: time = time(19)
    max_drive_minutes: int | None = None
    job_types: tuple[str, ...] | None = None
    skill_tags: tuple[str, ...] = ()
    debounce_seconds: int = 60

    def __post_init__(self) -> None:
        if not 1 <= self.horizon_days <= 14:
            raise RuleViolation("the planning horizon is 1 to 14 days", field="horizon_days")
        if self.business_end <= self.business_start:
            raise RuleViolation("business hours must end after they start", field="business_end")
        if not 0 <= self.debounce_seconds <= 900:
            raise RuleViolation("the debounce is 0 to 900 seconds", field="debounce_seconds")
        try:
            ZoneInfo(self.timezone)
        except (ValueError, KeyError):
            raise RuleViolation(f"unknown time zone {self.timezone!r}", field="timezone") from None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def days(self, now: datetime) -> list[date]:
        """The days of the planning horizon, today (the tenant's) first."""
        today = now.astimezone(self.zone).date()
        return [today + timedelta(days=n) for n in range(self.horizon_days)]

    def hours(self, day: date) -> TimeWindow:
        zone = self.zone
        return TimeWindow(
            datetime.combine(day, self.business_start, zone), datetime.combine(day, self.business_end, zone)
        )

    def enables(self, job_type: str) -> bool:
        return self.job_types is None or job_type in self.job_types


@dataclass(frozen=True)
class RunRecord:
    """One run of automatic dispatch, as the run history shows it: when, what asked for it (a
    trigger such as ``job.booked`` or ``schedule``, or ``plan now``), the request it answered (its
    event id is then the run's id), and how many appointments each outcome counted (assigned,
    rescheduled, flagged...)."""

    tenant_id: str
    run_id: str
    started_at: datetime
    trigger: str
    request_event_id: str | None
    enabled: bool
    days: int
    outcomes: Mapping[str, int]


@dataclass(frozen=True)
class Position:
    point: Point
    at: datetime


class Part(StrEnum):
    """What an appointment is to auto mode (the module notes); ``meaning`` says it to a dispatcher."""

    FREE = "free"
    MOVABLE = "movable"
    KEPT = "kept"  # movable, and still fits where it is: left there
    SPECIFIC = "specific"
    FIXED = "fixed"
    IN_PROGRESS = "in_progress"
    IGNORED = "ignored"

    @property
    def meaning(self) -> str:
        return MEANINGS[self]


MEANINGS = {
    Part.FREE: "unassigned: automatic dispatch may assign it",
    Part.MOVABLE: "assigned by automatic dispatch, no longer fits there: it is planned again",
    Part.KEPT: "assigned by automatic dispatch and kept there while it fits",
    Part.SPECIFIC: "technician-specific: it keeps its technician and may shift inside its window",
    Part.FIXED: "locked: confirmed, planned by hand, several technicians, or a job type not enabled",
    Part.IN_PROGRESS: "under way: it stays with its technician",
    Part.IGNORED: "not planned automatically: auto toggle off, job type not enabled, or not workable",
}


def part_of(job: Job, appointment: Appointment, settings: AutoSettings) -> Part:
    status = appointment.status
    if appointment.canceled or status is AppointmentStatus.DONE:
        return Part.IGNORED
    if status in UNDER_WAY:
        return Part.IN_PROGRESS
    plannable = job.auto_dispatch and settings.enables(job.details.job_type)
    if job.status not in WORKABLE:
        return Part.FIXED if appointment.technician_ids else Part.IGNORED
    if not appointment.technician_ids:
        return Part.FREE if plannable else Part.IGNORED  # a multi-day one is flagged, not planned
    if not plannable or appointment.confirmed or len(appointment.technician_ids) > 1 or _days(appointment):
        return Part.FIXED
    return Part.SPECIFIC if job.technician_specific else Part.MOVABLE


MULTI_DAY = "it spans several days: automatic dispatch plans single-day visits; assign it by hand"


def _days(appointment: Appointment) -> bool:
    """Whether the appointment runs past the day it starts."""
    return appointment.start.date() != appointment.end.astimezone(appointment.start.tzinfo).date()


@dataclass(frozen=True)
class Visiting:
    """One appointment of the day with its job (read at ``job.version``) and its place."""

    job: Job
    appointment: Appointment
    place: Place

    @property
    def point(self) -> Point | None:
        return self.place.point


@dataclass(frozen=True)
class TechnicianDay:
    """A technician as the plan sees them on the day: profile, day, and latest live position."""

    technician: Technician
    day: TechDay
    position: Position | None = None


@dataclass(frozen=True)
class Move:
    """Put the appointment on ``technician_id`` at ``visit`` (assign, reassign or reschedule)."""

    job_id: str
    appointment_id: str
    version: int
    technician_id: str
    visit: Visit
    unassign: tuple[str, ...]  # the technicians it leaves
    original: Visit  # where the plan found it
    why: str


@dataclass(frozen=True)
class Unplanned:
    """Auto mode cannot place the appointment: take ``unassign`` off it and raise the alert."""

    job_id: str
    appointment_id: str
    version: int
    reason: str
    unassign: tuple[str, ...]


Decision = Move | Unplanned


@dataclass
class Plan:
    """The problem of one day in PROBLEM.json form, and what its ids stand for."""

    day: date
    problem: dict[str, Any]
    visits: dict[str, Visiting] = field(default_factory=dict)  # appointment id -> appointment
    planned: dict[str, Visiting] = field(default_factory=dict)  # problem job id -> appointment
    parts: dict[str, Part] = field(default_factory=dict)
    left_out: dict[str, str] = field(default_factory=dict)  # appointment id -> reason, before solving
    skipped_technicians: dict[str, str] = field(default_factory=dict)  # technician id -> why
    day_versions: dict[str, int] = field(default_factory=dict)  # technician id -> their day's version read


class TravelMatrix:
    """Places of the plan, in order; the seconds between them come from the travel port."""

    def __init__(self) -> None:
        self.points: list[Point] = []
        self.index: dict[str, int] = {}

    def add(self, place_id: str, point: Point) -> dict[str, str]:
        if place_id not in self.index:
            self.index[place_id] = len(self.points)
            self.points.append(point)
        return {"id": place_id}


def _iso(instant: datetime) -> str:
    return instant.isoformat()


def _start_of_day(
    tech_day: TechnicianDay, visits: Sequence[Visiting], now: datetime, today: bool
) -> tuple[str, Point | None, datetime | None]:
    """Where and from when the technician's route starts: where their work in progress ends (and
    no earlier than now), else their live position when fresh, else home; today never before now."""
    technician = tech_day.technician
    under_way = [
        v
        for v in visits
        if technician.technician_id in v.appointment.technician_ids and v.appointment.status in UNDER_WAY
    ]
    if under_way:
        last = max(under_way, key=lambda v: v.appointment.end)
        return f"appt:{last.appointment.appointment_id}", last.point, max(now, last.appointment.end)
    position = tech_day.position
    if today and position is not None and now - position.at <= FRESH_POSITION:
        return f"pos:{technician.technician_id}", position.point, now
    home = technician.home.point if technician.home is not None else None
    return f"home:{technician.technician_id}", home, (now if today else None)


@dataclass(frozen=True)
class _OnPlan:
    """A technician as the problem has them: when they can work, what blocks them, their skills."""

    entry: dict[str, Any]
    start: datetime
    end: datetime
    blocks: tuple[tuple[datetime, datetime], ...]
    skills: frozenset[str]

    def holds(self, appointment: Appointment, skills: set[str]) -> bool:
        """Whether the appointment still fits where it is: inside the working day, clear of blocks."""
        start, end = appointment.start, appointment.end
        clear = all(end <= b_start or start >= b_end for b_start, b_end in self.blocks)
        return self.start <= start and end <= self.end and clear and skills <= self.skills


def _technician(
    settings: AutoSettings,
    tech_day: TechnicianDay,
    visits: Sequence[Visiting],
    now: datetime,
    matrix: TravelMatrix,
) -> _OnPlan | str:
    """The technician's entry of the problem, or why they cannot be planned that day."""
    technician = tech_day.technician
    tech_id = technician.technician_id
    if not technician.active:
        return "inactive"
    working = working_time(tech_day.day.shifts)
    if not working:
        return "no regular shift that day (off, on call or time off)"
    today = now.astimezone(settings.zone).date() == tech_day.day.day
    place_id, point, ready = _start_of_day(tech_day, visits, now, today)
    if point is None:
        return "no home address with coordinates and no live position"
    start = working[0].start if ready is None else max(working[0].start, ready)
    end = working[-1].end
    if end <= start:
        return "the shift is over"
    gaps = [(a.end, b.start) for a, b in pairwise(working)]
    events = [(e.window.start, e.window.end) for e in tech_day.day.events if e.counts_against_capacity]
    blocks = (*gaps, *events)
    home = technician.home.point if technician.home is not None else None
    origin = matrix.add(place_id, point)
    finish = origin if home is None else matrix.add(f"home:{tech_id}", home)
    entry: dict[str, Any] = {
        "id": tech_id,
        "skills": list(technician.skills),
        "start": origin,
        "end": finish,
        "shift": {"start": _iso(start), "end": _iso(end)},
        "blocks": [{"start": _iso(s), "end": _iso(e), "kind": "event"} for s, e in blocks],
    }
    if settings.max_drive_minutes is not None:
        entry["max_leg_minutes"] = settings.max_drive_minutes
    return _OnPlan(entry, start, end, blocks, frozenset(technician.skills))


def _locked(job_id: str, location: dict[str, str], appointment: Appointment, tech_id: str) -> dict[str, Any]:
    minutes = (appointment.end - appointment.start).total_seconds() / 60
    return {
        "id": job_id,
        "location": location,
        "duration_minutes": minutes,
        "technician": tech_id,
        "locked_start": _iso(appointment.start),
        "priority": 10,
    }


TOO_LATE = "its arrival window leaves no time to do the job inside business hours"


def _free(
    visiting: Visiting,
    location: dict[str, str],
    hours: TimeWindow,
    skills: list[str],
    technician: str | None,
) -> dict[str, Any] | str:
    """A job the plan may place: arriving inside its window and ending inside business hours (or
    why that is impossible)."""
    appointment = visiting.appointment
    window = appointment.visit.arrival_window
    start = max(window.start, hours.start)
    latest = min(window.end, hours.end - (appointment.end - appointment.start))
    if latest < start:
        return TOO_LATE
    return {
        "id": appointment.appointment_id,
        "location": location,
        "duration_minutes": (appointment.end - appointment.start).total_seconds() / 60,
        "windows": [{"start": _iso(start), "end": _iso(latest)}],
        "skills": skills,
        "priority": PRIORITY_POINTS[visiting.job.details.priority],
        "technician": technician,
    }


def build_plan(
    settings: AutoSettings,
    day: date,
    crew: Sequence[TechnicianDay],
    visits: Sequence[Visiting],
    now: datetime,
    consider: str | None = None,
) -> tuple[Plan, TravelMatrix]:
    """The optimizer problem of ``day`` (travel filled in later from the matrix's points).
    ``consider``: an appointment to put in as if auto mode were free to place it (to explain it).

    Auto mode's earlier assignments that still hold stay where they are (KEPT, locked like FIXED):
    re-planning them every few minutes would move customers' visits for little gain. Only those
    that no longer fit (shift changed, a block added, a skill lost) are planned again."""
    plan = Plan(day=day, problem={})
    matrix = TravelMatrix()
    hours = settings.hours(day)
    skills_known = set(settings.skill_tags) | {s for c in crew for s in c.technician.skills}
    on_plan: dict[str, _OnPlan] = {}
    plan.day_versions = {c.technician.technician_id: c.day.version for c in crew}
    for tech_day in crew:
        found = _technician(settings, tech_day, visits, now, matrix)
        if isinstance(found, str):
            plan.skipped_technicians[tech_day.technician.technician_id] = found
        else:
            on_plan[tech_day.technician.technician_id] = found
    jobs: list[dict[str, Any]] = []
    for visiting in visits:
        appointment = visiting.appointment
        part = part_of(visiting.job, appointment, settings)
        required = {t for t in visiting.job.tags if t in skills_known}
        if part is Part.MOVABLE:
            holder = on_plan.get(appointment.technician_ids[0])
            if holder is not None and holder.holds(appointment, required):
                part = Part.KEPT
        plan.parts[appointment.appointment_id] = part
        plan.visits[appointment.appointment_id] = visiting
        if appointment.appointment_id == consider:
            part = Part.FREE
        if part in (Part.IGNORED, Part.IN_PROGRESS):
            continue
        point = visiting.point
        if point is None:
            if part not in (Part.FIXED, Part.KEPT):
                plan.left_out[appointment.appointment_id] = "the location has no map coordinates"
            continue
        location = matrix.add(f"appt:{appointment.appointment_id}", point)
        if part in (Part.FIXED, Part.KEPT):
            for tech_id in appointment.technician_ids:
                if tech_id in on_plan:
                    job_id = f"{appointment.appointment_id}@{tech_id}"
                    plan.planned[job_id] = visiting
                    jobs.append(_locked(job_id, location, appointment, tech_id))
            continue
        pinned = appointment.technician_ids[0] if part is Part.SPECIFIC else None
        free = MULTI_DAY if _days(appointment) else _free(visiting, location, hours, sorted(required), pinned)
        if isinstance(free, str):
            plan.left_out[appointment.appointment_id] = free
            continue
        plan.planned[appointment.appointment_id] = visiting
        jobs.append(free)
    technicians = [t.entry for t in on_plan.values()]
    plan.problem = {"timezone": settings.timezone, "technicians": technicians, "jobs": jobs}
    return plan, matrix


def with_travel(plan: Plan, matrix: TravelMatrix, seconds: Sequence[Sequence[float]]) -> dict[str, Any]:
    """The plan's problem with the travel matrix (seconds between the matrix's points)."""
    return {
        **plan.problem,
        "travel": {"matrix_seconds": [list(row) for row in seconds], "index": dict(matrix.index)},
    }


def decide(plan: Plan, solution: Mapping[str, Any]) -> list[Decision]:
    """What to write so the board matches the solution: moves for the appointments it places
    differently, and an alert (taking auto mode's own assignment off) for each it cannot place,
    unless that alert is already raised with the same reason."""
    placed: dict[str, tuple[str, datetime]] = {}
    for route in solution["routes"]:
        for visit in route["visits"]:
            placed[visit["job"]] = (route["technician"], datetime.fromisoformat(visit["start"]))
    reasons = {u["job"]: u["reason"] for u in solution["unassigned"]}
    decisions: list[Decision] = []
    for job_id, visiting in plan.planned.items():
        part = plan.parts[visiting.appointment.appointment_id]
        if part in (Part.FIXED, Part.KEPT):
            continue
        appointment, job = visiting.appointment, visiting.job
        if job_id in placed:
            technician_id, start = placed[job_id]
            start = start.astimezone(appointment.start.tzinfo)
            if appointment.technician_ids == (technician_id,) and start == appointment.start:
                continue
            visit = Visit(
                TimeWindow(start, start + (appointment.end - appointment.start)),
                appointment.visit.arrival_window,
            )
            others = tuple(t for t in appointment.technician_ids if t != technician_id)
            why = f"planned by automatic dispatch: {technician_id} from {start:%H:%M}"
            decisions.append(
                Move(
                    job.job_id,
                    appointment.appointment_id,
                    job.version,
                    technician_id,
                    visit,
                    others,
                    appointment.visit,
                    why,
                )
            )
            continue
        reason = reasons.get(job_id, "the optimizer found no place for it in the day")
        decisions.append(_unplanned(visiting, part, reason))
    for appointment_id, reason in plan.left_out.items():
        decisions.append(_unplanned(plan.visits[appointment_id], plan.parts[appointment_id], reason))
    return [d for d in decisions if not _already_flagged(plan, d)]


def _unplanned(visiting: Visiting, part: Part, reason: str) -> Unplanned:
    appointment = visiting.appointment
    taken = appointment.technician_ids if part is Part.MOVABLE else ()
    return Unplanned(visiting.job.job_id, appointment.appointment_id, visiting.job.version, reason, taken)


def _already_flagged(plan: Plan, decision: Decision) -> bool:
    if not isinstance(decision, Unplanned) or decision.unassign:
        return False
    return plan.visits[decision.appointment_id].appointment.auto_alert == decision.reason


# -- one technician's day ------------------------------------------------------------------------

UNVERIFIED = "the address is not verified (or has no map point): left where it is, its time kept"


@dataclass(frozen=True)
class DayRoute:
    """The problem of one technician's day: ``movable`` (appointment ids) may be reordered, the
    others stay put; ``unverified`` are left out and listed."""

    plan: Plan
    matrix: TravelMatrix
    unverified: tuple[str, ...]
    refused: str | None = None  # why the technician's day cannot be planned at all


def day_route(
    settings: AutoSettings,
    tech_day: TechnicianDay,
    visits: Sequence[Visiting],
    now: datetime,
    hold: frozenset[str] = frozenset(),
) -> DayRoute:
    """Optimize one technician's route for a day (DOMAIN.md): only Scheduled appointments assigned
    solely to them that day move (inside their windows and business hours); Confirmed ones, shared
    ones and work in progress stay put; unverified addresses are left out, their time blocked, and
    so is the time of the appointments in ``hold`` (those the day cannot hold, kept until a
    dispatcher unassigns them)."""
    tech_id = tech_day.technician.technician_id
    day = tech_day.day.day
    plan = Plan(day=day, problem={})
    matrix = TravelMatrix()
    mine = [v for v in visits if tech_id in v.appointment.technician_ids]
    found = _technician(settings, tech_day, mine, now, matrix)
    if isinstance(found, str):
        return DayRoute(plan, matrix, (), found)
    jobs: list[dict[str, Any]] = []
    blocks: list[dict[str, str]] = []
    unverified: list[str] = []
    for visiting in mine:
        appointment = visiting.appointment
        status = appointment.status
        if appointment.canceled or status is AppointmentStatus.DONE or status in UNDER_WAY:
            continue
        point = visiting.point
        sole = appointment.technician_ids == (tech_id,)
        movable = status is AppointmentStatus.SCHEDULED and sole and not _days(appointment)
        plan.visits[appointment.appointment_id] = visiting
        unlocated = point is None or not visiting.place.verified
        if point is None or unlocated or appointment.appointment_id in hold:
            if movable and unlocated:
                unverified.append(appointment.appointment_id)
            blocks.append({"start": _iso(appointment.start), "end": _iso(appointment.end), "kind": "visit"})
            continue
        location = matrix.add(f"appt:{appointment.appointment_id}", point)
        free = _free(visiting, location, settings.hours(day), [], tech_id) if movable else None
        plan.parts[appointment.appointment_id] = Part.FREE if isinstance(free, dict) else Part.FIXED
        if isinstance(free, dict):
            plan.planned[appointment.appointment_id] = visiting
            jobs.append(free)
        else:
            job_id = f"{appointment.appointment_id}@{tech_id}"
            plan.planned[job_id] = visiting
            jobs.append(_locked(job_id, location, appointment, tech_id))
    entry = {**found.entry, "blocks": [*found.entry["blocks"], *blocks]}
    plan.problem = {"timezone": settings.timezone, "technicians": [entry], "jobs": jobs}
    return DayRoute(plan, matrix, tuple(unverified))


def days_touched(decision: Decision) -> frozenset[str]:
    """The technicians whose day a decision rewrites when it is written."""
    if isinstance(decision, Move):
        return frozenset({decision.technician_id, *decision.unassign})
    return frozenset(decision.unassign)
