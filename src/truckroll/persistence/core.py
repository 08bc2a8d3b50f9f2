"""The core table's unit of work and repositories (customers, jobs with their appointments)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from types import TracebackType
from typing import Self

from pydantic import TypeAdapter
from pynamodb.expressions.condition import Condition

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.publish import envelope_for
from truckroll.domain.board import BoardChange, Site
from truckroll.domain.crews import Crew, CrewMember
from truckroll.domain.events import Actor, AppointmentChanged, AuditEntry, DomainEvent, JobChanged
from truckroll.domain.jobs import Appointment, Assignment, Job, JobDetails, JobSource, Priority, Visit
from truckroll.domain.places import Place
from truckroll.domain.schedule import Slot, TechDay
from truckroll.domain.status import OfferState
from truckroll.domain.timeline import NonJobEvent, Shift
from truckroll.domain.windows import Clock, TimeWindow
from truckroll.persistence import keys
from truckroll.persistence.board import FEED_RETENTION, change_writes, technician_change
from truckroll.persistence.core_models import (
    AppointmentItem,
    AuditItem,
    CoreItem,
    CrewItem,
    CustomerItem,
    JobItem,
    LocationItem,
    OutboxItem,
    TechDayItem,
)
from truckroll.persistence.customers import DynamoCustomerRepository
from truckroll.persistence.writes import Write, transact

OUTBOX_RETENTION = timedelta(days=7)
_ASSIGNMENTS = TypeAdapter(list[Assignment])
_SLOTS = TypeAdapter(list[Slot])
_SHIFTS = TypeAdapter(list[Shift])
_EVENTS = TypeAdapter(list[NonJobEvent])
_MEMBERS = TypeAdapter(list[CrewMember])


def _new(model: type[CoreItem]) -> Condition:
    return model.pk.does_not_exist()


def outbox_item(envelope: EventEnvelope, expires_at: datetime) -> OutboxItem:
    """The core table's outbox item carrying ``envelope`` to the producer's relay."""
    return OutboxItem(
        pk=keys.outbox_pk(envelope.tenant_id, envelope.event_id),
        sk=keys.OUTBOX_SK,
        tenant_id=envelope.tenant_id,
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        producer=envelope.producer,
        envelope=envelope.model_dump_json(),
        expires_at=expires_at,
    )


class DynamoJobRepository:
    def __init__(self, uow: DynamoCoreUnitOfWork) -> None:
        self._uow = uow
        self._loaded: dict[tuple[str, str], frozenset[str]] = {}

    def add(self, job: Job) -> None:
        if job.version != 0:
            raise ValueError("add() takes new jobs only")
        self.save(job)

    def save(self, job: Job) -> None:
        """Stage the job and its appointments, conditioned on the job's version being the one read
        (a new job: on its not existing); appointments deleted since the read are deleted."""
        self._uow.stage(Write("put", _job_item(job)))
        current = {a.appointment_id for a in job.appointments}
        for appointment in job.appointments:
            self._uow.stage(Write("put", _appointment_item(job.tenant_id, appointment)))
        for gone in self._loaded.get((job.tenant_id, job.job_id), frozenset()) - current:
            item = AppointmentItem(pk=keys.job_pk(job.tenant_id, job.job_id), sk=keys.appointment_sk(gone))
            self._uow.stage(Write("delete", item))
        self._uow.track(job)

    def get(self, tenant_id: str, job_id: str) -> Job | None:
        job_item: JobItem | None = None
        appointments: list[Appointment] = []
        for item in CoreItem.query(keys.job_pk(tenant_id, job_id), consistent_read=True):
            if isinstance(item, JobItem):
                job_item = item
            elif isinstance(item, AppointmentItem):
                appointments.append(_appointment(item))
        if job_item is None:
            return None
        self._loaded[(tenant_id, job_id)] = frozenset(a.appointment_id for a in appointments)
        return _job(job_item, sorted(appointments, key=lambda a: a.start))

    def site(self, job: Job) -> Site:
        """The customer's name and the job's location, as the board shows them."""
        name, location = "", None
        for item in CoreItem.query(keys.customer_pk(job.tenant_id, job.customer_id), consistent_read=True):
            if isinstance(item, CustomerItem):
                name = item.name
            elif isinstance(item, LocationItem) and item.location_id == job.location_id:
                location = Place(
                    street=item.street,
                    city=item.city,
                    state=item.state,
                    postal_code=item.postal_code,
                    verified=item.verified,
                    lat=item.lat,
                    lon=item.lon,
                )
        if location is None:
            raise LookupError(f"job {job.job_id} has no stored location {job.location_id}")
        return Site(customer_name=name, location=location)


class DynamoScheduleRepository:
    """Technicians' days (truckroll.domain.schedule)."""

    def __init__(self, uow: DynamoCoreUnitOfWork) -> None:
        self._uow = uow

    def get(self, tenant_id: str, technician_id: str, day: date) -> TechDay:
        try:
            item = TechDayItem.get(
                keys.tech_day_pk(tenant_id, technician_id), keys.tech_day_sk(day), consistent_read=True
            )
        except TechDayItem.DoesNotExist:
            return TechDay(tenant_id, technician_id, day)
        return _tech_day(tenant_id, item)

    def days(self, tenant_id: str, technician_id: str, first: date, last: date) -> list[TechDay]:
        """The technician's stored days from ``first`` to ``last`` (one Query)."""
        items = TechDayItem.query(
            keys.tech_day_pk(tenant_id, technician_id),
            TechDayItem.sk.between(keys.tech_day_sk(first), keys.tech_day_sk(last)),
            consistent_read=True,
        )
        return [_tech_day(tenant_id, i) for i in items]

    def many(self, tenant_id: str, wanted: Iterable[tuple[str, date]]) -> list[TechDay]:
        """The stored days of these (technician, date) pairs: one BatchGetItem per 100 pairs, asking
        only the attributes a day is made of (keys and index attributes are not sent back)."""
        pairs = [(keys.tech_day_pk(tenant_id, t), keys.tech_day_sk(d)) for t, d in wanted]
        items = TechDayItem.batch_get(pairs, consistent_read=True, attributes_to_get=_DAY_ATTRIBUTES)
        return [_tech_day(tenant_id, i) for i in items]

    def of_date(self, tenant_id: str, day: date) -> list[TechDay]:
        """Every technician's stored day of ``day`` (one Query on gsi1, eventually consistent, asking
        only the attributes a day is made of)."""
        items = TechDayItem.of_date.query(
            keys.tech_days_of_date_pk(tenant_id, day), attributes_to_get=_DAY_ATTRIBUTES
        )
        return [_tech_day(tenant_id, i) for i in items]

    def put(self, day: TechDay) -> None:
        """Stage the day, conditioned on its version being the one read."""
        item = TechDayItem(
            pk=keys.tech_day_pk(day.tenant_id, day.technician_id),
            sk=keys.tech_day_sk(day.day),
            tenant_id=day.tenant_id,
            technician_id=day.technician_id,
            day=day.day.isoformat(),
            slots=_SLOTS.dump_json(list(day.slots)).decode(),
            shifts=_SHIFTS.dump_json(list(day.shifts)).decode(),
            events=_EVENTS.dump_json(list(day.events)).decode(),
            gsi1pk=keys.tech_days_of_date_pk(day.tenant_id, day.day),
            gsi1sk=keys.technician_sk(day.technician_id),
        )
        _set_version(item, day.version)
        self._uow.stage(Write("put", item))


#: What a technician's day is read from (``_tech_day``).
_DAY_ATTRIBUTES = [
    TechDayItem.technician_id.attr_name,
    TechDayItem.day.attr_name,
    TechDayItem.slots.attr_name,
    TechDayItem.shifts.attr_name,
    TechDayItem.events.attr_name,
    TechDayItem.version.attr_name,
]


def _tech_day(tenant_id: str, item: TechDayItem) -> TechDay:
    return TechDay(
        tenant_id,
        item.technician_id,
        date.fromisoformat(item.day),
        tuple(_SLOTS.validate_json(item.slots)),
        int(item.version or 0),
        tuple(_SHIFTS.validate_json(item.shifts)),
        tuple(_EVENTS.validate_json(item.events)),
    )


class DynamoCrewRepository:
    """Crews of a tenant: one partition, so the list is one Query."""

    def __init__(self, uow: DynamoCoreUnitOfWork) -> None:
        self._uow = uow

    def get(self, tenant_id: str, crew_id: str) -> Crew | None:
        try:
            item = CrewItem.get(keys.crews_pk(tenant_id), keys.crew_sk(crew_id), consistent_read=True)
        except CrewItem.DoesNotExist:
            return None
        return _crew(item)

    def all(self, tenant_id: str) -> list[Crew]:
        return [_crew(i) for i in CrewItem.query(keys.crews_pk(tenant_id), consistent_read=True)]

    def put(self, crew: Crew) -> None:
        """Stage the crew, conditioned on its version being the one read (a new one: not existing)."""
        item = CrewItem(
            pk=keys.crews_pk(crew.tenant_id),
            sk=keys.crew_sk(crew.crew_id),
            tenant_id=crew.tenant_id,
            crew_id=crew.crew_id,
            name=crew.name,
            members=_MEMBERS.dump_json(list(crew.members)).decode(),
        )
        _set_version(item, crew.version)
        self._uow.stage(Write("put", item))


def _crew(item: CrewItem) -> Crew:
    members = tuple(_MEMBERS.validate_json(item.members))
    return Crew(item.tenant_id, item.crew_id, item.name, members, int(item.version or 0))


def _set_version(item: JobItem | TechDayItem | CrewItem, version: int) -> None:
    """Condition the write on ``version`` being the stored one; a new item (version 0) keeps no
    version, and PynamoDB then requires that it does not exist yet."""
    if version:
        item.version = version


def _job_item(job: Job) -> JobItem:
    details = job.details
    item = JobItem(
        pk=keys.job_pk(job.tenant_id, job.job_id),
        sk=keys.JOB_SK,
        tenant_id=job.tenant_id,
        job_id=job.job_id,
        customer_id=job.customer_id,
        location_id=job.location_id,
        job_type=details.job_type,
        summary=details.summary,
        priority=details.priority.value,
        business_unit=details.business_unit,
        tags=list(details.tags),
        source=details.source.value,
        campaign=details.campaign,
        call_id=details.call_id,
        project_id=details.project_id,
        estimate_id=details.estimate_id,
        created_at=job.created_at.isoformat(),
        offer=job.offer.value if job.offer else None,
        hold_reason=job.hold_reason,
        cancel_reason=job.cancel_reason,
        payments=job.payments,
        invoice_items=list(job.invoice_items),
        status=job.status.value,
        auto_dispatch=job.auto_dispatch,
        technician_specific=job.technician_specific,
    )
    _set_version(item, job.version)
    return item


def _appointment_item(tenant_id: str, appointment: Appointment) -> AppointmentItem:
    visit = appointment.visit
    return AppointmentItem(
        pk=keys.job_pk(tenant_id, appointment.job_id),
        sk=keys.appointment_sk(appointment.appointment_id),
        tenant_id=tenant_id,
        appointment_id=appointment.appointment_id,
        job_id=appointment.job_id,
        start=visit.scheduled.start.isoformat(),
        end=visit.scheduled.end.isoformat(),
        window_start=visit.arrival_window.start.isoformat(),
        window_end=visit.arrival_window.end.isoformat(),
        status=appointment.status.value,
        technician_ids=list(appointment.technician_ids),
        assignments=_ASSIGNMENTS.dump_json(list(appointment.assignments)).decode(),
        confirmed=appointment.confirmed,
        canceled=appointment.canceled,
        auto_alert=appointment.auto_alert,
    )


def _window(start: str, end: str) -> TimeWindow:
    return TimeWindow(datetime.fromisoformat(start), datetime.fromisoformat(end))


def _appointment(item: AppointmentItem) -> Appointment:
    return Appointment(
        appointment_id=item.appointment_id,
        job_id=item.job_id,
        visit=Visit(
            scheduled=_window(item.start, item.end),
            arrival_window=_window(item.window_start, item.window_end),
        ),
        assignments=tuple(_ASSIGNMENTS.validate_json(item.assignments)),
        confirmed=bool(item.confirmed),
        canceled=bool(item.canceled),
        auto_alert=item.auto_alert,
    )


def _job(item: JobItem, appointments: list[Appointment]) -> Job:
    return Job(
        tenant_id=item.tenant_id,
        job_id=item.job_id,
        customer_id=item.customer_id,
        location_id=item.location_id,
        details=JobDetails(
            job_type=item.job_type,
            summary=item.summary,
            priority=Priority(item.priority),
            business_unit=item.business_unit,
            tags=tuple(item.tags),
            source=JobSource(item.source),
            campaign=item.campaign,
            call_id=item.call_id,
            project_id=item.project_id,
            estimate_id=item.estimate_id,
        ),
        created_at=datetime.fromisoformat(item.created_at),
        appointments=appointments,
        offer=OfferState(item.offer) if item.offer else None,
        hold_reason=item.hold_reason,
        cancel_reason=item.cancel_reason,
        payments=int(item.payments or 0),
        invoice_items=tuple(item.invoice_items),
        auto_dispatch=item.auto_dispatch is not False,
        technician_specific=bool(item.technician_specific),
        version=int(item.version or 0),
    )


class DynamoCoreUnitOfWork:
    """Stages writes and commits them in one ``TransactWriteItems`` (at most 100 items), together
    with an outbox item for every event recorded by the saved jobs (or published directly) and an
    audit trail entry for every event of a dispatch action."""

    def __init__(self, *, producer: str, clock: Clock, correlation_id: str | None = None) -> None:
        self._producer = producer
        self._clock = clock
        self._correlation_id = correlation_id
        self._customers = DynamoCustomerRepository(self)
        self._jobs = DynamoJobRepository(self)
        self._schedules = DynamoScheduleRepository(self)
        self._crews = DynamoCrewRepository(self)
        self._staged: list[Write] = []
        self._seen: list[Job] = []
        self._published: list[DomainEvent] = []

    @property
    def customers(self) -> DynamoCustomerRepository:
        return self._customers

    @property
    def jobs(self) -> DynamoJobRepository:
        return self._jobs

    @property
    def schedules(self) -> DynamoScheduleRepository:
        return self._schedules

    @property
    def crews(self) -> DynamoCrewRepository:
        return self._crews

    def stage(self, write: Write) -> None:
        self._staged.append(write)

    def track(self, job: Job) -> None:
        self._seen.append(job)

    def publish(self, event: DomainEvent) -> None:
        """Publish an event that belongs to no saved aggregate (a message to technicians)."""
        self._published.append(event)

    def change_board(self, tenant_id: str, changes: list[BoardChange]) -> None:
        expires_at = self._clock() + FEED_RETENTION
        for change in changes:
            self._staged.extend(change_writes(tenant_id, change, expires_at))

    def announce_technician(self, tenant_id: str, technician_id: str, day: date) -> None:
        """Say in the day's feed that the technician's row changed (their shifts or non-job events)."""
        self._staged.append(technician_change(tenant_id, technician_id, day, self._clock() + FEED_RETENTION))

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._staged.clear()
        self._seen.clear()
        self._published.clear()

    def commit(self) -> None:
        writes = list(self._staged)
        expires_at = self._clock() + OUTBOX_RETENTION
        events = [*(e for job in self._seen for e in job.pull_events()), *self._published]
        for event in events:
            envelope = envelope_for(event, producer=self._producer, correlation_id=self._correlation_id)
            writes.append(Write("put", outbox_item(envelope, expires_at), _new(OutboxItem)))
            if isinstance(event, AppointmentChanged | JobChanged):
                audit = AuditItem(
                    pk=keys.audit_pk(event.tenant_id, event.job_id),
                    sk=envelope.event_id,
                    tenant_id=event.tenant_id,
                    event_id=envelope.event_id,
                    event_type=envelope.event_type,
                    occurred_at=event.at.isoformat(),
                    actor_id=event.actor.id,
                    actor_role=event.actor.role,
                    appointment_id=event.appointment.appointment_id
                    if isinstance(event, AppointmentChanged)
                    else None,
                    reason=event.reason,
                    data=json.dumps(envelope.data),
                )
                writes.append(Write("put", audit))
        try:
            transact(writes)
        finally:
            self._staged.clear()
            self._published.clear()
        for job in self._seen:
            job.version += 1
        self._seen.clear()


def audit_trail(tenant_id: str, job_id: str) -> list[AuditEntry]:
    """A job's audit trail, oldest first (one Query)."""
    return [
        AuditEntry(
            event_id=item.event_id,
            event_type=item.event_type,
            at=datetime.fromisoformat(item.occurred_at),
            actor=Actor(item.actor_id, item.actor_role),
            appointment_id=item.appointment_id,
            reason=item.reason,
            details=json.loads(item.data),
        )
        for item in AuditItem.query(keys.audit_pk(tenant_id, job_id), consistent_read=True)
    ]
