"""Solomon VRPTW instances under the CVRPLIB/DIMACS rule: every leg is floor(10 * euclid) / 10 and
travel time equals distance; service starts inside [READY, DUE], routes return by the depot's due
date, load never exceeds capacity. Internally everything is in tenths, so the rule is exact.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from truckroll.optimize.problem import ProblemError


@dataclass(frozen=True, slots=True)
class Node:
    number: int
    x: float
    y: float
    demand: int
    ready: int
    due: int
    service: int


@dataclass(frozen=True, slots=True)
class Instance:
    name: str
    vehicles: int
    capacity: int
    nodes: tuple[Node, ...]  # nodes[0] is the depot

    def tenths(self, a: Node, b: Node) -> int:
        """floor(10 * euclid(a, b)), exact for integer coordinates."""
        dx, dy = a.x - b.x, a.y - b.y
        if dx.is_integer() and dy.is_integer():
            return math.isqrt(100 * int(dx * dx + dy * dy))
        return math.floor(10 * math.hypot(dx, dy))


def read(path: str | Path) -> Instance:
    """Parse the original Solomon text format; ProblemError names the bad line."""
    name = str(path)
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise ProblemError(name, f"cannot read: {exc.strerror}") from None
    rows = [(n, line.split()) for n, line in enumerate(lines, 1) if line.split()]
    if not rows:
        raise ProblemError(name, "empty file")
    title = rows[0][1][0]
    numbers = [(n, parts) for n, parts in rows if all(_is_number(p) for p in parts)]
    if len(numbers) < 2 or len(numbers[0][1]) != 2:
        raise ProblemError(name, "no VEHICLE block with NUMBER and CAPACITY")
    vehicles, capacity = (int(float(v)) for v in numbers[0][1])
    nodes = []
    for n, parts in numbers[1:]:
        if len(parts) != 7:
            raise ProblemError(f"{name}:{n}", "a customer row needs 7 numbers")
        num, x, y, demand, ready, due, service = (float(p) for p in parts)
        nodes.append(Node(int(num), x, y, int(demand), int(ready), int(due), int(service)))
    if len(nodes) < 2 or nodes[0].number != 0:
        raise ProblemError(name, "needs customer 0 (the depot) and at least one customer")
    return Instance(title, vehicles, capacity, tuple(nodes))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def solve_instance(inst: Instance, seconds: float, seed: int = 0) -> dict[str, Any]:
    """Route the instance with PyVRP; the answer of ``truckroll-optimize solomon``."""
    import numpy as np
    import pyvrp
    from pyvrp.stop import MaxRuntime

    began = time.perf_counter()
    nodes = inst.nodes
    matrix = np.asarray([[inst.tenths(a, b) for b in nodes] for a in nodes], dtype=np.int64)
    matrices: list[Any] = [matrix]
    depot = nodes[0]
    data = pyvrp.ProblemData(
        locations=[pyvrp.Location(x=n.x, y=n.y) for n in nodes],
        clients=[
            pyvrp.Client(
                location=k,
                delivery=[n.demand],
                service_duration=10 * n.service,
                tw_early=10 * n.ready,
                tw_late=10 * n.due,
            )
            for k, n in enumerate(nodes[1:], 1)
        ],
        depots=[pyvrp.Depot(location=0, tw_early=10 * depot.ready, tw_late=10 * depot.due)],
        vehicle_types=[
            pyvrp.VehicleType(
                num_available=inst.vehicles,
                capacity=[inst.capacity],
                tw_early=10 * depot.ready,
                tw_late=10 * depot.due,
            )
        ],
        distance_matrices=matrices,
        duration_matrices=matrices,
    )
    left = seconds - (time.perf_counter() - began)
    best = pyvrp.solve(data, MaxRuntime(max(left, 0.01)), seed=seed, collect_stats=False, display=False).best
    routes = [[nodes[a.idx + 1].number for a in r.schedule() if a.is_client()] for r in best.routes()]
    return {
        "instance": inst.name,
        "routes": routes,
        "distance": distance(inst, routes),
        "seconds": round(time.perf_counter() - began, 3),
    }


def distance(inst: Instance, routes: list[list[int]]) -> float:
    """Total distance of routes of customer numbers under the CVRPLIB rule."""
    by_number = {n.number: n for n in inst.nodes}
    total = 0
    for route in routes:
        path = [inst.nodes[0], *(by_number[c] for c in route), inst.nodes[0]]
        total += sum(inst.tenths(a, b) for a, b in itertools.pairwise(path))
    return total / 10
