"""Contracts of job events. Version 1 may only grow by optional fields; anything else is version 2.

Consumers read with these same models, ignoring fields they do not know (tolerant reader), so a
producer may add an optional field without breaking them.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from truckroll.domain.customers import PhoneType
from truckroll.domain.jobs import JobSource, Priority
from truckroll.domain.status import AppointmentStatus, JobStatus

JOB_BOOKED = "job.booked"


class ContractModel(BaseModel):
    """Base of every event data model: immutable, tolerant of fields it does not know."""

    model_config = ConfigDict(frozen=True, extra="ignore")


class WindowV1(ContractModel):
    start: AwareDatetime
    end: AwareDatetime


class CustomerV1(ContractModel):
    customer_id: str
    name: str
    phone: str = Field(description="E.164")
    phone_type: PhoneType
    email: str | None = None


class LocationV1(ContractModel):
    location_id: str
    street: str
    city: str
    state: str
    postal_code: str
    lat: float | None = None
    lon: float | None = None
    verified: bool
    tags: list[str]


class AppointmentV1(ContractModel):
    appointment_id: str
    start: AwareDatetime
    end: AwareDatetime
    arrival_window: WindowV1
    status: AppointmentStatus
    technician_ids: list[str]


class JobBookedV1(ContractModel):
    """``job.booked`` v1: a job was created; ``appointment`` is its first visit when booked with a
    time, ``appointments`` every visit (a job over several days has several)."""

    job_id: str
    status: JobStatus = Field(description="scheduled with an appointment, unscheduled without")
    job_type: str
    business_unit: str | None
    summary: str
    priority: Priority
    tags: list[str] = Field(description="job tags, location tags first")
    source: JobSource
    campaign: str | None
    call_id: str | None
    booked_at: AwareDatetime
    customer: CustomerV1
    location: LocationV1
    appointment: AppointmentV1 | None
    appointments: list[AppointmentV1] | None = Field(
        default=None,
        description="every visit booked with the job, earliest first (the first is `appointment`); "
        "absent from events published before it was added",
    )

    def visits(self) -> list[AppointmentV1]:
        """Every visit booked with the job, from events with or without ``appointments``."""
        if self.appointments is not None:
            return self.appointments
        return [self.appointment] if self.appointment is not None else []
