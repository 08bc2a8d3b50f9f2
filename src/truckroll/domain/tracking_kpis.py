"""The measures the product reports for a tenant and a date range (DOMAIN.md, Measures).

- Average drive time between jobs: per technician and day, from leaving one visit (done) to
  arriving at the next one.
- On-time arrival rate: arrivals inside the appointment's arrival window, over all arrivals.
- Utilization per technician: working time (arrived to done) over shift time; work outside the
  technician's shifts is overtime, and is flagged.
- Tracking link open rate: links opened at least once, over links sent (one link per appointment,
  however many technicians it has).
- Share of jobs assigned automatically: visits assigned by auto mode, over visits assigned.

Each rate is None when nothing was there to measure (no arrivals, no links...), never a made-up 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from truckroll.domain.windows import TimeWindow


@dataclass(frozen=True)
class VisitRecord:
    """One technician's part in one appointment, as it happened."""

    appointment_id: str
    technician_id: str
    arrival_window: TimeWindow
    arrived_at: datetime | None = None
    done_at: datetime | None = None
    assigned_automatically: bool = False
    link_sent: bool = False
    link_opened: bool = False

    @property
    def work(self) -> TimeWindow | None:
        if self.arrived_at is None or self.done_at is None or self.done_at <= self.arrived_at:
            return None
        return TimeWindow(self.arrived_at, self.done_at)


@dataclass(frozen=True)
class Measured:
    """What the measures of a date range are computed from: the visits, the technicians' working
    shifts and the opens of each appointment's link (an appointment absent: no link was sent)."""

    visits: list[VisitRecord]
    shifts: dict[str, list[TimeWindow]]
    link_opens: dict[str, int]


@dataclass(frozen=True)
class Utilization:
    working: timedelta
    shift: timedelta
    overtime: timedelta

    @property
    def rate(self) -> float | None:
        return self.working / self.shift if self.shift else None

    @property
    def overtime_flagged(self) -> bool:
        return self.overtime > timedelta(0)


@dataclass(frozen=True)
class Kpis:
    average_drive_time: timedelta | None
    on_time_arrival_rate: float | None
    utilization: dict[str, Utilization]
    link_open_rate: float | None
    auto_assigned_share: float | None


def _rate(hits: int, total: int) -> float | None:
    return hits / total if total else None


def _overlap(a: TimeWindow, b: TimeWindow) -> timedelta:
    return max(min(a.end, b.end) - max(a.start, b.start), timedelta(0))


def drive_times(visits: Iterable[VisitRecord]) -> list[timedelta]:
    """The gaps between leaving a visit and arriving at the technician's next one, the same day."""
    by_tech: dict[str, list[TimeWindow]] = {}
    for visit in visits:
        if (work := visit.work) is not None:
            by_tech.setdefault(visit.technician_id, []).append(work)
    gaps: list[timedelta] = []
    for works in by_tech.values():
        works.sort(key=lambda w: w.start)
        for before, after in pairwise(works):
            if before.end.date() == after.start.date() and after.start >= before.end:
                gaps.append(after.start - before.end)
    return gaps


def utilization(visits: Iterable[VisitRecord], shifts: Sequence[TimeWindow]) -> Utilization:
    """One technician's working time over their shift time; work outside shifts is overtime."""
    works = [w for v in visits if (w := v.work) is not None]
    working = sum((w.end - w.start for w in works), timedelta(0))
    inside = sum((_overlap(w, s) for w in works for s in shifts), timedelta(0))
    return Utilization(working, sum((s.end - s.start for s in shifts), timedelta(0)), working - inside)


def kpis(visits: Sequence[VisitRecord], shifts: Mapping[str, Sequence[TimeWindow]]) -> Kpis:
    """The measures of ``visits`` (a tenant's, over a date range) and the technicians' shifts then."""
    gaps = drive_times(visits)
    arrived = [v for v in visits if v.arrived_at is not None]
    on_time = [v for v in arrived if v.arrived_at is not None and v.arrival_window.contains(v.arrived_at)]
    sent = {v.appointment_id for v in visits if v.link_sent}
    opened = {v.appointment_id for v in visits if v.link_sent and v.link_opened}
    technicians = sorted({v.technician_id for v in visits} | set(shifts))
    return Kpis(
        average_drive_time=sum(gaps, timedelta(0)) / len(gaps) if gaps else None,
        on_time_arrival_rate=_rate(len(on_time), len(arrived)),
        utilization={
            tech: utilization([v for v in visits if v.technician_id == tech], shifts.get(tech, ()))
            for tech in technicians
        },
        link_open_rate=_rate(len(opened), len(sent)),
        auto_assigned_share=_rate(sum(v.assigned_automatically for v in visits), len(visits)),
    )
