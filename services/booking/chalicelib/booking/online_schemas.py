"""Bodies and views of online self-booking (public: customers book for themselves)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from chalicelib.booking.online import Offer, SlotBooking
from chalicelib.booking.schemas import Body, Email, Instant, LongText, Text, fields_at
from chalicelib.booking.use_cases import NewCustomer, NewLocation
from pydantic import Field, StringConstraints

from truckroll.domain.availability import OpenSlot
from truckroll.domain.customers import E164, Address, Phone, PhoneType
from truckroll.domain.jobs import Job, JobSource
from truckroll.errors import FieldError, ValidationFailed


class OnlineCustomerIn(Body):
    name: Text
    phone: Annotated[str, StringConstraints(pattern=E164.pattern)] = Field(description="E.164")
    phone_type: Annotated[PhoneType, Field(strict=False)] = PhoneType.MOBILE
    email: Email | None = None


class OnlineAddressIn(Body):
    street: Text
    city: Text
    state: Text
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)]


class OnlineBookingIn(Body):
    service: Text
    start: Instant
    customer: OnlineCustomerIn
    address: OnlineAddressIn
    notes: LongText | None = None

    def to_booking(self, source: JobSource = JobSource.ONLINE_BOOKING) -> SlotBooking:
        c, a = self.customer, self.address
        with fields_at("customer"):
            phone = Phone(c.phone, c.phone_type)
        return SlotBooking(
            start=self.start,
            customer=NewCustomer(name=c.name, phone=phone, email=c.email, tags=()),
            location=NewLocation(
                address=Address(a.street, a.city, a.state, a.postal_code), point=None, verified=False, tags=()
            ),
            summary=self.notes or f"Booked online: {self.service}",
            source=source,
        )


def parse_day(value: str | None) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError as error:
        raise ValidationFailed([FieldError("date", "a date, YYYY-MM-DD")]) from error


def slot_view(offer: Offer, slot: OpenSlot) -> dict[str, Any]:
    window = offer.visit(slot.start).arrival_window
    return {
        "start": slot.start.isoformat(),
        "end": slot.end.isoformat(),
        "arrival_window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
    }


def availability_view(offer: Offer, day: date, slots: list[OpenSlot]) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "service": offer.service.label,
        "time_zone": offer.settings.time_zone,
        "slots": [slot_view(offer, s) for s in slots],
    }


def online_booked_view(job: Job) -> dict[str, Any]:
    (appointment,) = job.appointments
    window = appointment.visit.arrival_window
    return {
        "job_id": job.job_id,
        "status": job.status.value,
        "start": appointment.start.isoformat(),
        "end": appointment.end.isoformat(),
        "arrival_window": {"start": window.start.isoformat(), "end": window.end.isoformat()},
    }
