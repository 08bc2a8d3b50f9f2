"""``solve``: screen, fix crews, route with PyVRP, make the plan exact on the clock, explain the rest."""

from __future__ import annotations

import time
from datetime import datetime
from typing import Any

from truckroll.optimize import engine
from truckroll.optimize.crews import Crew, place_crews, starts
from truckroll.optimize.problem import Problem, parse_problem
from truckroll.optimize.screen import Screen, screen, stamp, stop_for
from truckroll.optimize.timeline import Failure, Schedule, Stop, simulate

Plan = list[list[tuple[Stop, int]]]  # per technician: (stop, start) in visiting order

#: Prizes, in priority points; a required job is worth 100 more. A point is worth more drive than
#: any one visit can add (``unit``: twice the longest leg), so a job is never left out to save drive.
REQUIRED_BONUS = 100
#: At most this share of the time goes to a plan by insertion alone (most valuable job first) that
#: the routed plan must beat. Routing does not start from it: PyVRP does worse from a dense start
#: that its split-shift model finds infeasible.
GREEDY = 0.1
#: Share of the remaining time kept back from routing for repair, insertion and explanations.
RESERVE = 0.08
#: Technicians (nearest first) tried when inserting a job the router left out.
INSERT_CANDIDATES = 8


def solve(problem: dict[str, Any], seconds: float, seed: int = 0) -> dict[str, Any]:
    """Plan the day in PROBLEM.json form within ``seconds``; see docs/optimizer.md."""
    began = time.perf_counter()
    prob = parse_problem(problem)
    plan, reasons = _plan(prob, began + seconds, seed)
    return _render(prob, plan, reasons, time.perf_counter() - began)


def values(prob: Problem) -> list[int]:
    unit = 2 * int(prob.travel.max(initial=0)) + 1
    return [unit * (job.priority + REQUIRED_BONUS * job.required) for job in prob.jobs]


def _plan(prob: Problem, deadline: float, seed: int) -> tuple[Plan, dict[int, str]]:
    scr = screen(prob)
    worth = values(prob)
    multi = sorted((j for j, job in enumerate(prob.jobs) if job.needed > 1), key=lambda j: -worth[j])
    crews, reasons = place_crews(prob, scr, multi)
    reasons.update(scr.reasons)
    singles = [j for j, job in enumerate(prob.jobs) if job.needed == 1 and j not in scr.reasons]
    empty: Plan = [[] for _ in prob.techs]
    if not prob.techs or not (singles or crews):
        return empty, _explain(prob, scr, crews, reasons, empty)

    everything = [*singles, *(c.job for c in crews)]
    plan = _seed(prob, crews, scr)
    greedy = [list(route) for route in plan]
    _insert(
        prob, scr, greedy, everything, worth, time.perf_counter() + GREEDY * (deadline - time.perf_counter())
    )
    blocks = any(t.blocks for t in prob.techs)
    for stage in range(2 if blocks else 1):
        left = deadline - time.perf_counter()
        share = 0.4 if blocks and stage == 0 else 1.0
        budget = max(0.01, (left - min(RESERVE * left, 2.0)) * share)
        lunch = [_lunch_points(prob, i, plan[i], stage) for i in range(len(prob.techs))]
        routes = engine.route(prob, scr, crews, singles, worth, lunch, budget, seed, plan)
        candidate = _repair(prob, _restore(prob, scr, routes, crews), worth)
        if stage == 0 or _score(prob, candidate, worth) > _score(prob, plan, worth):
            plan = candidate
    stop_at = deadline - min(RESERVE * (deadline - time.perf_counter()), 0.5)
    _insert(prob, scr, plan, everything, worth, stop_at)
    if _score(prob, greedy, worth) > _score(prob, plan, worth):
        plan = greedy
    return plan, _explain(prob, scr, crews, reasons, plan)


def _seed(prob: Problem, crews: list[Crew], scr: Screen) -> Plan:
    """The crews' fixed visits (and locked, pinned jobs where they fit): the plan routing starts from."""
    plan: Plan = [[] for _ in prob.techs]
    for i, tech in enumerate(prob.techs):
        stops = [stop_for(prob, c.job, prob.jobs[c.job].windows, c.start) for c in crews if i in c.techs]
        for j, job in enumerate(prob.jobs):
            if job.needed == 1 and job.locked_start is not None and i in scr.fits[j] and job.technician:
                trial = sorted([*stops, stop_for(prob, j, job.windows)], key=lambda s: s.fixed or 0)
                if isinstance(simulate(prob, tech, trial), Schedule):
                    stops = trial
        stops.sort(key=lambda s: s.fixed or 0)
        sched = simulate(prob, tech, stops)
        if isinstance(sched, Schedule):
            plan[i] = list(zip(stops, sched.starts, strict=True))
    return plan


def _lunch_points(prob: Problem, i: int, placed: list[tuple[Stop, int]], stage: int) -> list[int]:
    """Where technician i is during each block: at home first, then wherever the last plan left them."""
    tech = prob.techs[i]
    points = []
    for b in tech.blocks:
        here = tech.start_place
        if stage > 0:
            for stop, start in placed:
                if start + stop.duration <= b.start:
                    here = stop.place
        points.append(here)
    return points


def _score(prob: Problem, plan: Plan, worth: list[int]) -> tuple[int, int]:
    """Prizes collected, then less drive."""
    drive = 0
    for i, route in enumerate(plan):
        sched = simulate(prob, prob.techs[i], [s for s, _ in route])
        drive += sched.drive if isinstance(sched, Schedule) else 0
    return sum(worth[s.job] for route in plan for s, _ in route), -drive


def _restore(prob: Problem, scr: Screen, routes: engine.Routes, crews: list[Crew]) -> engine.Routes:
    """Put back fixed-start visits the router dropped: its split-shift model cannot drive across a
    block, the real clock can. Crews go back whole, each copy as late in its route as the visits
    before it allow (repair then drops what no longer fits); locked jobs only where they fit."""
    routes = [list(r) for r in routes]
    for crew in crews:
        present = {i for i in crew.techs if any(s.job == crew.job for s in routes[i])}
        if len(present) == len(crew.techs):
            continue
        for i in present:
            routes[i] = [s for s in routes[i] if s.job != crew.job]
        copy = stop_for(prob, crew.job, prob.jobs[crew.job].windows, crew.start)
        spots = [_latest_spot(prob, i, routes[i], copy) for i in crew.techs]
        if all(p is not None for p in spots):
            for i, spot in zip(crew.techs, spots, strict=True):
                routes[i].insert(spot or 0, copy)
    planned = {s.job for r in routes for s in r}
    for j, job in enumerate(prob.jobs):
        if job.locked_start is None or job.needed > 1 or j in planned or j in scr.reasons:
            continue
        stop = stop_for(prob, j, job.windows)
        for i in scr.fits[j]:
            spot = next(
                (
                    k
                    for k in range(len(routes[i]) + 1)
                    if isinstance(
                        simulate(prob, prob.techs[i], [*routes[i][:k], stop, *routes[i][k:]]), Schedule
                    )
                ),
                None,
            )
            if spot is not None:
                routes[i].insert(spot, stop)
                break
    return routes


def _latest_spot(prob: Problem, i: int, stops: list[Stop], stop: Stop) -> int | None:
    """The largest k such that the first k stops and then ``stop`` can be timed."""
    spot = None
    for k in range(len(stops) + 1):
        if isinstance(simulate(prob, prob.techs[i], [*stops[:k], stop]), Failure):
            break
        spot = k
    return spot


def _repair(prob: Problem, routes: engine.Routes, worth: list[int]) -> Plan:
    """Drop the least valuable visits until every route is exact on the clock; crews go whole."""
    routes = [list(r) for r in routes]
    on: dict[int, set[int]] = {}
    for i, r in enumerate(routes):
        for s in r:
            if prob.jobs[s.job].needed > 1:
                on.setdefault(s.job, set()).add(i)
    broken = {j for j, techs in on.items() if len(techs) != prob.jobs[j].needed}
    while True:
        routes = [[s for s in r if s.job not in broken] for r in routes]
        plan: Plan = []
        for i, stops in enumerate(routes):
            tech = prob.techs[i]
            result = simulate(prob, tech, stops)
            while isinstance(result, Failure):
                upto = stops[: min(result.at, len(stops) - 1) + 1]
                victim = min(range(len(upto)), key=lambda k: (worth[upto[k].job], -k))
                if prob.jobs[stops[victim].job].needed > 1:
                    broken.add(stops[victim].job)
                del stops[victim]
                result = simulate(prob, tech, stops)
            plan.append(list(zip(stops, result.starts, strict=True)))
        if all(s.job not in broken for r in routes for s in r):
            return plan


def _insert(
    prob: Problem, scr: Screen, plan: Plan, jobs: list[int], worth: list[int], deadline: float
) -> None:
    """Cheapest feasible insertion of the jobs left out, most valuable first, while time remains."""
    planned = {s.job for route in plan for s, _ in route}
    for j in sorted((j for j in jobs if j not in planned), key=lambda j: -worth[j]):
        if time.perf_counter() > deadline:
            return
        job = prob.jobs[j]
        if job.needed > 1:
            _insert_crew(prob, scr, plan, j, deadline)
            continue
        stop = stop_for(prob, j, job.windows)

        def nearness(i: int, place: int = job.place) -> int:
            places = [prob.techs[i].start_place] + [s.place for s, _ in plan[i]]
            return min(prob.leg(p, place) for p in places)

        best: tuple[int, int, list[Stop], Schedule] | None = None
        for i in sorted(scr.fits[j], key=nearness)[:INSERT_CANDIDATES]:
            stops = [s for s, _ in plan[i]]
            before = simulate(prob, prob.techs[i], stops)
            base = before.drive if isinstance(before, Schedule) else 0
            for pos in range(len(stops) + 1):
                trial = [*stops[:pos], stop, *stops[pos:]]
                result = simulate(prob, prob.techs[i], trial)
                if isinstance(result, Schedule) and (best is None or result.drive - base < best[0]):
                    best = (result.drive - base, i, trial, result)
        if best is not None:
            _, i, trial, result = best
            plan[i] = list(zip(trial, result.starts, strict=True))


def _insert_crew(prob: Problem, scr: Screen, plan: Plan, j: int, deadline: float) -> None:
    """A crew routing could not keep, at the first common start that fits the finished routes."""
    job = prob.jobs[j]
    pinned = next((i for i, t in enumerate(prob.techs) if t.id == job.technician), None)
    for start in starts(prob, job, scr.fits[j].values()):
        if time.perf_counter() > deadline:
            return
        copy = stop_for(prob, j, job.windows, start)
        options = [o for i in sorted(scr.fits[j]) if (o := _fixed_spot(prob, plan, i, copy)) is not None]
        chosen = sorted(options, key=lambda o: (o[1] != pinned, o[0]))[: job.needed]
        if len(chosen) == job.needed and (pinned is None or chosen[0][1] == pinned):
            for _, i, trial, result in chosen:
                plan[i] = list(zip(trial, result.starts, strict=True))
            return


def _fixed_spot(
    prob: Problem, plan: Plan, i: int, copy: Stop
) -> tuple[int, int, list[Stop], Schedule] | None:
    """Technician i's route with a fixed-start visit slotted in by time, with the drive it adds."""
    assert copy.fixed is not None
    stops = [s for s, _ in plan[i]]
    spot = sum(1 for _, start in plan[i] if start < copy.fixed)
    trial = [*stops[:spot], copy, *stops[spot:]]
    result = simulate(prob, prob.techs[i], trial)
    if not isinstance(result, Schedule):
        return None
    before = simulate(prob, prob.techs[i], stops)
    return (result.drive - (before.drive if isinstance(before, Schedule) else 0), i, trial, result)


def _explain(
    prob: Problem, scr: Screen, crews: list[Crew], reasons: dict[int, str], plan: Plan
) -> dict[int, str]:
    planned = {s.job for route in plan for s, _ in route}
    out: dict[int, str] = {}
    crew_start = {c.job: c.start for c in crews}
    for j, job in enumerate(prob.jobs):
        if j in planned:
            continue
        if j in reasons:
            out[j] = reasons[j]
        elif j in crew_start:
            out[j] = (
                f"needs {job.needed} technicians at the same time; their routes could not all keep"
                f" the common start {stamp(prob.timezone, crew_start[j])}"
            )
        else:
            out[j] = _capacity_reason(prob, scr, j, plan)
    return out


def _capacity_reason(prob: Problem, scr: Screen, j: int, plan: Plan) -> str:
    job = prob.jobs[j]
    qualified = sorted(scr.fits[j])
    capped = [i for i in qualified if prob.techs[i].max_leg is not None]
    alone = [
        i
        for i in qualified
        if isinstance(simulate(prob, prob.techs[i], [stop_for(prob, j, job.windows)]), Schedule)
    ]
    if not alone and capped:
        minutes = max(prob.techs[i].max_leg or 0 for i in capped) / 60
        return f"no technician can reach it within the {minutes:g}-minute drive cap"
    competing = [prob.jobs[s.job].priority for i in qualified for s, _ in plan[i]]
    if competing and job.priority <= min(competing):
        return "not enough capacity: lower-priority than the jobs planned"
    return f"not enough capacity: no room found in the routes of its {len(qualified)} qualified technician(s)"


def _render(prob: Problem, plan: Plan, reasons: dict[int, str], seconds: float) -> dict[str, Any]:
    tz = prob.timezone

    def iso(t: int) -> str:
        return datetime.fromtimestamp(t, tz).isoformat()

    crews: dict[int, list[str]] = {}
    for i, route in enumerate(plan):
        for s, _ in route:
            crews.setdefault(s.job, []).append(prob.techs[i].id)
    routes = []
    total = 0
    for i, tech in enumerate(prob.techs):
        stops = [s for s, _ in plan[i]]
        sched = simulate(prob, tech, stops)
        assert isinstance(sched, Schedule)
        total += sched.drive
        visits: list[dict[str, Any]] = []
        for s, start in zip(stops, sched.starts, strict=True):
            visit: dict[str, Any] = {
                "job": prob.jobs[s.job].id,
                "arrival": iso(start),
                "start": iso(start),
                "end": iso(start + s.duration),
            }
            if prob.jobs[s.job].needed > 1:
                visit["crew"] = crews[s.job]
            visits.append(visit)
        routes.append({"technician": tech.id, "drive_seconds": sched.drive, "visits": visits})
    unassigned: list[dict[str, Any]] = []
    for j, why in sorted(reasons.items()):
        entry: dict[str, Any] = {"job": prob.jobs[j].id, "reason": why}
        if prob.jobs[j].required:
            entry["required"] = True
        unassigned.append(entry)
    return {
        "routes": routes,
        "unassigned": unassigned,
        "summary": {
            "drive_seconds": total,
            "assigned": len(prob.jobs) - len(unassigned),
            "unassigned": len(unassigned),
            "seconds": round(seconds, 3),
        },
    }
