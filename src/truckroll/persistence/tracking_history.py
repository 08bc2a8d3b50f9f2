"""GPS history: a technician's fixes packed into one item per 10 minutes.

Key layout (in tracking's table, next to the items of :mod:`truckroll.persistence.tracking`):
  history bucket     pk T#{tenant}#TRACK#{tech}#{utc day}   sk B#{hh:mm}       (TTL expires_at)
  its overflow       pk T#{tenant}#TRACK#{tech}#{utc day}   sk B#{hh:mm}#{n}   (TTL expires_at)

- A bucket item holds the fixes taken in its 10 minutes as a string set, one element per fix:
  ``{epoch ms},{lat},{lon},{accuracy},{speed},{heading}`` (the instant in UTC to the millisecond,
  floats as ``repr``, an absent value empty). A batch adds its fixes with one UpdateItem per bucket
  (``ADD``: a set union, done by DynamoDB): no read before the write, a fix sent again is the same
  element and is stored once, and concurrent batches for one bucket are both kept. The update
  expression has the same length whatever the number of fixes. Two different readings sent for
  one instant would be two elements: reads return one of them, the greater.
- The item also holds ``keep_s`` (the retention in force at its last write) and ``expires_at``
  (the end of the bucket plus ``keep_s``). Reads drop items past ``expires_at`` and, in them, each
  fix older than ``keep_s``: DynamoDB deletes expired items late, moto never does.
- An item holds at most ``fixes_per_item`` fixes (2,000 of at most 138 bytes: 276 KB, under
  DynamoDB's 400 KB). The add is conditioned on the room left; when it fails the writer seals the
  item (no add succeeds on it afterwards) and, in the same request, reads what it holds; fixes
  already there are dropped and the rest go to the next item of the bucket (``#1``, ``#2`` ...).
  A fix is therefore in at most one item of its bucket, however writers race. At one fix a second,
  a bucket holds 600.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute, UnicodeSetAttribute
from pynamodb.exceptions import UpdateError
from pynamodb.expressions.condition import Condition, size

from truckroll.domain.tracking import Fix
from truckroll.domain.windows import TimeWindow
from truckroll.persistence.keys import tenant_prefix
from truckroll.persistence.tables import TableMeta, TableModel
from truckroll.persistence.writes import CONDITION_FAILED

BUCKET = timedelta(minutes=10)
DAY = timedelta(days=1)
FIXES_PER_ITEM = 2000
BUCKET_SK_PREFIX = "B#"
#: Sorts after every item of a bucket ("B#10:20", "B#10:20#1" ...) and before the next bucket.
AFTER_BUCKET = "~"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def history_pk(tenant_id: str, technician_id: str, day: date) -> str:
    return f"{tenant_prefix(tenant_id)}#TRACK#{technician_id}#{day.isoformat()}"


def bucket_start(instant: datetime) -> datetime:
    """The start of the bucket holding ``instant`` (buckets tile each UTC day)."""
    instant = instant.astimezone(UTC)
    midnight = datetime.combine(instant.date(), time(), UTC)
    return midnight + (instant - midnight) // BUCKET * BUCKET


def bucket_sk(start: datetime, item: int = 0) -> str:
    """The sort key of the ``item``-th item of the bucket starting at ``start`` (0: the first)."""
    sk = f"{BUCKET_SK_PREFIX}{start:%H:%M}"
    return f"{sk}#{item}" if item else sk


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _number(value: float | None) -> str:
    return "" if value is None else repr(float(value))


def _optional(text: str) -> float | None:
    return float(text) if text else None


def encode(fix: Fix) -> str:
    """The set element of ``fix``; the technician is in the key."""
    ms = (fix.instant - EPOCH) // timedelta(milliseconds=1)
    values = (fix.lat, fix.lon, fix.accuracy_m, fix.speed_mps, fix.heading_deg)
    return ",".join([str(ms), *map(_number, values)])


def decode(technician_id: str, element: str) -> Fix:
    ms, lat, lon, accuracy_m, speed_mps, heading_deg = element.split(",")
    return Fix(
        technician_id=technician_id,
        recorded_at=EPOCH + timedelta(milliseconds=int(ms)),
        lat=float(lat),
        lon=float(lon),
        accuracy_m=float(accuracy_m),
        speed_mps=_optional(speed_mps),
        heading_deg=_optional(heading_deg),
    )


class HistoryItem(TableModel):
    """One bucket (or overflow) item of a technician's history."""

    class Meta(metaclass=TableMeta):
        logical_table = "tracking"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    fixes = UnicodeSetAttribute()
    keep_s = NumberAttribute()
    expires_at = NumberAttribute()
    sealed = BooleanAttribute(null=True)


class BucketedHistory:
    """Writing and reading fix history; ``fixes_per_item`` caps the fixes of one item."""

    def __init__(self, fixes_per_item: int = FIXES_PER_ITEM) -> None:
        self.fixes_per_item = fixes_per_item

    def add(self, tenant_id: str, fixes: Sequence[Fix], retention: timedelta) -> None:
        """Add ``fixes`` to history, kept for ``retention``: one request per bucket they fall in."""
        buckets: dict[tuple[str, datetime], set[str]] = {}
        for fix in fixes:
            key = (history_pk(tenant_id, fix.technician_id, fix.day), bucket_start(fix.instant))
            buckets.setdefault(key, set()).add(encode(fix))
        for (pk, start), elements in buckets.items():
            self._add(pk, start, sorted(elements), retention)

    def _add(self, pk: str, start: datetime, pending: list[str], retention: timedelta) -> None:
        keep_s = int(retention.total_seconds())
        expires_at = _epoch(start + BUCKET) + keep_s
        item = 0
        while pending:
            chunk = pending[: self.fixes_per_item]
            try:  # not Model.update, which asks for the whole item back (ALL_NEW)
                HistoryItem._get_connection().update_item(
                    pk,
                    bucket_sk(start, item),
                    actions=[
                        HistoryItem.fixes.add(set(chunk)),
                        HistoryItem.keep_s.set(keep_s),
                        HistoryItem.expires_at.set(expires_at),
                    ],
                    condition=self._open_with_room_for(len(chunk)),
                )
            except UpdateError as error:
                if error.cause_response_code != CONDITION_FAILED:
                    raise
                held = self._seal(pk, bucket_sk(start, item))
                pending = [element for element in pending if element not in held]
                item += 1
            else:
                pending = pending[len(chunk) :]

    def _open_with_room_for(self, count: int) -> Condition:
        # pynamodb leaves size() unannotated
        held = size(HistoryItem.fixes)  # type: ignore[no-untyped-call]
        room = HistoryItem.fixes.does_not_exist() | (held <= self.fixes_per_item - count)
        condition: Condition = HistoryItem.sealed.does_not_exist() & room
        return condition

    @staticmethod
    def _seal(pk: str, sk: str) -> set[str]:
        """Close an item to adds and return what it holds (read in the same request)."""
        sealed = HistoryItem(pk, sk)
        sealed.update(actions=[HistoryItem.sealed.set(True)])
        return sealed.fixes or set()

    def track(self, tenant_id: str, technician_id: str, window: TimeWindow, now: datetime) -> list[Fix]:
        """The unexpired fixes of ``technician_id`` in ``window``, oldest first: one Query a day."""
        start, end = window.start.astimezone(UTC), window.end.astimezone(UTC)
        held: list[tuple[str, timedelta]] = []
        for day in days(start.date(), end.date()):
            midnight = datetime.combine(day, time(), UTC)
            first = bucket_start(max(start, midnight))
            last = bucket_start(min(end, midnight + DAY - BUCKET))
            items = HistoryItem.query(
                history_pk(tenant_id, technician_id, day),
                HistoryItem.sk.between(bucket_sk(first), bucket_sk(last) + AFTER_BUCKET),
                filter_condition=HistoryItem.expires_at > _epoch(now),
            )
            held.extend(
                (element, timedelta(seconds=int(item.keep_s))) for item in items for element in item.fixes
            )
        found: dict[datetime, Fix] = {}
        for element, keep in sorted(held):
            fix = decode(technician_id, element)
            if start <= fix.instant <= end and fix.instant + keep > now:
                found[fix.instant] = fix
        return [found[instant] for instant in sorted(found)]


def days(first: date, last: date) -> Iterator[date]:
    """Every day from ``first`` to ``last``, both included."""
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)
