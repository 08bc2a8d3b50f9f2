"""Multi-technician jobs: choose the technicians and one common start before routing.

PyVRP has no synchronised visits, so a job that needs k technicians is decided up front: the
first start (on a 15-minute grid inside its windows, or its locked start) at which k qualified
technicians can each fit it into their day around the visits already fixed for them; the k
closest to the job are chosen. Each chosen technician then gets a copy of the visit pinned to
them at exactly that start. If routing later cannot keep every copy, the job is dropped from
every route, so the same-start rule can never be broken.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from truckroll.optimize.problem import Job, Problem, Window
from truckroll.optimize.screen import Screen, stop_for
from truckroll.optimize.timeline import Schedule, Stop, simulate

GRID = 15 * 60


@dataclass(frozen=True, slots=True)
class Crew:
    job: int
    techs: tuple[int, ...]
    start: int


def place_crews(problem: Problem, scr: Screen, order: list[int]) -> tuple[list[Crew], dict[int, str]]:
    """Crews for the multi-technician jobs in ``order`` (most valuable first), and reasons for the rest."""
    committed: dict[int, list[Stop]] = {}
    for j, job in enumerate(problem.jobs):
        if job.needed == 1 and job.locked_start is not None and job.technician is not None:
            for i in scr.fits[j]:
                committed.setdefault(i, []).append(stop_for(problem, j, job.windows))
    crews: list[Crew] = []
    reasons: dict[int, str] = {}
    for j in order:
        job = problem.jobs[j]
        if j in scr.reasons:
            continue
        qualified = sorted(scr.fits[j])
        if len(qualified) < job.needed:
            reasons[j] = f"needs {job.needed} technicians at the same time; only {len(qualified)} qualified"
            continue
        pinned = _pinned_index(problem, job)
        if pinned is not None and pinned not in qualified:
            reasons[j] = f"pinned technician {job.technician} cannot take it"
            continue
        most_free = 0
        for start in starts(problem, job, scr.fits[j].values()):
            free = [
                i
                for i in qualified
                if _fits(problem, committed.get(i, []), i, stop_for(problem, j, job.windows, start))
            ]
            most_free = max(most_free, len(free))
            if len(free) < job.needed or (pinned is not None and pinned not in free):
                continue
            chosen = sorted(free, key=lambda i: (i != pinned, _detour(problem, i, job)))[: job.needed]
            for i in chosen:
                committed.setdefault(i, []).append(stop_for(problem, j, job.windows, start))
            crews.append(Crew(j, tuple(sorted(chosen)), start))
            break
        else:
            reasons[j] = (
                f"needs {job.needed} technicians at the same time; only {most_free} qualified free at once"
            )
    return crews, reasons


def _pinned_index(problem: Problem, job: Job) -> int | None:
    for i, tech in enumerate(problem.techs):
        if tech.id == job.technician:
            return i
    return None


def _detour(problem: Problem, i: int, job: Job) -> int:
    tech = problem.techs[i]
    return problem.leg(tech.start_place, job.place) + problem.leg(job.place, tech.end_place)


def starts(problem: Problem, job: Job, fitting: Iterable[tuple[Window, ...]]) -> list[int]:
    if job.locked_start is not None:
        return [job.locked_start]
    windows = sorted({w for ws in fitting for w in ws})
    if not job.windows:
        windows = [Window(min(t.shift.start for t in problem.techs), max(t.shift.end for t in problem.techs))]
    starts: set[int] = set()
    for w in windows:
        starts.update(range(w.start, w.end + 1, GRID))
        starts.add(w.end)
    return sorted(starts)


def _fits(problem: Problem, fixed: list[Stop], i: int, stop: Stop) -> bool:
    stops = sorted([*fixed, stop], key=lambda s: s.fixed or 0)
    return isinstance(simulate(problem, problem.techs[i], stops), Schedule)
