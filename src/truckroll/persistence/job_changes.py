"""Changing a booked job, as dispatch and booking both do it.

Every change runs the same way (:func:`commit_change`): read the job, let the domain apply the
action (which checks the rules and records the event), rebook the technicians' days it touches (the
double-booking check, on the copies just read), and write the job, the days, the board entries,
the board's change feed, the audit trail and the outbox in one transaction. That transaction is
conditioned on the versions of the job and of every day read; when one changed meanwhile, the whole
change is run again on fresh reads, so a stale read can never win.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from truckroll.domain.board import board_changes, board_entries
from truckroll.domain.events import Actor
from truckroll.domain.jobs import Appointment, Job
from truckroll.domain.schedule import appointment_slots, changed_days
from truckroll.domain.windows import Clock
from truckroll.errors import Conflict, NotFound
from truckroll.persistence.ports import JobChangeUnitOfWork
from truckroll.persistence.writes import StaleRead

MAX_ATTEMPTS = 5
T = TypeVar("T")

Act = Callable[[Job, Actor, datetime], None]


class Transaction(Protocol):
    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None: ...

    def commit(self) -> None: ...


U = TypeVar("U", bound=Transaction)


class Workspace(Protocol):
    """Where jobs are changed: a service's units of work and its clock."""

    @property
    def uow(self) -> Callable[[], JobChangeUnitOfWork]: ...

    @property
    def clock(self) -> Clock: ...


class Superseded(Conflict):
    """What a plan was made from changed before it was written: the newer state stands."""


def retried(uow: Callable[[], U], attempt: Callable[[U], T], what: str) -> T:
    """Run ``attempt`` and commit what it staged, again on fresh reads while a read went stale."""
    for _ in range(MAX_ATTEMPTS):
        with uow() as work:
            result = attempt(work)
            try:
                work.commit()
            except StaleRead:
                continue
            return result
    raise Conflict(f"{what} kept changing while this ran; reload and try again")


def commit_change(
    tenant_id: str,
    job_id: str,
    actor: Actor,
    workspace: Workspace,
    act: Act,
    *,
    force: bool = False,
    visible: Callable[[Job], bool] = lambda job: True,
    days_read: Mapping[tuple[str, date], int] | None = None,
) -> Job:
    """Run ``act`` for ``actor`` (a person, automatic dispatch or a booking channel) on the tenant's
    job as one transaction, retried on stale reads (see the module notes). ``days_read``: the
    versions of technicians' days a plan was made from; a change to a day that moved on since is
    :class:`Superseded`."""

    def attempt(uow: JobChangeUnitOfWork) -> Job:
        job = uow.jobs.get(tenant_id, job_id)
        if job is None or not visible(job):
            raise NotFound(f"job {job_id} not found")
        before = list(job.appointments)

        def change() -> None:
            act(job, actor, workspace.clock())
            _rebook(uow, job, before, force=force, days_read=days_read or {})

        stage(uow, job, change)
        return job

    return retried(workspace.uow, attempt, "the job or a technician's day")


def stage(uow: JobChangeUnitOfWork, job: Job, change: Callable[[], None]) -> None:
    """Run ``change`` on the job and stage the job with the board changes it makes."""
    site = uow.jobs.site(job)
    before = board_entries(job, site, job.version)
    change()
    uow.change_board(job.tenant_id, board_changes(before, board_entries(job, site, job.version + 1)))
    uow.jobs.save(job)


def _rebook(
    uow: JobChangeUnitOfWork,
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
