"""Feasibility of every (job, technician) pair before solving, with reasons a dispatcher understands.

A pair is kept when the job alone fits into the technician's day: skills held, pinned to them or
to nobody, some arrival window meets the shift, some leg in and out within the drive cap, and a
single-visit route (home, job, end) schedules without breaking a rule. A job no technician passes
gets the reason of the check the most promising technicians failed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

import numpy as np

from truckroll.optimize.problem import Job, Problem, Tech, Window
from truckroll.optimize.timeline import Schedule, Stop, simulate

_PINNED, _SKILL, _SHIFT, _CAP, _TIME = range(5)


@dataclass(slots=True)
class Screen:
    fits: list[dict[int, tuple[Window, ...]]]  # per job: technician index -> windows that fit
    reasons: dict[int, str] = field(default_factory=dict)  # job index -> why nobody can take it


def stamp(tz: ZoneInfo, t: int) -> str:
    return datetime.fromtimestamp(t, tz).strftime("%Y-%m-%d %H:%M")


def span(tz: ZoneInfo, w: Window) -> str:
    start, end = datetime.fromtimestamp(w.start, tz), datetime.fromtimestamp(w.end, tz)
    tail = end.strftime("%H:%M") if end.date() == start.date() else end.strftime("%Y-%m-%d %H:%M")
    return f"{start.strftime('%Y-%m-%d %H:%M')}-{tail}"


def stop_for(problem: Problem, j: int, windows: tuple[Window, ...], fixed: int | None = None) -> Stop:
    job = problem.jobs[j]
    return Stop(j, job.place, job.duration, windows, job.locked_start if fixed is None else fixed)


def screen(problem: Problem) -> Screen:
    techs = problem.techs
    by_id = {t.id: i for i, t in enumerate(techs)}
    reach = _Reach(problem)
    out = Screen(fits=[{} for _ in problem.jobs])
    for j, job in enumerate(problem.jobs):
        if job.technician is not None and job.technician not in by_id:
            out.reasons[j] = f"pinned to technician {job.technician}, who is not in this plan"
            continue
        locked = job.locked_start
        if locked is not None and job.windows and not any(w.start <= locked <= w.end for w in job.windows):
            out.reasons[j] = f"locked start {stamp(problem.timezone, locked)} is outside its arrival windows"
            continue
        worst: list[tuple[int, Tech]] = []
        for i, tech in enumerate(techs):
            stage, windows = _pair(problem, reach, j, tech)
            if windows is not None:
                out.fits[j][i] = windows
            else:
                worst.append((stage, tech))
        if not out.fits[j]:
            out.reasons[j] = _reason(problem, job, worst)
    return out


class _Reach:
    """Whether some leg into / out of each job place is within a drive cap (cached per cap)."""

    def __init__(self, problem: Problem) -> None:
        self._problem = problem
        places = np.asarray([job.place for job in problem.jobs], dtype=np.int64)
        self._sub = problem.travel[np.ix_(places, places)] if len(places) else np.zeros((0, 0), np.int64)
        self._cache: dict[int, tuple[list[bool], list[bool]]] = {}

    def ok(self, j: int, tech: Tech) -> bool:
        cap = tech.max_leg
        if cap is None:
            return True
        if cap not in self._cache:
            near = self._sub <= cap
            np.fill_diagonal(near, False)
            self._cache[cap] = (
                cast("list[bool]", near.any(axis=0).tolist()),
                cast("list[bool]", near.any(axis=1).tolist()),
            )
        into, out = self._cache[cap]
        place = self._problem.jobs[j].place
        return (into[j] or self._problem.leg(tech.start_place, place) <= cap) and (
            out[j] or self._problem.leg(place, tech.end_place) <= cap
        )


def _pair(problem: Problem, reach: _Reach, j: int, tech: Tech) -> tuple[int, tuple[Window, ...] | None]:
    job = problem.jobs[j]
    if job.technician is not None and job.technician != tech.id and job.needed == 1:
        return _PINNED, None
    if not job.skills <= tech.skills:
        return _SKILL, None
    shift = tech.shift
    if job.locked_start is not None:
        if not shift.start <= job.locked_start <= shift.end - job.duration:
            return _SHIFT, None
    elif job.windows and not any(w.start <= shift.end and w.end >= shift.start for w in job.windows):
        return _SHIFT, None
    if not reach.ok(j, tech):
        return _CAP, None
    if job.locked_start is not None or not job.windows:
        alone = simulate(problem, tech, [stop_for(problem, j, job.windows)], with_cap=False)
        return (_TIME, None) if not isinstance(alone, Schedule) else (_TIME, job.windows)
    fit = tuple(
        w
        for w in job.windows
        if isinstance(simulate(problem, tech, [stop_for(problem, j, (w,))], with_cap=False), Schedule)
    )
    return _TIME, (fit or None)


def verdicts(problem: Problem, j: int) -> list[tuple[Window, ...] | str]:
    """For each technician: the arrival windows in which job ``j`` alone fits their day, or why
    it does not (said of that technician)."""
    reach = _Reach(problem)
    job = problem.jobs[j]
    out: list[tuple[Window, ...] | str] = []
    for tech in problem.techs:
        stage, windows = _pair(problem, reach, j, tech)
        out.append(windows if windows is not None else _why_not(problem, job, stage, tech))
    return out


def _why_not(problem: Problem, job: Job, stage: int, tech: Tech) -> str:
    tz = problem.timezone
    if stage == _PINNED:
        return f"the job is pinned to technician {job.technician}"
    if stage == _SKILL:
        return f"lacks skill {sorted(job.skills - tech.skills)[0]!r}"
    if stage == _SHIFT:
        if job.locked_start is not None:
            return f"locked start {stamp(tz, job.locked_start)} is outside their shift {span(tz, tech.shift)}"
        listed = ", ".join(span(tz, w) for w in job.windows)
        return f"arrival window {listed} is outside their shift {span(tz, tech.shift)}"
    if stage == _CAP:
        return f"cannot reach it within their {(tech.max_leg or 0) / 60:g}-minute drive cap"
    return (
        "cannot get there inside its arrival window, do the job clear of their blocks and get back"
        " before their shift ends"
    )


def _reason(problem: Problem, job: Job, failed: list[tuple[int, Tech]]) -> str:
    if not failed:
        return "no technician is on shift"
    stage = max(s for s, _ in failed)
    techs = [t for s, t in failed if s == stage]
    tz = problem.timezone
    if stage == _SKILL:
        if job.technician is not None and job.needed == 1:
            missing = sorted(job.skills - techs[0].skills)
            return f"pinned technician {job.technician} lacks skill {missing[0]!r}"
        held = set().union(*(t.skills for t in problem.techs))
        if absent := sorted(job.skills - held):
            return f"no technician with skill {absent[0]!r} on shift"
        listed = ", ".join(repr(s) for s in sorted(job.skills))
        return f"no technician with all of the skills {listed} on shift"
    if stage == _SHIFT:
        whose = f"the shift of {job.technician}" if len(techs) == 1 and job.technician else "every shift"
        if job.locked_start is not None:
            return f"locked start {stamp(tz, job.locked_start)} is outside {whose}"
        if len(job.windows) == 1:
            return f"arrival window {span(tz, job.windows[0])} is outside {whose}"
        listed = ", ".join(span(tz, w) for w in job.windows)
        return f"arrival windows {listed} are all outside {whose}"
    if stage == _CAP:
        minutes = max(t.max_leg or 0 for t in techs) / 60
        return f"no technician can reach it within the {minutes:g}-minute drive cap"
    if job.locked_start is not None:
        return (
            f"locked start {stamp(tz, job.locked_start)} clashes with a block or cannot be reached in time"
            " by any qualified technician"
        )
    return (
        f"no qualified technician can get there inside its arrival window, do the {job.duration // 60}-minute"
        " job clear of blocks and get back before the shift ends"
    )
