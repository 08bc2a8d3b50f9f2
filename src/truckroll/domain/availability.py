"""When a visit can be booked: the start times on a day at which some technician can do the whole
job, from the technicians' skills, shifts (time off cut out), booked time (appointments and the
non-job events that count against capacity) and the business's opening hours.

A start is offered when, for one technician with every skill the job needs, the whole visit
``[start, start + duration)`` lies inside one stretch of their working time and inside the
business hours of that day, overlaps nothing they are booked for, and is not in the past. Starts
step from the opening time. A visit longer than a working day is never offered online.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from truckroll.domain.schedule import Slot, SlotKind, TechDay
from truckroll.domain.technicians import Technician
from truckroll.domain.timeline import working_time
from truckroll.errors import RuleViolation


@dataclass(frozen=True)
class OpeningHours:
    """The business is open on ``weekday`` (0 Monday ... 6 Sunday) from ``opens`` to ``closes``."""

    weekday: int
    opens: time
    closes: time

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise RuleViolation("a weekday is 0 (Monday) to 6 (Sunday)", field="weekday")
        if self.closes <= self.opens:
            raise RuleViolation("the business closes after it opens", field="closes")


@dataclass(frozen=True)
class Need:
    """What a visit needs: its whole duration, and skills a technician must all have."""

    duration: timedelta
    skills: tuple[str, ...] = ()


@dataclass(frozen=True)
class OpenSlot:
    start: datetime
    end: datetime
    technician_ids: tuple[str, ...]  # who could take it, least booked first


def open_slots(
    day: date,
    zone: ZoneInfo,
    need: Need,
    hours: Iterable[OpeningHours],
    technicians: Iterable[Technician],
    days: Mapping[str, TechDay],
    *,
    step: timedelta,
    not_before: datetime,
) -> list[OpenSlot]:
    """Every bookable start on ``day`` (business-local), earliest first."""
    opening = [
        (datetime.combine(day, h.opens, zone), datetime.combine(day, h.closes, zone))
        for h in hours
        if h.weekday == day.weekday()
    ]
    starts: dict[datetime, list[tuple[timedelta, str]]] = {}
    for technician in technicians:
        tech_day = days.get(technician.technician_id)
        if tech_day is None or not technician.active or not set(need.skills) <= set(technician.skills):
            continue
        booked = _booked_time(tech_day.slots)
        for start in _starts(tech_day, opening, need.duration, step, not_before):
            visit = Slot("", SlotKind.APPOINTMENT, start, start + need.duration)
            if not any(visit.overlaps(s) for s in tech_day.slots):
                starts.setdefault(start, []).append((booked, technician.technician_id))
    return [
        OpenSlot(start, start + need.duration, tuple(t for _, t in sorted(candidates)))
        for start, candidates in sorted(starts.items())
    ]


def _booked_time(slots: Iterable[Slot]) -> timedelta:
    return sum((s.end - s.start for s in slots), timedelta())


def _starts(
    tech_day: TechDay,
    opening: list[tuple[datetime, datetime]],
    duration: timedelta,
    step: timedelta,
    not_before: datetime,
) -> Iterable[datetime]:
    for stretch in working_time(tech_day.shifts):
        for opens, closes in opening:
            first, last = max(stretch.start, opens), min(stretch.end, closes)
            start = opens + -((opens - first) // step) * step  # the first step at or after ``first``
            while start + duration <= last:
                if start >= not_before:
                    yield start
                start += step
