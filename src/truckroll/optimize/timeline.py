"""A technician's day on the clock: shift, blocks, and the exact schedule of an ordered route.

Rules (the same ones the checker enforces): the technician leaves the start no earlier than the
shift start and is back at the end no later than the shift end; nobody works or drives during a
block; a visit starts inside one of the job's arrival windows and never overlaps a block; the
technician arrives exactly at the start (slack is spent before leaving); no leg is longer than the
technician's drive cap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from truckroll.optimize.problem import Problem, Tech, Window


@dataclass(frozen=True, slots=True)
class Stop:
    """What the schedule needs to know about one visit."""

    job: int  # index into Problem.jobs
    place: int
    duration: int
    windows: tuple[Window, ...]  # empty: any time
    fixed: int | None  # a start that may not move (locked or multi-technician)


@dataclass(frozen=True, slots=True)
class Schedule:
    starts: tuple[int, ...]
    drive: int  # seconds, every leg including the ones from and to home


@dataclass(frozen=True, slots=True)
class Failure:
    at: int  # index of the first stop that cannot be served, len(stops) for the way home


def overlaps(blocks: Sequence[Window], start: int, end: int) -> bool:
    return any(start < b.end and b.start < end for b in blocks)


def advance(blocks: Sequence[Window], t: int, drive: int) -> int:
    """When a drive of ``drive`` seconds that may not use block time, leaving at t, arrives."""
    for b in blocks:
        if b.end <= t:
            continue
        if b.start >= t + drive:
            break
        drive -= max(0, b.start - t)
        t = b.end
    return t + drive


def earliest_start(blocks: Sequence[Window], arrive: int, stop: Stop) -> int | None:
    """The first start at or after ``arrive`` inside a window and clear of blocks, if any."""
    if stop.fixed is not None:
        if stop.fixed < arrive or overlaps(blocks, stop.fixed, stop.fixed + stop.duration):
            return None
        if stop.windows and not any(w.start <= stop.fixed <= w.end for w in stop.windows):
            return None
        return stop.fixed
    if not stop.windows:
        return _clear_of_blocks(blocks, arrive, stop.duration)
    for w in stop.windows:
        s = _clear_of_blocks(blocks, max(arrive, w.start), stop.duration)
        if s <= w.end:
            return s
    return None


def _clear_of_blocks(blocks: Sequence[Window], s: int, duration: int) -> int:
    for b in blocks:
        if s < b.end and b.start < s + duration:
            s = b.end
    return s


def simulate(
    problem: Problem, tech: Tech, stops: Sequence[Stop], *, with_cap: bool = True
) -> Schedule | Failure:
    """Earliest-start schedule of the stops in this order (optimal for feasibility), or where it fails."""
    blocks = tech.blocks
    cap = tech.max_leg if with_cap else None
    t = tech.shift.start
    prev = tech.start_place
    drive = 0
    starts: list[int] = []
    for i, stop in enumerate(stops):
        leg = problem.leg(prev, stop.place)
        if cap is not None and leg > cap:
            return Failure(i)
        s = earliest_start(blocks, advance(blocks, t, leg), stop)
        if s is None or s < tech.shift.start or s + stop.duration > tech.shift.end:
            return Failure(i)
        starts.append(s)
        drive += leg
        t = s + stop.duration
        prev = stop.place
    if stops:
        leg = problem.leg(prev, tech.end_place)
        if (cap is not None and leg > cap) or advance(blocks, t, leg) > tech.shift.end:
            return Failure(len(stops))
        drive += leg
    return Schedule(tuple(starts), drive)
