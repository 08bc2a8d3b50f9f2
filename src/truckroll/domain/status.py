"""Job and appointment statuses, and how a job's status follows from its appointments.

A job's status is never stored on its own: it is derived from the statuses of its appointments plus
three facts about the job itself (an open offer, a hold, a cancellation), which makes the table in
DOMAIN.md ("Job status") hold by construction:

- canceled beats everything; an open or declined offer comes next; then a hold;
- no active appointment: Unscheduled;
- any appointment on the way or being worked: In Progress;
- otherwise any appointment still to come: Scheduled (so a paused or completed job that gets a new
  appointment is Scheduled again);
- otherwise any paused appointment: Paused; otherwise all are done: Complete.

Removing a hold therefore returns the job to exactly the status it would have without it.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum


class AppointmentStatus(StrEnum):
    SCHEDULED = "scheduled"
    CONFIRMED = "confirmed"  # locked: the optimiser must not move it
    DISPATCHED = "dispatched"  # technician on the way
    WORKING = "working"
    PAUSED = "paused"
    DONE = "done"
    CANCELED = "canceled"


class JobStatus(StrEnum):
    NEW_OFFER = "new_offer"
    DECLINED = "declined"
    UNSCHEDULED = "unscheduled"
    SCHEDULED = "scheduled"
    IN_PROGRESS = "in_progress"
    PAUSED = "paused"
    COMPLETE = "complete"
    ON_HOLD = "on_hold"
    CANCELED = "canceled"


class OfferState(StrEnum):
    """A lead or online request that the office has not accepted yet (accepted offers are plain jobs)."""

    OPEN = "open"
    DECLINED = "declined"


class TechStatus(StrEnum):
    """One technician's own progress on an appointment (several can share one)."""

    ASSIGNED = "assigned"
    DISPATCHED = "dispatched"  # on my way
    WORKING = "working"  # arrived / started
    PAUSED = "paused"
    DONE = "done"


UPCOMING = frozenset({AppointmentStatus.SCHEDULED, AppointmentStatus.CONFIRMED})
UNDER_WAY = frozenset({AppointmentStatus.DISPATCHED, AppointmentStatus.WORKING})


def derive_job_status(
    appointments: Iterable[AppointmentStatus],
    *,
    offer: OfferState | None = None,
    on_hold: bool = False,
    canceled: bool = False,
) -> JobStatus:
    if canceled:
        return JobStatus.CANCELED
    if offer is OfferState.OPEN:
        return JobStatus.NEW_OFFER
    if offer is OfferState.DECLINED:
        return JobStatus.DECLINED
    if on_hold:
        return JobStatus.ON_HOLD
    active = [s for s in appointments if s is not AppointmentStatus.CANCELED]
    if not active:
        return JobStatus.UNSCHEDULED
    if any(s in UNDER_WAY for s in active):
        return JobStatus.IN_PROGRESS
    if any(s in UPCOMING for s in active):
        return JobStatus.SCHEDULED
    if any(s is AppointmentStatus.PAUSED for s in active):
        return JobStatus.PAUSED
    return JobStatus.COMPLETE


def derive_appointment_status(
    progress: Iterable[TechStatus], *, confirmed: bool = False, canceled: bool = False
) -> AppointmentStatus:
    """An appointment's status from its technicians' own progress.

    Canceled beats everything; nobody started: Scheduled (Confirmed when locked); everyone done:
    Done; otherwise the liveliest technician decides (working, then on the way, then paused). A visit
    where some technicians are done and the others have not started yet is still being worked.
    """
    if canceled:
        return AppointmentStatus.CANCELED
    states = set(progress)
    if states <= {TechStatus.ASSIGNED}:
        return AppointmentStatus.CONFIRMED if confirmed else AppointmentStatus.SCHEDULED
    if states == {TechStatus.DONE}:
        return AppointmentStatus.DONE
    if TechStatus.WORKING in states:
        return AppointmentStatus.WORKING
    if TechStatus.DISPATCHED in states:
        return AppointmentStatus.DISPATCHED
    if TechStatus.PAUSED in states:
        return AppointmentStatus.PAUSED
    return AppointmentStatus.WORKING
