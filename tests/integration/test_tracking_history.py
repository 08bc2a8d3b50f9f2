"""GPS history in bucket items against moto: stored once across batches, buckets past an item's cap,
expiry inside a bucket, concurrent batches for one bucket."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import TYPE_CHECKING

import pytest

from truckroll.domain.tracking import Fix, TrackingSettings
from truckroll.domain.windows import TimeWindow
from truckroll.persistence.tracking import DynamoFixStore
from truckroll.persistence.tracking_history import BucketedHistory, HistoryItem, bucket_start, history_pk

if TYPE_CHECKING:
    from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

TECH = "tech-1@demo"
#: The start of a bucket an hour ago: every fix of a test falls in it unless said otherwise.
START = bucket_start(datetime.now(UTC) - timedelta(hours=1))
NOW = START + timedelta(hours=1)
WINDOW = TimeWindow(START - timedelta(hours=1), NOW)


def tenant() -> str:
    return f"hst-{uuid.uuid4().hex[:10]}"


def fix(second: float, lat: float = 30.27) -> Fix:
    return Fix(TECH, START + timedelta(seconds=second), lat, -97.74, 5.0, 12.5, 90.0)


def items(tenant_id: str) -> dict[str, set[str]]:
    """The fixes each item of the test's bucket holds, by sort key."""
    pk = history_pk(tenant_id, TECH, START.date())
    return {item.sk: item.fixes for item in HistoryItem.query(pk)}


def test_a_fix_sent_in_two_batches_is_stored_once(local_stack: LocalStack) -> None:
    t = tenant()
    store = DynamoFixStore()
    settings = TrackingSettings(t)
    store.record(t, [fix(0), fix(1)], settings, NOW)
    store.record(t, [fix(1), fix(2)], settings, NOW)  # a retry overlapping the first batch
    central = fix(2).recorded_at.astimezone(timezone(timedelta(hours=-6)))
    store.record(t, [Fix(TECH, central, 30.27, -97.74, 5.0, 12.5, 90.0)], settings, NOW)
    assert [len(fixes) for fixes in items(t).values()] == [3]
    assert store.track(t, TECH, WINDOW, NOW) == [fix(0), fix(1), fix(2)]


def test_gps_history_writes_never_invoke_the_tracking_relay(local_stack: LocalStack) -> None:
    """The relay's event filter passes outbox items only: a fix written invokes nothing."""
    local_stack.drain()
    (relay,) = [p for p in local_stack.pumps if p.name == "stream:tracking:tracking"]
    invocations = relay.stats.invocations
    t = tenant()
    DynamoFixStore().record(t, [fix(0), fix(1)], TrackingSettings(t), NOW)
    local_stack.drain()
    assert [len(fixes) for fixes in items(t).values()] == [2]
    assert relay.stats.invocations == invocations


def test_two_readings_sent_for_one_instant_are_read_as_one_fix(local_stack: LocalStack) -> None:
    t = tenant()
    store = DynamoFixStore()
    store.record(t, [fix(0), fix(1, lat=30.5)], TrackingSettings(t), NOW)
    store.record(t, [fix(1, lat=30.4)], TrackingSettings(t), NOW)
    assert store.track(t, TECH, WINDOW, NOW) == [fix(0), fix(1, lat=30.5)]


def test_a_whole_batch_in_one_bucket_is_stored_by_one_item(local_stack: LocalStack) -> None:
    t = tenant()
    store = DynamoFixStore()
    batch = [fix(second) for second in range(500)]  # 500 s: one bucket
    store.record(t, batch, TrackingSettings(t), NOW)
    assert [len(fixes) for fixes in items(t).values()] == [500]
    assert store.track(t, TECH, WINDOW, NOW) == batch


def test_a_bucket_past_an_items_cap_goes_on_in_more_items_each_fix_once(local_stack: LocalStack) -> None:
    t = tenant()
    store = DynamoFixStore(BucketedHistory(fixes_per_item=40))
    settings = TrackingSettings(t)
    first = [fix(second) for second in range(30)]
    store.record(t, first, settings, NOW)
    store.record(t, [fix(second) for second in range(20, 100)], settings, NOW)  # 10 resent, 70 new
    store.record(t, [fix(5), fix(95), fix(100)], settings, NOW)  # resent from the first and last items
    held = items(t)
    assert sorted(held) == [f"B#{START:%H:%M}", f"B#{START:%H:%M}#1", f"B#{START:%H:%M}#2"]
    assert all(len(fixes) <= 40 for fixes in held.values())
    assert sum(len(fixes) for fixes in held.values()) == 101
    assert store.track(t, TECH, WINDOW, NOW) == [fix(second) for second in range(101)]


def test_reads_leave_out_expired_fixes_inside_a_bucket_that_is_still_kept(local_stack: LocalStack) -> None:
    t = tenant()
    store = DynamoFixStore()
    early, late = fix(0), fix(300)
    store.record(t, [early, late], TrackingSettings(t, retention_days=1), NOW)
    day_later = early.instant + timedelta(days=1)
    assert store.track(t, TECH, WINDOW, day_later - timedelta(seconds=1)) == [early, late]
    assert store.track(t, TECH, WINDOW, day_later) == [late]
    assert store.track(t, TECH, WINDOW, late.instant + timedelta(days=1)) == []


def test_concurrent_batches_for_one_bucket_are_all_kept(local_stack: LocalStack) -> None:
    t = tenant()
    store = DynamoFixStore()
    settings = TrackingSettings(t)
    batches = [[fix(0), *(fix(1 + 10 * n + i) for i in range(10))] for n in range(6)]
    barrier = threading.Barrier(len(batches))
    errors: list[BaseException] = []

    def post(batch: list[Fix]) -> None:
        try:
            barrier.wait()
            store.record(t, batch, settings, NOW)
        except BaseException as error:  # reported by the test's thread
            errors.append(error)

    threads = [threading.Thread(target=post, args=(batch,)) for batch in batches]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.track(t, TECH, WINDOW, NOW) == [fix(second) for second in range(61)]
    assert [len(fixes) for fixes in items(t).values()] == [61]
