"""The tenant's tracking settings: how long history is kept, when a silent device is flagged, how
far an ETA moves before the change is published."""

from __future__ import annotations

from typing import Annotated, Any

from chalicelib.tracking.ports import Tracking
from pydantic import BaseModel, ConfigDict, Field

from truckroll.auth import Principal
from truckroll.domain.tracking import (
    DEFAULT_ETA_CHANGE_MINUTES,
    DEFAULT_RETENTION_DAYS,
    DEFAULT_SILENT_AFTER_MINUTES,
    TrackingSettings,
)


class SettingsIn(BaseModel):
    """The whole settings document (PUT replaces it); a missing field takes its default."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    retention_days: Annotated[int, Field(ge=1, le=365)] = DEFAULT_RETENTION_DAYS
    silent_after_minutes: Annotated[int, Field(ge=1, le=1440)] = DEFAULT_SILENT_AFTER_MINUTES
    eta_change_minutes: Annotated[int, Field(ge=1, le=120)] = DEFAULT_ETA_CHANGE_MINUTES


def get_settings(principal: Principal, tracking: Tracking) -> TrackingSettings:
    principal.require_admin()
    return tracking.settings.get(principal.tenant_id)


def put_settings(body: SettingsIn, principal: Principal, tracking: Tracking) -> TrackingSettings:
    principal.require_admin()
    settings = TrackingSettings(
        principal.tenant_id, body.retention_days, body.silent_after_minutes, body.eta_change_minutes
    )
    tracking.settings.put(settings)
    return settings


def settings_view(settings: TrackingSettings) -> dict[str, Any]:
    return {
        "retention_days": settings.retention_days,
        "silent_after_minutes": settings.silent_after_minutes,
        "eta_change_minutes": settings.eta_change_minutes,
    }
