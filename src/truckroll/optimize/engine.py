"""The PyVRP model of a dispatch day and its translation back to ordered routes.

- A technician's shift, cut at its blocks, is one vehicle type per free segment. The segment
  before a block ends at a *lunch point* and the one after starts there: while routing, the
  technician is assumed to spend the block at that point, which makes every routed plan
  feasible on the real clock too (by the triangle inequality the direct leg is never longer).
- Skills and pins are load dimensions (see ``_Eligibility``): a job weighs 1 where a technician
  who may not take it has no room. A drive cap is a routing profile whose edges longer than the
  cap cost more than any feasible day. (One profile per technician would be simpler, but PyVRP
  slows down and grows by gigabytes with a hundred of them.)
- A job with several arrival windows is a mutually exclusive group of clients, one per window;
  a locked start or a crew start is a zero-width window; a crew member's copy is pinned to them.
- Every job is optional with a prize (see ``solver.values``): PyVRP maximises prizes collected
  minus drive seconds, so more priority is served first and drive is minimised second.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from truckroll.optimize.crews import Crew
from truckroll.optimize.problem import Problem, Tech, Window
from truckroll.optimize.screen import Screen
from truckroll.optimize.timeline import Stop

Routes = list[list[Stop]]  # per technician, in visiting order

#: Time warp may cost up to this much per second: well above any prize, so a plan that keeps
#: every job by arriving late never looks better than one that drops a job.
MAX_PENALTY = 10_000_000.0


def segments(tech: Tech) -> list[tuple[int, Window]]:
    """The free stretches of a shift between blocks, each with the number of blocks before it."""
    out: list[tuple[int, Window]] = []
    cur = tech.shift.start
    for k, b in enumerate(tech.blocks):
        if b.start > cur:
            out.append((k, Window(cur, b.start)))
        cur = b.end
    if tech.shift.end > cur:
        out.append((len(tech.blocks), Window(cur, tech.shift.end)))
    return out


def route(
    problem: Problem,
    scr: Screen,
    crews: list[Crew],
    jobs: list[int],
    prizes: list[int],
    lunch: list[list[int]],
    seconds: float,
    seed: int,
    warm: list[list[tuple[Stop, int]]],
) -> Routes:
    """Route the single-technician ``jobs`` and the crews' copies with PyVRP for ``seconds``.

    ``lunch[i][k]`` is the place where technician i is assumed to be during their block k;
    ``warm`` is a previous plan (stops with their starts, per technician) to start from.
    """
    import pyvrp
    from pyvrp.exceptions import PenaltyBoundWarning
    from pyvrp.stop import MaxRuntime

    techs = problem.techs
    t0 = min(t.shift.start for t in techs)
    horizon = max(t.shift.end for t in techs) - t0

    depot_places: list[int] = []
    for i, tech in enumerate(techs):
        depot_places += [tech.start_place, tech.end_place, *lunch[i]]
    depot_places = list(dict.fromkeys(depot_places))
    depot_of = {p: d for d, p in enumerate(depot_places)}
    loc_of: dict[int, int] = {}  # place -> PyVRP location of the clients there
    loc_places = list(depot_places)
    for j in [*jobs, *(c.job for c in crews)]:
        place = problem.jobs[j].place
        if place not in loc_of:
            loc_of[place] = len(loc_places)
            loc_places.append(place)

    by_id = {t.id: i for i, t in enumerate(techs)}
    fit = _Eligibility(problem, jobs, crews, by_id)
    clients: list[pyvrp.Client] = []
    meta: list[Stop] = []
    groups: list[pyvrp.ClientGroup] = []

    def add(stop: Stop, tw: Window, prize: int, pinned: int | None, group: int | None) -> int:
        late = max(0, min(tw.end - t0, horizon))
        clients.append(
            pyvrp.Client(
                location=loc_of[stop.place],
                delivery=fit.demand(problem.jobs[stop.job].skills, pinned),
                service_duration=stop.duration,
                tw_early=min(max(0, tw.start - t0), late),
                tw_late=late,
                prize=prize,
                required=False,
                group=group,
                name=problem.jobs[stop.job].id,
            )
        )
        meta.append(stop)
        return len(clients) - 1

    client_of_job: dict[int, list[int]] = {}
    for j in jobs:
        job = problem.jobs[j]
        stop = Stop(j, job.place, job.duration, job.windows, job.locked_start)
        if job.locked_start is not None:
            tws = [Window(job.locked_start, job.locked_start)]
        elif job.windows:
            tws = list(dict.fromkeys(w for ws in scr.fits[j].values() for w in ws))
        else:
            tws = [Window(t0, t0 + horizon)]
        group = None
        if len(tws) > 1:
            groups.append(pyvrp.ClientGroup(required=False))
            group = len(groups) - 1
        pinned = None if job.technician is None else by_id[job.technician]
        client_of_job[j] = [add(stop, tw, prizes[j], pinned, group) for tw in tws]
        if group is not None:
            for idx in client_of_job[j]:
                groups[group].add_client(idx)
    copy_of: dict[tuple[int, int], int] = {}
    for crew in crews:
        job = problem.jobs[crew.job]
        for i in crew.techs:
            stop = Stop(crew.job, job.place, job.duration, job.windows, crew.start)
            copy_of[(crew.job, i)] = add(stop, Window(crew.start, crew.start), prizes[crew.job], i, None)

    places = np.asarray(loc_places, dtype=np.int64)
    base = problem.travel[np.ix_(places, places)]
    big = int(min(2 * (horizon + int(base.max(initial=0))) + 1, 1 << 40))

    matrices: list[npt.NDArray[np.int64]] = []
    profile_of: dict[int | None, int] = {}  # drive cap -> profile
    vehicle_types: list[pyvrp.VehicleType] = []
    owners: list[tuple[int, int]] = []  # vehicle type -> (technician, segment order)
    segs_of: list[list[Window]] = []
    for i, tech in enumerate(techs):
        if tech.max_leg not in profile_of:
            profile_of[tech.max_leg] = len(matrices)
            m = base.copy()
            if tech.max_leg is not None:
                m[m > tech.max_leg] = big
            matrices.append(m)
        segs = segments(tech)
        segs_of.append([seg for _, seg in segs])
        for order, (k, seg) in enumerate(segs):
            start = tech.start_place if k == 0 else lunch[i][k - 1]
            end = tech.end_place if k == len(tech.blocks) else lunch[i][k]
            vehicle_types.append(
                pyvrp.VehicleType(
                    num_available=1,
                    capacity=fit.capacity(i),
                    start_depot=depot_of[start],
                    end_depot=depot_of[end],
                    tw_early=seg.start - t0,
                    tw_late=seg.end - t0,
                    profile=profile_of[tech.max_leg],
                    name=f"{tech.id}/{order}",
                )
            )
            owners.append((i, order))

    coords = problem.coords
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x=coords[p][0], y=coords[p][1]) for p in loc_places],
        clients=clients,
        depots=[pyvrp.Depot(location=d) for d in range(len(depot_places))],
        vehicle_types=vehicle_types,
        distance_matrices=cast("list[Any]", matrices),
        duration_matrices=cast("list[Any]", matrices),
        groups=groups,
    )

    routes = []
    for vt, (i, order) in enumerate(owners):
        seg = segs_of[i][order]
        visits = []
        for stop, begin in warm[i]:
            if not seg.start <= begin <= seg.end:
                continue
            if (stop.job, i) in copy_of:
                visits.append(copy_of[(stop.job, i)])
                continue
            for idx in client_of_job.get(stop.job, []):
                c = clients[idx]
                if c.tw_early <= begin - t0 <= c.tw_late:
                    visits.append(idx)
                    break
        if visits:
            routes.append(pyvrp.Route(data, visits, vt))
    init = pyvrp.Solution(data, routes)
    with warnings.catch_warnings():
        # Infeasible stretches of the search are expected here; the plan is repaired on the clock.
        warnings.simplefilter("ignore", PenaltyBoundWarning)
        result = pyvrp.solve(
            data,
            MaxRuntime(max(seconds, 0.01)),
            seed=seed,
            collect_stats=False,
            display=False,
            params=pyvrp.SolveParams(penalty=pyvrp.PenaltyParams(max_penalty=MAX_PENALTY)),
            initial_solution=init,
        )
    best = result.best
    parts: list[list[tuple[int, list[Stop]]]] = [[] for _ in techs]
    for r in best.routes():
        i, order = owners[r.vehicle_type()]
        parts[i].append((order, [meta[a.idx] for a in r.schedule() if a.is_client()]))
    return [[s for _, stops in sorted(p, key=lambda x: x[0]) for s in stops] for p in parts]


class _Eligibility:
    """Who may take what, as load dimensions (a job weighs 1 where its technician has no room).

    One dimension per skill: a job needing it weighs 1 there, a technician holding it has room.
    Pins (a pinned job, a crew member's copy) use a binary code of the pinned technician, with a
    dimension per bit and one per complemented bit, so a pinned job fits only a vehicle whose
    code is identical: about 2·log2(pinned technicians) dimensions instead of a routing profile
    per technician.
    """

    ROOM = 1 << 30

    def __init__(self, problem: Problem, jobs: list[int], crews: list[Crew], by_id: dict[str, int]) -> None:
        needed = {s for j in [*jobs, *(c.job for c in crews)] for s in problem.jobs[j].skills}
        self._skills = sorted(needed)
        self._techs = problem.techs
        pinned = {by_id[t] for j in jobs if (t := problem.jobs[j].technician) is not None}
        pinned.update(i for c in crews for i in c.techs)
        self._code = {i: k + 1 for k, i in enumerate(sorted(pinned))}
        self._bits = len(self._code).bit_length() if self._code else 0

    def _pin_bits(self, code: int) -> list[int]:
        bits = [(code >> b) & 1 for b in range(self._bits)]
        return bits + [1 - x for x in bits]

    def demand(self, skills: frozenset[str], pinned: int | None) -> list[int]:
        need = [int(s in skills) for s in self._skills]
        return need + (self._pin_bits(self._code[pinned]) if pinned is not None else [0] * (2 * self._bits))

    def capacity(self, i: int) -> list[int]:
        held = self._techs[i].skills
        room = [self.ROOM * (s in held) for s in self._skills]
        return room + [self.ROOM * b for b in self._pin_bits(self._code.get(i, 0))]
