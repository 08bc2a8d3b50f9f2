"""Crews for multi-day jobs: create, list, add or remove a member (linked or floating). A crew is
one versioned item; each change is one transaction with its event, retried on fresh reads."""

from __future__ import annotations

from collections.abc import Callable

from chalicelib.dispatch.actions import actor_of, require_assignable
from chalicelib.dispatch.bootstrap import Dispatch

from truckroll.auth import Principal
from truckroll.domain.crews import Crew, CrewMember, MemberKind
from truckroll.domain.events import CrewChange, CrewChanged
from truckroll.domain.ids import new_id
from truckroll.errors import NotFound
from truckroll.persistence.core import DynamoCoreUnitOfWork
from truckroll.persistence.job_changes import retried


def list_crews(principal: Principal, dispatch: Dispatch) -> list[Crew]:
    principal.require_office()
    with dispatch.uow() as uow:
        return uow.crews.all(principal.tenant_id)


def _write(
    uow: DynamoCoreUnitOfWork,
    crew: Crew,
    change: CrewChange,
    technician_id: str | None,
    principal: Principal,
    dispatch: Dispatch,
) -> Crew:
    uow.crews.put(crew)
    uow.publish(
        CrewChanged(change, crew.tenant_id, crew, actor_of(principal), dispatch.clock(), technician_id)
    )
    return crew


def create_crew(name: str, members: tuple[CrewMember, ...], principal: Principal, dispatch: Dispatch) -> Crew:
    principal.require_office()
    require_assignable((m.technician_id for m in members), principal, dispatch)
    crew = Crew(principal.tenant_id, new_id(), name)
    for member in members:
        crew = crew.with_member(member.technician_id, member.kind)
    return retried(
        dispatch.uow, lambda uow: _write(uow, crew, CrewChange.CREATED, None, principal, dispatch), "the crew"
    )


def _change_members(
    crew_id: str,
    change: CrewChange,
    technician_id: str,
    principal: Principal,
    dispatch: Dispatch,
    edit: Callable[[Crew], Crew],
) -> Crew:
    def attempt(uow: DynamoCoreUnitOfWork) -> Crew:
        crew = uow.crews.get(principal.tenant_id, crew_id)
        if crew is None:
            raise NotFound(f"crew {crew_id} not found")
        return _write(uow, edit(crew), change, technician_id, principal, dispatch)

    return retried(dispatch.uow, attempt, "the crew")


def add_member(
    crew_id: str, technician_id: str, kind: MemberKind, principal: Principal, dispatch: Dispatch
) -> Crew:
    principal.require_office()
    require_assignable((technician_id,), principal, dispatch)
    return _change_members(
        crew_id,
        CrewChange.MEMBER_ADDED,
        technician_id,
        principal,
        dispatch,
        lambda crew: crew.with_member(technician_id, kind),
    )


def remove_member(crew_id: str, technician_id: str, principal: Principal, dispatch: Dispatch) -> Crew:
    principal.require_office()
    return _change_members(
        crew_id,
        CrewChange.MEMBER_REMOVED,
        technician_id,
        principal,
        dispatch,
        lambda crew: crew.without_member(technician_id),
    )
