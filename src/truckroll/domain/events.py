"""Events the aggregates record. They are facts in the domain's own terms; the outbox turns each
into a versioned contract (truckroll.contracts) when the aggregate is committed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from truckroll.domain.customers import Customer, Location
from truckroll.domain.status import JobStatus

if TYPE_CHECKING:
    from truckroll.domain.jobs import Appointment, JobDetails


@dataclass(frozen=True)
class JobBooked:
    """A job was created, with its first appointment when it was booked with a time."""

    tenant_id: str
    job_id: str
    status: JobStatus
    details: JobDetails
    customer: Customer
    location: Location
    appointment: Appointment | None
    booked_at: datetime


DomainEvent = JobBooked
