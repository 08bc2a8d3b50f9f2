"""Vehicle trackers: an admin registers one (its key is shown once), the office names each day's driver."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from chalicelib.tracking.ports import Tracking
from chalicelib.tracking.schemas import Identifier
from pydantic import BaseModel, ConfigDict, Field

from truckroll.auth import Principal
from truckroll.domain.ids import new_id
from truckroll.domain.tracking import Device, DeviceKey


class DeviceIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    vehicle_id: Identifier
    label: str | None = Field(default=None, min_length=1, max_length=100)


class DriverIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    technician_id: Identifier


@dataclass(frozen=True)
class Registered:
    device: Device
    key: DeviceKey


def register_device(body: DeviceIn, principal: Principal, tracking: Tracking) -> Registered:
    principal.require_admin()
    key = DeviceKey.new(principal.tenant_id)
    device = Device(principal.tenant_id, new_id(), body.vehicle_id, body.label, tracking.clock())
    tracking.devices.add(device, key.hash)
    return Registered(device, key)


def set_driver(vehicle_id: str, day: date, body: DriverIn, principal: Principal, tracking: Tracking) -> None:
    principal.require_office()
    tracking.devices.set_driver(principal.tenant_id, vehicle_id, day, body.technician_id)


def registered_view(registered: Registered) -> dict[str, Any]:
    device = registered.device
    return {
        "device_id": device.device_id,
        "vehicle_id": device.vehicle_id,
        "label": device.label,
        "created_at": device.created_at.isoformat(),
        "key": registered.key.value,
    }
