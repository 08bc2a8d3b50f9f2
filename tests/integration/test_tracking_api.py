"""The tracking API through the local stack's gateway, and its table against moto: shifts from
events, per-fix rejections, identity, device keys, positions, tracks, expiry."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from truckroll.contracts.envelope import new_event
from truckroll.contracts.tracking import TECHNICIAN_SHIFTS_SET
from truckroll.domain.tracking import OFF_SHIFT, Fix, TrackingSettings
from truckroll.domain.windows import TimeWindow
from truckroll.messaging.sqs import OutboundMessage, SqsPublisher
from truckroll.persistence.tracking import DynamoFixStore, DynamoShiftRepository
from truckroll.resources import RESOURCES

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

TECH = "tech-1@demo"
NOW = datetime.now(UTC).replace(microsecond=0)


def tenant() -> str:
    return f"trk-{uuid.uuid4().hex[:10]}"


def on_shift(stack: LocalStack, tenant_id: str, technician_id: str, shift: TimeWindow | None = None) -> None:
    """Publish ``technician.shifts_set`` for today (UTC) as dispatch would, and let it be consumed."""
    shift = shift or TimeWindow(NOW - timedelta(hours=6), NOW + timedelta(hours=6))
    envelope = new_event(
        TECHNICIAN_SHIFTS_SET,
        tenant_id=tenant_id,
        producer="dispatch",
        data={
            "technician_id": technician_id,
            "day": NOW.date().isoformat(),
            "shifts": [{"start": shift.start.isoformat(), "end": shift.end.isoformat()}],
        },
    )
    (queue,) = RESOURCES.queues_for(TECHNICIAN_SHIFTS_SET)
    assert SqsPublisher().publish([OutboundMessage(queue, envelope)]) == set()
    stack.drain()


def fix(minutes_ago: float, **overrides: Any) -> dict[str, Any]:
    at = NOW - timedelta(minutes=minutes_ago)
    return {"recorded_at": at.isoformat(), "lat": 30.27, "lon": -97.74, "accuracy_m": 5.0, **overrides}


def post(stack: LocalStack, path: str, headers: dict[str, str], body: Any) -> tuple[int, Any]:
    response = stack.request("POST", f"/tracking{path}", headers, body)
    return response.status, json.loads(response.body)


def get(stack: LocalStack, path: str, headers: dict[str, str]) -> tuple[int, Any]:
    response = stack.request("GET", f"/tracking{path}", headers)
    return response.status, json.loads(response.body)


def test_a_malformed_batch_loses_none_of_its_valid_fixes(local_stack: LocalStack) -> None:
    t = tenant()
    on_shift(local_stack, t, TECH)
    headers = local_stack.auth_headers(TECH, tenant_id=t)
    batch = [
        fix(3),
        fix(2, lat=91),
        "junk",
        fix(1, recorded_at=(NOW + timedelta(hours=1)).isoformat()),
        fix(0),
    ]
    status, body = post(local_stack, "/fixes", headers, {"fixes": batch})
    assert status == 200
    assert (body["received"], body["stored"]) == (5, 2)
    assert [r["index"] for r in body["rejected"]] == [1, 2, 3]
    assert body["rejected"][0]["errors"][0]["field"] == "lat"

    office = local_stack.auth_headers("dispatcher@demo", tenant_id=t)
    start, end = (NOW - timedelta(hours=1)).isoformat(), NOW.isoformat()
    status, track = get(
        local_stack, f"/technicians/{TECH}/track?from={start}&to={end}".replace("+", "%2B"), office
    )
    assert status == 200
    assert [f["recorded_at"] for f in track["fixes"]] == [fix(3)["recorded_at"], fix(0)["recorded_at"]]


def test_a_technicians_token_cannot_post_fixes_for_another_technician(local_stack: LocalStack) -> None:
    t = tenant()
    on_shift(local_stack, t, "tech-2@demo")
    headers = local_stack.auth_headers(TECH, tenant_id=t)
    status, problem = post(
        local_stack, "/fixes", headers, {"technician_id": "tech-2@demo", "fixes": [fix(1)]}
    )
    assert status == 403
    assert problem["title"] == "Forbidden"
    status, _ = post(
        local_stack, "/fixes", local_stack.auth_headers("dispatcher@demo", t), {"fixes": [fix(1)]}
    )
    assert status == 403
    status, positions = get(local_stack, "/positions", local_stack.auth_headers("dispatcher@demo", t))
    assert (status, positions["positions"]) == (200, [])


def test_nothing_is_stored_off_shift_and_the_batch_shape_is_checked(local_stack: LocalStack) -> None:
    t = tenant()
    headers = local_stack.auth_headers(TECH, tenant_id=t)
    status, body = post(local_stack, "/fixes", headers, {"fixes": [fix(1)]})
    assert (status, body["stored"], body["rejected"][0]["errors"][0]["message"]) == (200, 0, OFF_SHIFT)
    for bad in ({"fixes": []}, {"fixes": [fix(1)] * 501}, {"fixes": "x"}, {"fixes": [fix(1)], "more": 1}):
        status, problem = post(local_stack, "/fixes", headers, bad)
        assert status == 422, bad
        assert problem["status"] == 422
    response = local_stack.request("POST", "/tracking/fixes", headers, "{not json")
    assert response.status == 400


def test_positions_show_the_newest_fix_of_each_technician_in_one_query(local_stack: LocalStack) -> None:
    t = tenant()
    for tech in (TECH, "tech-2@demo"):
        on_shift(local_stack, t, tech)
    post(local_stack, "/fixes", local_stack.auth_headers(TECH, t), {"fixes": [fix(2), fix(1), fix(1)]})
    post(local_stack, "/fixes", local_stack.auth_headers(TECH, t), {"fixes": [fix(5)]})  # late, older
    post(local_stack, "/fixes", local_stack.auth_headers("tech-2@demo", t), {"fixes": [fix(40)]})
    status, body = get(local_stack, "/positions", local_stack.auth_headers("dispatcher@demo", t))
    assert status == 200
    rows = {p["technician_id"]: p for p in body["positions"]}
    assert rows[TECH]["recorded_at"] == fix(1)["recorded_at"]
    assert (rows[TECH]["silent"], rows["tech-2@demo"]["silent"]) == (False, True)
    status, _ = get(local_stack, "/positions", local_stack.auth_headers(TECH, t))
    assert status == 403


def test_a_vehicle_tracker_posts_with_its_key_for_the_days_driver(local_stack: LocalStack) -> None:
    t = tenant()
    on_shift(local_stack, t, "tech-2@demo")
    admin = local_stack.auth_headers("admin@demo", tenant_id=t)
    status, device = post(local_stack, "/devices", admin, {"vehicle_id": "van-7", "label": "Van 7"})
    assert status == 201
    assert device["key"].startswith(f"{t}.")
    day = NOW.date().isoformat()
    response = local_stack.request(
        "PUT", f"/tracking/vehicles/van-7/drivers/{day}", admin, {"technician_id": "tech-2@demo"}
    )
    assert response.status == 200
    status, body = post(local_stack, "/device-fixes", {"X-Device-Key": device["key"]}, {"fixes": [fix(1)]})
    assert (status, body["stored"]) == (200, 1)
    status, problem = post(
        local_stack, "/device-fixes", {"X-Device-Key": f"{t}.{'A' * 22}"}, {"fixes": [fix(1)]}
    )
    assert (status, problem["title"]) == (401, "Unauthorized")
    status, _ = post(local_stack, "/device-fixes", {}, {"fixes": [fix(1)]})
    assert status == 401
    status, positions = get(local_stack, "/positions", local_stack.auth_headers("dispatcher@demo", t))
    assert [p["technician_id"] for p in positions["positions"]] == ["tech-2@demo"]


def test_settings_are_the_admins_and_validated(local_stack: LocalStack) -> None:
    t = tenant()
    admin = local_stack.auth_headers("admin@demo", tenant_id=t)
    status, body = get(local_stack, "/settings", admin)
    assert (status, body) == (
        200,
        {"retention_days": 30, "silent_after_minutes": 15, "eta_change_minutes": 5},
    )
    response = local_stack.request(
        "PUT", "/tracking/settings", admin, {"retention_days": 7, "eta_change_minutes": 10}
    )
    saved = json.loads(response.body)
    assert (response.status, saved["retention_days"], saved["eta_change_minutes"]) == (200, 7, 10)
    assert get(local_stack, "/settings", admin)[1]["eta_change_minutes"] == 10
    for bad in ({"retention_days": 0}, {"eta_change_minutes": 0}, {"eta_change_minutes": "5"}):
        response = local_stack.request("PUT", "/tracking/settings", admin, bad)
        assert response.status == 422
    status, _ = get(local_stack, "/settings", local_stack.auth_headers("dispatcher@demo", t))
    assert status == 403


def test_bad_paths_and_queries_are_named(local_stack: LocalStack) -> None:
    t = tenant()
    office = local_stack.auth_headers("dispatcher@demo", tenant_id=t)
    status, problem = get(local_stack, f"/technicians/{TECH}/track?from=yesterday&to=now", office)
    assert (status, problem["errors"][0]["field"]) == (422, "from")
    response = local_stack.request(
        "PUT", "/tracking/vehicles/van-7/drivers/2026-13-01", office, {"technician_id": "x"}
    )
    assert response.status == 422


def test_history_reads_leave_out_expired_fixes(local_stack: LocalStack) -> None:
    """moto never deletes on TTL; what DynamoDB has not yet deleted must not be read either."""
    t = tenant()
    store = DynamoFixStore()
    old = Fix(TECH, NOW - timedelta(days=2), 30.0, -97.0, 5.0)
    fresh = Fix(TECH, NOW - timedelta(hours=1), 30.0, -97.0, 5.0)
    store.record(t, [old], TrackingSettings(t, retention_days=1), NOW - timedelta(days=2))
    store.record(t, [fresh], TrackingSettings(t), NOW)
    window = TimeWindow(NOW - timedelta(days=3), NOW)
    assert store.track(t, TECH, window, NOW) == [fresh]
    assert store.track(t, TECH, window, NOW - timedelta(days=2)) == [old, fresh]
    assert [p.fix for p in store.positions(t, NOW)] == [fresh]


def test_the_store_keeps_a_fix_once_and_the_newest_position(local_stack: LocalStack) -> None:
    t = tenant()
    store = DynamoFixStore()
    settings = TrackingSettings(t)
    fixes = [Fix(TECH, NOW - timedelta(seconds=s), 30.0, -97.0, 5.0) for s in range(60)]
    store.record(t, fixes, settings, NOW)
    store.record(t, fixes[10:], settings, NOW)  # resent, older
    assert len(store.track(t, TECH, TimeWindow(NOW - timedelta(hours=1), NOW), NOW)) == 60
    (position,) = store.positions(t, NOW)
    assert position.fix == fixes[0]


def test_of_two_shift_events_about_a_day_the_later_one_wins_whatever_the_order(
    local_stack: LocalStack,
) -> None:
    t = tenant()
    shifts = DynamoShiftRepository()
    day = NOW.date()
    morning = TimeWindow(NOW - timedelta(hours=4), NOW - timedelta(hours=2))
    all_day = TimeWindow(NOW - timedelta(hours=8), NOW + timedelta(hours=8))
    shifts.put(t, TECH, day, [all_day], NOW)
    shifts.put(t, TECH, day, [morning], NOW - timedelta(minutes=1))  # older news, arriving late
    assert shifts.around(t, TECH, day, day) == [all_day]
    shifts.put(t, TECH, day, [], NOW + timedelta(minutes=1))  # off all day after all
    assert shifts.around(t, TECH, day, day) == []
