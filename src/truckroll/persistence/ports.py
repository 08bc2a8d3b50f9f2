"""The repository and unit-of-work interfaces use cases depend on. DynamoDB implements them in this
package; tests implement them in memory."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from types import TracebackType
from typing import Protocol, Self, TypeVar

from truckroll.domain.board import BoardAppointment, BoardChange, BoardDay, Site
from truckroll.domain.customers import Customer, Location
from truckroll.domain.jobs import Job
from truckroll.domain.leads import Lead, LeadStatus
from truckroll.domain.projects import Project, ProjectJob
from truckroll.domain.reservations import Reservation
from truckroll.domain.schedule import TechDay
from truckroll.domain.technicians import Technician
from truckroll.persistence.board import FeedPage
from truckroll.persistence.customers import CustomerMatch, CustomerRecord


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None: ...

    def save(self, customer: Customer, previous: Customer | None) -> None:
        """Stage ``customer``, replacing ``previous`` (its version must still be the stored one)."""
        ...

    def add_location(self, location: Location) -> None: ...

    def save_location(self, location: Location, previous: Location | None) -> None: ...

    def get(self, tenant_id: str, customer_id: str) -> CustomerRecord | None: ...

    def by_phone(self, tenant_id: str, phone: str) -> list[CustomerMatch]: ...

    def by_name(self, tenant_id: str, word: str) -> list[CustomerMatch]:
        """Customers with a name word that starts with ``word`` (two characters at least)."""
        ...


class JobRepository(Protocol):
    def add(self, job: Job) -> None: ...

    def get(self, tenant_id: str, job_id: str) -> Job | None: ...


class CoreUnitOfWork(Protocol):
    """Everything added inside ``with uow:`` is written by ``commit()`` in one transaction, together
    with an outbox item for every event the aggregates recorded. Leaving the block without
    ``commit()`` writes nothing."""

    @property
    def customers(self) -> CustomerRepository: ...

    @property
    def jobs(self) -> JobRepository: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def commit(self) -> None: ...


class BoardRepository(Protocol):
    def put_new(self, entry: BoardAppointment) -> None:
        """Put the entry (and its change in the day's feed) unless the appointment is there already."""
        ...

    def day(self, tenant_id: str, day: date) -> BoardDay: ...

    def changes(self, tenant_id: str, day: date, cursor: str) -> FeedPage:
        """The day's changes near and after ``cursor`` with their ids, and the next cursor."""
        ...


D = TypeVar("D")


class DocumentStore(Protocol[D]):
    """A tenant's settings of one kind (one document, written under its version)."""

    def get(self, tenant_id: str) -> D:
        """The tenant's document; an empty one (version 0) when none was saved."""
        ...

    def put(self, document: D) -> D:
        """Store ``document`` if the stored version is still ``document.version``."""
        ...


class LeadRepository(Protocol):
    def get(self, tenant_id: str, lead_id: str) -> Lead | None: ...

    def by_source(self, tenant_id: str, source_ref: str) -> str | None: ...

    def by_duplicate(self, tenant_id: str, day: date, duplicate_key: str) -> str | None: ...

    def has_receipt(self, tenant_id: str, message_id: str, timestamp: str) -> bool: ...

    def inbox(self, tenant_id: str, status: LeadStatus) -> list[Lead]: ...

    def save(self, lead: Lead, previous: Lead | None) -> None: ...

    def guard_source(self, lead: Lead, source_ref: str, now: datetime) -> None: ...

    def guard_duplicate(self, lead: Lead, day: date, duplicate_key: str, now: datetime) -> None: ...

    def receipt(self, tenant_id: str, message_id: str, timestamp: str, now: datetime) -> None: ...


class ScheduleRepository(Protocol):
    def get(self, tenant_id: str, technician_id: str, day: date) -> TechDay: ...

    def of_date(self, tenant_id: str, day: date) -> list[TechDay]: ...

    def many(self, tenant_id: str, wanted: Iterable[tuple[str, date]]) -> list[TechDay]:
        """The stored days of these (technician, date) pairs."""
        ...

    def put(self, day: TechDay) -> None: ...


class ReservationRepository(Protocol):
    def add(self, reservation: Reservation, token: str, now: datetime) -> None: ...

    def get(self, tenant_id: str, booking_id: str) -> Reservation | None: ...

    def by_token(self, tenant_id: str, token: str) -> Reservation | None: ...

    def of_user(self, tenant_id: str, user_id: str) -> list[Reservation]: ...


class ProjectRepository(Protocol):
    def add(self, project: Project) -> None: ...

    def add_job(self, project: Project, job: Job) -> None: ...

    def get(self, tenant_id: str, project_id: str) -> tuple[Project, list[ProjectJob]] | None: ...


class EstimateRepository(Protocol):
    def job_of(self, tenant_id: str, estimate_id: str) -> str | None: ...

    def converted(self, tenant_id: str, estimate_id: str, job_id: str) -> None: ...


class StoredJobs(JobRepository, Protocol):
    """Jobs as a change reads and writes them: saved on their version, shown on the board."""

    def save(self, job: Job) -> None: ...

    def site(self, job: Job) -> Site: ...


class JobChangeUnitOfWork(CoreUnitOfWork, Protocol):
    """What changing a booked job writes in its transaction: the job, the technicians' days and the
    board's entries and change feed."""

    @property
    def jobs(self) -> StoredJobs: ...

    @property
    def schedules(self) -> ScheduleRepository: ...

    def change_board(self, tenant_id: str, changes: list[BoardChange]) -> None: ...


class BookingUnitOfWork(JobChangeUnitOfWork, Protocol):
    @property
    def leads(self) -> LeadRepository: ...

    @property
    def reservations(self) -> ReservationRepository: ...

    @property
    def projects(self) -> ProjectRepository: ...

    @property
    def estimates(self) -> EstimateRepository: ...


class TechnicianDirectory(Protocol):
    def all(self, tenant_id: str) -> list[Technician]: ...


class RateCounter(Protocol):
    def hit(self, tenant_id: str, client: str, minute: datetime) -> int:
        """Count one request of ``client`` in ``minute``; the requests counted in it so far."""
        ...
