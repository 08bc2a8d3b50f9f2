"""Bookings made through Reserve with Google: the job booked, and what Google knows it by."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reservation:
    """``booking_id`` is the job's id; ``user_id`` is Google's id of the person who booked."""

    tenant_id: str
    booking_id: str
    user_id: str
    service_id: str
    start_sec: int
    duration_sec: int
    given_name: str
    family_name: str
    telephone: str
    email: str | None = None
