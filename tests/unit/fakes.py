"""In-memory implementations of the ports, for use-case tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from types import TracebackType
from typing import Any, Generic, Self, TypeVar

from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyItemAlreadyExistsError,
    IdempotencyItemNotFoundError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.base import BasePersistenceLayer
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from truckroll.domain.board import BoardAppointment, BoardDay
from truckroll.domain.customers import Customer, Location, name_words
from truckroll.domain.events import DomainEvent
from truckroll.domain.jobs import Job
from truckroll.domain.leads import Lead, LeadStatus
from truckroll.messaging.sqs import OutboundMessage
from truckroll.persistence.board import FeedPage
from truckroll.persistence.customers import CustomerMatch, CustomerRecord
from truckroll.persistence.writes import StaleRead

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
D = TypeVar("D", bound=Any)


def clock() -> datetime:
    return NOW


class FakeCustomers:
    def __init__(self) -> None:
        self.customers: dict[tuple[str, str], Customer] = {}
        self.locations: dict[tuple[str, str], Location] = {}

    def add(self, customer: Customer) -> None:
        self.save(customer, None)

    def add_location(self, location: Location) -> None:
        self.save_location(location, None)

    def save(self, customer: Customer, previous: Customer | None) -> None:
        """Stored as DynamoDB stores it: with the next version."""
        stored = replace(customer, version=previous.version + 1 if previous else 1)
        self.customers[(customer.tenant_id, customer.customer_id)] = stored

    def save_location(self, location: Location, previous: Location | None) -> None:
        stored = replace(location, version=previous.version + 1 if previous else 1)
        self.locations[(location.tenant_id, location.location_id)] = stored

    def get(self, tenant_id: str, customer_id: str) -> CustomerRecord | None:
        customer = self.customers.get((tenant_id, customer_id))
        if customer is None:
            return None
        locations = tuple(
            loc for (t, _), loc in self.locations.items() if t == tenant_id and loc.customer_id == customer_id
        )
        return CustomerRecord(customer, locations)

    def by_phone(self, tenant_id: str, phone: str) -> list[CustomerMatch]:
        return [
            CustomerMatch(c.customer_id, c.name, c.phone)
            for (t, _), c in self.customers.items()
            if t == tenant_id and c.phone.number == phone
        ]

    def by_name(self, tenant_id: str, word: str) -> list[CustomerMatch]:
        return [
            CustomerMatch(c.customer_id, c.name, c.phone)
            for (t, _), c in self.customers.items()
            if t == tenant_id and any(w.startswith(word) for w in name_words(c.name))
        ]


class FakeDocuments(Generic[D]):
    """A tenant's settings document of one kind; ``empty(tenant)`` is what an unsaved one reads as."""

    def __init__(self, empty: Callable[[str], D]) -> None:
        self.empty = empty
        self.settings: dict[str, D] = {}

    def get(self, tenant_id: str) -> D:
        return self.settings.get(tenant_id) or self.empty(tenant_id)

    def put(self, document: D) -> D:
        if document.version != self.get(document.tenant_id).version:
            raise StaleRead("the settings changed since they were read")
        stored = replace(document, version=document.version + 1)
        self.settings[document.tenant_id] = stored
        return stored


class FakeLeads:
    def __init__(self) -> None:
        self.leads: dict[tuple[str, str], Lead] = {}
        self.guards: dict[tuple[str, str], str] = {}
        self.receipts: set[tuple[str, str, str]] = set()

    def get(self, tenant_id: str, lead_id: str) -> Lead | None:
        return self.leads.get((tenant_id, lead_id))

    def by_source(self, tenant_id: str, source_ref: str) -> str | None:
        return self.guards.get((tenant_id, f"source:{source_ref}"))

    def by_duplicate(self, tenant_id: str, day: date, duplicate_key: str) -> str | None:
        return self.guards.get((tenant_id, f"duplicate:{day}:{duplicate_key}"))

    def has_receipt(self, tenant_id: str, message_id: str, timestamp: str) -> bool:
        return (tenant_id, message_id, timestamp) in self.receipts

    def inbox(self, tenant_id: str, status: LeadStatus) -> list[Lead]:
        found = [v for (t, _), v in self.leads.items() if t == tenant_id and v.status is status]
        return sorted(found, key=lambda v: v.received_at, reverse=True)

    def save(self, lead: Lead, previous: Lead | None) -> None:
        self.leads[(lead.tenant_id, lead.lead_id)] = replace(lead, version=lead.version + 1)

    def guard_source(self, lead: Lead, source_ref: str, now: datetime) -> None:
        self.guards.setdefault((lead.tenant_id, f"source:{source_ref}"), lead.lead_id)

    def guard_duplicate(self, lead: Lead, day: date, duplicate_key: str, now: datetime) -> None:
        self.guards.setdefault((lead.tenant_id, f"duplicate:{day}:{duplicate_key}"), lead.lead_id)

    def receipt(self, tenant_id: str, message_id: str, timestamp: str, now: datetime) -> None:
        self.receipts.add((tenant_id, message_id, timestamp))


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
        self.leads = FakeLeads()
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

    def changes(self, tenant_id: str, day: date, cursor: str) -> FeedPage:
        return FeedPage([], [], cursor)

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
