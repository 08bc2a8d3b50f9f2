"""Time values of the domain: offset-aware instants and windows between them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from truckroll.errors import RuleViolation

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def require_aware(value: datetime, name: str) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise RuleViolation(f"{name} must carry a UTC offset", field=name)
    return value


@dataclass(frozen=True)
class TimeWindow:
    """A half-open interval [start, end) of offset-aware instants; the offset is the local one."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        require_aware(self.start, "start")
        require_aware(self.end, "end")
        if self.end <= self.start:
            raise RuleViolation("a window must end after it starts", field="end")

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant <= self.end
