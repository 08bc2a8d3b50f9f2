"""Dispatch's board in the core table: one partition per tenant and day, so a day's board is one
Query however long the tenant's history is; and the change feed of each day, written in the same
transaction as every change of the board, so several dispatchers stay in sync without reloading.

Changes carry ULID ids. Transactions commit in roughly, not exactly, the order of their ids, so a
read of the feed starts :data:`FEED_OVERLAP` before the cursor; a client applies a change only when
its ``job_version`` is newer than the one it shows (replays are harmless).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ulid import ULID

from truckroll.domain.board import BoardAppointment, BoardChange, BoardDay
from truckroll.domain.jobs import Priority
from truckroll.domain.places import Place
from truckroll.domain.status import AppointmentStatus, JobStatus
from truckroll.domain.windows import Clock, TimeWindow
from truckroll.persistence import keys
from truckroll.persistence.core_models import BoardEntryItem, CoreItem, FeedItem, TechnicianChangeItem
from truckroll.persistence.writes import Write, save_if

FEED_RETENTION = timedelta(days=3)
FEED_OVERLAP = timedelta(seconds=5)


def entry_data(entry: BoardAppointment) -> dict[str, Any]:
    """The stored attributes of a board entry (also the body of a feed change)."""
    location = entry.location
    return {
        "tenant_id": entry.tenant_id,
        "appointment_id": entry.appointment_id,
        "job_id": entry.job_id,
        "start": entry.scheduled.start.isoformat(),
        "end": entry.scheduled.end.isoformat(),
        "window_start": entry.arrival_window.start.isoformat(),
        "window_end": entry.arrival_window.end.isoformat(),
        "status": entry.status.value,
        "job_status": entry.job_status.value,
        "customer_name": entry.customer_name,
        "job_type": entry.job_type,
        "business_unit": entry.business_unit,
        "summary": entry.summary,
        "priority": entry.priority.value,
        "tags": list(entry.tags),
        "street": location.street,
        "city": location.city,
        "state": location.state,
        "postal_code": location.postal_code,
        "verified": location.verified,
        "lat": location.lat,
        "lon": location.lon,
        "technician_ids": list(entry.technician_ids),
        "alerts": list(entry.alerts),
        "auto_alert": entry.auto_alert,
        "job_version": entry.job_version,
    }


def _window(start: str, end: str) -> TimeWindow:
    return TimeWindow(datetime.fromisoformat(start), datetime.fromisoformat(end))


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def entry_from(data: Mapping[str, Any]) -> BoardAppointment:
    return BoardAppointment(
        tenant_id=data["tenant_id"],
        appointment_id=data["appointment_id"],
        job_id=data["job_id"],
        scheduled=_window(data["start"], data["end"]),
        arrival_window=_window(data["window_start"], data["window_end"]),
        status=AppointmentStatus(data["status"]),
        job_status=JobStatus(data["job_status"]),
        customer_name=data["customer_name"],
        job_type=data["job_type"],
        business_unit=data.get("business_unit"),
        summary=data["summary"],
        priority=Priority(data["priority"]),
        tags=tuple(data.get("tags") or ()),
        location=Place(
            street=data["street"],
            city=data["city"],
            state=data["state"],
            postal_code=data["postal_code"],
            verified=bool(data["verified"]),
            lat=_float(data.get("lat")),
            lon=_float(data.get("lon")),
        ),
        technician_ids=tuple(data.get("technician_ids") or ()),
        alerts=tuple(data.get("alerts") or ()),
        auto_alert=data.get("auto_alert"),
        job_version=int(data.get("job_version") or 0),
    )


def entry_item(entry: BoardAppointment, data: str | None = None) -> BoardEntryItem:
    """The stored entry; ``data`` is its JSON when the caller has it already."""
    return BoardEntryItem(
        pk=keys.board_pk(entry.tenant_id, entry.day),
        sk=keys.appointment_sk(entry.appointment_id),
        tenant_id=entry.tenant_id,
        appointment_id=entry.appointment_id,
        entry=data if data is not None else json.dumps(entry_data(entry)),
    )


def _stored_entry(item: BoardEntryItem) -> BoardAppointment:
    return entry_from(json.loads(item.entry) if item.entry is not None else item.attribute_values)


def change_writes(tenant_id: str, change: BoardChange, expires_at: datetime) -> tuple[Write, Write]:
    """The writes of one board change: the entry put on (or deleted from) its day, and the feed item."""
    entry = change.entry
    data = json.dumps(entry_data(entry)) if entry is not None else None
    board = (
        Write("put", entry_item(entry, data))
        if entry is not None
        else Write(
            "delete",
            BoardEntryItem(
                pk=keys.board_pk(tenant_id, change.day), sk=keys.appointment_sk(change.appointment_id)
            ),
        )
    )
    feed = FeedItem(
        pk=keys.feed_pk(tenant_id, change.day),
        sk=str(ULID()),
        tenant_id=tenant_id,
        appointment_id=change.appointment_id,
        entry=data,
        previous_technician_ids=list(change.previous_technician_ids),
        expires_at=expires_at,
    )
    return board, Write("put", feed)


def technician_change(tenant_id: str, technician_id: str, day: date | None, expires_at: datetime) -> Write:
    """The feed item saying a technician's row changed: their shifts or events of ``day``, or (day
    None) their profile or device health, which every day's row shows."""
    return Write(
        "put",
        TechnicianChangeItem(
            pk=keys.feed_pk(tenant_id, day) if day is not None else keys.technicians_feed_pk(tenant_id),
            sk=str(ULID()),
            tenant_id=tenant_id,
            technician_id=technician_id,
            expires_at=expires_at,
        ),
    )


@dataclass(frozen=True)
class FeedPage:
    """A read of a day's feed: the appointments' changes and the technicians whose rows changed,
    each with its change id, and the cursor to ask with next time."""

    changes: list[tuple[str, BoardChange]]
    technicians: list[tuple[str, str]]
    cursor: str


def cursor_at(instant: datetime) -> str:
    """A feed cursor: every change after ``instant`` sorts after it."""
    return str(ULID.from_timestamp(instant.timestamp()))[:10] + "0" * 16


class DynamoBoardRepository:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def put_new(self, entry: BoardAppointment) -> None:
        """Put an appointment on the board unless it is there already (an entry dispatch wrote is
        always newer than the booking that first projects it), then announce it in the day's feed.
        A conditional put, not a transaction: the condition fails whenever dispatch came first."""
        board, feed = change_writes(
            entry.tenant_id,
            BoardChange(entry.day, entry.appointment_id, entry, ()),
            self._clock() + FEED_RETENTION,
        )
        if not save_if(board.item, BoardEntryItem.pk.does_not_exist()):
            return
        feed.item.save()

    def day(self, tenant_id: str, day: date) -> BoardDay:
        """The day's entries: one Query asking only for each entry's JSON (a second one, asking for
        everything, when the day holds entries stored before they carried it)."""
        pk = keys.board_pk(tenant_id, day)
        wanted = [BoardEntryItem.entry.attr_name]
        items = list(BoardEntryItem.query(pk, consistent_read=True, attributes_to_get=wanted))
        if any(i.entry is None for i in items):
            items = list(BoardEntryItem.query(pk, consistent_read=True))
        entries = sorted(
            (_stored_entry(i) for i in items),
            key=lambda e: (e.scheduled.start, e.appointment_id),
        )
        return BoardDay(day=day, appointments=tuple(entries))

    def changes(self, tenant_id: str, day: date, cursor: str) -> FeedPage:
        """The day's changes and the technicians' from a little before ``cursor`` (see the module
        notes): two Queries, the day's feed and the technicians' feed."""
        since = cursor_at(ULID.from_str(cursor).datetime - FEED_OVERLAP)
        now = self._clock()
        found: list[tuple[str, BoardChange]] = []
        technicians: list[tuple[str, str]] = []
        day_feed = CoreItem.query(keys.feed_pk(tenant_id, day), CoreItem.sk > since, consistent_read=True)
        tech_feed = TechnicianChangeItem.query(
            keys.technicians_feed_pk(tenant_id), TechnicianChangeItem.sk > since, consistent_read=True
        )
        for item in [*day_feed, *tech_feed]:
            if not isinstance(item, FeedItem | TechnicianChangeItem) or item.expires_at <= now:
                continue  # DynamoDB deletes expired items late (moto never does)
            if isinstance(item, TechnicianChangeItem):
                technicians.append((item.sk, item.technician_id))
                continue
            entry = entry_from(json.loads(item.entry)) if item.entry else None
            found.append(
                (item.sk, BoardChange(day, item.appointment_id, entry, tuple(item.previous_technician_ids)))
            )
        latest = max([cursor, *(sk for sk, _ in found), *(sk for sk, _ in technicians)])
        return FeedPage(found, technicians, latest)
