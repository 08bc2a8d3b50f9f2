"""Booking's use cases. Each takes the caller's principal and the ports it needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from chalicelib.booking.bootstrap import Booking

from truckroll.auth import Principal
from truckroll.domain.customers import Address, Customer, GeoPoint, Location, Phone
from truckroll.domain.field_booking import FollowUp, follow_up_details, preferred_visit, require_worked_on
from truckroll.domain.ids import new_id
from truckroll.domain.jobs import Job, JobDetails, Visit
from truckroll.domain.projects import Project
from truckroll.errors import Conflict, NotFound, RuleViolation
from truckroll.persistence.ports import BookingUnitOfWork, CoreUnitOfWork

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
    """``customer`` and ``location`` are new ones or the ids of stored ones."""

    customer: NewCustomer | str
    location: NewLocation | str
    details: JobDetails
    visit: Visit | None
    technician_ids: tuple[str, ...] = ()  # assigned to the visit; the caller reserves their time
    first_names: Mapping[str, str] = field(default_factory=dict)
    confirmed: bool = False  # the visit is locked as Confirmed (the optimizer leaves it in place)
    later_visits: tuple[Visit, ...] = ()  # the further visits of a job over several days


@dataclass(frozen=True)
class Booked:
    job: Job
    notices: tuple[str, ...]


def book_job(command: BookJob, principal: Principal, booking: Booking) -> Booked:
    """Create the job (with its first appointment when a visit is given) for a new or stored
    customer at a new or stored location, checked against the tenant's booking settings, and the
    job.booked event, all in one transaction. A technician books from the field through
    :func:`book_follow_up`, from a job of theirs."""
    principal.require_office()
    with booking.uow() as uow:
        job = stage_booking(uow, principal.tenant_id, command, booking)
        uow.commit()
    tagged = isinstance(command.customer, NewCustomer) and command.customer.tags
    return Booked(job=job, notices=(CUSTOMER_TAGS_NOTICE,) if tagged else ())


def book_follow_up(origin_id: str, follow_up: FollowUp, principal: Principal, booking: Booking) -> Booked:
    """Book a follow-up job from the field for the customer and location of job ``origin_id``
    (rules in :mod:`truckroll.domain.field_booking`), with its job.booked event, in one transaction."""
    now = booking.clock()
    with booking.uow() as uow:
        origin = uow.jobs.get(principal.tenant_id, origin_id)
        if origin is None:
            raise NotFound(f"job {origin_id} not found")
        if not principal.is_office:
            require_worked_on(origin, principal.sub, now)
        settings = booking.settings.get(principal.tenant_id)
        details = follow_up_details(origin, follow_up)
        visit = preferred_visit(settings, details, follow_up.preferred_date, now)
        settings.check_offered(details, visit)
        command = BookJob(origin.customer_id, origin.location_id, details, visit)
        job = stage_booking(uow, principal.tenant_id, command, booking, office=False)
        uow.commit()
    return Booked(job=job, notices=())


def stage_booking(
    uow: BookingUnitOfWork, tenant: str, command: BookJob, booking: Booking, *, office: bool = True
) -> Job:
    """Stage the job of ``command`` (and its customer and location when new) on ``uow``. An office
    booking is checked against the tenant's booking settings; a customer's own (online) is not: it
    offers only what the settings allow."""
    customer, location = _parties(uow, tenant, command.customer, command.location)
    project = _project(uow, tenant, command.details.project_id, customer)
    estimate_id = command.details.estimate_id
    if estimate_id is not None and (made := uow.estimates.job_of(tenant, estimate_id)) is not None:
        raise Conflict(f"estimate {estimate_id} was already made into job {made}", job_id=made)
    if office:
        settings = booking.settings.get(tenant)
        for visit in (command.visit, *command.later_visits):
            settings.check(customer, location, command.details, visit)
    job = Job.book(
        customer=customer,
        location=location,
        details=command.details,
        visit=command.visit,
        now=booking.clock(),
        technician_ids=command.technician_ids,
        first_names=command.first_names,
        confirmed=command.confirmed,
        later_visits=command.later_visits,
    )
    if customer.version == 0:
        uow.customers.add(customer)
    if location.version == 0:
        uow.customers.add_location(location)
    uow.jobs.add(job)
    if project is not None:
        uow.projects.add_job(project, job)
    if estimate_id is not None:
        uow.estimates.converted(tenant, estimate_id, job.job_id)
    return job


def _project(
    uow: BookingUnitOfWork, tenant: str, project_id: str | None, customer: Customer
) -> Project | None:
    if project_id is None:
        return None
    found = uow.projects.get(tenant, project_id)
    if found is None:
        raise NotFound(f"project {project_id} not found")
    project, _ = found
    project.admit(customer.customer_id)
    return project


def new_customer(tenant_id: str, given: NewCustomer) -> Customer:
    return Customer(
        tenant_id=tenant_id,
        customer_id=new_id(),
        name=given.name,
        phone=given.phone,
        email=given.email,
        tags=given.tags,
    )


def new_location(customer: Customer, given: NewLocation) -> Location:
    return Location(
        tenant_id=customer.tenant_id,
        location_id=new_id(),
        customer_id=customer.customer_id,
        address=given.address,
        verified=given.verified,
        point=given.point,
        tags=given.tags,
    )


def _parties(
    uow: CoreUnitOfWork, tenant: str, customer: NewCustomer | str, location: NewLocation | str
) -> tuple[Customer, Location]:
    if isinstance(customer, NewCustomer):
        if not isinstance(location, NewLocation):
            raise RuleViolation("a new customer needs a new location", field="location")
        created = new_customer(tenant, customer)
        return created, new_location(created, location)
    record = uow.customers.get(tenant, customer)
    if record is None:
        raise NotFound(f"customer {customer} not found")
    if isinstance(location, NewLocation):
        return record.customer, new_location(record.customer, location)
    stored = record.location(location)
    if stored is None:
        raise NotFound(f"location {location} of customer {customer} not found")
    return record.customer, stored


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
