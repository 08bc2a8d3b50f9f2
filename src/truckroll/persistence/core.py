"""The core table's unit of work and repositories (customers, jobs with their appointments)."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import TracebackType
from typing import Self

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from truckroll.contracts.publish import envelope_for
from truckroll.domain.customers import Customer, Location
from truckroll.domain.jobs import Appointment, Job, JobDetails, JobSource, Priority, Visit
from truckroll.domain.status import AppointmentStatus, OfferState
from truckroll.domain.windows import Clock, TimeWindow
from truckroll.errors import Conflict
from truckroll.persistence import keys
from truckroll.persistence.core_models import (
    AppointmentItem,
    CoreItem,
    CustomerItem,
    JobItem,
    LocationItem,
    OutboxItem,
)
from truckroll.persistence.tables import connection

OUTBOX_RETENTION = timedelta(days=7)


def _new(model: type[CoreItem]) -> Condition:
    return model.pk.does_not_exist()


class DynamoCustomerRepository:
    def __init__(self, uow: DynamoCoreUnitOfWork) -> None:
        self._uow = uow

    def add(self, customer: Customer) -> None:
        item = CustomerItem(
            pk=keys.customer_pk(customer.tenant_id, customer.customer_id),
            sk=keys.CUSTOMER_SK,
            tenant_id=customer.tenant_id,
            customer_id=customer.customer_id,
            name=customer.name,
            phone=customer.phone.number,
            phone_type=customer.phone.type.value,
            email=customer.email,
            tags=list(customer.tags),
        )
        self._uow.stage(item, _new(CustomerItem))

    def add_location(self, location: Location) -> None:
        point = location.point
        item = LocationItem(
            pk=keys.customer_pk(location.tenant_id, location.customer_id),
            sk=keys.location_sk(location.location_id),
            tenant_id=location.tenant_id,
            location_id=location.location_id,
            customer_id=location.customer_id,
            street=location.address.street,
            city=location.address.city,
            state=location.address.state,
            postal_code=location.address.postal_code,
            lat=point.lat if point else None,
            lon=point.lon if point else None,
            verified=location.verified,
            tags=list(location.tags),
        )
        self._uow.stage(item, _new(LocationItem))


class DynamoJobRepository:
    def __init__(self, uow: DynamoCoreUnitOfWork) -> None:
        self._uow = uow

    def add(self, job: Job) -> None:
        if job.version != 0:
            raise ValueError("add() takes new jobs only")
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
            created_at=job.created_at.isoformat(),
            offer=job.offer.value if job.offer else None,
            hold_reason=job.hold_reason,
            cancel_reason=job.cancel_reason,
            status=job.status.value,
        )
        # The version attribute makes PynamoDB require that the job does not exist yet.
        self._uow.stage(item, None)
        for appointment in job.appointments:
            self._uow.stage(_appointment_item(job.tenant_id, appointment), _new(AppointmentItem))
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
        return _job(job_item, sorted(appointments, key=lambda a: a.start))


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
        status=AppointmentStatus(item.status),
        technician_ids=tuple(item.technician_ids),
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
        ),
        created_at=datetime.fromisoformat(item.created_at),
        appointments=appointments,
        offer=OfferState(item.offer) if item.offer else None,
        hold_reason=item.hold_reason,
        cancel_reason=item.cancel_reason,
        version=int(item.version or 0),
    )


class DynamoCoreUnitOfWork:
    """Stages writes and commits them, plus the outbox items of the recorded events, in one
    ``TransactWriteItems`` (at most 100 items)."""

    def __init__(self, *, producer: str, clock: Clock, correlation_id: str | None = None) -> None:
        self._producer = producer
        self._clock = clock
        self._correlation_id = correlation_id
        self._customers = DynamoCustomerRepository(self)
        self._jobs = DynamoJobRepository(self)
        self._staged: list[tuple[CoreItem, Condition | None]] = []
        self._seen: list[Job] = []

    @property
    def customers(self) -> DynamoCustomerRepository:
        return self._customers

    @property
    def jobs(self) -> DynamoJobRepository:
        return self._jobs

    def stage(self, item: CoreItem, condition: Condition | None) -> None:
        self._staged.append((item, condition))

    def track(self, job: Job) -> None:
        self._seen.append(job)

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

    def commit(self) -> None:
        writes = list(self._staged)
        expires_at = self._clock() + OUTBOX_RETENTION
        for job in self._seen:
            for event in job.pull_events():
                envelope = envelope_for(event, producer=self._producer, correlation_id=self._correlation_id)
                outbox = OutboxItem(
                    pk=keys.outbox_pk(envelope.tenant_id, envelope.event_id),
                    sk=keys.OUTBOX_SK,
                    tenant_id=envelope.tenant_id,
                    event_id=envelope.event_id,
                    event_type=envelope.event_type,
                    producer=envelope.producer,
                    envelope=envelope.model_dump_json(),
                    expires_at=expires_at,
                )
                writes.append((outbox, _new(OutboxItem)))
        try:
            with TransactWrite(connection=connection()) as transaction:
                for item, condition in writes:
                    transaction.save(item, condition=condition)
        except TransactWriteError as error:
            if any(r is not None and r.code == "ConditionalCheckFailed" for r in error.cancellation_reasons):
                raise Conflict("the data changed while this request ran; reload and try again") from error
            raise
        finally:
            self._staged.clear()
        for job in self._seen:
            job.version += 1
        self._seen.clear()
