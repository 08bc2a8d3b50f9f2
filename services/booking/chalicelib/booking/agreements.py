"""Service agreement visits: the office books a batch of visits due under agreements at once, each
its own job (source service_agreement, the agreement as its campaign), optionally locked as
Confirmed. Each visit is booked in its own transaction: one refused visit does not stop the rest,
and the answer says, visit by visit, what happened."""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.booking.bootstrap import Booking
from chalicelib.booking.use_cases import BookJob, stage_booking

from truckroll.auth import Principal
from truckroll.domain.jobs import Job, JobSource
from truckroll.errors import TruckrollError


@dataclass(frozen=True)
class VisitOutcome:
    index: int
    result: Job | TruckrollError  # the job booked, or why the visit was refused


def book_agreement_visits(
    agreement: str, visits: list[BookJob], confirm: bool, principal: Principal, booking: Booking
) -> list[VisitOutcome]:
    principal.require_office()
    outcomes = []
    for index, visit in enumerate(visits):
        details = replace(visit.details, source=JobSource.SERVICE_AGREEMENT, campaign=agreement)
        command = replace(visit, details=details, confirmed=confirm and visit.visit is not None)
        try:
            with booking.uow() as uow:
                job = stage_booking(uow, principal.tenant_id, command, booking)
                uow.commit()
        except TruckrollError as refused:
            outcomes.append(VisitOutcome(index, refused))
        else:
            outcomes.append(VisitOutcome(index, job))
    return outcomes
