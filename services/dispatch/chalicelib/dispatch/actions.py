"""Dispatch's actions on jobs and appointments.

Every action runs the same way (:func:`change_job`, through
:func:`truckroll.persistence.job_changes.commit_change`): read the job, let the domain apply the
action, rebook the technicians' days it touches and write the job, the days, the board and the
outbox in one transaction, run again on fresh reads when a read went stale.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.dispatch.bootstrap import Dispatch
from chalicelib.dispatch.triggers import request_plan

from truckroll.auth import Principal, Role
from truckroll.domain.events import Actor, AuditEntry
from truckroll.domain.geo import Point, Shape
from truckroll.domain.jobs import Job, TechAction, Visit
from truckroll.errors import Forbidden, NotFound, RuleViolation, TruckrollError
from truckroll.persistence.core import audit_trail
from truckroll.persistence.job_changes import Act, commit_change


def actor_of(principal: Principal) -> Actor:
    return Actor(id=principal.sub, role=principal.role.value)


def may_see(job: Job, principal: Principal) -> bool:
    """The office sees every job of its tenant; a technician only jobs with appointments assigned to them."""
    return principal.is_office or any(principal.sub in a.technician_ids for a in job.appointments)


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
    ``shape``: one transaction per job, so each succeeds or is refused (and says why) on its own.
    The other appointments inside (on hold, or assigned already) are reported refused with the
    reason; canceled ones and those without coordinates are left out."""
    principal.require_office()
    board = dispatch.board.day(principal.tenant_id, day)
    names: dict[str, str] = {}
    outcomes: list[AreaOutcome] = []
    for entry in board.appointments:
        lat, lon = entry.location.lat, entry.location.lon
        if entry.canceled or lat is None or lon is None or not shape.contains(Point(lat, lon)):
            continue
        if entry.on_hold:
            outcomes.append(AreaOutcome(entry.appointment_id, entry.job_id, False, "on hold"))
            continue
        if not entry.unassigned:
            if not names:  # one Query, for the first appointment assigned already
                roster = dispatch.technicians.roster(principal.tenant_id).technicians
                names = {t.technician_id: t.name for t in roster}
            who = ", ".join(names.get(t, t) for t in entry.technician_ids)
            why = f"already assigned to {who}"
            outcomes.append(AreaOutcome(entry.appointment_id, entry.job_id, False, why))
            continue
        try:
            assign(entry.job_id, entry.appointment_id, (technician_id,), force, principal, dispatch)
        except TruckrollError as error:
            outcomes.append(AreaOutcome(entry.appointment_id, entry.job_id, False, error.detail))
            continue
        outcomes.append(AreaOutcome(entry.appointment_id, entry.job_id, True))
    return outcomes


def audit(job_id: str, principal: Principal, dispatch: Dispatch) -> list[AuditEntry]:
    """The job's audit trail: who did what, when and why, oldest first (office roles: it names
    every technician and appointment of the job)."""
    principal.require_office()
    get_job(job_id, principal, dispatch)
    return audit_trail(principal.tenant_id, job_id)
