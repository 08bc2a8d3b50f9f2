"""Technician profiles in the core table: one partition per tenant, so the list is one Query."""

from __future__ import annotations

from pydantic import TypeAdapter

from truckroll.domain.places import Place
from truckroll.domain.technicians import Technician, TechnicianRole
from truckroll.persistence import keys
from truckroll.persistence.core_models import TechnicianItem

_HOME = TypeAdapter(Place)


class DynamoTechnicianRepository:
    def put(self, technician: Technician) -> None:
        TechnicianItem(
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
        ).save()

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
