"""A tenant's booking settings: its job types (with the skills and time they need), business units,
arrival windows and the fields every booking must carry, and the check of a booking against them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from truckroll.domain.availability import Need, OpeningHours
from truckroll.domain.customers import Customer, Location
from truckroll.domain.jobs import JobDetails, Visit
from truckroll.errors import FieldError, RuleViolation, ValidationFailed

UNKNOWN_JOB_TYPE = "Unknown"  # what web bookings get until a dispatcher reclassifies them


@dataclass(frozen=True)
class JobType:
    """A kind of work: how long a visit takes and which skills a technician needs for it."""

    name: str
    duration: timedelta
    skills: tuple[str, ...] = ()
    business_unit: str | None = None

    def __post_init__(self) -> None:
        if self.duration <= timedelta(0) or self.duration > timedelta(days=14):
            raise RuleViolation("a job type lasts more than 0 minutes and at most 14 days", field="duration")


@dataclass(frozen=True)
class ArrivalWindow:
    """A window offered to customers, in the business's local time (08:00-12:00 "Morning"); it
    applies to the listed business units, or to all when none is listed."""

    label: str
    start: time
    end: time
    business_units: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise RuleViolation("an arrival window ends after it starts", field="end")

    def applies_to(self, business_unit: str | None) -> bool:
        return not self.business_units or business_unit in self.business_units


class RequiredField(StrEnum):
    """Fields a tenant may require on every booking (the names are the request's field paths)."""

    CUSTOMER_EMAIL = "customer.email"
    LOCATION_COORDINATES = "location.coordinates"
    JOB_BUSINESS_UNIT = "job.business_unit"
    JOB_CAMPAIGN = "job.campaign"
    JOB_CALL_ID = "job.call_id"
    APPOINTMENT = "appointment"


@dataclass(frozen=True)
class OnlineService:
    """A service customers pick when booking online; it books ``job_type`` (``None``: "Unknown",
    for a dispatcher to reclassify)."""

    label: str
    job_type: str | None = None


@dataclass(frozen=True)
class OnlineBooking:
    """Online self-booking: what customers may book, on which grid, how far ahead, how often."""

    services: tuple[OnlineService, ...]
    slot_minutes: int = 30
    arrival_minutes: int = 60  # the arrival window promised from the booked start
    days_ahead: int = 30
    unknown_duration_minutes: int = 60  # how long an "Unknown" job is planned for
    requests_per_minute: int = 30  # per client (address) and tenant

    def __post_init__(self) -> None:
        labels = [s.label.casefold() for s in self.services]
        if not labels or len(set(labels)) != len(labels):
            raise RuleViolation(
                "online booking offers one service at least, each label once", field="services"
            )

    def service(self, label: str) -> OnlineService | None:
        return next((s for s in self.services if s.label.casefold() == label.casefold()), None)


@dataclass(frozen=True)
class BookingSettings:
    """Empty lists mean "not configured": any job type, business unit or window is then accepted."""

    tenant_id: str
    job_types: tuple[JobType, ...] = ()
    business_units: tuple[str, ...] = ()
    arrival_windows: tuple[ArrivalWindow, ...] = ()
    required_fields: tuple[RequiredField, ...] = ()
    version: int = 0
    time_zone: str = "UTC"
    opening_hours: tuple[OpeningHours, ...] = ()
    online: OnlineBooking | None = None

    def __post_init__(self) -> None:
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise RuleViolation(f"unknown time zone {self.time_zone!r}", field="time_zone") from error
        for index, service in enumerate(self.online.services if self.online else ()):
            if self.job_types and service.job_type is not None and self.job_type(service.job_type) is None:
                raise RuleViolation(
                    f"online service {service.label!r} books an unknown job type",
                    field=f"online.services[{index}].job_type",
                )
        names = [t.name.casefold() for t in self.job_types]
        if len(set(names)) != len(names):
            raise RuleViolation("job type names must be unique", field="job_types")
        units = set(self.business_units)
        for index, job_type in enumerate(self.job_types):
            if units and job_type.business_unit is not None and job_type.business_unit not in units:
                raise RuleViolation(
                    f"job type {job_type.name!r} names an unknown business unit",
                    field=f"job_types[{index}].business_unit",
                )
        for index, window in enumerate(self.arrival_windows):
            unknown = [u for u in window.business_units if units and u not in units]
            if unknown:
                raise RuleViolation(
                    f"unknown business unit(s): {', '.join(unknown)}",
                    field=f"arrival_windows[{index}].business_units",
                )

    def job_type(self, name: str) -> JobType | None:
        return next((t for t in self.job_types if t.name.casefold() == name.casefold()), None)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)

    def need_for(self, online: OnlineBooking, service: OnlineService) -> tuple[str, Need]:
        """The job type an online service books and what its visit needs."""
        job_type = self.job_type(service.job_type) if service.job_type else None
        if job_type is None:
            return UNKNOWN_JOB_TYPE, Need(timedelta(minutes=online.unknown_duration_minutes))
        return job_type.name, Need(job_type.duration, job_type.skills)

    def check(self, customer: Customer, location: Location, details: JobDetails, visit: Visit | None) -> None:
        """Refuse a booking that misses a required field or names a job type, business unit or
        arrival window the tenant does not offer; every problem is named at once."""
        errors = [*self._required(customer, location, details, visit), *self._offered(details, visit)]
        if errors:
            raise ValidationFailed(errors)

    def check_offered(self, details: JobDetails, visit: Visit | None) -> None:
        """Refuse a job type, business unit or arrival window the tenant does not offer (a booking
        the office completes later, such as one from the field, is not held to required fields)."""
        errors = self._offered(details, visit)
        if errors:
            raise ValidationFailed(errors)

    def _required(
        self, customer: Customer, location: Location, details: JobDetails, visit: Visit | None
    ) -> list[FieldError]:
        given = {
            RequiredField.CUSTOMER_EMAIL: customer.email,
            RequiredField.LOCATION_COORDINATES: location.point,
            RequiredField.JOB_BUSINESS_UNIT: details.business_unit,
            RequiredField.JOB_CAMPAIGN: details.campaign,
            RequiredField.JOB_CALL_ID: details.call_id,
            RequiredField.APPOINTMENT: visit,
        }
        return [
            FieldError(f.value, "required by this company's booking settings")
            for f in self.required_fields
            if given[f] is None
        ]

    def _offered(self, details: JobDetails, visit: Visit | None) -> list[FieldError]:
        errors: list[FieldError] = []
        if self.job_types and self.job_type(details.job_type) is None:
            names = ", ".join(t.name for t in self.job_types)
            errors.append(FieldError("job.job_type", f"not a job type of this company (one of: {names})"))
        unit = details.business_unit
        if self.business_units and unit is not None and unit not in self.business_units:
            names = ", ".join(self.business_units)
            errors.append(FieldError("job.business_unit", f"not a business unit of this company ({names})"))
        offered = [w for w in self.arrival_windows if w.applies_to(unit)]
        if visit is not None and offered:
            start = visit.arrival_window.start
            end = visit.arrival_window.end.astimezone(start.tzinfo)
            spans = {(w.start, w.end) for w in offered}
            if end.date() != start.date() or (start.time(), end.time()) not in spans:
                labels = ", ".join(f"{w.label} {w.start:%H:%M}-{w.end:%H:%M}" for w in offered)
                errors.append(
                    FieldError("appointment.arrival_window", f"not an arrival window offered ({labels})")
                )
        return errors
