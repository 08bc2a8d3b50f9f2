"""A technician's shifts and non-job events. Both live in the technician's day item, so each change
is one transaction conditioned on the versions of the days read (retried on fresh reads), like an
assignment: an event that counts against capacity and an appointment can never both take the same
time unless a dispatcher forces it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from chalicelib.dispatch.actions import actor_of, require_assignable
from chalicelib.dispatch.bootstrap import Dispatch

from truckroll.auth import Principal
from truckroll.domain.events import DomainEvent, NonJobEventChange, NonJobEventChanged, ShiftsSet
from truckroll.domain.ids import new_id
from truckroll.domain.schedule import TechDay
from truckroll.domain.timeline import NonJobEvent, Shift, working_time
from truckroll.errors import NotFound
from truckroll.persistence.core import DynamoCoreUnitOfWork
from truckroll.persistence.job_changes import retried

Change = Callable[[dict[date, TechDay]], tuple[list[TechDay], list[DomainEvent]]]


def _change_days(
    technician_id: str, days: tuple[date, ...], principal: Principal, dispatch: Dispatch, change: Change
) -> list[TechDay]:
    """Apply ``change`` to the technician's ``days`` and write the days it returns with its events."""
    principal.require_office()

    def attempt(uow: DynamoCoreUnitOfWork) -> list[TechDay]:
        read = {d: uow.schedules.get(principal.tenant_id, technician_id, d) for d in days}
        updated, events = change(read)
        for day in updated:
            uow.schedules.put(day)
            uow.announce_technician(principal.tenant_id, technician_id, day.day)
        for event in events:
            uow.publish(event)
        return updated

    return retried(dispatch.uow, attempt, "the technician's day")


def visible_day(technician_id: str, day: date, principal: Principal, dispatch: Dispatch) -> TechDay:
    """The office sees every technician's day; a technician only their own (others: not found)."""
    if not (principal.is_office or principal.sub == technician_id):
        raise NotFound(f"technician {technician_id} not found")
    with dispatch.uow() as uow:
        return uow.schedules.get(principal.tenant_id, technician_id, day)


# -- shifts --------------------------------------------------------------------------------------


def _shifts_changed(
    technician_id: str,
    day: date,
    principal: Principal,
    dispatch: Dispatch,
    edit: Callable[[TechDay], TechDay],
) -> TechDay:
    """Change the shifts of one day and say the day's working time again (technician.shifts_set)."""

    def change(read: dict[date, TechDay]) -> tuple[list[TechDay], list[DomainEvent]]:
        updated = edit(read[day])
        said = ShiftsSet(
            principal.tenant_id, technician_id, day, working_time(updated.shifts), dispatch.clock()
        )
        return [updated], [said]

    (updated,) = _change_days(technician_id, (day,), principal, dispatch, change)
    return updated


def add_shift(technician_id: str, draft: Shift, principal: Principal, dispatch: Dispatch) -> Shift:
    principal.require_office()
    require_assignable((technician_id,), principal, dispatch)
    shift = replace(draft, shift_id=new_id())
    _shifts_changed(technician_id, shift.day, principal, dispatch, lambda d: d.with_shift(shift))
    return shift


def delete_shift(
    technician_id: str, day: date, shift_id: str, principal: Principal, dispatch: Dispatch
) -> None:
    _shifts_changed(technician_id, day, principal, dispatch, lambda d: d.without_shift(shift_id))


# -- non-job events ------------------------------------------------------------------------------


def _event_changed(
    change: NonJobEventChange,
    technician_id: str,
    event: NonJobEvent,
    principal: Principal,
    dispatch: Dispatch,
) -> NonJobEventChanged:
    return NonJobEventChanged(
        change, principal.tenant_id, technician_id, event, actor_of(principal), dispatch.clock()
    )


def add_event(
    technician_id: str, draft: NonJobEvent, force: bool, principal: Principal, dispatch: Dispatch
) -> NonJobEvent:
    principal.require_office()
    require_assignable((technician_id,), principal, dispatch)
    event = replace(draft, event_id=new_id())

    def change(read: dict[date, TechDay]) -> tuple[list[TechDay], list[DomainEvent]]:
        created = _event_changed(NonJobEventChange.CREATED, technician_id, event, principal, dispatch)
        return [read[event.day].with_event(event, force=force)], [created]

    _change_days(technician_id, (event.day,), principal, dispatch, change)
    return event


def get_event(
    technician_id: str, day: date, event_id: str, principal: Principal, dispatch: Dispatch
) -> NonJobEvent:
    return visible_day(technician_id, day, principal, dispatch).event(event_id)


def edit_event(
    technician_id: str,
    day: date,
    draft: NonJobEvent,
    force: bool,
    principal: Principal,
    dispatch: Dispatch,
) -> NonJobEvent:
    """Replace the event's facts (it may move to another day); its completion is kept."""

    def change(read: dict[date, TechDay]) -> tuple[list[TechDay], list[DomainEvent]]:
        event = replace(draft, completed=read[day].event(draft.event_id).completed)
        if event.day == day:
            days = [read[day].with_event(event, force=force)]
        else:
            days = [read[day].without_event(event.event_id), read[event.day].with_event(event, force=force)]
        return days, [_event_changed(NonJobEventChange.EDITED, technician_id, event, principal, dispatch)]

    days = _change_days(technician_id, tuple(dict.fromkeys((day, draft.day))), principal, dispatch, change)
    return days[-1].event(draft.event_id)


def complete_event(
    technician_id: str, day: date, event_id: str, principal: Principal, dispatch: Dispatch
) -> NonJobEvent:

    def change(read: dict[date, TechDay]) -> tuple[list[TechDay], list[DomainEvent]]:
        event = read[day].event(event_id).complete()
        completed = _event_changed(NonJobEventChange.COMPLETED, technician_id, event, principal, dispatch)
        return [read[day].with_event(event, force=False)], [completed]

    (updated,) = _change_days(technician_id, (day,), principal, dispatch, change)
    return updated.event(event_id)


def delete_event(
    technician_id: str, day: date, event_id: str, principal: Principal, dispatch: Dispatch
) -> None:
    def change(read: dict[date, TechDay]) -> tuple[list[TechDay], list[DomainEvent]]:
        event = read[day].event(event_id)
        deleted = _event_changed(NonJobEventChange.DELETED, technician_id, event, principal, dispatch)
        return [read[day].without_event(event_id)], [deleted]

    _change_days(technician_id, (day,), principal, dispatch, change)
