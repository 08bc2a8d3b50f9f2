"""Customers and their service locations."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum

from truckroll.errors import RuleViolation

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
NANP_DIGITS = re.compile(r"^1?(\d{10})$")
MAX_NAME_WORDS = 6


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
    version: int = 0  # optimistic lock: 0 until first stored


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
    version: int = 0  # optimistic lock: 0 until first stored


def normalize_phone(text: str) -> str:
    """The E.164 form of a number as people type it: ``+1 (512) 555-0123`` and ``512.555.0123``
    both give ``+15125550123``. A number without ``+`` is read as North American (10 digits,
    optionally after a 1)."""
    typed = text.strip()
    digits = re.sub(r"\D", "", typed)
    if typed.startswith("+"):
        number = f"+{digits}"
    else:
        nanp = NANP_DIGITS.fullmatch(digits)
        number = f"+1{nanp.group(1)}" if nanp else ""
    if not E164.fullmatch(number):
        raise RuleViolation(
            "not a phone number: give it in E.164 form (+15125550123) or as 10 North American digits",
            field="phone",
        )
    return number


def name_words(name: str) -> tuple[str, ...]:
    """The words a customer is found by: case-folded, accents dropped, letters and digits only,
    each once, at most :data:`MAX_NAME_WORDS` (``"José  O'Neil"`` gives ``("jose", "o", "neil")``)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return tuple(dict.fromkeys(re.findall(r"[^\W_]+", plain)))[:MAX_NAME_WORDS]


def matches_name(name: str, query: tuple[str, ...]) -> bool:
    """Whether every query word starts some word of ``name`` (``("da", "rey")`` finds Dana Reyes)."""
    words = name_words(name)
    return all(any(w.startswith(q) for w in words) for q in query)
