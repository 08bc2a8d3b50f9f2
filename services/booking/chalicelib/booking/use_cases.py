"""Booking's use cases. Each takes the caller's principal and the ports it needs."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.booking.bootstrap import Booking

from truckroll.auth import Principal
from truckroll.domain.customers import Address, Customer, GeoPoint, Location, Phone
from truckroll.domain.ids import new_id
from truckroll.domain.jobs import Job, JobDetails, Visit
from truckroll.errors import NotFound

CUSTOMER_TAGS_NOTICE = (
    "customer tags are kept on the customer but do not drive routing; "
    "put skills and access needs on the location to have them copied onto jobs"
)


@dataclass(frozen=True)
class NewCustomer:
    name: str
    phone: Phone
    email: str | None
    tags: tuple[str, ...]


@dataclass(frozen=True)
class NewLocation:
    address: Address
    point: GeoPoint | None
    verified: bool
    tags: tuple[str, ...]


@dataclass(frozen=True)
class BookJob:
    customer: NewCustomer
    location: NewLocation
    details: JobDetails
    visit: Visit | None


@dataclass(frozen=True)
class Booked:
    job: Job
    notices: tuple[str, ...]


def book_job(command: BookJob, principal: Principal, booking: Booking) -> Booked:
    """Create the customer, the location and the job (with its first appointment when a visit is
    given) and the job.booked event, all in one transaction."""
    principal.require_office()
    tenant = principal.tenant_id
    c, loc = command.customer, command.location
    customer = Customer(
        tenant_id=tenant, customer_id=new_id(), name=c.name, phone=c.phone, email=c.email, tags=c.tags
    )
    location = Location(
        tenant_id=tenant,
        location_id=new_id(),
        customer_id=customer.customer_id,
        address=loc.address,
        verified=loc.verified,
        point=loc.point,
        tags=loc.tags,
    )
    job = Job.book(
        customer=customer,
        location=location,
        details=command.details,
        visit=command.visit,
        now=booking.clock(),
    )
    with booking.uow() as uow:
        uow.customers.add(customer)
        uow.customers.add_location(location)
        uow.jobs.add(job)
        uow.commit()
    return Booked(job=job, notices=(CUSTOMER_TAGS_NOTICE,) if c.tags else ())


def get_job(job_id: str, principal: Principal, booking: Booking) -> Job:
    """A job of the caller's tenant; a technician only sees jobs they are assigned to. Anything else
    is answered as not found, so ids of other tenants' jobs reveal nothing."""
    with booking.uow() as uow:
        job = uow.jobs.get(principal.tenant_id, job_id)
    if job is None or not (principal.is_office or _assigned(job, principal.sub)):
        raise NotFound(f"job {job_id} not found")
    return job


def _assigned(job: Job, technician_id: str) -> bool:
    return any(technician_id in a.technician_ids for a in job.appointments)
