"""Optimize one technician's route for a day (DOMAIN.md, "Automatic dispatch").

The new order is written in one transaction: every appointment that moves is rescheduled on its
job, and the technician's day is rebooked once with all of them, so visits that swap places never
meet the double-booking rule half-way. The transaction is conditioned on the versions read: when
anything changed meanwhile, nothing is written and the dispatcher is asked to try again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import partial

from chalicelib.dispatch.actions import actor_of
from chalicelib.dispatch.auto import travelled, visits_of
from chalicelib.dispatch.bootstrap import Dispatch

from truckroll import optimize
from truckroll.auth import Principal
from truckroll.domain.autodispatch import Move, Part, TechnicianDay, day_route, decide
from truckroll.domain.events import Actor
from truckroll.domain.jobs import ActionRefused, Job
from truckroll.domain.schedule import Slot, SlotKind, TechDay
from truckroll.errors import NotFound, RuleViolation
from truckroll.persistence.core import DynamoCoreUnitOfWork
from truckroll.persistence.job_changes import stage

REASON = "route optimized for the day"
#: Moves written in one transaction (each job takes several of its 100 items).
MAX_MOVES = 10


@dataclass(frozen=True)
class Moved:
    appointment_id: str
    job_id: str
    previous_start: datetime
    start: datetime


@dataclass(frozen=True)
class Unfit:
    appointment_id: str
    job_id: str
    reason: str


@dataclass(frozen=True)
class DayOptimized:
    technician_id: str
    day: date
    moved: list[Moved]
    cannot_fit: list[Unfit]  # which to unassign: the day cannot hold them
    unverified: list[Unfit]  # left out: no verified address
    drive_seconds: int


def optimize_day(technician_id: str, day: date, principal: Principal, dispatch: Dispatch) -> DayOptimized:
    principal.require_office()
    tenant_id = principal.tenant_id
    technician = dispatch.technicians.get(tenant_id, technician_id)
    if technician is None:
        raise NotFound(f"technician {technician_id} not found")
    settings = dispatch.auto.settings(tenant_id)
    now = dispatch.clock()
    position = dispatch.auto.positions(tenant_id).get(technician_id)
    with dispatch.uow() as uow:
        tech_day = uow.schedules.get(tenant_id, technician_id, day)
        visits = visits_of(uow, dispatch.board.day(tenant_id, day))
        whose = TechnicianDay(technician, tech_day, position)
        route = day_route(settings, whose, visits, now)
        if route.refused is not None:
            raise ActionRefused(f"{technician_id}'s day cannot be routed: {route.refused}")
        solution = optimize.solve(travelled(route.plan, route.matrix, dispatch), dispatch.solve_seconds)
        parts = route.plan.parts
        unfit = {u["job"]: u["reason"] for u in solution["unassigned"] if parts.get(u["job"]) is Part.FREE}
        if unfit:  # route the rest around the time of those the day cannot hold
            route = day_route(settings, whose, visits, now, frozenset(unfit))
            solution = optimize.solve(travelled(route.plan, route.matrix, dispatch), dispatch.solve_seconds)
        plan = route.plan
        moves = [d for d in decide(plan, solution) if isinstance(d, Move)]
        if len(moves) > MAX_MOVES:
            raise RuleViolation(f"the day would move {len(moves)} visits; at most {MAX_MOVES} move at once")
        jobs = {v.job.job_id: v.job for v in visits}
        if moves:
            _write(uow, tech_day, moves, jobs, actor_of(principal), now)
            uow.commit()
    visiting = plan.visits
    cannot_fit = [Unfit(a, visiting[a].job.job_id, why) for a, why in unfit.items()]
    unverified = [
        Unfit(a, visiting[a].job.job_id, "the address is not verified: left where it is")
        for a in route.unverified
    ]
    return DayOptimized(
        technician_id,
        day,
        [
            Moved(m.appointment_id, m.job_id, m.original.scheduled.start, m.visit.scheduled.start)
            for m in moves
        ],
        cannot_fit,
        unverified,
        int(sum(r["drive_seconds"] for r in solution["routes"])),
    )


def _write(
    uow: DynamoCoreUnitOfWork,
    tech_day: TechDay,
    moves: list[Move],
    jobs: dict[str, Job],
    actor: Actor,
    at: datetime,
) -> None:
    """Stage every move on its job, and the technician's day rebooked once with all of them."""
    by_job: dict[str, list[Move]] = {}
    for move in moves:
        by_job.setdefault(move.job_id, []).append(move)
    for job_id, its in by_job.items():
        stage(uow, jobs[job_id], partial(_reschedule, jobs[job_id], its, actor, at))
    slots = [
        Slot(m.appointment_id, SlotKind.APPOINTMENT, m.visit.scheduled.start, m.visit.scheduled.end)
        for m in moves
    ]
    uow.schedules.put(tech_day.rebooked(frozenset(m.appointment_id for m in moves), slots, force=False))


def _reschedule(job: Job, moves: list[Move], actor: Actor, at: datetime) -> None:
    for move in moves:
        job.reschedule(move.appointment_id, move.visit, None, actor=actor, at=at, reason=REASON)
