"""The tenant's dispatch settings: for now the board map's tile server (GET for office roles, PUT for
admins)."""

from __future__ import annotations

from typing import Annotated, Any

from chalicelib.dispatch.bootstrap import Dispatch
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from truckroll.auth import Principal
from truckroll.domain.map_settings import MAX_ATTRIBUTION_LENGTH, MAX_TEMPLATE_LENGTH, MapSettings

Template = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEMPLATE_LENGTH)]
Attribution = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_ATTRIBUTION_LENGTH)
]


class SettingsIn(BaseModel):
    """The whole settings document (PUT replaces it); ``version`` is the one read."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    tile_url_template: Template | None = None
    tile_attribution: Attribution | None = None
    version: int = Field(ge=0, description="the version read (0 before the first save)")


def get_settings(principal: Principal, dispatch: Dispatch) -> MapSettings:
    principal.require_office()
    return dispatch.map_settings.get(principal.tenant_id)


def put_settings(body: SettingsIn, principal: Principal, dispatch: Dispatch) -> MapSettings:
    """Replace the settings (admins); a template that is not a public https tile URL is a 422."""
    principal.require_admin()
    settings = MapSettings(principal.tenant_id, body.tile_url_template, body.tile_attribution, body.version)
    return dispatch.map_settings.put(settings)


def settings_view(settings: MapSettings) -> dict[str, Any]:
    return {
        "tile_url_template": settings.tile_url_template,
        "tile_attribution": settings.tile_attribution,
        "version": settings.version,
    }
