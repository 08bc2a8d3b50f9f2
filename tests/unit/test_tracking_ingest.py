"""Fix rules and the ingestion use cases: per-fix validation, shifts, identity, device keys."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from chalicelib.tracking.devices import DeviceIn, DriverIn, register_device, set_driver
from chalicelib.tracking.fixes import BatchIn, TechnicianBatchIn, ingest_from_device, ingest_own, result_view
from chalicelib.tracking.ports import Tracking
from chalicelib.tracking.positions import latest_positions, positions_view, track
from pydantic import ValidationError

from truckroll.auth import Principal, Role
from truckroll.contracts.envelope import EventEnvelope
from truckroll.domain.tracking import (
    IN_FUTURE,
    OFF_SHIFT,
    TOO_OLD,
    Device,
    DeviceKey,
    Fix,
    Position,
    TrackingSettings,
    newest,
    time_problem,
    unique,
)
from truckroll.domain.tracking_links import Link
from truckroll.domain.tracking_progress import EnRoute, Marks, Seen
from truckroll.domain.windows import TimeWindow
from truckroll.errors import Forbidden, RuleViolation, Unauthorized
from truckroll.persistence.writes import StaleRead
from truckroll.travel import Haversine

CENTRAL = timezone(timedelta(hours=-6))
NOW = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)  # 10:00 in Austin
SHIFT = TimeWindow(datetime(2026, 3, 3, 7, tzinfo=CENTRAL), datetime(2026, 3, 3, 17, tzinfo=CENTRAL))
TECH = Principal("tech-1", "t1", Role.TECHNICIAN)


class MemoryFixes:
    def __init__(self) -> None:
        self.history: dict[tuple[str, str, datetime], Fix] = {}
        self.latest: dict[tuple[str, str], Position] = {}
        self.marks: dict[tuple[str, str], Marks] = {}
        self.calls: list[list[Fix]] = []

    def record(
        self,
        tenant_id: str,
        fixes: Sequence[Fix],
        settings: TrackingSettings,
        received_at: datetime,
        reported_at: datetime | None = None,
    ) -> Marks | None:
        self.calls.append(list(fixes))
        for fix in fixes:
            self.history[(tenant_id, *fix.key)] = fix
        if not fixes:
            return None
        top = newest(fixes)
        key = (tenant_id, top.technician_id)
        stored = self.latest.get(key)
        if stored is not None and stored.fix.instant >= top.instant:
            return None
        before = self.marks.get(key, Marks())
        self.latest[key] = Position(top, received_at)
        self.marks[key] = Marks(reported_at=reported_at)
        return before

    def positions(self, tenant_id: str, now: datetime) -> list[Position]:
        return [p for (tenant, _), p in self.latest.items() if tenant == tenant_id]

    def track(self, tenant_id: str, technician_id: str, window: TimeWindow, now: datetime) -> list[Fix]:
        return sorted(
            (f for (t, tech, _), f in self.history.items() if (t, tech) == (tenant_id, technician_id)),
            key=lambda f: f.instant,
        )


class MemoryProgress:
    """Routes, tracked tenants and published envelopes; position marks are those of ``fixes``."""

    def __init__(self, fixes: MemoryFixes) -> None:
        self.fixes = fixes
        self.routes: dict[tuple[str, str], tuple[EnRoute, int]] = {}
        self.tracked: set[str] = set()
        self.published: list[EventEnvelope] = []
        self.links: dict[str, Link] = {}
        self.unheard_ones: set[tuple[str, str]] = set()

    def seen(self, tenant_id: str, technician_id: str) -> Seen:
        key = (tenant_id, technician_id)
        route, revision = self.routes.get(key, (None, 0))
        marks = self.fixes.marks.get(key, Marks())
        return Seen(marks, route, revision, key in self.fixes.latest, key in self.unheard_ones)

    def register_tenant(self, tenant_id: str) -> None:
        self.tracked.add(tenant_id)

    def tenants(self) -> list[str]:
        return sorted(self.tracked)

    def dispatched(
        self, route: EnRoute, link: tuple[str, Link] | None, envelopes: Sequence[EventEnvelope], now: datetime
    ) -> bool:
        key = (route.tenant_id, route.technician_id)
        current = self.routes.get(key)
        if current is not None and current[0].dispatch_event_id == route.dispatch_event_id:
            return False
        if link is not None:
            if link[0] in self.links:
                raise StaleRead("the link exists")
            self.links[link[0]] = link[1]
        self.routes[key] = (route, 1)
        self.published.extend(envelopes)
        return True

    def moved(self, route: EnRoute, revision: int, envelopes: Sequence[EventEnvelope], now: datetime) -> None:
        key = (route.tenant_id, route.technician_id)
        if key not in self.routes or self.routes[key][1] != revision:
            raise StaleRead("the route changed")
        self.routes[key] = (route, revision + 1)
        self.published.extend(envelopes)

    def publish(self, envelopes: Sequence[EventEnvelope], now: datetime) -> None:
        self.published.extend(envelopes)

    def rescheduled(
        self, tenant_id: str, technician_id: str, appointment_id: str, window: TimeWindow
    ) -> None:
        current = self.routes.get((tenant_id, technician_id))
        if current is not None and current[0].appointment_id == appointment_id:
            route, revision = current
            self.routes[(tenant_id, technician_id)] = (
                replace(route, window=window, late=False),
                revision + 1,
            )

    def ended(self, tenant_id: str, technician_id: str, appointment_id: str) -> None:
        current = self.routes.get((tenant_id, technician_id))
        if current is not None and current[0].appointment_id == appointment_id:
            del self.routes[(tenant_id, technician_id)]

    def positions(self, tenant_id: str, now: datetime) -> list[tuple[Position, Marks]]:
        return [
            (p, self.fixes.marks.get(key, Marks()))
            for key, p in self.fixes.latest.items()
            if key[0] == tenant_id
        ]

    def fell_silent(self, tenant_id: str, position: Position, envelope: EventEnvelope, now: datetime) -> None:
        key = (tenant_id, position.fix.technician_id)
        marks = self.fixes.marks.get(key, Marks())
        if self.fixes.latest[key] != position or marks.silent_since is not None:
            return
        self.fixes.marks[key] = replace(marks, silent_since=now)
        self.published.append(envelope)

    def unheard(self, tenant_id: str) -> set[str]:
        return {technician for tenant, technician in self.unheard_ones if tenant == tenant_id}

    def flag_unheard(
        self, tenant_id: str, technician_id: str, envelope: EventEnvelope, now: datetime
    ) -> None:
        if (tenant_id, technician_id) not in self.unheard_ones:
            self.unheard_ones.add((tenant_id, technician_id))
            self.published.append(envelope)

    def heard(self, tenant_id: str, technician_id: str, envelope: EventEnvelope, now: datetime) -> None:
        if (tenant_id, technician_id) in self.unheard_ones:
            self.unheard_ones.discard((tenant_id, technician_id))
            self.published.append(envelope)

    def types(self) -> list[str]:
        return [e.event_type for e in self.published]


class MemoryShifts:
    def __init__(self) -> None:
        self.days: dict[tuple[str, str, date], list[TimeWindow]] = {}

    def put(
        self,
        tenant_id: str,
        technician_id: str,
        day: date,
        shifts: Sequence[TimeWindow],
        occurred_at: datetime,
    ) -> None:
        self.days[(tenant_id, technician_id, day)] = list(shifts)

    def around(self, tenant_id: str, technician_id: str, first: date, last: date) -> list[TimeWindow]:
        return [
            s
            for (t, tech, day), shifts in self.days.items()
            if (t, tech) == (tenant_id, technician_id) and first <= day <= last
            for s in shifts
        ]

    def of_tenant(self, tenant_id: str, first: date, last: date) -> dict[str, list[TimeWindow]]:
        found: dict[str, list[TimeWindow]] = {}
        for (t, technician_id, day), shifts in self.days.items():
            if t == tenant_id and first <= day <= last:
                found.setdefault(technician_id, []).extend(shifts)
        return found


class MemorySettings:
    def __init__(self) -> None:
        self.saved: dict[str, TrackingSettings] = {}

    def get(self, tenant_id: str) -> TrackingSettings:
        return self.saved.get(tenant_id, TrackingSettings(tenant_id))

    def put(self, settings: TrackingSettings) -> None:
        self.saved[settings.tenant_id] = settings


class MemoryDevices:
    def __init__(self) -> None:
        self.devices: dict[tuple[str, str], Device] = {}
        self.drivers: dict[tuple[str, str, date], str] = {}

    def add(self, device: Device, key_hash: str) -> None:
        self.devices[(device.tenant_id, key_hash)] = device

    def by_key(self, tenant_id: str, key_hash: str) -> Device | None:
        return self.devices.get((tenant_id, key_hash))

    def set_driver(self, tenant_id: str, vehicle_id: str, day: date, technician_id: str) -> None:
        self.drivers[(tenant_id, vehicle_id, day)] = technician_id

    def driver(self, tenant_id: str, vehicle_id: str, day: date) -> str | None:
        return self.drivers.get((tenant_id, vehicle_id, day))


@pytest.fixture
def tracking() -> Tracking:
    shifts = MemoryShifts()
    for tech in ("tech-1", "tech-2"):
        shifts.put("t1", tech, date(2026, 3, 3), [SHIFT], NOW)
    fixes = MemoryFixes()
    return Tracking(
        fixes=fixes,
        shifts=shifts,
        settings=MemorySettings(),
        devices=MemoryDevices(),
        progress=MemoryProgress(fixes),
        travel=Haversine(),
        clock=lambda: NOW,
    )


def stored(tracking: Tracking) -> MemoryFixes:
    assert isinstance(tracking.fixes, MemoryFixes)
    return tracking.fixes


def fix(minute: int = 0, **overrides: Any) -> dict[str, Any]:
    at = datetime(2026, 3, 3, 9, 0, tzinfo=CENTRAL) + timedelta(minutes=minute)
    return {"recorded_at": at.isoformat(), "lat": 30.27, "lon": -97.74, "accuracy_m": 8.0, **overrides}


def own(*fixes: dict[str, Any], principal: Principal = TECH, **body: Any) -> TechnicianBatchIn:
    return TechnicianBatchIn.model_validate({"fixes": list(fixes), **body})


# -- the rules -----------------------------------------------------------------------------------


def test_time_rules_allow_a_small_clock_skew_and_stop_at_the_retention_period() -> None:
    settings = TrackingSettings("t1", retention_days=30)
    assert time_problem(NOW + timedelta(minutes=2), NOW, settings) is None
    assert time_problem(NOW + timedelta(minutes=2, seconds=1), NOW, settings) == IN_FUTURE
    assert time_problem(NOW - timedelta(days=29, hours=23), NOW, settings) is None
    assert time_problem(NOW - timedelta(days=30), NOW, settings) == TOO_OLD


def test_the_same_instant_with_another_offset_is_the_same_fix() -> None:
    a = Fix("tech-1", datetime(2026, 3, 3, 9, tzinfo=CENTRAL), 30.0, -97.0, 5.0)
    b = Fix("tech-1", datetime(2026, 3, 3, 15, tzinfo=UTC), 31.0, -97.0, 5.0)
    c = Fix("tech-2", datetime(2026, 3, 3, 15, tzinfo=UTC), 31.0, -97.0, 5.0)
    assert unique([a, b, c]) == [a, c]


def test_a_device_key_is_128_random_bits_behind_its_tenant_and_only_its_hash_is_kept() -> None:
    key = DeviceKey.new("t1")
    assert len(key.secret) == 22  # 16 bytes, URL-safe base64
    assert DeviceKey.parse(key.value) == key
    assert key.hash != key.value
    assert len(key.hash) == 64
    assert DeviceKey.new("t1") != key
    assert DeviceKey.parse("no-tenant") is None
    assert DeviceKey.parse("t1.short") is None
    assert DeviceKey.parse("t#1." + "a" * 22) is None


def test_a_position_is_silent_past_the_tenants_threshold() -> None:
    position = Position(Fix("tech-1", NOW - timedelta(minutes=15), 30.0, -97.0, 5.0), NOW)
    assert not position.is_silent(NOW, TrackingSettings("t1", silent_after_minutes=15))
    assert position.is_silent(NOW + timedelta(seconds=1), TrackingSettings("t1", silent_after_minutes=15))


# -- ingestion ---------------------------------------------------------------------------------


def test_a_malformed_batch_loses_none_of_its_valid_fixes(tracking: Tracking) -> None:
    body = own(
        fix(0),
        fix(1, lat=90.5),
        fix(2, lon=-181),
        fix(3, accuracy_m=0),
        fix(4, speed_mps=-1),
        fix(5, heading_deg=360),
        fix(6, recorded_at="2026-03-03T09:06:00"),
        "not a fix",
        fix(8, recorded_at=(NOW + timedelta(minutes=5)).isoformat()),
        fix(9, speed_mps=12.5, heading_deg=359.9),
        fix(10, extra=1),
        fix(11, lat="30.1"),
    )
    result = ingest_own(body, TECH, tracking)
    view = result_view(result)
    assert (view["received"], view["stored"]) == (12, 2)
    rejected = {r["index"]: r["errors"] for r in view["rejected"]}
    assert sorted(rejected) == [1, 2, 3, 4, 5, 6, 7, 8, 10, 11]
    assert rejected[1] == [{"field": "lat", "message": "Input should be less than or equal to 90"}]
    assert rejected[8] == [{"field": "recorded_at", "message": IN_FUTURE}]
    assert rejected[10][0]["field"] == "extra"
    assert sorted(f.instant.minute for f in stored(tracking).history.values()) == [0, 9]


def test_a_technician_posts_only_their_own_fixes(tracking: Tracking) -> None:
    with pytest.raises(Forbidden):
        ingest_own(own(fix(0), technician_id="tech-2"), TECH, tracking)
    with pytest.raises(Forbidden):
        ingest_own(own(fix(0)), Principal("dispatcher-1", "t1", Role.DISPATCHER), tracking)
    assert ingest_own(own(fix(0), technician_id="tech-1"), TECH, tracking).stored == 1
    assert not stored(tracking).history.keys() - {("t1", "tech-1", datetime(2026, 3, 3, 15, tzinfo=UTC))}


def test_nothing_is_kept_off_shift(tracking: Tracking) -> None:
    early = {**fix(0), "recorded_at": "2026-03-03T06:59:59-06:00"}
    late = {**fix(0), "recorded_at": "2026-03-02T18:00:00-06:00"}  # the evening before
    result = ingest_own(own(early, fix(0), late), TECH, tracking)
    assert result.stored == 1
    assert [(r.index, r.errors[0].message) for r in result.rejected] == [(0, OFF_SHIFT), (2, OFF_SHIFT)]
    alone = Principal("tech-3", "t1", Role.TECHNICIAN)  # no shift at all
    assert ingest_own(own(fix(0)), alone, tracking).stored == 0


def test_fixes_sent_twice_are_stored_once_and_the_latest_only_moves_forward(tracking: Tracking) -> None:
    ingest_own(own(fix(5), fix(5), fix(1)), TECH, tracking)
    assert [len(c) for c in stored(tracking).calls] == [2]
    ingest_own(own(fix(2)), TECH, tracking)  # an older batch arriving late
    (position,) = latest_positions(Principal("d", "t1", Role.DISPATCHER), tracking).positions
    assert position.fix.instant.minute == 5
    assert len(stored(tracking).history) == 3


def test_a_batch_holds_one_to_500_fixes() -> None:
    with pytest.raises(ValidationError):
        BatchIn.model_validate({"fixes": []})
    with pytest.raises(ValidationError):
        BatchIn.model_validate({"fixes": [fix(0)] * 501})
    assert len(BatchIn.model_validate({"fixes": [fix(0)] * 500}).fixes) == 500


def test_a_device_posts_for_the_driver_of_each_day(tracking: Tracking) -> None:
    admin = Principal("admin-1", "t1", Role.ADMIN)
    registered = register_device(DeviceIn(vehicle_id="van-7"), admin, tracking)
    set_driver("van-7", date(2026, 3, 3), DriverIn(technician_id="tech-2"), admin, tracking)
    other_day = {**fix(0), "recorded_at": "2026-03-02T09:00:00-06:00"}
    result = ingest_from_device(BatchIn(fixes=[fix(0), other_day]), registered.key.value, tracking)
    assert result.stored == 1
    assert result.rejected[0].index == 1
    assert [k[1] for k in stored(tracking).history] == ["tech-2"]
    for bad in (None, "", "t1." + "x" * 22, f"t2.{registered.key.secret}"):
        with pytest.raises(Unauthorized):
            ingest_from_device(BatchIn(fixes=[fix(0)]), bad, tracking)


def test_only_admins_register_devices_and_only_the_office_names_drivers(tracking: Tracking) -> None:
    with pytest.raises(Forbidden):
        register_device(DeviceIn(vehicle_id="van-7"), Principal("d", "t1", Role.DISPATCHER), tracking)
    with pytest.raises(Forbidden):
        set_driver("van-7", date(2026, 3, 3), DriverIn(technician_id="tech-1"), TECH, tracking)


# -- reads -------------------------------------------------------------------------------------


def test_positions_are_for_the_office_and_flag_silent_devices(tracking: Tracking) -> None:
    ingest_own(own(fix(0)), TECH, tracking)  # 09:00 local, an hour before NOW
    ingest_own(own(fix(55)), Principal("tech-2", "t1", Role.TECHNICIAN), tracking)
    with pytest.raises(Forbidden):
        latest_positions(TECH, tracking)
    view = positions_view(latest_positions(Principal("d", "t1", Role.DISPATCHER), tracking))
    assert [(p["technician_id"], p["silent"], p["silent_for_seconds"]) for p in view["positions"]] == [
        ("tech-1", True, 3600),
        ("tech-2", False, 300),
    ]
    assert view["silent_after_minutes"] == 15


def test_a_track_is_the_offices_or_the_technicians_own(tracking: Tracking) -> None:
    ingest_own(own(fix(0), fix(1)), TECH, tracking)
    start, end = NOW - timedelta(hours=2), NOW
    assert len(track("tech-1", start, end, TECH, tracking)) == 2
    with pytest.raises(Forbidden):
        track("tech-2", start, end, TECH, tracking)
    with pytest.raises(RuleViolation):
        track("tech-1", end, start, TECH, tracking)
    with pytest.raises(RuleViolation):
        track("tech-1", end - timedelta(days=7, seconds=1), end, TECH, tracking)
