"""Technicians' devices: the technician app registers its push token at sign-in."""

from __future__ import annotations

import hashlib
from typing import Annotated, Any, Literal

from chalicelib.notify.ports import DeliveryRefused, Notify
from pydantic import BaseModel, ConfigDict, StringConstraints

from truckroll.auth import Principal
from truckroll.auth.principal import Role
from truckroll.domain.notify import Device
from truckroll.errors import Forbidden, RuleViolation

Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=4096)]


class DeviceIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    platform: Literal["fcm", "apns"]
    token: Token


def register_device(body: DeviceIn, principal: Principal, notify: Notify) -> Device:
    """Register the calling technician's device; registering the same token again is harmless."""
    if principal.role not in (Role.TECHNICIAN, Role.BOTH):
        raise Forbidden("only a technician registers a device for pushes")
    try:
        endpoint = notify.push.register(
            platform=body.platform, token=body.token, user_data=f"{principal.tenant_id}/{principal.sub}"
        )
    except DeliveryRefused as refused:
        raise RuleViolation(str(refused), field="token") from refused
    device = Device(technician_id=principal.sub, platform=body.platform, endpoint=endpoint)
    notify.devices.add(principal.tenant_id, device, hashlib.sha256(body.token.encode()).hexdigest())
    return device


def device_view(device: Device) -> dict[str, Any]:
    return {"technician_id": device.technician_id, "platform": device.platform, "registered": True}
