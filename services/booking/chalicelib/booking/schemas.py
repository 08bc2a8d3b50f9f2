"""HTTP request bodies of the booking API (strict; unknown fields are refused) and their views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Any

from chalicelib.booking.use_cases import Booked, BookJob, NewCustomer, NewLocation
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from truckroll.domain.customers import E164, Address, GeoPoint, Phone, PhoneType
from truckroll.domain.jobs import Appointment, Job, JobDetails, JobSource, Priority, Visit
from truckroll.domain.windows import TimeWindow
from truckroll.errors import FieldError, RuleViolation, ValidationFailed


def _iso_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("expected an ISO-8601 date-time string with a UTC offset")
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=50)]
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_string), Field(strict=False)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
PhoneNumber = Annotated[
    str, StringConstraints(pattern=E164.pattern), Field(description="E.164: +15125550123")
]


class _Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class CustomerIn(_Body):
    name: Text
    phone: Annotated[str, StringConstraints(pattern=E164.pattern)] = Field(
        description="E.164, e.g. +15125550123"
    )
    phone_type: Annotated[PhoneType, Field(strict=False)]
    email: Email | None = None
    tags: Tags = Field(default_factory=list, description="kept on the customer; they do not drive routing")


class LocationIn(_Body):
    street: Text
    city: Text
    state: Text
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    verified: bool
    tags: Tags = Field(default_factory=list, description="copied onto the job; they drive skills routing")


class JobIn(_Body):
    job_type: Text
    business_unit: Text | None = None
    priority: Annotated[Priority, Field(strict=False)] = Priority.NORMAL
    summary: LongText
    tags: Tags = Field(default_factory=list)
    source: Annotated[JobSource, Field(strict=False)] = JobSource.OFFICE_CALL
    campaign: Text | None = None
    call_id: Text | None = None


class WindowIn(_Body):
    start: Instant
    end: Instant


class AppointmentIn(_Body):
    start: Instant
    end: Instant
    arrival_window: WindowIn


class BookJobRequest(_Body):
    customer: CustomerIn
    location: LocationIn
    job: JobIn
    appointment: AppointmentIn | None = None

    def to_command(self) -> BookJob:
        """The command, with every domain rule checked; a broken rule names the field at fault."""
        c, loc, j = self.customer, self.location, self.job
        with fields_at("customer"):
            phone = Phone(c.phone, c.phone_type)
        with fields_at("location"):
            if (loc.lat is None) != (loc.lon is None):
                raise RuleViolation(
                    "give both lat and lon, or neither", field="lat" if loc.lat is None else "lon"
                )
            point = GeoPoint(loc.lat, loc.lon) if loc.lat is not None and loc.lon is not None else None
        visit = None
        if self.appointment is not None:
            a = self.appointment
            with fields_at("appointment.arrival_window"):
                arrival_window = TimeWindow(a.arrival_window.start, a.arrival_window.end)
            with fields_at("appointment"):
                visit = Visit(scheduled=TimeWindow(a.start, a.end), arrival_window=arrival_window)
        return BookJob(
            customer=NewCustomer(name=c.name, phone=phone, email=c.email, tags=tuple(c.tags)),
            location=NewLocation(
                address=Address(
                    street=loc.street, city=loc.city, state=loc.state, postal_code=loc.postal_code
                ),
                point=point,
                verified=loc.verified,
                tags=tuple(loc.tags),
            ),
            details=JobDetails(
                job_type=j.job_type,
                summary=j.summary,
                priority=j.priority,
                business_unit=j.business_unit,
                tags=tuple(j.tags),
                source=j.source,
                campaign=j.campaign,
                call_id=j.call_id,
            ),
            visit=visit,
        )


@contextmanager
def fields_at(prefix: str) -> Iterator[None]:
    """Turn a domain rule broken inside the block into a validation error naming ``prefix.field``."""
    try:
        yield
    except RuleViolation as error:
        name = error.extensions.get("field")
        raise ValidationFailed([FieldError(f"{prefix}.{name}" if name else prefix, error.detail)]) from error


def _instant(value: datetime) -> str:
    return value.isoformat()


def appointment_view(appointment: Appointment) -> dict[str, Any]:
    window = appointment.visit.arrival_window
    return {
        "appointment_id": appointment.appointment_id,
        "start": _instant(appointment.start),
        "end": _instant(appointment.end),
        "arrival_window": {"start": _instant(window.start), "end": _instant(window.end)},
        "status": appointment.status.value,
        "technician_ids": list(appointment.technician_ids),
    }


def job_view(job: Job) -> dict[str, Any]:
    d = job.details
    return {
        "job_id": job.job_id,
        "customer_id": job.customer_id,
        "location_id": job.location_id,
        "status": job.status.value,
        "job_type": d.job_type,
        "business_unit": d.business_unit,
        "priority": d.priority.value,
        "summary": d.summary,
        "tags": list(d.tags),
        "source": d.source.value,
        "campaign": d.campaign,
        "call_id": d.call_id,
        "created_at": _instant(job.created_at),
        "version": job.version,
        "appointments": [appointment_view(a) for a in job.appointments],
    }


def booked_view(booked: Booked) -> dict[str, Any]:
    return {**job_view(booked.job), "notices": list(booked.notices)}
