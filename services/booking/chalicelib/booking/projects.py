"""Projects: a customer's jobs grouped under one name (office roles)."""

from __future__ import annotations

from chalicelib.booking.bootstrap import Booking

from truckroll.auth import Principal
from truckroll.domain.ids import new_id
from truckroll.domain.projects import Project, ProjectJob
from truckroll.errors import NotFound


def create_project(customer_id: str, name: str, principal: Principal, booking: Booking) -> Project:
    principal.require_office()
    tenant = principal.tenant_id
    project = Project(tenant, new_id(), customer_id, name, booking.clock())
    with booking.uow() as uow:
        if uow.customers.get(tenant, customer_id) is None:
            raise NotFound(f"customer {customer_id} not found")
        uow.projects.add(project)
        uow.commit()
    return project


def get_project(project_id: str, principal: Principal, booking: Booking) -> tuple[Project, list[ProjectJob]]:
    principal.require_office()
    with booking.uow() as uow:
        found = uow.projects.get(principal.tenant_id, project_id)
    if found is None:
        raise NotFound(f"project {project_id} not found")
    return found
