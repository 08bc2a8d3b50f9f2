"""How GPS history is packed: buckets, their keys, and a fix as one set element."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from truckroll.domain.tracking import Fix
from truckroll.persistence.tracking_history import (
    AFTER_BUCKET,
    BUCKET,
    FIXES_PER_ITEM,
    bucket_sk,
    bucket_start,
    decode,
    encode,
    history_pk,
)

CENTRAL = timezone(timedelta(hours=-6))
ITEM_LIMIT = 400 * 1024


def test_buckets_tile_each_utc_day() -> None:
    assert timedelta(days=1) % BUCKET == timedelta(0)
    assert bucket_start(datetime(2026, 3, 3, 10, 9, 59, 999000, tzinfo=UTC)) == datetime(
        2026, 3, 3, 10, 0, tzinfo=UTC
    )
    assert bucket_start(datetime(2026, 3, 3, 10, 10, tzinfo=UTC)) == datetime(2026, 3, 3, 10, 10, tzinfo=UTC)
    late = datetime(2026, 3, 3, 17, 59, tzinfo=CENTRAL)  # 23:59 UTC
    assert bucket_start(late) == datetime(2026, 3, 3, 23, 50, tzinfo=UTC)


def test_every_item_of_a_bucket_sorts_within_its_range_and_before_the_next_bucket() -> None:
    start = datetime(2026, 3, 3, 10, 50, tzinfo=UTC)
    keys = [bucket_sk(start, n) for n in (0, 1, 2, 10, 99)]
    assert keys[:2] == ["B#10:50", "B#10:50#1"]
    assert all(bucket_sk(start) <= key < bucket_sk(start) + AFTER_BUCKET for key in keys)
    assert bucket_sk(start) + AFTER_BUCKET < bucket_sk(start + BUCKET)
    assert bucket_sk(start - BUCKET) + AFTER_BUCKET < bucket_sk(start)


def test_a_fix_is_one_element_kept_in_utc_to_the_millisecond() -> None:
    fix = Fix(
        "tech-1", datetime(2026, 3, 3, 9, 0, 1, 250000, tzinfo=CENTRAL), 30.27, -97.74, 8.0, None, 359.9
    )
    element = encode(fix)
    assert element == "1772550001250,30.27,-97.74,8.0,,359.9"
    back = decode("tech-1", element)
    assert back == fix
    assert back.recorded_at.utcoffset() == timedelta(0)
    same_instant = Fix(
        "tech-1", datetime(2026, 3, 3, 15, 0, 1, 250000, tzinfo=UTC), 30.27, -97.74, 8.0, None, 359.9
    )
    assert encode(same_instant) == element
    assert decode("tech-1", encode(Fix("tech-1", fix.recorded_at, 1e-300, 0.0, 5000.0, 0.0))).lat == 1e-300


def test_an_item_full_of_the_longest_fixes_fits_in_a_dynamodb_item() -> None:
    longest = -1.2345678901234567e-100  # repr: 24 characters, the most a float takes
    fix = Fix(
        "t",
        datetime(2286, 11, 20, 17, 46, 39, 999000, tzinfo=UTC),
        longest,
        longest,
        longest,
        longest,
        longest,
    )
    element = encode(fix)
    assert len(element) == 13 + 5 * 24 + 5
    key = history_pk("t" * 100, "x" * 100, fix.day) + bucket_sk(fix.instant, 99)
    other_attributes = len("fixes") + len("keep_s") + 21 + len("expires_at") + 21 + len("sealed") + 1
    assert FIXES_PER_ITEM * len(element) + len(key) + other_attributes < ITEM_LIMIT
