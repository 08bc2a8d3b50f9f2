"""The PyVRP model of a dispatch day and its translation back to ordered routes.

- A technician's shift, cut at its blocks, is one vehicle type per free segment. The segment
  before a block ends at a *lunch point* and the one after starts there: while routing, the
  technician is assumed to spend the block at that point, which makes every routed plan
  feasible on the real clock too (by the triangle inequality the direct leg is never longer).
- Skills, pins and the drive cap are routing profiles: the edges into a job a technician may not
  take, and every edge longer than their cap, cost more than any feasible day.
- A job with several arrival windows is a mutually exclusive group of clients, one per window;
  a locked start or a crew start is a zero-width window; a crew member's copy is pinned to them.
- Every job is optional with a prize (see ``solver.values``): PyVRP maximises prizes collected
  minus drive seconds, so more priority is served first and drive is minimised second.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np
import numpy.typing as npt

from truckroll.optimize.crews import Crew
from truckroll.optimize.problem import Problem, Tech, Window
from truckroll.optimize.screen import Screen
from truckroll.optimize.timeline import Stop

Routes = list[list[Stop]]  # per technician, in visiting order


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
    warm: list[list[tuple[Stop, int]]] | None,
) -> Routes:
    """Route the single-technician ``jobs`` and the crews' copies with PyVRP for ``seconds``.

    ``lunch[i][k]`` is the place where technician i is assumed to be during their block k;
    ``warm`` is a previous plan (stops with their starts, per technician) to start from.
    """
    import pyvrp
    from pyvrp.stop import MaxRuntime

    techs = problem.techs
    t0 = min(t.shift.start for t in techs)
    horizon = max(t.shift.end for t in techs) - t0

    depot_places: list[int] = []
    for i, tech in enumerate(techs):
        depot_places += [tech.start_place, tech.end_place, *lunch[i]]
    depot_places = list(dict.fromkeys(depot_places))
    depot_of = {p: d for d, p in enumerate(depot_places)}
    loc_places = list(depot_places)

    clients: list[pyvrp.Client] = []
    meta: list[Stop] = []
    groups: list[pyvrp.ClientGroup] = []
    allowed: list[set[int]] = [set() for _ in techs]  # client locations each technician may visit

    def add(stop: Stop, tw: Window, prize: int, loc: int, group: int | None) -> int:
        clients.append(
            pyvrp.Client(
                location=loc,
                service_duration=stop.duration,
                tw_early=max(0, tw.start - t0),
                tw_late=max(0, min(tw.end - t0, horizon)),
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
        loc = len(loc_places)
        loc_places.append(job.place)
        for i in scr.fits[j]:
            allowed[i].add(loc)
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
        idxs = [add(stop, tw, prizes[j], loc, group) for tw in tws]
        for idx in idxs:
            if group is not None:
                groups[group].add_client(idx)
        client_of_job[j] = idxs
    copy_of: dict[tuple[int, int], int] = {}
    for crew in crews:
        job = problem.jobs[crew.job]
        for i in crew.techs:
            loc = len(loc_places)
            loc_places.append(job.place)
            allowed[i].add(loc)
            stop = Stop(crew.job, job.place, job.duration, job.windows, crew.start)
            copy_of[(crew.job, i)] = add(stop, Window(crew.start, crew.start), prizes[crew.job], loc, None)

    places = np.asarray(loc_places, dtype=np.int64)
    base = problem.travel[np.ix_(places, places)]
    big = int(min(2 * (horizon + int(base.max(initial=0))) + 1, 1 << 40))
    client_locs = set(range(len(depot_places), len(loc_places)))

    matrices: list[npt.NDArray[np.int64]] = []
    profile_of: dict[tuple[frozenset[int], int | None], int] = {}
    vehicle_types: list[pyvrp.VehicleType] = []
    owners: list[tuple[int, int]] = []  # vehicle type -> (technician, segment order)
    segs_of: list[list[Window]] = []
    for i, tech in enumerate(techs):
        key = (frozenset(client_locs - allowed[i]), tech.max_leg)
        if key not in profile_of:
            profile_of[key] = len(matrices)
            m = base.copy()
            banned = sorted(key[0])
            m[:, banned] = big
            m[banned, :] = big
            if tech.max_leg is not None:
                m[m > tech.max_leg] = big
            np.fill_diagonal(m, 0)
            matrices.append(m)
        segs = segments(tech)
        segs_of.append([seg for _, seg in segs])
        for order, (k, seg) in enumerate(segs):
            start = tech.start_place if k == 0 else lunch[i][k - 1]
            end = tech.end_place if k == len(tech.blocks) else lunch[i][k]
            vehicle_types.append(
                pyvrp.VehicleType(
                    num_available=1,
                    start_depot=depot_of[start],
                    end_depot=depot_of[end],
                    tw_early=seg.start - t0,
                    tw_late=seg.end - t0,
                    profile=profile_of[key],
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

    init = None
    if warm is not None:
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
    result = pyvrp.solve(
        data,
        MaxRuntime(max(seconds, 0.01)),
        seed=seed,
        collect_stats=False,
        display=False,
        initial_solution=init,
    )
    best = result.best
    parts: list[list[tuple[int, list[Stop]]]] = [[] for _ in techs]
    for r in best.routes():
        i, order = owners[r.vehicle_type()]
        parts[i].append((order, [meta[a.idx] for a in r.schedule() if a.is_client()]))
    return [[s for _, stops in sorted(p, key=lambda x: x[0]) for s in stops] for p in parts]
