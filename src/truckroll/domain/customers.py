"""Customers and their service locations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from truckroll.errors import RuleViolation

E164 = re.compile(r"^\+[1-9]\d{6,14}$")


class PhoneType(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"


@dataclass(frozen=True)
class Phone:
    """An E.164 number and what kind of line it is: only mobile numbers can receive texts."""

    number: str
    type: PhoneType

    def __post_init__(self) -> None:
        if not E164.fullmatch(self.number):
            raise RuleViolation("phone numbers must be in E.164 form, e.g. +15125550123", field="phone")

    @property
    def can_receive_sms(self) -> bool:
        return self.type is PhoneType.MOBILE


@dataclass(frozen=True)
class Customer:
    """A person or company that is served. Customer tags describe the customer; they never drive
    routing (only location tags do)."""

    tenant_id: str
    customer_id: str
    name: str
    phone: Phone
    email: str | None = None
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Address:
    street: str
    city: str
    state: str
    postal_code: str


@dataclass(frozen=True)
class GeoPoint:
    lat: float
    lon: float

    def __post_init__(self) -> None:
        if not (-90.0 <= self.lat <= 90.0 and -180.0 <= self.lon <= 180.0):
            raise RuleViolation("latitude must lie in [-90, 90] and longitude in [-180, 180]", field="lat")


@dataclass(frozen=True)
class Location:
    """A service address of a customer. ``verified`` means the address was confirmed (geocoded or
    checked by a person); tracking and route optimisation rely on it. Its tags drive skills routing
    and are copied onto every job booked there."""

    tenant_id: str
    location_id: str
    customer_id: str
    address: Address
    verified: bool
    point: GeoPoint | None = None
    tags: tuple[str, ...] = field(default=())
