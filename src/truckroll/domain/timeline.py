"""What else fills a technician's day besides appointments: shifts (regular, on-call, time off)
and non-job events (meeting, training, time off...).

Both belong to the local calendar day of their start and live in that day's schedule item
(:class:`truckroll.domain.schedule.TechDay`), so they are written under the same optimistic lock as
the appointments the day holds.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from truckroll.domain.windows import TimeWindow
from truckroll.errors import RuleViolation

MAX_SHIFT = timedelta(hours=24)


class ShiftKind(StrEnum):
    REGULAR = "regular"
    ON_CALL = "on_call"
    TIME_OFF = "time_off"


@dataclass(frozen=True)
class Shift:
    shift_id: str
    kind: ShiftKind
    window: TimeWindow

    def __post_init__(self) -> None:
        if self.window.end - self.window.start > MAX_SHIFT:
            raise RuleViolation("a shift lasts at most 24 hours", field="end")

    @property
    def day(self) -> date:
        return self.window.start.date()


def working_time(shifts: tuple[Shift, ...]) -> tuple[TimeWindow, ...]:
    """The regular shifts with the time-off shifts cut out of them, in time order. On-call and time
    off are not working time."""
    off = sorted((s.window for s in shifts if s.kind is ShiftKind.TIME_OFF), key=lambda w: w.start)
    working: list[TimeWindow] = []
    for shift in sorted((s for s in shifts if s.kind is ShiftKind.REGULAR), key=lambda s: s.window.start):
        start, end = shift.window.start, shift.window.end
        for gap in off:
            if gap.end <= start or gap.start >= end:
                continue
            if gap.start > start:
                working.append(TimeWindow(start, gap.start))
            start = max(start, gap.end)
        if start < end:
            working.append(TimeWindow(start, end))
    return tuple(working)


@dataclass(frozen=True)
class NonJobEvent:
    """Time on a technician's timeline that is not a job. One that counts against capacity blocks
    the technician like an appointment does; ``timesheet_code`` is what the hours are booked to."""

    event_id: str
    type: str
    window: TimeWindow
    counts_against_capacity: bool = True
    timesheet_code: str | None = None
    completed: bool = False

    def __post_init__(self) -> None:
        start, end = self.window.start, self.window.end
        if (end.astimezone(start.tzinfo) - timedelta(microseconds=1)).date() != start.date():
            raise RuleViolation("a non-job event ends on the day it starts; add one per day", field="end")

    @property
    def day(self) -> date:
        return self.window.start.date()

    def complete(self) -> NonJobEvent:
        return replace(self, completed=True)
