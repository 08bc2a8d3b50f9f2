"""Following a technician on the way (hand-computed ETAs), the link and ``tracking.on_the_way`` at
dispatch, the events fixes cause, position reports and the silence sweeper."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalicelib.tracking.fixes import TechnicianBatchIn, ingest_own
from chalicelib.tracking.ports import Links, Tracking
from chalicelib.tracking.progress import SweepFailed, follow_change, start_following, sweep
from test_tracking_ingest import MemoryDevices, MemoryFixes, MemoryProgress, MemorySettings, MemoryShifts
from test_tracking_links import MemoryAppointments, MemoryLinks, MemoryPositions

from truckroll.auth import Principal, Role
from truckroll.config import LinkSettings
from truckroll.contracts.dispatch import AppointmentChangeV1
from truckroll.contracts.envelope import EventEnvelope, new_event
from truckroll.domain.geo import Point
from truckroll.domain.status import AppointmentStatus, TechStatus
from truckroll.domain.tracking import Fix, Position, TrackingSettings
from truckroll.domain.tracking_links import (
    Destination,
    LinkToken,
    TechnicianProgress,
    TrackedAppointment,
)
from truckroll.domain.tracking_progress import EnRoute, Marks, follow, report_due, start
from truckroll.domain.windows import TimeWindow
from truckroll.travel import Haversine

NOW = datetime(2026, 3, 3, 16, 0, tzinfo=UTC)
DESTINATION = Point(30.30, -97.74)
# 0.03 degrees of latitude north of DESTINATION's south: 3.33585 km * 1.3 = 4.3366 km, 7 min at 40 km/h
START = (30.27, -97.74)
WINDOW = TimeWindow(NOW, NOW + timedelta(hours=2))
SETTINGS = LinkSettings(base_url="https://track.example.com/l/", secret=b"test secret")
TRAVEL = Haversine()


def route(**overrides: Any) -> EnRoute:
    base = EnRoute("t1", "tech-1", "a1", "j1", WINDOW, DESTINATION, dispatch_event_id="e1")
    return replace(base, **overrides)


def fix(minute: float, lat: float = START[0], lon: float = START[1], tech: str = "tech-1") -> Fix:
    return Fix(tech, NOW + timedelta(minutes=minute), lat, lon, 5.0)


# -- the rules, on their own ---------------------------------------------------------------------------


def test_the_first_eta_is_the_latest_positions_travel_time() -> None:
    started, events = start(route(), Position(fix(-1), NOW), TRAVEL)
    assert started.eta == NOW + timedelta(minutes=6)  # fix at 15:59 + 7 min
    assert started.distance_m == pytest.approx(4336.6, abs=0.1)
    assert events == []


def test_no_eta_without_a_position_or_a_verified_destination() -> None:
    assert start(route(), None, TRAVEL) == (route(), [])
    assert start(route(destination=None), Position(fix(0), NOW), TRAVEL) == (route(destination=None), [])


def test_a_first_eta_past_the_window_is_running_late_at_once() -> None:
    started, events = start(
        route(window=TimeWindow(NOW - timedelta(hours=1), NOW)), Position(fix(0), NOW), TRAVEL
    )
    assert started.late
    assert [type(e).__name__ for e in events] == ["RunningLate"]
    assert events[0].minutes_late == 7  # type: ignore[union-attr]


def test_an_eta_change_is_published_once_it_moved_by_the_threshold() -> None:
    followed = route(eta=NOW + timedelta(minutes=7), distance_m=4336.6)
    # 4 minutes later at the same place: ETA 16:11, 4 minutes after the one published
    same, events = follow(followed, [fix(4)], timedelta(minutes=5), TRAVEL)
    assert events == []
    assert same.eta == NOW + timedelta(minutes=7)
    moved, events = follow(followed, [fix(5)], timedelta(minutes=5), TRAVEL)
    assert [type(e).__name__ for e in events] == ["EtaChanged"]
    assert moved.eta == NOW + timedelta(minutes=12)
    assert events[0].previous_eta == NOW + timedelta(minutes=7)  # type: ignore[union-attr]


def test_running_late_once_per_episode() -> None:
    window = TimeWindow(NOW - timedelta(hours=1), NOW + timedelta(minutes=10))
    on_time = route(window=window, eta=NOW + timedelta(minutes=7))
    late, events = follow(on_time, [fix(4)], timedelta(minutes=1), TRAVEL)  # ETA 16:11 > 16:10
    assert [type(e).__name__ for e in events] == ["EtaChanged", "RunningLate"]
    still, events = follow(late, [fix(6)], timedelta(minutes=1), TRAVEL)
    assert [type(e).__name__ for e in events] == ["EtaChanged"]
    back, _ = follow(still, [fix(2.9, lat=30.29)], timedelta(minutes=1), TRAVEL)  # 1.45 km: 3 min
    assert not back.late
    _, events = follow(back, [fix(8)], timedelta(minutes=1), TRAVEL)
    assert "RunningLate" in [type(e).__name__ for e in events]


def test_arrival_is_suggested_once_after_two_minutes_within_150_m() -> None:
    near = (30.2995, -97.74)  # 55.6 m south of the destination
    at = route(eta=NOW)
    first, events = follow(at, [fix(0, *near), fix(1, *near)], timedelta(minutes=5), TRAVEL)
    assert [type(e).__name__ for e in events] == []
    assert first.near_since == NOW
    second, events = follow(first, [fix(2, *near)], timedelta(minutes=5), TRAVEL)
    assert [type(e).__name__ for e in events] == ["ArrivalSuggested"]
    assert events[0].since == NOW  # type: ignore[union-attr]
    _, events = follow(second, [fix(3, *near)], timedelta(minutes=5), TRAVEL)
    assert events == []


def test_leaving_the_radius_starts_the_stay_again() -> None:
    near, away = (30.2995, -97.74), (30.2980, -97.74)  # 55.6 m and 222 m away
    followed, events = follow(
        route(eta=NOW), [fix(0, *near), fix(1, *away), fix(2, *near)], timedelta(minutes=5), TRAVEL
    )
    assert (followed.near_since, events) == (NOW + timedelta(minutes=2), [])


def test_a_position_is_reported_at_most_every_five_minutes() -> None:
    assert report_due(Marks(), [fix(0)])
    assert not report_due(Marks(reported_at=NOW), [fix(4.9)])
    assert report_due(Marks(reported_at=NOW), [fix(1), fix(5)])


# -- the use cases ------------------------------------------------------------------------------------

TECH = Principal("tech-1", "t1", Role.TECHNICIAN)


class World:
    """Tracking's and the link's ports over memory, the technician on shift all day."""

    def __init__(self) -> None:
        fixes = MemoryFixes()
        self.progress = MemoryProgress(fixes)
        self.settings = MemorySettings()
        self.shifts = MemoryShifts()
        day = NOW - timedelta(hours=8)
        self.shifts.put("t1", "tech-1", NOW.date(), [TimeWindow(day, NOW + timedelta(hours=8))], NOW)
        self.now = NOW
        self.tracking = Tracking(
            fixes=fixes,
            shifts=self.shifts,
            settings=self.settings,
            devices=MemoryDevices(),
            progress=self.progress,
            travel=TRAVEL,
            clock=lambda: self.now,
        )
        self.appointments = MemoryAppointments()
        self.appointments.put_destination("t1", "j1", Destination(DESTINATION.lat, DESTINATION.lon, True))
        self.positions = MemoryPositions()
        stored_links = MemoryLinks()
        stored_links.links = self.progress.links  # one table: the transaction's link is the one read
        self.links = Links(self.appointments, stored_links, self.positions, TRAVEL, lambda: self.now)

    def appointment(self, *technicians: tuple[str, TechStatus], status: AppointmentStatus) -> None:
        self.appointments.put(
            TrackedAppointment(
                "t1",
                "a1",
                "j1",
                status,
                WINDOW.start,
                WINDOW.end,
                tuple(TechnicianProgress(t, s, t.title()) for t, s in technicians),
                self.now,
            )
        )

    def dispatch(self, technician_id: str, event_id: str | None = None) -> EventEnvelope:
        envelope = new_event("appointment.dispatched", tenant_id="t1", producer="dispatch", data={})
        if event_id is not None:
            envelope = envelope.model_copy(update={"event_id": event_id})
        start_following(envelope, change(technician_id), self.links, self.tracking, SETTINGS)
        return envelope

    def post(self, *fixes: Fix) -> None:
        body = TechnicianBatchIn(
            fixes=[
                {"recorded_at": f.recorded_at.isoformat(), "lat": f.lat, "lon": f.lon, "accuracy_m": 5.0}
                for f in fixes
            ]
        )
        ingest_own(body, TECH, self.tracking)

    def published(self, event_type: str) -> list[dict[str, Any]]:
        return [e.data for e in self.progress.published if e.event_type == event_type]


def change(technician_id: str | None, removed: tuple[str, ...] = ()) -> AppointmentChangeV1:
    return AppointmentChangeV1.model_validate(
        {
            "job_id": "j1",
            "job_status": "in_progress",
            "appointment": {
                "appointment_id": "a1",
                "start": WINDOW.start.isoformat(),
                "end": WINDOW.end.isoformat(),
                "arrival_window": {"start": WINDOW.start.isoformat(), "end": WINDOW.end.isoformat()},
                "status": "dispatched",
                "confirmed": False,
                "technician_ids": [],
                "technicians": [],
            },
            "actor": {"id": "dispatcher", "role": "dispatcher"},
            "at": NOW.isoformat(),
            "reason": None,
            "added_technician_ids": [],
            "removed_technician_ids": list(removed),
            "technician_id": technician_id,
            "previous": None,
        }
    )


@pytest.fixture
def world() -> World:
    return World()


def test_dispatch_mints_the_link_and_publishes_on_the_way_with_the_eta(world: World) -> None:
    world.appointment(("tech-1", TechStatus.DISPATCHED), status=AppointmentStatus.DISPATCHED)
    world.positions.positions[("t1", "tech-1")] = Position(fix(-1), NOW)
    dispatch = world.dispatch("tech-1")
    (on_the_way,) = world.published("tracking.on_the_way")
    token = LinkToken.of_appointment(SETTINGS.secret, "t1", "a1")
    assert on_the_way["link_url"] == f"https://track.example.com/l/{token.value}"
    assert (on_the_way["eta"], on_the_way["technician_first_name"]) == ("2026-03-03T16:06:00Z", "Tech-1")
    assert on_the_way["distance_m"] == pytest.approx(4336.6, abs=0.1)
    assert list(world.progress.links) == [token.hash]
    assert world.progress.published[0].causation_id == dispatch.event_id


def test_a_redelivered_dispatch_publishes_nothing_more(world: World) -> None:
    world.appointment(("tech-1", TechStatus.DISPATCHED), status=AppointmentStatus.DISPATCHED)
    world.dispatch("tech-1", event_id="01JDR0A1B2C3D4E5F6G7H8J9K0")
    world.dispatch("tech-1", event_id="01JDR0A1B2C3D4E5F6G7H8J9K0")
    assert len(world.published("tracking.on_the_way")) == 1


def test_every_technician_of_an_appointment_gets_the_same_link_minted_once(world: World) -> None:
    both = (("tech-1", TechStatus.DISPATCHED), ("tech-2", TechStatus.DISPATCHED))
    world.appointment(*both, status=AppointmentStatus.DISPATCHED)
    world.dispatch("tech-1")
    world.dispatch("tech-2")
    first, second = world.published("tracking.on_the_way")
    assert first["link_url"] == second["link_url"]
    assert (first["technician_id"], second["technician_id"]) == ("tech-1", "tech-2")
    assert (first["eta"], second["eta"]) == (None, None)  # no position known yet


def test_a_stale_dispatch_event_publishes_nothing(world: World) -> None:
    world.appointment(("tech-1", TechStatus.WORKING), status=AppointmentStatus.WORKING)
    world.dispatch("tech-1")
    assert world.progress.published == []


def test_fixes_on_the_way_publish_eta_changes_then_the_arrival(world: World) -> None:
    world.appointment(("tech-1", TechStatus.DISPATCHED), status=AppointmentStatus.DISPATCHED)
    world.positions.positions[("t1", "tech-1")] = Position(fix(-1), NOW)
    world.dispatch("tech-1")
    world.post(fix(0))  # ETA 16:07, one minute after the one published: no change
    assert world.published("tracking.eta_changed") == []
    world.now = NOW + timedelta(minutes=10)
    world.post(fix(8))  # stuck: ETA 16:15
    (changed,) = world.published("tracking.eta_changed")
    assert (changed["eta"], changed["previous_eta"]) == ("2026-03-03T16:15:00Z", "2026-03-03T16:06:00Z")
    near = (30.2995, -97.74)
    world.post(fix(9, *near), fix(10, *near))
    world.now = NOW + timedelta(minutes=12)
    world.post(fix(11, *near))
    (arrival,) = world.published("tracking.arrival_suggested")
    assert arrival == {
        "appointment_id": "a1",
        "job_id": "j1",
        "technician_id": "tech-1",
        "since": "2026-03-03T16:09:00Z",
    }


def test_arriving_or_a_canceled_dispatch_stops_the_following(world: World) -> None:
    world.appointment(("tech-1", TechStatus.DISPATCHED), status=AppointmentStatus.DISPATCHED)
    world.dispatch("tech-1")
    envelope = new_event("appointment.status_changed", tenant_id="t1", producer="dispatch", data={})
    world.appointment(("tech-1", TechStatus.WORKING), status=AppointmentStatus.WORKING)
    follow_change(envelope, change("tech-1"), world.links, world.tracking)
    assert world.progress.routes == {}


def test_positions_are_reported_every_five_minutes_of_fixes(world: World) -> None:
    world.post(fix(0))
    world.post(fix(2))
    world.now = NOW + timedelta(minutes=6)
    world.post(fix(5))
    assert [p["at"] for p in world.published("tracking.position_reported")] == [
        "2026-03-03T16:00:00Z",
        "2026-03-03T16:05:00Z",
    ]
    assert world.progress.tracked == {"t1"}


def test_a_silent_device_on_shift_is_flagged_once_and_its_next_fix_resumes_it(world: World) -> None:
    world.post(fix(0))
    world.now = NOW + timedelta(minutes=15)
    assert sweep(world.tracking) == 0  # 15 minutes: not longer than the limit
    world.now = NOW + timedelta(minutes=16)
    assert sweep(world.tracking) == 1
    assert sweep(world.tracking) == 0
    assert world.published("tracking.device_silent") == [
        {"technician_id": "tech-1", "last_fix_at": "2026-03-03T16:00:00Z"}
    ]
    world.post(fix(16))
    assert world.published("tracking.device_resumed") == [
        {"technician_id": "tech-1", "last_fix_at": "2026-03-03T16:16:00Z"}
    ]
    world.post(fix(16.5))
    assert len(world.published("tracking.device_resumed")) == 1


def test_a_technician_who_never_sent_a_fix_is_flagged_once_into_their_shift_and_resumed_by_the_first(
    world: World,
) -> None:
    world.progress.register_tenant("t1")  # as the shift projection does
    started = NOW - timedelta(minutes=10)
    world.shifts.put("t1", "tech-2", NOW.date(), [TimeWindow(started, NOW + timedelta(hours=8))], NOW)
    world.shifts.put(
        "t1", "tech-3", NOW.date(), [TimeWindow(NOW + timedelta(hours=1), NOW + timedelta(hours=9))], NOW
    )

    assert sweep(world.tracking) == 1  # tech-1, 8 hours into the shift; tech-2 only 10 minutes
    assert world.published("tracking.device_silent") == [{"technician_id": "tech-1", "last_fix_at": None}]
    world.now = NOW + timedelta(minutes=6)
    assert sweep(world.tracking) == 1  # tech-2, 16 minutes in; tech-3 not on shift yet
    assert sweep(world.tracking) == 0
    assert [e["technician_id"] for e in world.published("tracking.device_silent")] == ["tech-1", "tech-2"]

    world.post(fix(6))
    assert world.published("tracking.device_resumed") == [
        {"technician_id": "tech-1", "last_fix_at": "2026-03-03T16:06:00Z"}
    ]
    world.post(fix(6.5))
    assert len(world.published("tracking.device_resumed")) == 1
    assert world.progress.unheard("t1") == {"tech-2"}


def test_an_off_shift_technician_is_never_flagged(world: World) -> None:
    world.post(fix(0))
    world.shifts.put(
        "t1", "tech-1", NOW.date(), [TimeWindow(NOW - timedelta(hours=1), NOW + timedelta(minutes=1))], NOW
    )
    world.now = NOW + timedelta(hours=1)
    assert sweep(world.tracking) == 0


def test_the_tenant_setting_sets_when_a_device_is_silent(world: World) -> None:
    world.post(fix(0))
    world.settings.put(TrackingSettings("t1", silent_after_minutes=5))
    world.now = NOW + timedelta(minutes=6)
    assert sweep(world.tracking) == 1


def test_a_failing_tenant_fails_the_sweep_after_the_others(world: World) -> None:
    world.post(fix(0))
    world.progress.tracked.add("broken")

    def settings_of(tenant_id: str) -> TrackingSettings:
        if tenant_id == "broken":
            raise RuntimeError("unreadable settings")
        return TrackingSettings(tenant_id)

    world.settings.get = settings_of  # type: ignore[method-assign]
    world.now = NOW + timedelta(minutes=20)
    with pytest.raises(SweepFailed, match="broken"):
        sweep(world.tracking)
    assert len(world.published("tracking.device_silent")) == 1


def test_link_tokens_of_appointments_differ_and_depend_on_the_secret() -> None:
    token = LinkToken.of_appointment(b"s", "t1", "a1")
    assert LinkToken.parse(token.value) == token
    assert token != LinkToken.of_appointment(b"s", "t1", "a2")
    assert token != LinkToken.of_appointment(b"s", "t2", "a1")
    assert token != LinkToken.of_appointment(b"other", "t1", "a1")
    assert token == LinkToken.of_appointment(b"s", "t1", "a1")


def test_a_reschedule_moves_the_window_lateness_is_judged_against(world: World) -> None:
    world.appointment(("tech-1", TechStatus.DISPATCHED), status=AppointmentStatus.DISPATCHED)
    world.positions.positions[("t1", "tech-1")] = Position(fix(-1), NOW)
    world.dispatch("tech-1")
    earlier = TimeWindow(NOW - timedelta(hours=1), NOW + timedelta(minutes=3))
    world.appointments.put(
        replace(
            world.appointments.appointments[("t1", "a1")],
            window_start=earlier.start,
            window_end=earlier.end,
            occurred_at=NOW + timedelta(seconds=1),
        )
    )
    envelope = new_event("appointment.rescheduled", tenant_id="t1", producer="dispatch", data={})
    follow_change(envelope, change(None), world.links, world.tracking)
    ((route, _),) = world.progress.routes.values()
    assert route.window == earlier
    world.post(fix(0))  # ETA 16:07, after the new window's end at 16:03
    (late,) = world.published("tracking.running_late")
    assert (late["arrival_window_end"], late["minutes_late"]) == ("2026-03-03T16:03:00Z", 4)
