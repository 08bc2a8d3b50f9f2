"""The customer's tracking link: what it shows, when, and the travel time estimate it shows.

Rules (DOMAIN.md, Tracking): the link is unguessable (128 random bits, only their hash is stored),
shows nothing before dispatch and is gone once the appointment is done or canceled. While a
technician is on the way it shows their first name, position, the distance and the ETA; if the
address is not verified, their first name and the destination only (no position, no ETA). Once a
technician is at work there (working or paused) it shows their first name, nothing more.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from truckroll.domain.geo import Point
from truckroll.domain.status import AppointmentStatus, TechStatus
from truckroll.domain.tracking import Position
from truckroll.travel import TravelTimes

TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")  # secrets.token_urlsafe(16)

ENDED = frozenset({AppointmentStatus.DONE, AppointmentStatus.CANCELED})
STARTED = frozenset({AppointmentStatus.DISPATCHED, AppointmentStatus.WORKING, AppointmentStatus.PAUSED})


@dataclass(frozen=True)
class LinkToken:
    """The secret in the customer's link; only :attr:`hash` is stored."""

    value: str

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.value.encode()).hexdigest()

    @classmethod
    def new(cls) -> LinkToken:
        return cls(secrets.token_urlsafe(16))

    @classmethod
    def of_appointment(cls, secret: bytes, tenant_id: str, appointment_id: str) -> LinkToken:
        """The appointment's own link: 128 bits of an HMAC-SHA256 under the service's secret, so
        the same for every technician dispatched to it and never stored, only its hash."""
        digest = hmac.new(secret, f"{tenant_id}\n{appointment_id}".encode(), hashlib.sha256).digest()
        return cls(base64.urlsafe_b64encode(digest[:16]).decode().rstrip("="))

    @classmethod
    def parse(cls, value: str) -> LinkToken | None:
        return cls(value) if TOKEN_PATTERN.fullmatch(value) else None


@dataclass(frozen=True)
class Link:
    tenant_id: str
    appointment_id: str
    job_id: str
    created_at: datetime
    opens: int = 0
    day: date | None = None  # the local day of the appointment's window (what the measures count by)


@dataclass(frozen=True)
class Destination:
    """Where the job is, as booked; lat/lon may be missing, and the address unverified."""

    lat: float | None
    lon: float | None
    verified: bool

    @property
    def point(self) -> Point | None:
        return Point(self.lat, self.lon) if self.lat is not None and self.lon is not None else None


@dataclass(frozen=True)
class TechnicianProgress:
    technician_id: str
    status: TechStatus
    first_name: str | None = None


@dataclass(frozen=True)
class TrackedAppointment:
    """Tracking's projection of an appointment, from dispatch's ``appointment.*`` events."""

    tenant_id: str
    appointment_id: str
    job_id: str
    status: AppointmentStatus
    window_start: datetime
    window_end: datetime
    technicians: tuple[TechnicianProgress, ...]
    occurred_at: datetime
    job_canceled: bool = False  # the job was canceled: its appointments are over until un-canceled

    @property
    def started(self) -> bool:
        return self.status in STARTED and not self.job_canceled

    @property
    def ended(self) -> bool:
        return self.status in ENDED or self.job_canceled

    @property
    def on_the_way(self) -> str | None:
        """The first technician on the way, if any."""
        technician = self.technician_on_the_way
        return technician.technician_id if technician is not None else None

    @property
    def technician_on_the_way(self) -> TechnicianProgress | None:
        """The first technician on the way (their progress and first name), if any."""
        return next((t for t in self.technicians if t.status == TechStatus.DISPATCHED), None)

    @property
    def technician_named(self) -> TechnicianProgress | None:
        """The technician whose first name the link shows: the first on the way, else the first
        at work on site (working or paused)."""
        at_work = (t for t in self.technicians if t.status in (TechStatus.WORKING, TechStatus.PAUSED))
        return self.technician_on_the_way or next(at_work, None)


@dataclass(frozen=True)
class Estimate:
    distance_km: float
    eta_minutes: int


def estimate(travel: TravelTimes, origin: Point, destination: Point) -> Estimate:
    """The road distance and the travel time, rounded up to the minute, from the travel port."""
    leg = travel.leg(origin, destination)
    return Estimate(leg.distance_m / 1000, math.ceil(leg.duration_s / 60))


@dataclass(frozen=True)
class Progress:
    """What the link shows of the technician on the way."""

    position: Position
    estimate: Estimate


def progress(position: Position | None, destination: Destination, travel: TravelTimes) -> Progress | None:
    """The technician's position and ETA, shown only towards a verified, located address."""
    point = destination.point
    if position is None or point is None or not destination.verified:
        return None
    origin = Point(position.fix.lat, position.fix.lon)
    return Progress(position, estimate(travel, origin, point))
