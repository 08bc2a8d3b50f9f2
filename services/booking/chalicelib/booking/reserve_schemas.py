"""Reserve with Google API v3 bodies (proto3 JSON: snake_case names, int64 as numbers or strings;
unknown fields are ignored, as proto3 readers do) and the answers the spec defines."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from chalicelib.booking.lead_schemas import ProviderText
from chalicelib.booking.reserve import CreateBooking, SlotRef, UpdateBooking
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from truckroll.domain.customers import Address
from truckroll.domain.reservations import Reservation

Seconds = Annotated[int, Field(ge=0, le=2**40)]
Id = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PREPAYMENT = {"prepayment_status": "PREPAYMENT_NOT_PROVIDED"}


class _Proto(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class SlotIn(_Proto):
    merchant_id: Id
    service_id: Id
    start_sec: Seconds
    duration_sec: Seconds = 0

    def ref(self) -> SlotRef:
        return SlotRef(self.service_id, self.start_sec, self.duration_sec)


class SlotTimeIn(_Proto):
    service_id: Id
    start_sec: Seconds
    duration_sec: Seconds = 0
    availability_tag: ProviderText = ""

    def ref(self) -> SlotRef:
        return SlotRef(self.service_id, self.start_sec, self.duration_sec)


class BatchAvailabilityLookupIn(_Proto):
    merchant_id: Id
    slot_time: Annotated[list[SlotTimeIn], Field(max_length=1000)]


class CheckAvailabilityIn(_Proto):
    slot: SlotIn


class PostalAddressIn(_Proto):
    country: ProviderText = ""
    locality: ProviderText = ""
    region: ProviderText = ""
    postal_code: ProviderText = ""
    street_address: ProviderText = ""


class UserInformationIn(_Proto):
    user_id: Id
    given_name: ProviderText = ""
    family_name: ProviderText = ""
    telephone: ProviderText = ""
    email: ProviderText = ""
    address: PostalAddressIn | None = None


class CreateBookingIn(_Proto):
    slot: SlotIn
    user_information: UserInformationIn
    idempotency_token: Id
    additional_request: ProviderText = ""

    def to_request(self) -> CreateBooking:
        user, a = self.user_information, self.user_information.address
        address = Address(a.street_address, a.locality, a.region, a.postal_code) if a else None
        return CreateBooking(
            slot=self.slot.ref(),
            user_id=user.user_id,
            given_name=user.given_name,
            family_name=user.family_name,
            telephone=user.telephone,
            email=user.email or None,
            address=address,
            idempotency_token=self.idempotency_token,
            note=self.additional_request,
        )


class UpdatedSlotIn(_Proto):
    """The booking's slot with its new start (and duration); the merchant and service may be left
    out, as they do not change."""

    merchant_id: Id | None = None
    service_id: Id | None = None
    start_sec: Seconds
    duration_sec: Seconds = 0


class BookingUpdateIn(_Proto):
    booking_id: Id
    status: Literal["CONFIRMED", "CANCELED"] | None = None
    slot: UpdatedSlotIn | None = None

    @model_validator(mode="after")
    def _one_change(self) -> BookingUpdateIn:
        if (self.status == "CANCELED") == (self.slot is not None):
            raise ValueError("an update either cancels the booking (status CANCELED) or moves its slot")
        return self


class UpdateBookingIn(_Proto):
    booking: BookingUpdateIn

    def to_request(self) -> UpdateBooking:
        b, slot = self.booking, self.booking.slot
        if slot is None:
            return UpdateBooking(booking_id=b.booking_id, cancel=True)
        return UpdateBooking(
            booking_id=b.booking_id,
            cancel=False,
            merchant_id=slot.merchant_id,
            service_id=slot.service_id,
            start_sec=slot.start_sec,
            duration_sec=slot.duration_sec,
        )


class GetBookingStatusIn(_Proto):
    booking_id: Id


class ListBookingsIn(_Proto):
    user_id: Id


def slot_view(merchant_id: str, slot: SlotRef) -> dict[str, Any]:
    return {
        "merchant_id": merchant_id,
        "service_id": slot.service_id,
        "start_sec": slot.start_sec,
        "duration_sec": slot.duration_sec,
    }


def booking_view(reservation: Reservation, status: str) -> dict[str, Any]:
    slot = SlotRef(reservation.service_id, reservation.start_sec, reservation.duration_sec)
    return {
        "booking_id": reservation.booking_id,
        "slot": slot_view(reservation.tenant_id, slot),
        "user_information": {
            "user_id": reservation.user_id,
            "given_name": reservation.given_name,
            "family_name": reservation.family_name,
            "telephone": reservation.telephone,
            "email": reservation.email or "",
        },
        "status": status,
        "payment_information": PREPAYMENT,
    }


def availability_view(request: BatchAvailabilityLookupIn, answers: list[bool]) -> dict[str, Any]:
    return {
        "slot_time_availability": [
            {"slot_time": slot.model_dump(), "available": available}
            for slot, available in zip(request.slot_time, answers, strict=True)
        ]
    }


def failure_view(cause: str, description: str) -> dict[str, Any]:
    return {"booking_failure": {"cause": cause, "description": description}}


def status_view(reservation: Reservation, status: str) -> dict[str, Any]:
    return {"booking_id": reservation.booking_id, "booking_status": status, **PREPAYMENT}
