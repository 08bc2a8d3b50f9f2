"""HTTP request bodies of the booking API (strict; unknown fields are refused) and their views."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any

from chalicelib.booking.agreements import VisitOutcome
from chalicelib.booking.use_cases import Booked, BookJob, NewCustomer, NewLocation
from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from truckroll.domain.availability import OpeningHours
from truckroll.domain.booking_settings import (
    ArrivalWindow,
    BookingSettings,
    JobType,
    OnlineBooking,
    OnlineService,
    RequiredField,
)
from truckroll.domain.customers import E164, Address, Customer, GeoPoint, Location, Phone, PhoneType
from truckroll.domain.field_booking import FollowUp
from truckroll.domain.jobs import Appointment, Job, JobDetails, JobSource, Priority, Visit
from truckroll.domain.projects import Project, ProjectJob
from truckroll.domain.windows import TimeWindow
from truckroll.errors import FieldError, RuleViolation, ValidationFailed
from truckroll.persistence.customers import CustomerMatch, CustomerRecord
from truckroll.web.problems import problem_body


def _iso_string(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("expected an ISO-8601 date-time string with a UTC offset")
    return value


Id = Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z_-]{1,64}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Tags = Annotated[list[Tag], Field(max_length=50)]
Instant = Annotated[AwareDatetime, BeforeValidator(_iso_string), Field(strict=False)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
LocalTime = Annotated[
    str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$"), Field(description="HH:MM")
]


class Body(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class CustomerIn(Body):
    name: Text
    phone: Annotated[str, StringConstraints(pattern=E164.pattern)] = Field(
        description="E.164, e.g. +15125550123"
    )
    phone_type: Annotated[PhoneType, Field(strict=False)]
    email: Email | None = None
    tags: Tags = Field(default_factory=list, description="kept on the customer; they do not drive routing")

    def to_new(self, prefix: str = "") -> NewCustomer:
        with fields_at(prefix):
            phone = Phone(self.phone, self.phone_type)
        return NewCustomer(name=self.name, phone=phone, email=self.email, tags=tuple(self.tags))


class LocationIn(Body):
    street: Text
    city: Text
    state: Text
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    verified: bool
    tags: Tags = Field(default_factory=list, description="copied onto the job; they drive skills routing")

    def to_new(self, prefix: str = "") -> NewLocation:
        with fields_at(prefix):
            if (self.lat is None) != (self.lon is None):
                raise RuleViolation(
                    "give both lat and lon, or neither", field="lat" if self.lat is None else "lon"
                )
            point = GeoPoint(self.lat, self.lon) if self.lat is not None and self.lon is not None else None
        return NewLocation(
            address=Address(
                street=self.street, city=self.city, state=self.state, postal_code=self.postal_code
            ),
            point=point,
            verified=self.verified,
            tags=tuple(self.tags),
        )


class JobCoreIn(Body):
    """What the job is about; where it came from is the caller's to add."""

    job_type: Text
    business_unit: Text | None = None
    priority: Annotated[Priority, Field(strict=False)] = Priority.NORMAL
    summary: LongText
    tags: Tags = Field(default_factory=list)

    def details(self, **origin: Any) -> JobDetails:
        return JobDetails(
            job_type=self.job_type,
            summary=self.summary,
            priority=self.priority,
            business_unit=self.business_unit,
            tags=tuple(self.tags),
            **origin,
        )


class JobIn(JobCoreIn):
    source: Annotated[JobSource, Field(strict=False)] = JobSource.OFFICE_CALL
    campaign: Text | None = None
    call_id: Text | None = None
    project_id: Id | None = Field(default=None, description="a project of the same customer")
    estimate_id: Id | None = Field(default=None, description="the sold estimate (source sold_estimate)")


class WindowIn(Body):
    start: Instant
    end: Instant


class AppointmentIn(Body):
    start: Instant
    end: Instant
    arrival_window: WindowIn


class FollowUpIn(Body):
    """A follow-up job booked from the field: the customer, location and business unit are the job's."""

    job_type: Text
    summary: LongText
    priority: Annotated[Priority, Field(strict=False)] = Priority.NORMAL
    preferred_date: Annotated[date, Field(strict=False)] | None = None

    def to_follow_up(self) -> FollowUp:
        return FollowUp(self.job_type, self.summary, self.priority, self.preferred_date)


class BookJobRequest(Body):
    """A new ``customer`` or a stored ``customer_id``; a new ``location`` or a stored ``location_id``."""

    customer: CustomerIn | None = None
    customer_id: Id | None = None
    location: LocationIn | None = None
    location_id: Id | None = None
    job: JobIn
    appointment: AppointmentIn | None = None
    later_appointments: Annotated[list[AppointmentIn], Field(max_length=30)] = Field(default_factory=list)

    def to_command(self) -> BookJob:
        """The command, with every domain rule checked; a broken rule names the field at fault."""
        j = self.job
        return BookJob(
            customer=_one_of("customer", self.customer, self.customer_id),
            location=_one_of("location", self.location, self.location_id),
            details=j.details(
                source=j.source,
                campaign=j.campaign,
                call_id=j.call_id,
                project_id=j.project_id,
                estimate_id=_estimate_of(j),
            ),
            visit=visit_of(self.appointment),
            later_visits=tuple(
                visit
                for i, a in enumerate(self.later_appointments)
                if (visit := visit_of(a, f"later_appointments[{i}]")) is not None
            ),
        )


def visit_of(appointment: AppointmentIn | None, at: str = "appointment") -> Visit | None:
    """The visit given at field path ``at``; a broken rule names its field under that path."""
    if appointment is None:
        return None
    a = appointment
    with fields_at(f"{at}.arrival_window"):
        arrival_window = TimeWindow(a.arrival_window.start, a.arrival_window.end)
    with fields_at(at):
        return Visit(scheduled=TimeWindow(a.start, a.end), arrival_window=arrival_window)


def _estimate_of(job: JobIn) -> str | None:
    """A sold estimate's job names its estimate, and only such a job does."""
    if (job.source is JobSource.SOLD_ESTIMATE) != (job.estimate_id is not None):
        raise ValidationFailed(
            [FieldError("job.estimate_id", "give it exactly when source is sold_estimate")]
        )
    return job.estimate_id


def _one_of(name: str, given: CustomerIn | LocationIn | None, stored_id: str | None) -> Any:
    if (given is None) == (stored_id is None):
        raise ValidationFailed([FieldError(name, f"give either {name} or {name}_id")])
    return stored_id if given is None else given.to_new(name)


class NewCustomerRequest(CustomerIn):
    locations: Annotated[list[LocationIn], Field(max_length=20)] = Field(default_factory=list)

    def to_locations(self) -> tuple[NewLocation, ...]:
        return tuple(loc.to_new(f"locations[{i}]") for i, loc in enumerate(self.locations))


class AgreementVisitIn(Body):
    customer_id: Id
    location_id: Id
    job: JobCoreIn
    appointment: AppointmentIn | None = None


class AgreementVisitsIn(Body):
    agreement: Text = Field(description="the agreement's reference; it becomes each job's campaign")
    confirm: bool = Field(default=False, description="lock each visit given a time as Confirmed")
    visits: Annotated[list[AgreementVisitIn], Field(min_length=1, max_length=25)]

    def to_commands(self) -> list[BookJob]:
        commands = []
        for index, v in enumerate(self.visits):
            visit = visit_of(v.appointment, f"visits[{index}].appointment")
            commands.append(BookJob(v.customer_id, v.location_id, v.job.details(), visit))
        return commands


class NewProjectIn(Body):
    customer_id: Id
    name: Text


class JobTypeIn(Body):
    name: Text
    duration_minutes: int = Field(ge=1, le=20160)
    skills: Tags = Field(default_factory=list, description="a technician needs every one of them")
    business_unit: Text | None = None


class ArrivalWindowIn(Body):
    label: Text
    start: LocalTime
    end: LocalTime
    business_units: Annotated[list[Text], Field(max_length=100)] = Field(
        default_factory=list, description="empty: every business unit"
    )


class OpeningHoursIn(Body):
    weekday: int = Field(ge=0, le=6, description="0 Monday ... 6 Sunday")
    opens: LocalTime
    closes: LocalTime


class OnlineServiceIn(Body):
    label: Text
    job_type: Text | None = Field(default=None, description='a job type of the settings; none: "Unknown"')


class OnlineBookingSettingsIn(Body):
    services: Annotated[list[OnlineServiceIn], Field(min_length=1, max_length=50)]
    slot_minutes: int = Field(default=30, ge=5, le=240)
    arrival_minutes: int = Field(default=60, ge=1, le=480)
    days_ahead: int = Field(default=30, ge=1, le=365)
    unknown_duration_minutes: int = Field(default=60, ge=15, le=1440)
    requests_per_minute: int = Field(default=30, ge=1, le=600)

    def to_online(self) -> OnlineBooking:
        services = tuple(OnlineService(s.label, s.job_type) for s in self.services)
        with fields_at("online"):
            return OnlineBooking(
                services,
                self.slot_minutes,
                self.arrival_minutes,
                self.days_ahead,
                self.unknown_duration_minutes,
                self.requests_per_minute,
            )


class BookingSettingsIn(Body):
    version: int = Field(ge=0, description="the version read (0 before the first save)")
    job_types: Annotated[list[JobTypeIn], Field(max_length=200)] = Field(default_factory=list)
    business_units: Annotated[list[Text], Field(max_length=100)] = Field(default_factory=list)
    arrival_windows: Annotated[list[ArrivalWindowIn], Field(max_length=50)] = Field(default_factory=list)
    required_fields: Annotated[list[Annotated[RequiredField, Field(strict=False)]], Field(max_length=10)] = (
        Field(default_factory=list)
    )
    time_zone: Text = Field(default="UTC", description="IANA name, e.g. America/Chicago")
    opening_hours: Annotated[list[OpeningHoursIn], Field(max_length=21)] = Field(default_factory=list)
    online: OnlineBookingSettingsIn | None = Field(default=None, description="none: no online bookings")

    def to_settings(self, tenant_id: str) -> BookingSettings:
        job_types = []
        for index, t in enumerate(self.job_types):
            with fields_at(f"job_types[{index}]"):
                job_types.append(
                    JobType(t.name, timedelta(minutes=t.duration_minutes), tuple(t.skills), t.business_unit)
                )
        windows = []
        for index, w in enumerate(self.arrival_windows):
            with fields_at(f"arrival_windows[{index}]"):
                windows.append(
                    ArrivalWindow(
                        w.label,
                        time.fromisoformat(w.start),
                        time.fromisoformat(w.end),
                        tuple(w.business_units),
                    )
                )
        hours = []
        for index, h in enumerate(self.opening_hours):
            with fields_at(f"opening_hours[{index}]"):
                hours.append(
                    OpeningHours(h.weekday, time.fromisoformat(h.opens), time.fromisoformat(h.closes))
                )
        online = self.online.to_online() if self.online else None
        with fields_at(""):
            return BookingSettings(
                tenant_id=tenant_id,
                job_types=tuple(job_types),
                business_units=tuple(dict.fromkeys(self.business_units)),
                arrival_windows=tuple(windows),
                required_fields=tuple(dict.fromkeys(self.required_fields)),
                version=self.version,
                time_zone=self.time_zone,
                opening_hours=tuple(hours),
                online=online,
            )


@contextmanager
def fields_at(prefix: str) -> Iterator[None]:
    """Turn a domain rule broken inside the block into a validation error naming ``prefix.field``."""
    try:
        yield
    except RuleViolation as error:
        name = error.extensions.get("field")
        path = ".".join(p for p in (prefix, name) if p) or "body"
        raise ValidationFailed([FieldError(path, error.detail)]) from error


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
        "project_id": d.project_id,
        "estimate_id": d.estimate_id,
        "created_at": _instant(job.created_at),
        "version": job.version,
        "appointments": [appointment_view(a) for a in job.appointments],
    }


def booked_view(booked: Booked) -> dict[str, Any]:
    return {**job_view(booked.job), "notices": list(booked.notices)}


def customer_view(customer: Customer) -> dict[str, Any]:
    return {
        "customer_id": customer.customer_id,
        "name": customer.name,
        "phone": customer.phone.number,
        "phone_type": customer.phone.type.value,
        "can_receive_sms": customer.phone.can_receive_sms,
        "email": customer.email,
        "tags": list(customer.tags),
        "version": customer.version,
    }


def location_view(location: Location) -> dict[str, Any]:
    address, point = location.address, location.point
    return {
        "location_id": location.location_id,
        "customer_id": location.customer_id,
        "street": address.street,
        "city": address.city,
        "state": address.state,
        "postal_code": address.postal_code,
        "lat": point.lat if point else None,
        "lon": point.lon if point else None,
        "verified": location.verified,
        "tags": list(location.tags),
        "version": location.version,
    }


def record_view(record: CustomerRecord) -> dict[str, Any]:
    return {**customer_view(record.customer), "locations": [location_view(loc) for loc in record.locations]}


def match_view(match: CustomerMatch) -> dict[str, Any]:
    return {
        "customer_id": match.customer_id,
        "name": match.name,
        "phone": match.phone.number,
        "phone_type": match.phone.type.value,
    }


def settings_view(settings: BookingSettings) -> dict[str, Any]:
    return {
        "version": settings.version,
        "job_types": [
            {
                "name": t.name,
                "duration_minutes": t.duration // timedelta(minutes=1),
                "skills": list(t.skills),
                "business_unit": t.business_unit,
            }
            for t in settings.job_types
        ],
        "business_units": list(settings.business_units),
        "arrival_windows": [
            {
                "label": w.label,
                "start": f"{w.start:%H:%M}",
                "end": f"{w.end:%H:%M}",
                "business_units": list(w.business_units),
            }
            for w in settings.arrival_windows
        ],
        "required_fields": [f.value for f in settings.required_fields],
        "time_zone": settings.time_zone,
        "opening_hours": [
            {"weekday": h.weekday, "opens": f"{h.opens:%H:%M}", "closes": f"{h.closes:%H:%M}"}
            for h in settings.opening_hours
        ],
        "online": None if settings.online is None else _online_view(settings.online),
    }


def _online_view(online: OnlineBooking) -> dict[str, Any]:
    return {
        "services": [{"label": s.label, "job_type": s.job_type} for s in online.services],
        "slot_minutes": online.slot_minutes,
        "arrival_minutes": online.arrival_minutes,
        "days_ahead": online.days_ahead,
        "unknown_duration_minutes": online.unknown_duration_minutes,
        "requests_per_minute": online.requests_per_minute,
    }


def outcome_view(outcome: VisitOutcome) -> dict[str, Any]:
    result = outcome.result
    if isinstance(result, Job):
        return {"index": outcome.index, "status": 201, "job": job_view(result)}
    problem = problem_body(result.status, result.title, result.detail, **result.extensions)
    return {"index": outcome.index, "status": result.status, "problem": problem}


def project_view(project: Project, jobs: list[ProjectJob]) -> dict[str, Any]:
    return {
        "project_id": project.project_id,
        "customer_id": project.customer_id,
        "name": project.name,
        "created_at": _instant(project.created_at),
        "jobs": [
            {
                "job_id": j.job_id,
                "job_type": j.job_type,
                "summary": j.summary,
                "booked_at": _instant(j.booked_at),
            }
            for j in jobs
        ],
    }
