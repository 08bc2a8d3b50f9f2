"""Automatic dispatch's items in the core table: the tenant's settings, the pending plan request
(the debounce), the run history and the technicians' latest live positions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from truckroll.domain.autodispatch import AutoSettings, Position, RunRecord
from truckroll.domain.geo import Point
from truckroll.persistence import keys
from truckroll.persistence.core_models import (
    AutoDispatchSettingsItem,
    AutoRunItem,
    PlanRequestItem,
    PositionItem,
)
from truckroll.persistence.writes import save_if

#: A plan request older than this is taken as lost (its message never ran): a trigger replaces it.
STALE_REQUEST = timedelta(minutes=15)
#: How long a run stays in the run history.
RUN_HISTORY = timedelta(days=7)


class DynamoAutoDispatchRepository:
    def settings(self, tenant_id: str) -> AutoSettings:
        """The tenant's settings; auto mode off when none were saved."""
        try:
            item = AutoDispatchSettingsItem.get(
                keys.settings_pk(tenant_id), keys.AUTO_DISPATCH_SK, consistent_read=True
            )
        except AutoDispatchSettingsItem.DoesNotExist:
            return AutoSettings(tenant_id)
        return AutoSettings(
            tenant_id=tenant_id,
            enabled=bool(item.enabled),
            horizon_days=int(item.horizon_days),
            timezone=item.timezone,
            business_start=time.fromisoformat(item.business_start),
            business_end=time.fromisoformat(item.business_end),
            max_drive_minutes=None if item.max_drive_minutes is None else int(item.max_drive_minutes),
            job_types=None if item.job_types is None else tuple(item.job_types),
            skill_tags=tuple(item.skill_tags),
            debounce_seconds=int(item.debounce_seconds),
        )

    def put_settings(self, settings: AutoSettings) -> None:
        enabled = settings.enabled
        AutoDispatchSettingsItem(
            pk=keys.settings_pk(settings.tenant_id),
            sk=keys.AUTO_DISPATCH_SK,
            tenant_id=settings.tenant_id,
            enabled=enabled,
            horizon_days=settings.horizon_days,
            timezone=settings.timezone,
            business_start=settings.business_start.isoformat("minutes"),
            business_end=settings.business_end.isoformat("minutes"),
            max_drive_minutes=settings.max_drive_minutes,
            job_types=None if settings.job_types is None else list(settings.job_types),
            skill_tags=list(settings.skill_tags),
            debounce_seconds=settings.debounce_seconds,
            gsi2pk=keys.AUTO_DISPATCH_ENABLED if enabled else None,
            gsi2sk=settings.tenant_id if enabled else None,
        ).save()

    def enabled_tenants(self) -> Iterator[str]:
        """Every tenant with auto mode on (one Query on the sparse index)."""
        for item in AutoDispatchSettingsItem.enabled_tenants.query(keys.AUTO_DISPATCH_ENABLED):
            yield item.tenant_id

    def request_plan(self, tenant_id: str, now: datetime) -> bool:
        """Note that a run is due; False when one is already pending (the burst collapses into it)."""
        at = now.timestamp()
        item = PlanRequestItem(
            pk=keys.settings_pk(tenant_id),
            sk=keys.AUTO_DISPATCH_REQUEST_SK,
            tenant_id=tenant_id,
            requested_at=at,
        )
        stale = at - STALE_REQUEST.total_seconds()
        return save_if(item, PlanRequestItem.pk.does_not_exist() | (PlanRequestItem.requested_at < stale))

    def record_run(self, run: RunRecord) -> None:
        """Keep ``run`` in the history; a run of the same id (a request run again after a crash)
        replaces it."""
        started = run.started_at.astimezone(UTC)
        AutoRunItem(
            pk=keys.auto_runs_pk(run.tenant_id),
            sk=run.run_id,
            tenant_id=run.tenant_id,
            run_id=run.run_id,
            started_at=started.isoformat(),
            trigger=run.trigger,
            request_event_id=run.request_event_id,
            enabled=run.enabled,
            days=run.days,
            outcomes=json.dumps(dict(run.outcomes), sort_keys=True),
            expires_at=started + RUN_HISTORY,
        ).save()

    def runs(self, tenant_id: str, limit: int) -> list[RunRecord]:
        """The tenant's latest runs, newest first: one Query."""
        items = AutoRunItem.query(keys.auto_runs_pk(tenant_id), scan_index_forward=False, limit=limit)
        return [
            RunRecord(
                tenant_id=item.tenant_id,
                run_id=item.run_id,
                started_at=datetime.fromisoformat(item.started_at),
                trigger=item.trigger,
                request_event_id=item.request_event_id,
                enabled=item.enabled,
                days=int(item.days),
                outcomes=json.loads(item.outcomes),
            )
            for item in items
        ]

    def clear_request(self, tenant_id: str) -> None:
        """The run starts: triggers from now on ask for another one."""
        PlanRequestItem(pk=keys.settings_pk(tenant_id), sk=keys.AUTO_DISPATCH_REQUEST_SK).delete()

    def record_position(self, tenant_id: str, technician_id: str, position: Position) -> bool:
        """Keep the position unless a newer one is stored (reports may arrive out of order)."""
        at = position.at.timestamp()
        item = PositionItem(
            pk=keys.positions_pk(tenant_id),
            sk=keys.technician_sk(technician_id),
            tenant_id=tenant_id,
            technician_id=technician_id,
            lat=position.point.lat,
            lon=position.point.lon,
            at=position.at.isoformat(),
            at_epoch=at,
        )
        return save_if(item, PositionItem.pk.does_not_exist() | (PositionItem.at_epoch < at))

    def positions(self, tenant_id: str) -> dict[str, Position]:
        """Every technician's latest position (one Query)."""
        return {
            item.technician_id: Position(
                Point(float(item.lat), float(item.lon)), datetime.fromisoformat(item.at)
            )
            for item in PositionItem.query(keys.positions_pk(tenant_id), consistent_read=True)
        }
