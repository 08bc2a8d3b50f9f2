"""Technician profiles in the core table: one partition per tenant, so the list is one Query.

The partition also holds each technician's device health as tracking reports it
(``sk GPS#{technician}``), so the board reads profiles and health in the same Query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import TypeAdapter
from pynamodb.attributes import BooleanAttribute, UnicodeAttribute

from truckroll.domain.places import Place
from truckroll.domain.technicians import Technician, TechnicianRole
from truckroll.domain.windows import Clock, utc_now
from truckroll.persistence import keys
from truckroll.persistence.board import FEED_RETENTION, technician_change
from truckroll.persistence.core_models import CoreItem, TechnicianItem
from truckroll.persistence.writes import StaleRead, Write, transact

_HOME = TypeAdapter(Place)


class GpsHealthItem(CoreItem, discriminator="gps_health"):
    technician_id = UnicodeAttribute()
    silent = BooleanAttribute()
    occurred_at = UnicodeAttribute()  # of the tracking event: a later one always wins


def gps_sk(technician_id: str) -> str:
    return f"GPS#{technician_id}"


@dataclass(frozen=True)
class Roster:
    """The tenant's technicians, and those whose device tracking reports silent."""

    technicians: list[Technician]
    gps_silent: frozenset[str]


class DynamoTechnicianRepository:
    """Profiles and device health; each change also goes to the technicians' feed in the same
    transaction, so open boards redraw the technician's row."""

    def __init__(self, clock: Clock = utc_now) -> None:
        self._clock = clock

    def _changed(self, tenant_id: str, technician_id: str) -> Write:
        return technician_change(tenant_id, technician_id, None, self._clock() + FEED_RETENTION)

    def put(self, technician: Technician) -> None:
        profile = TechnicianItem(
            pk=keys.technicians_pk(technician.tenant_id),
            sk=keys.technician_sk(technician.technician_id),
            tenant_id=technician.tenant_id,
            technician_id=technician.technician_id,
            name=technician.name,
            phone=technician.phone,
            role=technician.role.value,
            business_unit=technician.business_unit,
            skills=list(technician.skills),
            active=technician.active,
            home=_HOME.dump_json(technician.home).decode() if technician.home else None,
        )
        transact([Write("put", profile), self._changed(technician.tenant_id, technician.technician_id)])

    def get(self, tenant_id: str, technician_id: str) -> Technician | None:
        try:
            item = TechnicianItem.get(
                keys.technicians_pk(tenant_id), keys.technician_sk(technician_id), consistent_read=True
            )
        except TechnicianItem.DoesNotExist:
            return None
        return _technician(item)

    def all(self, tenant_id: str) -> list[Technician]:
        return [
            _technician(i) for i in TechnicianItem.query(keys.technicians_pk(tenant_id), consistent_read=True)
        ]

    def roster(self, tenant_id: str) -> Roster:
        """Every technician and their device health: one Query."""
        technicians, silent = [], set()
        for item in CoreItem.query(keys.technicians_pk(tenant_id), consistent_read=True):
            if isinstance(item, TechnicianItem):
                technicians.append(_technician(item))
            elif isinstance(item, GpsHealthItem) and item.silent:
                silent.add(item.technician_id)
        return Roster(technicians, frozenset(silent))

    def set_gps_silent(self, tenant_id: str, technician_id: str, silent: bool, occurred_at: datetime) -> None:
        """Keep what tracking said of the technician's device, unless it said something later already."""
        item = GpsHealthItem(
            pk=keys.technicians_pk(tenant_id),
            sk=gps_sk(technician_id),
            tenant_id=tenant_id,
            technician_id=technician_id,
            silent=silent,
            occurred_at=occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        )
        newer = GpsHealthItem.pk.does_not_exist() | (GpsHealthItem.occurred_at < item.occurred_at)
        try:
            transact([Write("put", item, newer), self._changed(tenant_id, technician_id)])
        except StaleRead:
            return  # tracking said something later already


def _technician(item: TechnicianItem) -> Technician:
    return Technician(
        tenant_id=item.tenant_id,
        technician_id=item.technician_id,
        name=item.name,
        role=TechnicianRole(item.role),
        skills=tuple(item.skills),
        business_unit=item.business_unit,
        active=bool(item.active),
        phone=item.phone,
        home=_HOME.validate_json(item.home) if item.home else None,
    )
