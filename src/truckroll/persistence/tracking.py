"""Tracking's own table: fix history, latest positions, shifts, settings, device keys, drivers
(appointments, destinations and tracking links: :mod:`truckroll.persistence.tracking_links`).

Key layout (every key starts with the tenant id):
  history bucket     pk T#{tenant}#TRACK#{tech}#{utc day}   sk B#{hh:mm}[#{n}]     (TTL expires_at)
  latest position    pk T#{tenant}#LATEST                   sk {tech}              (TTL expires_at)
  shifts of a day    pk T#{tenant}#SHIFTS#{tech}            sk {local day}
  settings           pk T#{tenant}#SETTINGS                 sk TRACKING
  device key         pk T#{tenant}#DEVICE#{sha256 of key}   sk DEVICE
  vehicle's driver   pk T#{tenant}#VEHICLE#{vehicle}        sk DRIVER#{day}

Shifts (and the visits and links of :mod:`truckroll.persistence.tracking_kpis`) are also in the
tenant's month on gsi1: gsi1pk T#{tenant}#MONTH#{yyyy-mm}, gsi1sk {day}#{S|V|L}#{key}.

- History is packed in 10-minute buckets (:mod:`truckroll.persistence.tracking_history`): one
  UpdateItem per bucket a batch touches. The latest position only moves forward: one conditional
  put per technician and batch (its stored ``fix_ms`` older than the batch's newest), which returns
  the item it replaced, so the marks it had (last reported, silent since) are read atomically. A batch
  of one technician costs one write request per bucket it spans, plus one (plus one transaction
  when it has events to publish).
- Every latest position of a tenant is in one partition: reading them is one Query, whatever the
  size of the history. DynamoDB deletes expired items late (moto never does), so reads filter on
  ``expires_at``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

from pynamodb.attributes import DiscriminatorAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.constants import ALL_OLD, ATTRIBUTES
from pynamodb.exceptions import PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex

from truckroll.domain.tracking import (
    DEFAULT_ETA_CHANGE_MINUTES,
    Device,
    Fix,
    Position,
    TrackingSettings,
    newest,
)
from truckroll.domain.tracking_progress import Marks
from truckroll.domain.windows import TimeWindow
from truckroll.persistence.keys import tenant_prefix
from truckroll.persistence.tables import TableMeta, TableModel
from truckroll.persistence.tracking_history import BucketedHistory, days
from truckroll.persistence.writes import CONDITION_FAILED

SETTINGS_SK = "TRACKING"
SHIFTS_KIND = "S"
DEVICE_SK = "DEVICE"


def latest_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#LATEST"


def shifts_pk(tenant_id: str, technician_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#SHIFTS#{technician_id}"


def settings_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#SETTINGS"


def device_pk(tenant_id: str, key_hash: str) -> str:
    return f"{tenant_prefix(tenant_id)}#DEVICE#{key_hash}"


def vehicle_pk(tenant_id: str, vehicle_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#VEHICLE#{vehicle_id}"


def driver_sk(day: date) -> str:
    return f"DRIVER#{day.isoformat()}"


def _epoch(instant: datetime) -> int:
    return int(instant.timestamp())


def _epoch_ms(instant: datetime) -> int:
    return int(instant.timestamp() * 1000)


def _marks(reported_ms: float | None, silent_since: str | None) -> Marks:
    return Marks(
        reported_at=datetime.fromtimestamp(reported_ms / 1000, UTC) if reported_ms is not None else None,
        silent_since=datetime.fromisoformat(silent_since) if silent_since else None,
    )


class ByMonth(GlobalSecondaryIndex["TrackingItem"]):  # type: ignore[no-untyped-call]
    """What the measures need of a tenant's month (gsi1): visits, shifts and links, by day."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


def month_pk(tenant_id: str, day: date) -> str:
    return f"{tenant_prefix(tenant_id)}#MONTH#{day:%Y-%m}"


def month_sk(day: date, kind: str, key: str) -> str:
    return f"{day.isoformat()}#{kind}#{key}"


class TrackingItem(TableModel):
    class Meta(metaclass=TableMeta):
        logical_table = "tracking"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    tenant_id = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)  # visits, shifts and links: month_pk / month_sk
    gsi1sk = UnicodeAttribute(null=True)
    by_month = ByMonth()


def _to_fix(item: PositionItem, technician_id: str) -> Fix:
    return Fix(
        technician_id=technician_id,
        recorded_at=datetime.fromisoformat(item.recorded_at),
        lat=item.lat,
        lon=item.lon,
        accuracy_m=item.accuracy_m,
        speed_mps=item.speed_mps,
        heading_deg=item.heading_deg,
    )


def _fix_attributes(fix: Fix, settings: TrackingSettings) -> dict[str, Any]:
    return {
        "recorded_at": fix.recorded_at.isoformat(),
        "lat": fix.lat,
        "lon": fix.lon,
        "accuracy_m": fix.accuracy_m,
        "speed_mps": fix.speed_mps,
        "heading_deg": fix.heading_deg,
        "expires_at": _epoch(settings.expires_at(fix)),
    }


class PositionItem(TrackingItem, discriminator="position"):
    technician_id = UnicodeAttribute()
    recorded_at = UnicodeAttribute()
    fix_ms = NumberAttribute()
    lat = NumberAttribute()
    lon = NumberAttribute()
    accuracy_m = NumberAttribute()
    speed_mps = NumberAttribute(null=True)
    heading_deg = NumberAttribute(null=True)
    expires_at = NumberAttribute()
    received_at = UnicodeAttribute()
    reported_ms = NumberAttribute(null=True)  # the fix last published as tracking.position_reported
    silent_since = UnicodeAttribute(null=True)  # flagged silent by the sweeper, until the next fix

    def marks(self) -> Marks:
        return _marks(self.reported_ms, self.silent_since)

    def to_position(self) -> Position:
        return Position(_to_fix(self, self.technician_id), datetime.fromisoformat(self.received_at))


class ShiftsItem(TrackingItem, discriminator="shifts"):
    technician_id = UnicodeAttribute()
    shifts = UnicodeAttribute()
    occurred_at = UnicodeAttribute()


class SettingsItem(TrackingItem, discriminator="settings"):
    retention_days = NumberAttribute()
    silent_after_minutes = NumberAttribute()
    eta_change_minutes = NumberAttribute(null=True)  # settings saved before it: the default


class DeviceItem(TrackingItem, discriminator="device"):
    device_id = UnicodeAttribute()
    vehicle_id = UnicodeAttribute()
    label = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class DriverItem(TrackingItem, discriminator="driver"):
    vehicle_id = UnicodeAttribute()
    technician_id = UnicodeAttribute()


class DynamoFixStore:
    """History (in buckets, see :class:`BucketedHistory`) and latest positions."""

    def __init__(self, history: BucketedHistory | None = None) -> None:
        self.history = history or BucketedHistory()

    def record(
        self,
        tenant_id: str,
        fixes: Sequence[Fix],
        settings: TrackingSettings,
        received_at: datetime,
        reported_at: datetime | None = None,
    ) -> Marks | None:
        """Store distinct fixes of one technician and move their latest position forward, with
        ``reported_at`` as its last report and no silence flag. The marks it had before (read in
        the same request), or None when a newer position was already stored (it did not move)."""
        if not fixes:
            return None
        self.history.add(tenant_id, fixes, settings.retention)
        latest = newest(fixes)
        fix_ms = _epoch_ms(latest.instant)
        position = PositionItem(
            pk=latest_pk(tenant_id),
            sk=latest.technician_id,
            tenant_id=tenant_id,
            technician_id=latest.technician_id,
            fix_ms=fix_ms,
            received_at=received_at.isoformat(),
            reported_ms=_epoch_ms(reported_at) if reported_at is not None else None,
            **_fix_attributes(latest, settings),
        )
        args, kwargs = position._get_save_args(
            condition=PositionItem.pk.does_not_exist() | (PositionItem.fix_ms < fix_ms)
        )
        kwargs["return_values"] = ALL_OLD  # Model.save cannot return the item it replaced
        try:
            response = PositionItem._get_connection().put_item(*args, **kwargs)
        except PutError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise
            return None
        old = response.get(ATTRIBUTES, {})
        reported = old.get("reported_ms", {}).get("N")
        return _marks(float(reported) if reported is not None else None, old.get("silent_since", {}).get("S"))

    def positions(self, tenant_id: str, now: datetime) -> list[Position]:
        """Every technician's latest position that has not expired: one Query."""
        items = PositionItem.query(
            latest_pk(tenant_id), filter_condition=PositionItem.expires_at > _epoch(now)
        )
        return [item.to_position() for item in items]

    def latest(self, tenant_id: str, technician_id: str, now: datetime) -> Position | None:
        """The technician's latest position, unless it has expired: one GetItem."""
        try:
            item = PositionItem.get(latest_pk(tenant_id), technician_id)
        except PositionItem.DoesNotExist:
            return None
        return item.to_position() if item.expires_at > _epoch(now) else None

    def track(self, tenant_id: str, technician_id: str, window: TimeWindow, now: datetime) -> list[Fix]:
        """The unexpired fixes of ``technician_id`` in ``window``, oldest first: one Query a day."""
        return self.history.track(tenant_id, technician_id, window, now)


class DynamoShiftRepository:
    """The shift projection: each technician's working shifts, by local day."""

    def put(
        self,
        tenant_id: str,
        technician_id: str,
        day: date,
        shifts: Sequence[TimeWindow],
        occurred_at: datetime,
    ) -> None:
        """Replace the shifts of that day, unless news about it that occurred later was already kept."""
        item = ShiftsItem(
            pk=shifts_pk(tenant_id, technician_id),
            sk=day.isoformat(),
            tenant_id=tenant_id,
            technician_id=technician_id,
            shifts=json.dumps([[s.start.isoformat(), s.end.isoformat()] for s in shifts]),
            occurred_at=occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
            gsi1pk=month_pk(tenant_id, day),
            gsi1sk=month_sk(day, SHIFTS_KIND, technician_id),
        )
        try:
            item.save(condition=ShiftsItem.pk.does_not_exist() | (ShiftsItem.occurred_at < item.occurred_at))
        except PutError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise

    def around(self, tenant_id: str, technician_id: str, first: date, last: date) -> list[TimeWindow]:
        """Every shift of the local days from ``first`` to ``last``: one BatchGetItem."""
        pk = shifts_pk(tenant_id, technician_id)
        items = ShiftsItem.batch_get([(pk, day.isoformat()) for day in days(first, last)])
        return [window for item in items for window in _windows(item)]

    def of_tenant(self, tenant_id: str, first: date, last: date) -> dict[str, list[TimeWindow]]:
        """Every technician's shifts on the local days from ``first`` to ``last``: one Query a day
        (the month index, ``{day}#S#`` keys)."""
        found: dict[str, list[TimeWindow]] = {}
        for day in days(first, last):
            prefix = month_sk(day, SHIFTS_KIND, "")
            for item in TrackingItem.by_month.query(
                month_pk(tenant_id, day), TrackingItem.gsi1sk.startswith(prefix)
            ):
                if isinstance(item, ShiftsItem):
                    found.setdefault(item.technician_id, []).extend(_windows(item))
        return found


def _windows(item: ShiftsItem) -> list[TimeWindow]:
    return [
        TimeWindow(datetime.fromisoformat(start), datetime.fromisoformat(end))
        for start, end in json.loads(item.shifts)
    ]


class DynamoTrackingSettingsRepository:
    def get(self, tenant_id: str) -> TrackingSettings:
        try:
            item = SettingsItem.get(settings_pk(tenant_id), SETTINGS_SK)
        except SettingsItem.DoesNotExist:
            return TrackingSettings(tenant_id)
        eta_change = item.eta_change_minutes
        return TrackingSettings(
            tenant_id,
            int(item.retention_days),
            int(item.silent_after_minutes),
            int(eta_change) if eta_change is not None else DEFAULT_ETA_CHANGE_MINUTES,
        )

    def put(self, settings: TrackingSettings) -> None:
        SettingsItem(
            pk=settings_pk(settings.tenant_id),
            sk=SETTINGS_SK,
            tenant_id=settings.tenant_id,
            retention_days=settings.retention_days,
            silent_after_minutes=settings.silent_after_minutes,
            eta_change_minutes=settings.eta_change_minutes,
        ).save()


class DynamoDeviceRepository:
    """Device keys (by hash) and the driver of each vehicle by day."""

    def add(self, device: Device, key_hash: str) -> None:
        DeviceItem(
            pk=device_pk(device.tenant_id, key_hash),
            sk=DEVICE_SK,
            tenant_id=device.tenant_id,
            device_id=device.device_id,
            vehicle_id=device.vehicle_id,
            label=device.label,
            created_at=device.created_at.isoformat(),
        ).save()

    def by_key(self, tenant_id: str, key_hash: str) -> Device | None:
        try:
            item = DeviceItem.get(device_pk(tenant_id, key_hash), DEVICE_SK)
        except DeviceItem.DoesNotExist:
            return None
        return Device(
            tenant_id=item.tenant_id,
            device_id=item.device_id,
            vehicle_id=item.vehicle_id,
            label=item.label,
            created_at=datetime.fromisoformat(item.created_at),
        )

    def set_driver(self, tenant_id: str, vehicle_id: str, day: date, technician_id: str) -> None:
        DriverItem(
            pk=vehicle_pk(tenant_id, vehicle_id),
            sk=driver_sk(day),
            tenant_id=tenant_id,
            vehicle_id=vehicle_id,
            technician_id=technician_id,
        ).save()

    def driver(self, tenant_id: str, vehicle_id: str, day: date) -> str | None:
        try:
            item = DriverItem.get(vehicle_pk(tenant_id, vehicle_id), driver_sk(day))
        except DriverItem.DoesNotExist:
            return None
        return item.technician_id
