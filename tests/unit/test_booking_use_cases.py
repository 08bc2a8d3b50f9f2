"""Booking's use cases against an in-memory unit of work."""

from __future__ import annotations

import pytest
from chalicelib.booking import use_cases
from chalicelib.booking.bootstrap import Booking, bootstrap
from chalicelib.booking.schemas import BookJobRequest
from fakes import FakeDocuments, FakePublisher, FakeUnitOfWork, InMemoryIdempotency, clock
from test_booking_request import BODY

from truckroll.auth import Principal, Role
from truckroll.domain.booking_settings import BookingSettings
from truckroll.domain.events import JobBooked
from truckroll.domain.status import JobStatus
from truckroll.errors import Forbidden, NotFound

DISPATCHER = Principal(sub="u1", tenant_id="t1", role=Role.DISPATCHER)


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def booking(uow: FakeUnitOfWork) -> Booking:
    return bootstrap(
        uow=lambda: uow,
        clock=clock,
        publisher=FakePublisher(),
        settings=FakeDocuments(BookingSettings),
        idempotency=InMemoryIdempotency(),
    )


def command(**customer_changes: object) -> use_cases.BookJob:
    data = {**BODY, "customer": {**BODY["customer"], **customer_changes}}
    return BookJobRequest.model_validate(data).to_command()


def test_booking_commits_customer_location_job_and_the_event(uow: FakeUnitOfWork, booking: Booking) -> None:
    booked = use_cases.book_job(command(), DISPATCHER, booking)
    assert uow.committed
    (customer,) = uow.customers.customers.values()
    (location,) = uow.customers.locations.values()
    assert customer.tenant_id == location.tenant_id == booked.job.tenant_id == "t1"
    assert booked.job.customer_id == customer.customer_id
    assert booked.job.location_id == location.location_id
    assert booked.job.status is JobStatus.SCHEDULED
    (event,) = uow.published
    assert isinstance(event, JobBooked)
    assert event.job_id == booked.job.job_id
    assert booked.notices == ()


def test_customer_tags_are_kept_and_the_caller_is_told_they_do_not_route(booking: Booking) -> None:
    booked = use_cases.book_job(command(tags=["vip"]), DISPATCHER, booking)
    assert booked.notices == (use_cases.CUSTOMER_TAGS_NOTICE,)
    assert "vip" not in booked.job.tags


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, Role.BOTH])
def test_office_roles_may_book(role: Role, booking: Booking) -> None:
    use_cases.book_job(command(), Principal("u", "t1", role), booking)


def test_a_technician_may_not_book_from_the_office_endpoint(uow: FakeUnitOfWork, booking: Booking) -> None:
    with pytest.raises(Forbidden):
        use_cases.book_job(command(), Principal("u", "t1", Role.TECHNICIAN), booking)
    assert not uow.committed


def test_reading_a_job_is_tenant_scoped_and_technicians_see_only_their_own(booking: Booking) -> None:
    job = use_cases.book_job(command(), DISPATCHER, booking).job
    assert use_cases.get_job(job.job_id, DISPATCHER, booking) is job
    with pytest.raises(NotFound):
        use_cases.get_job(job.job_id, Principal("u1", "t2", Role.ADMIN), booking)
    with pytest.raises(NotFound):
        use_cases.get_job(job.job_id, Principal("tech-1", "t1", Role.TECHNICIAN), booking)
