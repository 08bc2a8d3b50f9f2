"""``check(problem, solution)``: every hard rule of the optimizer contract a solution breaks.

Written apart from the solver (it shares only input parsing and travel times) so that it can
judge any solution, the solver's or a hand-made one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from truckroll.optimize.problem import Problem, Tech, Window, epoch, parse_problem


def check(problem: dict[str, Any], solution: object) -> list[str]:
    """The violations of the solution, one sentence each; empty when it honours every rule."""
    prob = parse_problem(problem)
    if not isinstance(solution, dict):
        return ["solution: not a JSON object"]
    routes, unassigned, summary = solution.get("routes"), solution.get("unassigned"), solution.get("summary")
    if not isinstance(routes, list) or not isinstance(unassigned, list) or not isinstance(summary, dict):
        return ["solution: needs routes (list), unassigned (list) and summary (object)"]
    out: list[str] = []
    techs = {t.id: t for t in prob.techs}
    jobs = {job.id: j for j, job in enumerate(prob.jobs)}
    seen_techs: set[str] = set()
    planned: dict[str, list[tuple[str, int]]] = {}  # job id -> (technician, start)
    drive_total = 0
    for r, route in enumerate(routes):
        where = f"routes[{r}]"
        if not isinstance(route, dict) or not isinstance(route.get("visits"), list):
            out.append(f"{where}: needs technician and visits")
            continue
        tech = techs.get(str(route.get("technician")))
        if tech is None:
            out.append(f"{where}: unknown technician {route.get('technician')!r}")
            continue
        if tech.id in seen_techs:
            out.append(f"{where}: technician {tech.id} has more than one route")
        seen_techs.add(tech.id)
        drive = _route(prob, tech, route["visits"], where, jobs, planned, out)
        drive_total += drive
        if route.get("drive_seconds") != drive:
            out.append(f"{where}: drive_seconds {route.get('drive_seconds')} but its legs add up to {drive}")
    _jobs(prob, planned, out)
    unplanned = _unassigned(unassigned, planned, jobs, out)
    for job in prob.jobs:
        if job.id not in planned and job.id not in unplanned:
            out.append(f"job {job.id} is neither planned nor unassigned")
        if job.required and job.id not in planned:
            out.append(f"required job {job.id} is not planned")
    expected = {"drive_seconds": drive_total, "assigned": len(planned), "unassigned": len(unassigned)}
    for key, value in expected.items():
        if summary.get(key) != value:
            out.append(f"summary.{key} is {summary.get(key)!r}, expected {value}")
    seconds = summary.get("seconds")
    if not isinstance(seconds, int | float) or seconds < 0:
        out.append("summary.seconds is not a non-negative number")
    return out


def _time(value: object) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return epoch(parsed) if parsed.utcoffset() is not None else None


def _free(blocks: Sequence[Window], a: int, b: int) -> int:
    total = max(0, b - a)
    for blk in blocks:
        total -= max(0, min(b, blk.end) - max(a, blk.start))
    return total


def _route(
    prob: Problem,
    tech: Tech,
    visits: list[Any],
    where: str,
    jobs: dict[str, int],
    planned: dict[str, list[tuple[str, int]]],
    out: list[str],
) -> int:
    """Check one technician's day; returns the drive seconds of its legs."""
    shift, blocks, cap = tech.shift, tech.blocks, tech.max_leg
    prev_place, prev_end, drive = tech.start_place, shift.start, 0
    legs: list[tuple[str, int, int, int]] = []  # (what, leg seconds, free from, free to)
    for v, visit in enumerate(visits):
        at = f"{where}.visits[{v}]"
        if not isinstance(visit, dict) or str(visit.get("job")) not in jobs:
            out.append(f"{at}: unknown job {visit.get('job') if isinstance(visit, dict) else visit!r}")
            continue
        job = prob.jobs[jobs[str(visit["job"])]]
        at = f"{at} ({job.id})"
        arrival, start, end = (_time(visit.get(k)) for k in ("arrival", "start", "end"))
        if arrival is None or start is None or end is None:
            out.append(f"{at}: arrival, start and end must be ISO-8601 datetimes with offset")
            continue
        planned.setdefault(job.id, []).append((tech.id, start))
        if not job.skills <= tech.skills:
            out.append(f"{at}: {tech.id} lacks skill {sorted(job.skills - tech.skills)[0]!r}")
        if job.needed == 1 and job.technician is not None and job.technician != tech.id:
            out.append(f"{at}: pinned to {job.technician}, planned for {tech.id}")
        if job.locked_start is not None and start != job.locked_start:
            out.append(f"{at}: locked start moved")
        if end - start != job.duration:
            out.append(f"{at}: lasts {end - start} s, the job takes {job.duration} s")
        if arrival > start:
            out.append(f"{at}: starts before the technician arrives")
        if job.windows and not any(w.start <= arrival <= w.end for w in job.windows):
            out.append(f"{at}: arrival outside every arrival window")
        if start < shift.start or end > shift.end:
            out.append(f"{at}: outside the shift")
        if any(start < b.end and b.start < end for b in blocks):
            out.append(f"{at}: overlaps a block")
        if arrival < prev_end:
            out.append(f"{at}: overlaps the previous visit")
        legs.append((at, prob.leg(prev_place, job.place), prev_end, arrival))
        prev_place, prev_end = job.place, end
    if legs:
        legs.append((f"{where}: way back", prob.leg(prev_place, tech.end_place), prev_end, shift.end))
    for what, leg, frm, to in legs:
        drive += leg
        if _free(blocks, frm, to) < leg:
            out.append(f"{what}: {leg} s of driving does not fit in the time outside blocks")
        if cap is not None and leg > cap:
            out.append(f"{what}: a {leg} s leg exceeds the {cap} s drive cap")
    return drive


def _jobs(prob: Problem, planned: dict[str, list[tuple[str, int]]], out: list[str]) -> None:
    for job in prob.jobs:
        crew = planned.get(job.id, [])
        if not crew:
            continue
        if len(crew) != job.needed:
            out.append(f"job {job.id} needs {job.needed} technician(s), planned {len(crew)} time(s)")
        if len({t for t, _ in crew}) != len(crew):
            out.append(f"job {job.id} is planned twice for the same technician")
        if len({s for _, s in crew}) > 1:
            out.append(f"job {job.id}: its technicians do not all start at the same time")
        if job.needed > 1 and job.technician is not None and job.technician not in {t for t, _ in crew}:
            out.append(f"job {job.id}: pinned technician {job.technician} is not among its crew")


def _unassigned(
    unassigned: list[Any],
    planned: dict[str, list[tuple[str, int]]],
    jobs: dict[str, int],
    out: list[str],
) -> set[str]:
    listed: set[str] = set()
    for u, entry in enumerate(unassigned):
        if not isinstance(entry, dict) or str(entry.get("job")) not in jobs:
            out.append(f"unassigned[{u}]: unknown job")
            continue
        ident = str(entry["job"])
        if not isinstance(entry.get("reason"), str) or not entry["reason"].strip():
            out.append(f"unassigned[{u}] ({ident}): no reason given")
        if ident in listed:
            out.append(f"unassigned[{u}] ({ident}): listed twice")
        if ident in planned:
            out.append(f"unassigned[{u}] ({ident}): also planned")
        listed.add(ident)
    return listed
