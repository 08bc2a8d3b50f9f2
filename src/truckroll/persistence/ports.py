"""The repository and unit-of-work interfaces use cases depend on. DynamoDB implements them in this
package; tests implement them in memory."""

from __future__ import annotations

from datetime import date
from types import TracebackType
from typing import Protocol, Self

from truckroll.domain.board import BoardAppointment, BoardChange, BoardDay
from truckroll.domain.customers import Customer, Location
from truckroll.domain.jobs import Job


class CustomerRepository(Protocol):
    def add(self, customer: Customer) -> None: ...

    def add_location(self, location: Location) -> None: ...


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

    def changes(self, tenant_id: str, day: date, cursor: str) -> tuple[list[tuple[str, BoardChange]], str]:
        """The day's changes near and after ``cursor`` with their ids, and the next cursor."""
        ...
