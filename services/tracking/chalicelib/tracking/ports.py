"""What tracking's use cases need: its repositories, its outbox, a clock and a travel time estimate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from truckroll.contracts.envelope import EventEnvelope
from truckroll.domain.tracking import Device, Fix, Position, TrackingSettings
from truckroll.domain.tracking_kpis import Measured
from truckroll.domain.tracking_links import Destination, Link, TrackedAppointment
from truckroll.domain.tracking_progress import EnRoute, Marks, Seen
from truckroll.domain.windows import Clock, TimeWindow
from truckroll.travel import TravelTimes


class FixStore(Protocol):
    def record(
        self,
        tenant_id: str,
        fixes: Sequence[Fix],
        settings: TrackingSettings,
        received_at: datetime,
        reported_at: datetime | None = None,
    ) -> Marks | None:
        """Store distinct fixes of one technician; move their latest position forward only (with
        ``reported_at`` as its last report, its silence flag cleared). The marks it had before, or
        None when a newer position was already stored."""
        ...

    def positions(self, tenant_id: str, now: datetime) -> list[Position]: ...

    def track(self, tenant_id: str, technician_id: str, window: TimeWindow, now: datetime) -> list[Fix]: ...


class ShiftRepository(Protocol):
    def put(
        self,
        tenant_id: str,
        technician_id: str,
        day: date,
        shifts: Sequence[TimeWindow],
        occurred_at: datetime,
    ) -> None: ...

    def around(self, tenant_id: str, technician_id: str, first: date, last: date) -> list[TimeWindow]: ...

    def of_tenant(self, tenant_id: str, first: date, last: date) -> dict[str, list[TimeWindow]]:
        """Every technician's shifts on the local days from ``first`` to ``last``."""
        ...


class TrackingSettingsRepository(Protocol):
    def get(self, tenant_id: str) -> TrackingSettings:
        """The tenant's settings; the defaults when none were saved."""
        ...

    def put(self, settings: TrackingSettings) -> None: ...


class DeviceRepository(Protocol):
    def add(self, device: Device, key_hash: str) -> None: ...

    def by_key(self, tenant_id: str, key_hash: str) -> Device | None: ...

    def set_driver(self, tenant_id: str, vehicle_id: str, day: date, technician_id: str) -> None: ...

    def driver(self, tenant_id: str, vehicle_id: str, day: date) -> str | None: ...


class ProgressStore(Protocol):
    """Technicians on the way, the events tracking publishes (through its outbox) and the tenants
    the silence sweeper visits."""

    def seen(self, tenant_id: str, technician_id: str) -> Seen: ...

    def register_tenant(self, tenant_id: str) -> None: ...

    def tenants(self) -> list[str]: ...

    def dispatched(
        self, route: EnRoute, link: tuple[str, Link] | None, envelopes: Sequence[EventEnvelope], now: datetime
    ) -> bool: ...

    def moved(
        self, route: EnRoute, revision: int, envelopes: Sequence[EventEnvelope], now: datetime
    ) -> None: ...

    def publish(self, envelopes: Sequence[EventEnvelope], now: datetime) -> None: ...

    def rescheduled(
        self, tenant_id: str, technician_id: str, appointment_id: str, window: TimeWindow
    ) -> None: ...

    def ended(self, tenant_id: str, technician_id: str, appointment_id: str) -> None: ...

    def positions(self, tenant_id: str, now: datetime) -> list[tuple[Position, Marks]]: ...

    def fell_silent(
        self, tenant_id: str, position: Position, envelope: EventEnvelope, now: datetime
    ) -> None: ...

    def unheard(self, tenant_id: str) -> set[str]:
        """The technicians flagged silent without any fix kept."""
        ...

    def flag_unheard(
        self, tenant_id: str, technician_id: str, envelope: EventEnvelope, now: datetime
    ) -> None:
        """Flag a technician without any fix silent, with the event (once)."""
        ...

    def heard(self, tenant_id: str, technician_id: str, envelope: EventEnvelope, now: datetime) -> None:
        """The first fix of a technician flagged without any: clear the flag, with the event (once)."""
        ...


@dataclass(frozen=True)
class Tracking:
    """Everything tracking's use cases work with."""

    fixes: FixStore
    shifts: ShiftRepository
    settings: TrackingSettingsRepository
    devices: DeviceRepository
    progress: ProgressStore
    travel: TravelTimes
    clock: Clock


class LatestPositions(Protocol):
    def latest(self, tenant_id: str, technician_id: str, now: datetime) -> Position | None: ...


class AppointmentProjection(Protocol):
    """Appointments and job destinations, as dispatch's and booking's events tell them."""

    def put_destination(self, tenant_id: str, job_id: str, destination: Destination) -> None: ...

    def destination(self, tenant_id: str, job_id: str) -> Destination | None: ...

    def put(self, appointment: TrackedAppointment) -> None:
        """Keep ``appointment`` unless news about it that occurred later was already kept."""
        ...

    def get(self, tenant_id: str, appointment_id: str) -> TrackedAppointment | None: ...


class LinkRepository(Protocol):
    def add(self, token_hash: str, link: Link) -> None: ...

    def get(self, token_hash: str) -> Link | None: ...

    def count_open(self, token_hash: str) -> None: ...


class KpiRepository(Protocol):
    """Each technician's visits, and what the measures read of a date range."""

    def visit(
        self,
        appointment: TrackedAppointment,
        technician_id: str,
        *,
        arrived_at: datetime | None = None,
        done_at: datetime | None = None,
        auto_assigned: bool | None = None,
    ) -> None: ...

    def drop_visit(self, tenant_id: str, appointment_id: str, technician_id: str) -> None: ...

    def measured(self, tenant_id: str, first: date, last: date) -> Measured: ...


@dataclass(frozen=True)
class Links:
    """Everything the customer tracking link's use cases work with."""

    appointments: AppointmentProjection
    links: LinkRepository
    positions: LatestPositions
    travel: TravelTimes
    clock: Clock
