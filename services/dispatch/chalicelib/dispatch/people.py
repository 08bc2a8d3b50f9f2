"""Technicians: profiles, their appointments over a range of days, messages and announcements."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.dispatch.actions import actor_of
from chalicelib.dispatch.bootstrap import Dispatch

from truckroll.auth import Principal
from truckroll.domain.events import TechniciansMessaged
from truckroll.domain.ids import new_id
from truckroll.domain.schedule import Slot, TechDay
from truckroll.domain.technicians import Technician
from truckroll.errors import NotFound, RuleViolation

MAX_RANGE_DAYS = 31


def list_technicians(principal: Principal, dispatch: Dispatch) -> list[Technician]:
    principal.require_office()
    return dispatch.technicians.all(principal.tenant_id)


def get_technician(technician_id: str, principal: Principal, dispatch: Dispatch) -> Technician:
    """The office sees every profile; a technician only their own (others: not found)."""
    technician = dispatch.technicians.get(principal.tenant_id, technician_id)
    if technician is None or not (principal.is_office or principal.sub == technician_id):
        raise NotFound(f"technician {technician_id} not found")
    return technician


def put_technician(technician: Technician, principal: Principal, dispatch: Dispatch) -> Technician:
    principal.require_office()
    dispatch.technicians.put(technician)
    return technician


@dataclass(frozen=True)
class Booked:
    day: date
    slots: tuple[Slot, ...]


def _days(
    technician_id: str, first: date, last: date, principal: Principal, dispatch: Dispatch
) -> list[TechDay]:
    """The technician's stored days from ``first`` to ``last``: one Query. The office sees every
    technician's; a technician only their own (others: not found)."""
    if not (principal.is_office or principal.sub == technician_id):
        raise NotFound(f"technician {technician_id} not found")
    if not first <= last <= first + timedelta(days=MAX_RANGE_DAYS - 1):
        raise RuleViolation(f"give a range of 1 to {MAX_RANGE_DAYS} days", field="to")
    with dispatch.uow() as uow:
        return uow.schedules.days(principal.tenant_id, technician_id, first, last)


def technician_days(
    technician_id: str, first: date, last: date, principal: Principal, dispatch: Dispatch
) -> list[Booked]:
    """What a technician is booked for from ``first`` to ``last``."""
    return [Booked(d.day, d.slots) for d in _days(technician_id, first, last, principal, dispatch) if d.slots]


def technician_shifts(
    technician_id: str, first: date, last: date, principal: Principal, dispatch: Dispatch
) -> list[TechDay]:
    """The days from ``first`` to ``last`` on which the technician has shifts."""
    return [d for d in _days(technician_id, first, last, principal, dispatch) if d.shifts]


def message(
    technician_ids: tuple[str, ...], text: str, announcement: bool, principal: Principal, dispatch: Dispatch
) -> str:
    """Write to one technician (or announce to several): the event carries it to their devices."""
    principal.require_office()
    known = {t.technician_id for t in dispatch.technicians.all(principal.tenant_id)}
    unknown = [t for t in technician_ids if t not in known]
    if unknown:
        raise NotFound(f"no technician {', '.join(unknown)}")
    event = TechniciansMessaged(
        tenant_id=principal.tenant_id,
        message_id=new_id(),
        technician_ids=tuple(dict.fromkeys(technician_ids)),
        text=text,
        announcement=announcement,
        actor=actor_of(principal),
        at=dispatch.clock(),
    )
    with dispatch.uow() as uow:
        uow.publish(event)
        uow.commit()
    return event.message_id
