"""The Job aggregate: a job and its appointments (visits), with the job's status derived from them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from truckroll.domain.customers import Customer, Location
from truckroll.domain.events import DomainEvent, JobBooked
from truckroll.domain.ids import new_id
from truckroll.domain.status import AppointmentStatus, JobStatus, OfferState, derive_job_status
from truckroll.domain.windows import TimeWindow
from truckroll.errors import RuleViolation


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class JobSource(StrEnum):
    OFFICE_CALL = "office_call"
    FIELD_APP = "field_app"
    LEAD_INTEGRATION = "lead_integration"
    ONLINE_BOOKING = "online_booking"
    CUSTOMER_PORTAL = "customer_portal"
    SERVICE_AGREEMENT = "service_agreement"
    SOLD_ESTIMATE = "sold_estimate"


@dataclass(frozen=True)
class JobDetails:
    """What the job is about, as given at booking (tags here are the job's own, before location tags)."""

    job_type: str
    summary: str
    priority: Priority = Priority.NORMAL
    business_unit: str | None = None
    tags: tuple[str, ...] = ()
    source: JobSource = JobSource.OFFICE_CALL
    campaign: str | None = None
    call_id: str | None = None


@dataclass(frozen=True)
class Visit:
    """When a visit is planned: the scheduled time and the arrival window promised to the customer.
    The scheduled start must fall inside the arrival window."""

    scheduled: TimeWindow
    arrival_window: TimeWindow

    def __post_init__(self) -> None:
        if not self.arrival_window.contains(self.scheduled.start):
            raise RuleViolation("the appointment must start inside its arrival window", field="start")


@dataclass(frozen=True)
class Appointment:
    appointment_id: str
    job_id: str
    visit: Visit
    status: AppointmentStatus = AppointmentStatus.SCHEDULED
    technician_ids: tuple[str, ...] = ()

    @property
    def start(self) -> datetime:
        return self.visit.scheduled.start

    @property
    def end(self) -> datetime:
        return self.visit.scheduled.end


def merge_tags(*groups: tuple[str, ...]) -> tuple[str, ...]:
    """Union of tag groups, first occurrence first."""
    return tuple(dict.fromkeys(tag for group in groups for tag in group))


@dataclass
class Job:
    tenant_id: str
    job_id: str
    customer_id: str
    location_id: str
    details: JobDetails
    created_at: datetime
    appointments: list[Appointment] = field(default_factory=list)
    offer: OfferState | None = None
    hold_reason: str | None = None
    cancel_reason: str | None = None
    version: int = 0  # optimistic lock: 0 until first stored
    events: list[DomainEvent] = field(default_factory=list, repr=False, compare=False)

    @property
    def status(self) -> JobStatus:
        return derive_job_status(
            (a.status for a in self.appointments),
            offer=self.offer,
            on_hold=self.hold_reason is not None,
            canceled=self.cancel_reason is not None,
        )

    @property
    def tags(self) -> tuple[str, ...]:
        return self.details.tags

    @classmethod
    def book(
        cls,
        *,
        customer: Customer,
        location: Location,
        details: JobDetails,
        visit: Visit | None,
        now: datetime,
    ) -> Job:
        """Create a job at ``location`` for ``customer``: Scheduled with its first appointment when a
        visit is given, Unscheduled otherwise. The location's tags are copied onto the job."""
        if location.customer_id != customer.customer_id or location.tenant_id != customer.tenant_id:
            raise RuleViolation("the location does not belong to this customer", field="location")
        job = cls(
            tenant_id=customer.tenant_id,
            job_id=new_id(),
            customer_id=customer.customer_id,
            location_id=location.location_id,
            details=replace(details, tags=merge_tags(location.tags, details.tags)),
            created_at=now,
        )
        appointment = None
        if visit is not None:
            appointment = Appointment(appointment_id=new_id(), job_id=job.job_id, visit=visit)
            job.appointments.append(appointment)
        job.events.append(
            JobBooked(
                tenant_id=job.tenant_id,
                job_id=job.job_id,
                status=job.status,
                details=job.details,
                customer=customer,
                location=location,
                appointment=appointment,
                booked_at=now,
            )
        )
        return job

    def pull_events(self) -> list[DomainEvent]:
        events, self.events = self.events, []
        return events
