"""In-memory implementations of the ports, for use-case tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Self

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from truckroll.domain.board import BoardAppointment, BoardChange, BoardDay
from truckroll.domain.customers import Customer, Location
from truckroll.domain.events import DomainEvent
from truckroll.domain.jobs import Job
from truckroll.messaging.sqs import OutboundMessage

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)


def clock() -> datetime:
    return NOW


class FakeCustomers:
    def __init__(self) -> None:
        self.customers: dict[tuple[str, str], Customer] = {}
        self.locations: dict[tuple[str, str], Location] = {}

    def add(self, customer: Customer) -> None:
        self.customers[(customer.tenant_id, customer.customer_id)] = customer

    def add_location(self, location: Location) -> None:
        self.locations[(location.tenant_id, location.location_id)] = location


class FakeJobs:
    def __init__(self) -> None:
        self.jobs: dict[tuple[str, str], Job] = {}

    def add(self, job: Job) -> None:
        self.jobs[(job.tenant_id, job.job_id)] = job

    def get(self, tenant_id: str, job_id: str) -> Job | None:
        return self.jobs.get((tenant_id, job_id))


class FakeUnitOfWork:
    """Keeps what was committed; ``published`` holds the events an outbox would have carried."""

    def __init__(self) -> None:
        self.customers = FakeCustomers()
        self.jobs = FakeJobs()
        self.committed = False
        self.published: list[DomainEvent] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    def commit(self) -> None:
        self.committed = True
        for job in self.jobs.jobs.values():
            self.published.extend(job.pull_events())


class FakeBoard:
    def __init__(self) -> None:
        self.entries: dict[tuple[str, date, str], BoardAppointment] = {}

    def put_new(self, entry: BoardAppointment) -> None:
        self.entries.setdefault((entry.tenant_id, entry.day, entry.appointment_id), entry)

    def put(self, entry: BoardAppointment) -> None:
        self.entries[(entry.tenant_id, entry.day, entry.appointment_id)] = entry

    def changes(self, tenant_id: str, day: date, cursor: str) -> tuple[list[tuple[str, BoardChange]], str]:
        return [], cursor

    def day(self, tenant_id: str, day: date) -> BoardDay:
        found = [e for (t, d, _), e in self.entries.items() if t == tenant_id and d == day]
        return BoardDay(day, tuple(sorted(found, key=lambda e: e.scheduled.start)))


class FakePublisher:
    def __init__(self, failing_queues: frozenset[str] = frozenset()) -> None:
        self.sent: list[OutboundMessage] = []
        self.failing_queues = failing_queues

    def publish(self, messages: Sequence[OutboundMessage]) -> set[str]:
        failed = {m.message_id for m in messages if m.queue.name in self.failing_queues}
        self.sent.extend(m for m in messages if m.queue.name not in self.failing_queues)
        return failed


class InMemoryIdempotency(BasePersistenceLayer):
    """Powertools' persistence contract, kept in a dict."""

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[str, DataRecord] = {}

    def _get_record(self, idempotency_key: str) -> DataRecord:
        try:
            return self.records[idempotency_key]
        except KeyError:
            raise IdempotencyItemNotFoundError from None

    def _put_record(self, data_record: DataRecord) -> None:
        existing = self.records.get(data_record.idempotency_key)
        if existing is not None and not existing.is_expired:
            raise IdempotencyItemAlreadyExistsError(old_data_record=existing)
        self.records[data_record.idempotency_key] = data_record

    def _update_record(self, data_record: DataRecord) -> None:
        self.records[data_record.idempotency_key] = data_record

    def _delete_record(self, data_record: DataRecord) -> None:
        self.records.pop(data_record.idempotency_key, None)
