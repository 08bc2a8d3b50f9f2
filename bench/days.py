"""Seeded generator of realistic dispatch days in a metro area (PROBLEM.json dicts).

Technicians live around Chicago with one to three trades, work 8-9 hour shifts with a lunch block
(some also have a meeting) and often a drive cap; jobs have 30-180 minute durations, 2-4 hour
arrival windows (a few have two windows or none), skewed priorities, and a few are required,
pinned, locked (pinned with a confirmed start) or need two technicians.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

CENTRE = (41.88, -87.70)
RADIUS_KM = 22.0
TRADES = ("hvac", "plumbing", "electrical", "gas", "appliance")
DAY = datetime(2026, 11, 23, tzinfo=ZoneInfo("America/Chicago"))
WINDOWS = ((8, 12), (10, 14), (12, 16), (14, 18), (8, 11), (13, 17))


def _at(hours: float) -> datetime:
    return DAY + timedelta(hours=hours)


def _iso(hours: float) -> str:
    return _at(hours).isoformat()


def _point(rng: random.Random) -> dict[str, float]:
    r = RADIUS_KM * math.sqrt(rng.random())
    a = rng.uniform(0, 2 * math.pi)
    lat = CENTRE[0] + r * math.sin(a) / 111.0
    lon = CENTRE[1] + r * math.cos(a) / (111.0 * math.cos(math.radians(CENTRE[0])))
    return {"lat": round(lat, 5), "lon": round(lon, 5)}


def day(techs: int, jobs: int, seed: int) -> dict[str, Any]:
    """A day with ``techs`` technicians and ``jobs`` jobs; the same seed gives the same day."""
    rng = random.Random(seed)
    crew: list[dict[str, Any]] = []
    for t in range(techs):
        start_h = rng.choice((7.0, 8.0, 8.0, 8.0, 9.0))
        length = rng.choice((8.0, 8.5, 9.0))
        lunch = start_h + rng.choice((3.5, 4.0, 4.5, 5.0))
        blocks = [{"start": _iso(lunch), "end": _iso(lunch + 0.5), "kind": "lunch"}]
        if rng.random() < 0.1:
            meeting = start_h + rng.choice((1.0, 6.0))
            blocks.append({"start": _iso(meeting), "end": _iso(meeting + 1), "kind": "meeting"})
        home = _point(rng)
        tech: dict[str, Any] = {
            "id": f"t{t + 1}",
            "skills": sorted(rng.sample(TRADES, rng.choice((1, 2, 2, 3)))),
            "start": home,
            "end": home,
            "shift": {"start": _iso(start_h), "end": _iso(start_h + length)},
            "blocks": blocks,
        }
        if rng.random() < 0.5:
            tech["max_leg_minutes"] = rng.choice((45, 60))
        crew.append(tech)
    booked: dict[str, list[tuple[float, float]]] = {}
    work: list[dict[str, Any]] = []
    for j in range(jobs):
        duration = rng.choices((30, 45, 60, 90, 120, 180), (20, 20, 30, 15, 10, 5))[0]
        job: dict[str, Any] = {
            "id": f"j{j + 1}",
            "location": _point(rng),
            "duration_minutes": duration,
            "priority": rng.choices(range(1, 11), (5, 10, 14, 14, 16, 12, 10, 8, 6, 5))[0],
            "skills": [rng.choice(TRADES)] if rng.random() < 0.8 else [],
        }
        first, last = rng.choice(WINDOWS)
        roll = rng.random()
        if roll < 0.1:
            job["windows"] = []
        elif roll < 0.2:
            other = rng.choice([w for w in WINDOWS if w[0] >= last or w[1] <= first] or [WINDOWS[0]])
            job["windows"] = [{"start": _iso(a), "end": _iso(b)} for a, b in sorted({(first, last), other})]
        else:
            job["windows"] = [{"start": _iso(first), "end": _iso(last)}]
        kind = rng.random()
        if kind < 0.03:
            job["required"] = True
        elif kind < 0.08:
            _pin(rng, crew, job)
        elif kind < 0.12:
            _lock(rng, crew, job, booked, first)
        elif kind < 0.15:
            job["technicians_needed"] = 2
            job["duration_minutes"] = rng.choice((60, 90, 120))
        work.append(job)
    return {
        "timezone": "America/Chicago",
        "travel": {"speed_kmh": 40, "circuity": 1.3},
        "technicians": crew,
        "jobs": work,
    }


def _pin(rng: random.Random, crew: list[dict[str, Any]], job: dict[str, Any]) -> None:
    tech = rng.choice(crew)
    job["technician"] = tech["id"]
    job["skills"] = [s for s in job["skills"] if s in tech["skills"]]


def _lock(
    rng: random.Random,
    crew: list[dict[str, Any]],
    job: dict[str, Any],
    booked: dict[str, list[tuple[float, float]]],
    first: float,
) -> None:
    """Pin to a technician and confirm a start inside the first window, clear of their other locks."""
    _pin(rng, crew, job)
    start = first + rng.choice((0.0, 0.5, 1.0, 1.5))
    end = start + job["duration_minutes"] / 60 + 1.0  # room to drive on
    taken = booked.setdefault(job["technician"], [])
    if any(start < b and a < end for a, b in taken):
        return
    taken.append((start, end))
    job["locked_start"] = _iso(start)
    job["windows"] = [{"start": _iso(first), "end": _iso(first + 2)}]
