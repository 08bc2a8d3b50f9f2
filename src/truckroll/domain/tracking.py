"""GPS tracking: fixes, the rules a fix must meet to be kept, shifts, latest positions, device health.

Rules (DOMAIN.md, Tracking): phones and vehicle trackers send fixes; each fix is judged on its own,
so a bad one never costs the batch its good ones. A fix is kept only while its technician is on
shift, for the tenant's retention period (30 days by default). One technician at one instant is one
fix, however many times it is sent. The latest position of a technician only moves forward in time.
A technician whose last fix is older than the tenant's silence threshold is flagged.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from truckroll.domain.windows import TimeWindow

MAX_BATCH = 500
CLOCK_SKEW = timedelta(minutes=2)
DEFAULT_RETENTION_DAYS = 30
DEFAULT_SILENT_AFTER_MINUTES = 15
DEFAULT_ETA_CHANGE_MINUTES = 5

OFF_SHIFT = "the technician is off shift at this time"
IN_FUTURE = "recorded_at is in the future"
TOO_OLD = "recorded_at is older than the tenant's history retention"


@dataclass(frozen=True)
class Fix:
    """One GPS reading: where ``technician_id`` was at ``recorded_at`` (offset-aware)."""

    technician_id: str
    recorded_at: datetime
    lat: float
    lon: float
    accuracy_m: float
    speed_mps: float | None = None
    heading_deg: float | None = None

    @property
    def instant(self) -> datetime:
        """``recorded_at`` in UTC: the same instant sent with two offsets is the same fix."""
        return self.recorded_at.astimezone(UTC)

    @property
    def key(self) -> tuple[str, datetime]:
        return (self.technician_id, self.instant)

    @property
    def day(self) -> date:
        """The UTC day history of this fix is filed under."""
        return self.instant.date()


@dataclass(frozen=True)
class TrackingSettings:
    tenant_id: str
    retention_days: int = DEFAULT_RETENTION_DAYS
    silent_after_minutes: int = DEFAULT_SILENT_AFTER_MINUTES
    eta_change_minutes: int = DEFAULT_ETA_CHANGE_MINUTES

    @property
    def retention(self) -> timedelta:
        return timedelta(days=self.retention_days)

    @property
    def silent_after(self) -> timedelta:
        return timedelta(minutes=self.silent_after_minutes)

    @property
    def eta_change(self) -> timedelta:
        """How far an ETA must move before the change is published."""
        return timedelta(minutes=self.eta_change_minutes)

    def expires_at(self, fix: Fix) -> datetime:
        """When ``fix`` leaves history."""
        return fix.instant + self.retention


def time_problem(recorded_at: datetime, now: datetime, settings: TrackingSettings) -> str | None:
    """Why a fix taken at ``recorded_at`` cannot be kept, or None: not ahead of ``now`` by more than
    the allowed clock skew, and not already past the retention period."""
    if recorded_at > now + CLOCK_SKEW:
        return IN_FUTURE
    if recorded_at <= now - settings.retention:
        return TOO_OLD
    return None


def on_shift(shifts: Iterable[TimeWindow], instant: datetime) -> bool:
    return any(shift.contains(instant) for shift in shifts)


def unique(fixes: Iterable[Fix]) -> list[Fix]:
    """``fixes`` without repeats of a (technician, instant): the first one sent is the one kept."""
    seen: dict[tuple[str, datetime], Fix] = {}
    for fix in fixes:
        seen.setdefault(fix.key, fix)
    return list(seen.values())


def newest(fixes: Sequence[Fix]) -> Fix:
    return max(fixes, key=lambda f: f.instant)


@dataclass(frozen=True)
class Position:
    """A technician's latest fix, with when it arrived."""

    fix: Fix
    received_at: datetime

    def silent_for(self, now: datetime) -> timedelta:
        return max(now - self.fix.instant, timedelta(0))

    def is_silent(self, now: datetime, settings: TrackingSettings) -> bool:
        return self.silent_for(now) > settings.silent_after


@dataclass(frozen=True)
class Device:
    """A vehicle tracker, registered by an admin; it posts fixes with its key."""

    tenant_id: str
    device_id: str
    vehicle_id: str
    label: str | None
    created_at: datetime


@dataclass(frozen=True)
class DeviceKey:
    """``{tenant}.{128 random bits}``: the tenant tells where to look, only the hash is stored."""

    tenant_id: str
    secret: str

    @property
    def value(self) -> str:
        return f"{self.tenant_id}.{self.secret}"

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.value.encode()).hexdigest()

    @classmethod
    def new(cls, tenant_id: str) -> DeviceKey:
        return cls(tenant_id, secrets.token_urlsafe(16))

    @classmethod
    def parse(cls, value: str) -> DeviceKey | None:
        tenant_id, _, secret = value.rpartition(".")
        if not tenant_id or len(secret) < 22 or "#" in tenant_id:
            return None
        return cls(tenant_id, secret)
