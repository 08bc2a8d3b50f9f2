"""Why a job would go to one technician rather than another: each technician's verdict on it.

A technician is ruled out when the job alone does not fit their day (the screen's checks: skills,
pinning, shift, drive cap, time) or when the visits already locked in their day leave it no room.
The others are ranked by the drive the job adds at its cheapest feasible place in their route.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from truckroll.optimize.problem import Problem, ProblemError, Tech, parse_problem
from truckroll.optimize.screen import stop_for, verdicts
from truckroll.optimize.timeline import Schedule, Stop, simulate

NO_ROOM = "the visits already in their day leave no room for it inside its arrival window"


@dataclass(frozen=True)
class Verdict:
    technician_id: str
    reason: str | None  # why the technician is ruled out; None: they can take it
    extra_drive_seconds: int | None = None
    rank: int | None = None  # 1: the best fit


def rank_technicians(problem: dict[str, Any], job_id: str) -> list[Verdict]:
    """Every technician's verdict on job ``job_id`` of PROBLEM.json: the ones who can take it
    first, best first, then the ones ruled out."""
    prob = parse_problem(problem)
    found = [j for j, job in enumerate(prob.jobs) if job.id == job_id]
    if not found:
        raise ProblemError("jobs", f"no job {job_id!r}")
    j = found[0]
    able: list[tuple[int, str]] = []
    out: list[Verdict] = []
    for tech, verdict in zip(prob.techs, verdicts(prob, j), strict=True):
        if isinstance(verdict, str):
            out.append(Verdict(tech.id, verdict))
            continue
        held = sorted(
            (k for k, other in enumerate(prob.jobs) if other.technician == tech.id and other.locked_start),
            key=lambda k: prob.jobs[k].locked_start or 0,
        )
        route = [stop_for(prob, k, prob.jobs[k].windows) for k in held]
        base = simulate(prob, tech, route)
        before = base.drive if isinstance(base, Schedule) else 0
        extra = _cheapest(prob, tech, route, stop_for(prob, j, verdict))
        if extra is None:
            out.append(Verdict(tech.id, NO_ROOM))
        else:
            able.append((extra - before, tech.id))
    ranked = [Verdict(t, None, extra, rank) for rank, (extra, t) in enumerate(sorted(able), start=1)]
    return [*ranked, *out]


def _cheapest(prob: Problem, tech: Tech, route: list[Stop], stop: Stop) -> int | None:
    """The route's drive with ``stop`` at its cheapest feasible place, if any."""
    best: int | None = None
    for at in range(len(route) + 1):
        schedule = simulate(prob, tech, [*route[:at], stop, *route[at:]])
        if isinstance(schedule, Schedule) and (best is None or schedule.drive < best):
            best = schedule.drive
    return best
