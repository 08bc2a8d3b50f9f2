"""Following a technician on the way: ETA, lateness, arrival, position reports and device silence.

Rules (DOMAIN.md, Tracking; issue 6):
- When a technician is dispatched, tracking starts following them to the appointment: the ETA is
  their latest position's travel time to a verified, located destination (none otherwise).
- As fixes arrive the ETA is recomputed from the newest one. A change is published when the ETA
  moved by at least the tenant's threshold since the last one published; running late once per
  lateness episode (the ETA passes the window's end; it ends when the ETA is back inside).
- Arrival is suggested once, when the technician stayed within 150 m of the destination for 2
  minutes (every fix of the stay inside the radius).
- A technician's position is reported at most once every 5 minutes (of fix time), never per fix.
- A device is silent when an on-shift technician sent nothing for longer than the tenant's limit;
  it resumes with the first fix after that. A technician who never sent a fix (or none kept) is
  silent once on shift for longer than the limit; their first fix resumes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from truckroll.domain.geo import Point, distance_m
from truckroll.domain.tracking import Fix, Position, TrackingSettings, newest, on_shift
from truckroll.domain.tracking_links import Estimate, estimate
from truckroll.domain.windows import TimeWindow
from truckroll.travel import TravelTimes

ARRIVAL_RADIUS_M = 150.0
ARRIVAL_DWELL = timedelta(minutes=2)
REPORT_EVERY = timedelta(minutes=5)


@dataclass(frozen=True)
class EnRoute:
    """A technician on the way to an appointment, with what was last published about it.

    ``destination`` is None when the address is not verified or not located: no ETA then.
    ``eta`` is the last ETA published; ``late`` whether a lateness episode is going on;
    ``near_since`` the first fix of the current stay within the arrival radius.
    """

    tenant_id: str
    technician_id: str
    appointment_id: str
    job_id: str
    window: TimeWindow
    destination: Point | None
    dispatch_event_id: str
    eta: datetime | None = None
    distance_m: float | None = None
    late: bool = False
    near_since: datetime | None = None
    arrival_suggested: bool = False


@dataclass(frozen=True)
class EtaChanged:
    route: EnRoute
    eta: datetime
    previous_eta: datetime | None
    distance_m: float


@dataclass(frozen=True)
class RunningLate:
    route: EnRoute
    eta: datetime

    @property
    def minutes_late(self) -> int:
        return max(1, -(-(self.eta - self.route.window.end) // timedelta(minutes=1)))


@dataclass(frozen=True)
class ArrivalSuggested:
    route: EnRoute
    since: datetime


@dataclass(frozen=True)
class PositionReported:
    tenant_id: str
    fix: Fix


@dataclass(frozen=True)
class DeviceSilence:
    """A device fell silent (``silent``) or resumed sending."""

    tenant_id: str
    technician_id: str
    silent: bool
    last_fix_at: datetime | None


ProgressEvent = EtaChanged | RunningLate | ArrivalSuggested | PositionReported | DeviceSilence


@dataclass(frozen=True)
class Marks:
    """What the latest-position item remembers beyond the fix: when the position was last
    reported, and since when the device is flagged silent (None: not flagged)."""

    reported_at: datetime | None = None
    silent_since: datetime | None = None


@dataclass(frozen=True)
class Seen:
    """What is stored about one technician before a batch of their fixes: their position's marks,
    the route they are on (with its revision), whether they had a position at all and whether
    they were flagged silent without one."""

    marks: Marks
    route: EnRoute | None
    revision: int
    known: bool
    unheard: bool = False  # flagged silent without any fix kept


def _estimate(origin: Fix, destination: Point, travel: TravelTimes) -> Estimate:
    return estimate(travel, Point(origin.lat, origin.lon), destination)


def start(
    route: EnRoute, position: Position | None, travel: TravelTimes
) -> tuple[EnRoute, list[ProgressEvent]]:
    """``route`` as dispatched: its first ETA from ``position`` (if known and the destination is
    verified), and running late at once when that ETA is already past the window."""
    if position is None or route.destination is None:
        return route, []
    estimate = _estimate(position.fix, route.destination, travel)
    eta = position.fix.instant + timedelta(minutes=estimate.eta_minutes)
    started = replace(route, eta=eta, distance_m=estimate.distance_km * 1000)
    if eta > route.window.end:
        late = replace(started, late=True)
        return late, [RunningLate(late, eta)]
    return started, []


def follow(
    route: EnRoute, fixes: Sequence[Fix], threshold: timedelta, travel: TravelTimes
) -> tuple[EnRoute, list[ProgressEvent]]:
    """``route`` after ``fixes`` (one technician's, any order) and what to publish about it."""
    destination = route.destination
    if destination is None or not fixes:
        return route, []
    events: list[ProgressEvent] = []
    near_since, suggested = route.near_since, route.arrival_suggested
    for fix in sorted(fixes, key=lambda f: f.instant):
        if distance_m(Point(fix.lat, fix.lon), destination) > ARRIVAL_RADIUS_M:
            near_since = None
            continue
        near_since = near_since or fix.instant
        if not suggested and fix.instant - near_since >= ARRIVAL_DWELL:
            suggested = True
            events.append(ArrivalSuggested(route, near_since))
    last = newest(fixes)
    estimate = _estimate(last, destination, travel)
    eta = last.instant + timedelta(minutes=estimate.eta_minutes)
    moved = route.eta is None or abs(eta - route.eta) >= threshold
    late = eta > route.window.end
    updated = replace(
        route,
        eta=eta if moved else route.eta,
        distance_m=estimate.distance_km * 1000 if moved else route.distance_m,
        late=late,
        near_since=near_since,
        arrival_suggested=suggested,
    )
    if moved:
        events.append(EtaChanged(updated, eta, route.eta, estimate.distance_km * 1000))
    if late and not route.late:
        events.append(RunningLate(updated, eta))
    return updated, events


def report_due(marks: Marks, fixes: Sequence[Fix]) -> bool:
    """Whether the newest of ``fixes`` is to be reported (the last report is 5 minutes older)."""
    return marks.reported_at is None or newest(fixes).instant - marks.reported_at >= REPORT_EVERY


def falls_silent(
    position: Position, marks: Marks, shifts: Iterable[TimeWindow], settings: TrackingSettings, now: datetime
) -> bool:
    """An on-shift technician's device sent nothing for longer than the limit, and is not yet flagged."""
    return marks.silent_since is None and position.is_silent(now, settings) and on_shift(shifts, now)


def unheard_too_long(shifts: Iterable[TimeWindow], settings: TrackingSettings, now: datetime) -> bool:
    """A technician with no fix at all is on a shift that began longer than the limit ago."""
    return any(s.contains(now) and now - s.start > settings.silent_after for s in shifts)
