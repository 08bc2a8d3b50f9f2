"""Dispatch's actions on jobs and appointments.

Every action runs the same way (:func:`change_job`): read the job, let the domain apply the action
(which checks the rules and records the event), rebook the technicians' days it touches (the
double-booking check, on the copies just read), and write the job, the days, the board entries,
the board's change feed, the audit trail and the outbox in one transaction. That transaction is
conditioned on the versions of the job and of every day read; when one changed meanwhile, the whole
action is run again on fresh reads, so a stale read can never win.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from chalicelib.dispatch.bootstrap import Dispatch
from chalicelib.dispatch.triggers import request_plan

from truckroll.auth import Principal, Role
from truckroll.domain.board import board_changes, board_entries
from truckroll.domain.events import Actor, AuditEntry
from truckroll.domain.geo import Point, Shape
from truckroll.domain.jobs import Appointment, Job, TechAction, Visit
from truckroll.domain.schedule import appointment_slots, changed_days
from truckroll.errors import Conflict, Forbidden, NotFound, RuleViolation, TruckrollError
from truckroll.persistence.core import DynamoCoreUnitOfWork, audit_trail
from truckroll.persistence.writes import StaleRead

MAX_ATTEMPTS = 5
T = TypeVar("T")

Act = Callable[[Job, Actor, datetime], None]


def actor_of(principal: Principal) -> Actor:
    return Actor(id=principal.sub, role=principal.role.value)


def may_see(job: Job, principal: Principal) -> bool:
    """The office sees every job of its tenant; a technician only jobs with appointments assigned to them."""
    return principal.is_office or any(principal.sub in a.technician_ids for a in job.appointments)


def retried(dispatch: Dispatch, attempt: Callable[[DynamoCoreUnitOfWork], T], what: str) -> T:
    """Run ``attempt`` and commit what it staged, again on fresh reads while a read went stale."""
    for _ in range(MAX_ATTEMPTS):
        with dispatch.uow() as uow:
            result = attempt(uow)
            try:
                uow.commit()
            except StaleRead:
                continue
            return result
    raise Conflict(f"{what} kept changing while this ran; reload and try again")


def change_job(
    job_id: str, principal: Principal, dispatch: Dispatch, act: Act, *, force: bool = False
) -> Job:
    """Run ``act`` on the job as one transaction, retried on stale reads (see the module notes)."""
    return commit_change(
        principal.tenant_id,
        job_id,
        actor_of(principal),
        dispatch,
        act,
        force=force,
        visible=lambda job: may_see(job, principal),
    )


def commit_change(
    tenant_id: str,
    job_id: str,
    actor: Actor,
    dispatch: Dispatch,
    act: Act,
    *,
    force: bool = False,
    visible: Callable[[Job], bool] = lambda job: True,
    days_read: Mapping[tuple[str, date], int] | None = None,
) -> Job:
    """:func:`change_job` for ``actor`` (a person or automatic dispatch) on the tenant's job.
    ``days_read``: the versions of technicians' days a plan was made from; a change to a day
    that moved on since is :class:`Superseded`."""

    def attempt(uow: DynamoCoreUnitOfWork) -> Job:
        job = uow.jobs.get(tenant_id, job_id)
        if job is None or not visible(job):
            raise NotFound(f"job {job_id} not found")
        before = list(job.appointments)

        def change() -> None:
            act(job, actor, dispatch.clock())
            _rebook(uow, job, before, force=force, days_read=days_read or {})

        stage(uow, job, change)
        return job

    return retried(dispatch, attempt, "the job or a technician's day")


def stage(uow: DynamoCoreUnitOfWork, job: Job, change: Callable[[], None]) -> None:
    """Run ``change`` on the job and stage the job with the board changes it makes."""
    site = uow.jobs.site(job)
    before = board_entries(job, site, job.version)
    change()
    uow.change_board(job.tenant_id, board_changes(before, board_entries(job, site, job.version + 1)))
    uow.jobs.save(job)


def require_assignable(
    technician_ids: Iterable[str], principal: Principal, dispatch: Dispatch
) -> dict[str, str]:
    """Refuse (422) technicians the tenant does not know or has deactivated; the others' first names."""
    ids = list(dict.fromkeys(technician_ids))
    if not ids:
        return {}
    known = {t.technician_id: t for t in dispatch.technicians.all(principal.tenant_id)}
    unknown = [t for t in ids if t not in known]
    inactive = [t for t in ids if t in known and not known[t].active]
    if unknown or inactive:
        said = [f"no technician {', '.join(unknown)}"] if unknown else []
        said += [f"{', '.join(inactive)} inactive"] if inactive else []
        raise RuleViolation(
            f"only active technicians can be scheduled: {'; '.join(said)}",
            field="technician_ids",
            unknown=unknown,
            inactive=inactive,
        )
    return {t: name for t in ids if (name := known[t].first_name) is not None}


class Superseded(Conflict):
    """What a plan was made from changed before it was written: the newer state stands."""


def _rebook(
    uow: DynamoCoreUnitOfWork,
    job: Job,
    before: list[Appointment],
    *,
    force: bool,
    days_read: Mapping[tuple[str, date], int],
) -> None:
    """Rewrite the technicians' days this change touches; refuse an overlap unless forced, and
    flag the assignments a dispatcher forced over another booking."""
    old, new = appointment_slots(before), appointment_slots(job.appointments)
    owners = frozenset(a.appointment_id for a in (*before, *job.appointments))
    for technician_id, day in changed_days(old, new):
        current = uow.schedules.get(job.tenant_id, technician_id, day)
        read = days_read.get((technician_id, day))
        if read is not None and current.version != read:
            raise Superseded(f"{technician_id}'s day of {day} changed after the plan was made; it stands")
        updated = current.rebooked(owners, new.get((technician_id, day), []), force=force)
        for slot in updated.slots:
            if slot.forced and slot.owner_id in owners:
                job.flag_overlap(slot.owner_id, technician_id)
        uow.schedules.put(updated)


def by_hand(act: Act) -> Act:
    """A dispatcher's planning action: it wins over automatic dispatch, which leaves the job alone
    from then on (the job's auto toggle is switched off in the same transaction)."""

    def planned(job: Job, actor: Actor, at: datetime) -> None:
        act(job, actor, at)
        job.take_over()

    return planned


# -- the actions ---------------------------------------------------------------------------------


def add_appointment(
    job_id: str,
    visit: Visit,
    technician_ids: tuple[str, ...],
    force: bool,
    principal: Principal,
    dispatch: Dispatch,
) -> Job:
    principal.require_office()
    first_names = require_assignable(technician_ids, principal, dispatch)

    def act(job: Job, actor: Actor, at: datetime) -> None:
        job.add_appointment(visit, technician_ids, actor=actor, at=at, first_names=first_names)

    return change_job(job_id, principal, dispatch, act, force=force)


def delete_appointment(
    job_id: str, appointment_id: str, reason: str | None, principal: Principal, dispatch: Dispatch
) -> Job:
    principal.require_office()
    return change_job(
        job_id,
        principal,
        dispatch,
        lambda job, actor, at: job.delete_appointment(appointment_id, actor=actor, at=at, reason=reason),
    )


def assign(
    job_id: str,
    appointment_id: str,
    technician_ids: tuple[str, ...],
    force: bool,
    principal: Principal,
    dispatch: Dispatch,
) -> Job:
    principal.require_office()
    first_names = require_assignable(technician_ids, principal, dispatch)
    return change_job(
        job_id,
        principal,
        dispatch,
        by_hand(
            lambda job, actor, at: job.assign(
                appointment_id, technician_ids, actor=actor, at=at, first_names=first_names
            )
        ),
        force=force,
    )


def unassign(
    job_id: str,
    appointment_id: str,
    technician_ids: tuple[str, ...],
    principal: Principal,
    dispatch: Dispatch,
) -> Job:
    principal.require_office()
    return change_job(
        job_id,
        principal,
        dispatch,
        by_hand(lambda job, actor, at: job.unassign(appointment_id, technician_ids, actor=actor, at=at)),
    )


def reassign(
    job_id: str,
    appointment_id: str,
    old: str,
    new: str,
    force: bool,
    principal: Principal,
    dispatch: Dispatch,
) -> Job:
    principal.require_office()
    first_names = require_assignable((new,), principal, dispatch)
    return change_job(
        job_id,
        principal,
        dispatch,
        by_hand(
            lambda job, actor, at: job.reassign(
                appointment_id, old, new, actor=actor, at=at, first_names=first_names
            )
        ),
        force=force,
    )


def reschedule(
    job_id: str,
    appointment_id: str,
    visit: Visit,
    technician_ids: tuple[str, ...] | None,
    force: bool,
    principal: Principal,
    dispatch: Dispatch,
) -> Job:
    principal.require_office()
    first_names = require_assignable(technician_ids or (), principal, dispatch)
    return change_job(
        job_id,
        principal,
        dispatch,
        by_hand(
            lambda job, actor, at: job.reschedule(
                appointment_id, visit, technician_ids, actor=actor, at=at, first_names=first_names
            )
        ),
        force=force,
    )


def confirm(job_id: str, appointment_id: str, principal: Principal, dispatch: Dispatch) -> Job:
    principal.require_office()
    return change_job(
        job_id, principal, dispatch, lambda job, actor, at: job.confirm(appointment_id, actor=actor, at=at)
    )


@dataclass(frozen=True)
class Progress:
    appointment_id: str
    technician_id: str | None  # None: the caller themself
    action: TechAction
    reason: str | None = None


def report_progress(job_id: str, progress: Progress, principal: Principal, dispatch: Dispatch) -> Job:
    """A technician's own status (on my way, arrived, paused, done...); the office may set anyone's.
    A technician never sees or changes appointments of others (404) nor others' progress (403)."""
    technician_id = progress.technician_id or principal.sub
    if not principal.is_office and technician_id != principal.sub:
        raise Forbidden("a technician can change only their own status")

    def act(job: Job, actor: Actor, at: datetime) -> None:
        appointment = job.appointment(progress.appointment_id)
        if principal.role is Role.TECHNICIAN and principal.sub not in appointment.technician_ids:
            raise NotFound(f"appointment {progress.appointment_id} not found")
        job.progress(
            progress.appointment_id,
            technician_id,
            progress.action,
            actor=actor,
            at=at,
            reason=progress.reason,
        )

    job = change_job(job_id, principal, dispatch, act)
    request_plan(principal.tenant_id, "appointment.status_changed", dispatch)
    return job


def hold(job_id: str, reason: str | None, principal: Principal, dispatch: Dispatch) -> Job:
    principal.require_office()
    return change_job(
        job_id, principal, dispatch, lambda job, actor, at: job.hold(reason, actor=actor, at=at)
    )


def remove_hold(job_id: str, reason: str | None, principal: Principal, dispatch: Dispatch) -> Job:
    principal.require_office()
    return change_job(
        job_id, principal, dispatch, lambda job, actor, at: job.remove_hold(actor=actor, at=at, reason=reason)
    )


def cancel(job_id: str, reason: str | None, principal: Principal, dispatch: Dispatch) -> Job:
    principal.require_office()
    return change_job(
        job_id, principal, dispatch, lambda job, actor, at: job.cancel(reason, actor=actor, at=at)
    )


def uncancel(job_id: str, reason: str | None, force: bool, principal: Principal, dispatch: Dispatch) -> Job:
    principal.require_office()
    return change_job(
        job_id,
        principal,
        dispatch,
        lambda job, actor, at: job.uncancel(actor=actor, at=at, reason=reason),
        force=force,
    )


def set_billing(
    job_id: str, payments: int, invoice_items: tuple[str, ...], principal: Principal, dispatch: Dispatch
) -> Job:
    """Record the billing facts the cancel rules depend on (payments attached, invoice items)."""
    principal.require_office()
    return change_job(
        job_id, principal, dispatch, lambda job, actor, at: job.set_billing(payments, invoice_items)
    )


def get_job(job_id: str, principal: Principal, dispatch: Dispatch) -> Job:
    with dispatch.uow() as uow:
        job = uow.jobs.get(principal.tenant_id, job_id)
    if job is None or not may_see(job, principal):
        raise NotFound(f"job {job_id} not found")
    if principal.role is Role.TECHNICIAN:
        job.appointments = [a for a in job.appointments if principal.sub in a.technician_ids]
    return job


@dataclass(frozen=True)
class AreaOutcome:
    appointment_id: str
    job_id: str
    assigned: bool
    detail: str | None = None


def assign_area(
    day: date, shape: Shape, technician_id: str, force: bool, principal: Principal, dispatch: Dispatch
) -> list[AreaOutcome]:
    """Assign ``technician_id`` to every unassigned appointment of ``day`` whose location lies inside
    ``shape``: one transaction per job, so each succeeds or is refused (and says why) on its own."""
    principal.require_office()
    board = dispatch.board.day(principal.tenant_id, day)
    outcomes: list[AreaOutcome] = []
    for entry in board.unassigned:
        lat, lon = entry.location.lat, entry.location.lon
        if lat is None or lon is None or not shape.contains(Point(lat, lon)):
            continue
        try:
            assign(entry.job_id, entry.appointment_id, (technician_id,), force, principal, dispatch)
        except TruckrollError as error:
            outcomes.append(AreaOutcome(entry.appointment_id, entry.job_id, False, error.detail))
            continue
        outcomes.append(AreaOutcome(entry.appointment_id, entry.job_id, True))
    return outcomes


def audit(job_id: str, principal: Principal, dispatch: Dispatch) -> list[AuditEntry]:
    """The job's audit trail: who did what, when and why, oldest first."""
    get_job(job_id, principal, dispatch)
    return audit_trail(principal.tenant_id, job_id)
