"""Tiny PROBLEM.json builders for the optimizer tests: places are kilometres east/north of a
centre in Chicago, travel is 40 km/h with no circuity, so one kilometre is 90 seconds."""

from __future__ import annotations

import math
from typing import Any

from truckroll.optimize import check, solve

CENTRE = (41.88, -87.63)
SECONDS_PER_KM = 90


def at(hour: int, minute: int = 0) -> str:
    return f"2026-11-23T{hour:02d}:{minute:02d}:00-06:00"


def place(east_km: float = 0.0, north_km: float = 0.0) -> dict[str, float]:
    lat = CENTRE[0] + north_km / 111.195
    lon = CENTRE[1] + east_km / (111.195 * math.cos(math.radians(lat)))
    return {"lat": lat, "lon": lon}


def tech(
    ident: str,
    skills: tuple[str, ...] = (),
    home: tuple[float, float] = (0.0, 0.0),
    shift: tuple[int, int] = (8, 17),
    blocks: tuple[tuple[str, str], ...] = (),
    cap: float | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": ident,
        "skills": list(skills),
        "start": place(*home),
        "end": place(*home),
        "shift": {"start": at(shift[0]), "end": at(shift[1])},
        "blocks": [{"start": s, "end": e, "kind": "lunch"} for s, e in blocks],
    }
    if cap is not None:
        out["max_leg_minutes"] = cap
    return out


def job(
    ident: str,
    where: tuple[float, float] = (1.0, 0.0),
    minutes: float = 60,
    windows: tuple[tuple[str, str], ...] = ((at(8), at(17)),),
    **extra: Any,
) -> dict[str, Any]:
    return {
        "id": ident,
        "location": place(*where),
        "duration_minutes": minutes,
        "windows": [{"start": s, "end": e} for s, e in windows],
        **extra,
    }


def problem(techs: list[dict[str, Any]], jobs: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "timezone": "America/Chicago",
        "travel": {"speed_kmh": 40, "circuity": 1.0},
        "technicians": techs,
        "jobs": jobs,
    }


def solved(prob: dict[str, Any], seconds: float = 0.3) -> dict[str, Any]:
    """Solve and insist that the checker finds nothing wrong."""
    solution = solve(prob, seconds)
    assert check(prob, solution) == []
    return solution


def visits(solution: dict[str, Any], technician: str) -> list[dict[str, Any]]:
    return next(r["visits"] for r in solution["routes"] if r["technician"] == technician)


def reason(solution: dict[str, Any], ident: str) -> str | None:
    return next((u["reason"] for u in solution["unassigned"] if u["job"] == ident), None)


def planned_on(solution: dict[str, Any], ident: str) -> list[str]:
    return [r["technician"] for r in solution["routes"] for v in r["visits"] if v["job"] == ident]
