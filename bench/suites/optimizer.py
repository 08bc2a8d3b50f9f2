"""The route optimizer: Solomon VRPTW gaps to the best known (CVRPLIB rule), realistic dispatch
days (time, drive, unassigned, checker violations) and the import time of truckroll.optimize.

Full profile (``make bench``, about 12 minutes on 2 cores): all 56 Solomon instances at 10 s and at
1 s; a 20-technician/150-job day and a 100-technician/800-job day at 30 s. ``--quick``: five
instances at 1 s and the small day at 5 s.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from bench.days import day
from bench.registry import Suite, register
from truckroll.optimize import check, solve
from truckroll.optimize.solomon import Instance, read, solve_instance

ROOT = Path(__file__).resolve().parents[2]
SOLOMON = Path(os.environ.get("TRUCKROLL_SOLOMON_DIR", ROOT.parent / "shared" / "bench" / "solomon"))
QUICK_INSTANCES = ("C101", "R101", "RC101", "R201", "RC201")
GAP_TARGET = 1.0  # mean %, at 10 s
DAY_TARGET = 30.0  # seconds for the 100-technician day


def _options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--optimizer-solomon-dir", type=Path, default=SOLOMON, help="Solomon instances and bks.csv"
    )
    parser.add_argument(
        "--optimizer-instances", nargs="+", metavar="NAME", help="only these Solomon instances"
    )
    parser.add_argument("--optimizer-seconds", nargs="+", type=float, metavar="S", help="Solomon time limits")
    parser.add_argument("--optimizer-seed", type=int, default=0)


def _run(args: argparse.Namespace) -> str:
    folder: Path = args.optimizer_solomon_dir
    limits = args.optimizer_seconds or ([1.0] if args.quick else [10.0, 1.0])
    bks = _bks(folder / "bks.csv")
    names: list[str] = args.optimizer_instances or list(QUICK_INSTANCES if args.quick else sorted(bks))
    days = [(20, 150, 5.0)] if args.quick else [(20, 150, 30.0), (100, 800, 30.0)]
    lines = [
        f"# optimizer{' (quick profile)' if args.quick else ''}",
        "",
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores,"
        f" Python {platform.python_version()}, PyVRP {metadata.version('pyvrp')},"
        f" seed {args.optimizer_seed}: `python -m bench optimizer{' --quick' if args.quick else ''}`.",
        "",
        *_imports(),
        *_solomon(folder, names, limits, bks, args.optimizer_seed),
        *_days(days, args.optimizer_seed),
    ]
    return "\n".join(lines) + "\n"


def _imports() -> list[str]:
    code = (
        "import time; t = time.perf_counter(); import truckroll.optimize; a = time.perf_counter() - t;"
        " from truckroll.optimize import check, solve; b = time.perf_counter() - t;"
        " import pyvrp; print(a, b, time.perf_counter() - t)"
    )
    runs = []
    for _ in range(5):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603
        runs.append([float(x) for x in out.stdout.split()])
    package, api, engine = (min(r[k] for r in runs) for k in range(3))
    _progress(f"import {package:.3f} s, solve and check {api:.2f} s, with pyvrp {engine:.2f} s")
    return [
        "## Import time (fresh interpreter, best of 5)",
        "",
        "| what | cumulative (s) | target |",
        "|---|---|---|",
        f"| `import truckroll.optimize` | {package:.3f} | < 1 s: {'met' if package < 1 else 'MISSED'} |",
        f"| `from truckroll.optimize import check, solve` (NumPy, pydantic) | {api:.2f} | |",
        f"| ... and PyVRP, loaded by the first solve | {engine:.2f} | |",
        "",
    ]


def _bks(path: Path) -> dict[str, float]:
    with path.open() as fh:
        return {row["instance"]: float(row["distance_bks_cost"]) for row in csv.DictReader(fh)}


def _solomon(
    folder: Path, names: list[str], limits: list[float], bks: dict[str, float], seed: int
) -> list[str]:
    gaps: dict[float, list[float]] = {s: [] for s in limits}
    rows = []
    for name in names:
        inst = read(folder / f"{name}.txt")
        cells = [name, f"{bks[name]:.1f}"]
        for seconds in limits:
            answer = solve_instance(inst, seconds, seed)
            problems = _verify(inst, answer["routes"])
            gap = 100 * (answer["distance"] - bks[name]) / bks[name]
            gaps[seconds].append(gap)
            cells += [
                f"{answer['distance']:.1f}",
                f"{gap:.2f}",
                str(len(answer["routes"])),
                problems or "yes",
            ]
            _progress(f"{name} {seconds:g}s {answer['distance']:.1f} gap {gap:.2f}% {problems or 'valid'}")
        rows.append("| " + " | ".join(cells) + " |")
    head = ["instance", "BKS"]
    for s in limits:
        head += [f"{s:g} s distance", f"{s:g} s gap %", "vehicles", "valid"]
    means = [f"| mean gap at {s:g} s | {statistics.fmean(g):.2f} % |" for s, g in gaps.items() if g]
    verdict = ""
    if 10.0 in gaps and len(gaps[10.0]) == len(bks):
        mean = statistics.fmean(gaps[10.0])
        verdict = (
            f"Target: mean gap at 10 s ≤ {GAP_TARGET:.1f} %: {'met' if mean <= GAP_TARGET else 'MISSED'}."
        )
    return [
        "## Solomon VRPTW (56 instances, CVRPLIB rule: floor(10·d)/10, travel time = distance)",
        "",
        "Gap to `distance_bks_cost` of bks.csv. Each distance is recomputed and every route checked"
        " (each customer once, capacity, windows, depot due date).",
        "",
        "| summary | value |",
        "|---|---|",
        *means,
        "",
        verdict,
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
        *rows,
        "",
    ]


def _verify(inst: Instance, routes: list[list[int]]) -> str:
    """Empty when the routes solve the instance; otherwise what is wrong."""
    nodes = {n.number: n for n in inst.nodes}
    depot = inst.nodes[0]
    served = sorted(c for r in routes for c in r)
    if served != sorted(n.number for n in inst.nodes[1:]):
        return "customers missing or repeated"
    if len(routes) > inst.vehicles:
        return "too many vehicles"
    for route in routes:
        if sum(nodes[c].demand for c in route) > inst.capacity:
            return "over capacity"
        clock, here = 10 * depot.ready, depot
        for c in route:
            node = nodes[c]
            clock = max(clock + inst.tenths(here, node), 10 * node.ready)
            if clock > 10 * node.due:
                return f"late at {c}"
            clock += 10 * node.service
            here = node
        if clock + inst.tenths(here, depot) > 10 * depot.due:
            return "late back at the depot"
    return ""


def _days(sizes: list[tuple[int, int, float]], seed: int) -> list[str]:
    rows = []
    for techs, jobs, seconds in sizes:
        problem = day(techs, jobs, seed + 1)
        began = time.perf_counter()
        solution = solve(problem, seconds, seed)
        wall = time.perf_counter() - began
        violations = check(problem, solution)
        summary = solution["summary"]
        required = sum(1 for u in solution["unassigned"] if u.get("required"))
        crews = sum(1 for j in problem["jobs"] if j.get("technicians_needed", 1) > 1)
        crews_planned = len(
            {v["job"] for r in solution["routes"] for v in r["visits"]}
            & {j["id"] for j in problem["jobs"] if j.get("technicians_needed", 1) > 1}
        )
        reasons = _top_reasons(solution["unassigned"])
        target = ""
        if techs == 100:
            target = "met" if wall <= DAY_TARGET and not violations else "MISSED"
        rows.append(
            f"| {techs} / {jobs} | {seconds:g} | {wall:.1f} | {summary['drive_seconds'] / 3600:.1f} |"
            f" {summary['assigned']} | {summary['unassigned']} | {required} | {crews_planned} of {crews} |"
            f" {len(violations)} | {reasons} | {target} |"
        )
        _progress(f"day {techs}/{jobs}: {wall:.1f} s, {summary}, {len(violations)} violations")
    return [
        "## Generated dispatch days (bench/days.py, Chicago metro)",
        "",
        "Skills, 8-9 h shifts, lunch blocks (some meetings), drive caps, 2-4 h windows (some two,"
        " some none), priorities, required, pinned, locked and two-technician jobs; the plan is"
        " checked by `truckroll.optimize.check`. Days are overbooked on purpose.",
        "",
        "| techs / jobs | limit (s) | wall (s) | drive (h) | assigned | unassigned | required unassigned"
        " | 2-tech jobs planned | violations | most common reasons | target (≤ 30 s, 0 violations) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *rows,
        "",
    ]


def _top_reasons(unassigned: list[dict[str, Any]]) -> str:
    def kind(reason: str) -> str:
        return reason.split(":")[0].split(";")[0].split(" 20")[0]

    counted = sorted(
        (
            (len(list(group)), key)
            for key, group in itertools.groupby(sorted(kind(u["reason"]) for u in unassigned))
        ),
        reverse=True,
    )
    return "; ".join(f"{n} x {key}" for n, key in counted[:3])


def _progress(message: str) -> None:
    print(f"   {message}", file=sys.stderr, flush=True)


register(Suite("optimizer", "route optimizer: Solomon gaps, dispatch days, import time", _run, _options))
