"""Automatic dispatch: settings, per-job toggles, runs, and the latest live positions it plans from.

A run plans each day of the tenant's horizon (truckroll.domain.autodispatch builds the problem and
reads the solution) and writes every decision through :func:`job_changes.commit_change`, the same
transaction a dispatcher's action runs, as ``system``/``auto_dispatch``. Each write is conditioned
on the versions of the job and of the technicians' days the plan was computed from: when a
dispatcher changed them meanwhile (a manual assignment also switches the job's auto toggle off),
auto mode's write is skipped, so the person wins, and the next run plans from what they did.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from chalicelib.dispatch.actions import change_job, get_job
from chalicelib.dispatch.bootstrap import Dispatch
from chalicelib.dispatch.triggers import request_plan

from truckroll import optimize
from truckroll.auth import Principal
from truckroll.contracts.tracking import PositionReportedV1
from truckroll.domain.autodispatch import (
    AUTO_DISPATCH,
    AutoSettings,
    Decision,
    Move,
    Part,
    Plan,
    Position,
    RunRecord,
    TechnicianDay,
    TravelMatrix,
    Visiting,
    build_plan,
    days_touched,
    decide,
    with_travel,
)
from truckroll.domain.board import BoardDay
from truckroll.domain.events import Actor
from truckroll.domain.geo import Point
from truckroll.domain.ids import new_id
from truckroll.domain.jobs import ActionRefused, Job
from truckroll.domain.schedule import DoubleBooked
from truckroll.domain.status import UPCOMING
from truckroll.domain.technicians import Technician
from truckroll.errors import Conflict, TruckrollError
from truckroll.persistence.core import DynamoCoreUnitOfWork
from truckroll.persistence.job_changes import Act, Superseded, commit_change

if TYPE_CHECKING:
    from truckroll.optimize import Verdict

logger = logging.getLogger(__name__)

SETTINGS_CHANGED = "settings"
PLAN_NOW = "plan now"  # the trigger of a dispatcher's run
RUN_HISTORY_SHOWN = 20
SKIPPED = "skipped"


@dataclass(frozen=True)
class Outcome:
    appointment_id: str
    job_id: str
    action: str  # assigned, reassigned, rescheduled, flagged, unassigned, skipped
    technician_id: str | None = None
    detail: str | None = None
    double_booked: bool = False


@dataclass(frozen=True)
class DayRun:
    day: date
    outcomes: list[Outcome] = field(default_factory=list)
    skipped_technicians: dict[str, str] = field(default_factory=dict)


# -- settings and toggles ------------------------------------------------------------------------


def get_settings(principal: Principal, dispatch: Dispatch) -> AutoSettings:
    principal.require_office()
    return dispatch.auto.settings(principal.tenant_id)


def put_settings(settings: AutoSettings, principal: Principal, dispatch: Dispatch) -> AutoSettings:
    principal.require_office()
    dispatch.auto.put_settings(settings)
    request_plan(principal.tenant_id, SETTINGS_CHANGED, dispatch)
    return settings


def set_toggles(
    job_id: str, auto_dispatch: bool, technician_specific: bool, principal: Principal, dispatch: Dispatch
) -> Job:
    """Switch the job's auto toggle and technician-specific toggle (the office only)."""
    principal.require_office()

    def act(job: Job, actor: Actor, at: datetime) -> None:
        job.set_auto_dispatch(auto_dispatch=auto_dispatch, technician_specific=technician_specific)

    job = change_job(job_id, principal, dispatch, act)
    request_plan(principal.tenant_id, SETTINGS_CHANGED, dispatch)
    return job


def record_position(tenant_id: str, data: PositionReportedV1, dispatch: Dispatch) -> None:
    """Keep a technician's latest live position (an older report than the one kept is dropped)."""
    dispatch.auto.record_position(tenant_id, data.technician_id, Position(Point(data.lat, data.lon), data.at))


# -- runs ----------------------------------------------------------------------------------------


def request_all(dispatch: Dispatch) -> int:
    """The schedule: ask for a run of every tenant with auto mode on; how many were asked. One
    tenant's failure does not keep the others from being asked; the schedule then fails loudly."""
    asked, failed = 0, []
    for tenant_id in dispatch.auto.enabled_tenants():
        try:
            asked += request_plan(tenant_id, "schedule", dispatch)
        except Exception:
            logger.exception("could not ask for an automatic dispatch run of %s", tenant_id)
            failed.append(tenant_id)
    if failed:
        raise RuntimeError(f"automatic dispatch runs could not be asked for {len(failed)} tenant(s)")
    return asked


def run_requested(tenant_id: str, trigger: str, request_event_id: str, dispatch: Dispatch) -> list[DayRun]:
    """A requested run: clear the request first, so triggers arriving during the run ask again."""
    dispatch.auto.clear_request(tenant_id)
    return recorded_run(tenant_id, trigger, request_event_id, dispatch)


def run_now(principal: Principal, dispatch: Dispatch) -> list[DayRun]:
    """A dispatcher's "plan now"."""
    principal.require_office()
    return recorded_run(principal.tenant_id, PLAN_NOW, None, dispatch)


def recorded_run(
    tenant_id: str, trigger: str, request_event_id: str | None, dispatch: Dispatch
) -> list[DayRun]:
    """A run, kept in the tenant's run history with what each outcome counted. A requested run is
    known by its request (a ULID), so running a request again after a crash keeps one record."""
    started = dispatch.clock()
    settings = dispatch.auto.settings(tenant_id)
    days = run(settings, dispatch)
    outcomes = Counter(outcome.action for day in days for outcome in day.outcomes)
    run_id = request_event_id or new_id()
    record = RunRecord(
        tenant_id, run_id, started, trigger, request_event_id, settings.enabled, len(days), outcomes
    )
    dispatch.auto.record_run(record)
    return days


def run_history(principal: Principal, dispatch: Dispatch) -> list[RunRecord]:
    """The tenant's latest runs, newest first (the office)."""
    principal.require_office()
    return dispatch.auto.runs(principal.tenant_id, RUN_HISTORY_SHOWN)


@dataclass(frozen=True)
class DayPlan:
    """One day's plan and the decisions drawn from it, not written yet."""

    plan: Plan
    decisions: list[Decision]
    first_names: dict[str, str]


def run(settings: AutoSettings, dispatch: Dispatch) -> list[DayRun]:
    return [carry_out(settings.tenant_id, plan, dispatch) for plan in plan_days(settings, dispatch)]


def plan_days(settings: AutoSettings, dispatch: Dispatch) -> list[DayPlan]:
    """Plan every day of the horizon of the tenant's ``settings`` (nothing when auto mode is off)."""
    if not settings.enabled:
        return []
    now = dispatch.clock()
    plans: list[DayPlan] = []
    for day in settings.days(now):
        plan, problem, technicians = prepare(settings, day, now, dispatch)
        names = {t.technician_id: t.first_name for t in technicians if t.first_name is not None}
        plans.append(DayPlan(plan, decide(plan, solved(plan, problem, dispatch)), names))
    return plans


def carry_out(tenant_id: str, day_plan: DayPlan, dispatch: Dispatch) -> DayRun:
    """Write the day's decisions, each in its own conditional transaction. A move into time that
    another move of the plan frees is refused while that time is still taken, so refused
    double bookings are tried again after the others, as long as a round writes something."""
    day = day_plan.plan.day
    days_read = {(t, day): version for t, version in day_plan.plan.day_versions.items()}
    pending = list(day_plan.decisions)
    outcomes: list[Outcome] = []
    while pending:
        blocked: list[tuple[Decision, Outcome]] = []
        for decision in pending:
            outcome = apply(tenant_id, decision, day_plan.first_names, days_read, dispatch)
            if outcome.action == SKIPPED and outcome.double_booked:
                blocked.append((decision, outcome))
                continue
            outcomes.append(outcome)
            if outcome.action != SKIPPED:  # its own writes are no news to the rest of the plan
                for technician_id in days_touched(decision):
                    days_read[(technician_id, day)] = days_read.get((technician_id, day), 0) + 1
        if len(blocked) == len(pending):
            outcomes.extend(outcome for _, outcome in blocked)
            break
        pending = [decision for decision, _ in blocked]
    return DayRun(day_plan.plan.day, outcomes, day_plan.plan.skipped_technicians)


def prepare(
    settings: AutoSettings, day: date, now: datetime, dispatch: Dispatch, consider: str | None = None
) -> tuple[Plan, dict[str, Any], list[Technician]]:
    """Read the day (board, jobs, technicians, their days and positions) and build its problem."""
    tenant_id = settings.tenant_id
    board = dispatch.board.day(tenant_id, day)
    technicians = dispatch.technicians.all(tenant_id)
    positions = dispatch.auto.positions(tenant_id)
    with dispatch.uow() as uow:
        # Each day read consistently (not from the day's index): their versions condition the writes.
        schedules = uow.schedules
        crew = [
            TechnicianDay(t, schedules.get(tenant_id, t.technician_id, day), positions.get(t.technician_id))
            for t in technicians
        ]
        visits = visits_of(uow, board)
    plan, matrix = build_plan(settings, day, crew, visits, now, consider)
    return plan, travelled(plan, matrix, dispatch), technicians


def visits_of(uow: DynamoCoreUnitOfWork, board: BoardDay) -> list[Visiting]:
    """The board's appointments of the day with their jobs as stored now (one Query per job)."""
    jobs: dict[str, Job | None] = {}
    visits: list[Visiting] = []
    for entry in board.appointments:
        if entry.job_id not in jobs:
            jobs[entry.job_id] = uow.jobs.get(entry.tenant_id, entry.job_id)
        job = jobs[entry.job_id]
        appointment = next(
            (a for a in (job.appointments if job else ()) if a.appointment_id == entry.appointment_id), None
        )
        if job is not None and appointment is not None and appointment.start.date() == board.day:
            visits.append(Visiting(job, appointment, entry.location))
    return visits


def travelled(plan: Plan, matrix: TravelMatrix, dispatch: Dispatch) -> dict[str, Any]:
    """The plan's problem with travel times between its places from the travel port."""
    legs = dispatch.travel.matrix(matrix.points, matrix.points)
    return with_travel(plan, matrix, [[leg.duration_s for leg in row] for row in legs])


def solved(plan: Plan, problem: dict[str, Any], dispatch: Dispatch) -> dict[str, Any]:
    """The optimizer's solution; no call when there is nothing auto mode may place."""
    if len(plan.planned) == sum(1 for job in problem["jobs"] if job.get("locked_start")):
        return {"routes": [], "unassigned": []}
    return optimize.solve(problem, dispatch.solve_seconds)


def apply(
    tenant_id: str,
    decision: Decision,
    names: dict[str, str],
    days_read: dict[tuple[str, date], int],
    dispatch: Dispatch,
) -> Outcome:
    """Write one decision as auto mode; skip it (and say why) when the job or a technician's day
    changed since the plan, or the time it needs is taken."""
    action = _action(decision)
    try:
        act = _act(decision, names)
        commit_change(tenant_id, decision.job_id, AUTO_DISPATCH, dispatch, act, days_read=days_read)
    except DoubleBooked as taken:
        return Outcome(decision.appointment_id, decision.job_id, SKIPPED, None, taken.detail, True)
    except TruckrollError as refused:
        return Outcome(decision.appointment_id, decision.job_id, SKIPPED, None, refused.detail)
    technician = decision.technician_id if isinstance(decision, Move) else None
    detail = None if isinstance(decision, Move) else decision.reason
    return Outcome(decision.appointment_id, decision.job_id, action, technician, detail)


def _action(decision: Decision) -> str:
    if not isinstance(decision, Move):
        return "unassigned" if decision.unassign else "flagged"
    if decision.visit.scheduled != decision.original.scheduled:
        return "rescheduled"
    return "reassigned" if decision.unassign else "assigned"


def _act(decision: Decision, names: dict[str, str]) -> Act:
    def act(job: Job, actor: Actor, at: datetime) -> None:
        if job.version != decision.version:
            raise Superseded(f"job {job.job_id} changed after the plan was made; the newer change stands")
        if isinstance(decision, Move):
            _move(job, decision, names, actor, at)
            return
        if decision.unassign:
            job.unassign(
                decision.appointment_id, decision.unassign, actor=actor, at=at, reason=decision.reason
            )
        job.flag_unplanned(decision.appointment_id, decision.reason, actor=actor, at=at)

    return act


def _move(job: Job, move: Move, names: dict[str, str], actor: Actor, at: datetime) -> None:
    appointment_id, technician_id = move.appointment_id, move.technician_id
    said: dict[str, Any] = {"actor": actor, "at": at, "first_names": names, "reason": move.why}
    if move.visit.scheduled != job.appointment(appointment_id).visit.scheduled:
        job.reschedule(appointment_id, move.visit, (technician_id,), **said)
    elif move.unassign:
        job.reassign(appointment_id, move.unassign[0], technician_id, **said)
    else:
        job.assign(appointment_id, (technician_id,), **said)


# -- explanations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Explanation:
    job_id: str
    appointment_id: str
    day: date
    enabled: bool
    part: Part
    left_out: str | None  # why no technician is even considered
    verdicts: list[Verdict]
    skipped_technicians: dict[str, str]


def explain_job(
    job_id: str, appointment_id: str | None, principal: Principal, dispatch: Dispatch
) -> Explanation:
    """Which technicians automatic dispatch would consider for the appointment (the job's first
    upcoming one by default), and why each is ruled out or ranked lower."""
    principal.require_office()
    job = get_job(job_id, principal, dispatch)
    upcoming = [a for a in job.appointments if a.status in UPCOMING and not a.canceled]
    if appointment_id is not None:
        appointment = job.appointment(appointment_id)
        if appointment not in upcoming:
            status = appointment.status.value
            raise ActionRefused(f"appointment {appointment_id} is {status}: nothing to plan")
    elif upcoming:
        appointment = upcoming[0]
    else:
        raise ActionRefused(f"job {job_id} has no upcoming appointment to plan")
    settings = dispatch.auto.settings(principal.tenant_id)
    target = appointment.appointment_id
    plan, problem, _ = prepare(settings, appointment.start.date(), dispatch.clock(), dispatch, target)
    if target not in plan.parts:
        raise Conflict(f"appointment {target} is not on the board yet; try again in a moment")
    left_out = plan.left_out.get(target)
    verdicts = [] if left_out is not None else optimize.rank_technicians(problem, target)
    return Explanation(
        job_id,
        target,
        plan.day,
        settings.enabled,
        plan.parts[target],
        left_out,
        verdicts,
        plan.skipped_technicians,
    )
