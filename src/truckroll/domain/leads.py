"""The leads inbox: what lead providers send lands here as a New Offer, to be accepted (it becomes a
job) or declined (with a reason). A lead delivered again, or the same person at the same address
within a day, is merged into the lead already there, never doubled."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum

from truckroll.domain.customers import Address
from truckroll.errors import Conflict, RuleViolation

DUPLICATE_WINDOW = timedelta(days=1)
MAX_MERGED = 50


class LeadChannel(StrEnum):
    THUMBTACK = "thumbtack"
    ANGI = "angi"
    GOOGLE_ADS = "google_ads"
    WEBHOOK = "webhook"


class LeadStatus(StrEnum):
    NEW_OFFER = "new_offer"
    ACCEPTED = "accepted"
    DECLINED = "declined"


@dataclass(frozen=True)
class IncomingLead:
    """One delivery of a lead, as a provider describes it. ``phone`` is E.164 when given;
    ``address`` may lack a street (some providers only give the city and postal code)."""

    channel: LeadChannel
    source_id: str
    name: str
    summary: str
    phone: str | None = None
    email: str | None = None
    address: Address | None = None
    job_type: str | None = None
    campaign: str | None = None
    is_test: bool = False

    def __post_init__(self) -> None:
        if not self.source_id.strip():
            raise RuleViolation("a lead needs the provider's id", field="source_id")
        if not self.name.strip():
            raise RuleViolation("a lead needs the customer's name", field="name")

    @property
    def source_ref(self) -> str:
        return f"{self.channel.value}:{self.source_id}"

    def duplicate_key(self) -> str | None:
        """Who and where: the phone number with the street and postal code, folded; ``None`` when
        either is missing (such a lead is only merged by its source id)."""
        if self.phone is None or self.address is None or not self.address.street.strip():
            return None
        street = " ".join(re.findall(r"[0-9a-z]+", self.address.street.casefold()))
        postal = re.sub(r"\s+", "", self.address.postal_code.casefold())
        return f"{self.phone}|{street}|{postal}"


class LeadRefused(Conflict):
    """The lead is not in a state that allows the action."""


@dataclass(frozen=True)
class Lead:
    tenant_id: str
    lead_id: str
    received_at: datetime
    first: IncomingLead  # what the first delivery said (later ones only fill gaps)
    status: LeadStatus = LeadStatus.NEW_OFFER
    deliveries: int = 1
    merged: tuple[str, ...] = ()  # source refs of the duplicates merged into this lead
    decline_reason: str | None = None
    job_id: str | None = None
    version: int = 0

    @classmethod
    def receive(cls, tenant_id: str, lead_id: str, incoming: IncomingLead, at: datetime) -> Lead:
        return cls(tenant_id=tenant_id, lead_id=lead_id, received_at=at, first=incoming)

    def is_duplicate_window(self, at: datetime) -> bool:
        return at - self.received_at <= DUPLICATE_WINDOW

    def merge(self, incoming: IncomingLead) -> Lead:
        """Count the delivery; a duplicate from another source is remembered, and fills what this
        lead lacks (email, phone, street address)."""
        merged = self.merged
        if incoming.source_ref != self.first.source_ref and incoming.source_ref not in merged:
            merged = (*merged, incoming.source_ref)[-MAX_MERGED:]
        first = self.first
        address = first.address
        if incoming.address is not None and (address is None or not address.street.strip()):
            address = incoming.address
        filled = replace(
            first, email=first.email or incoming.email, phone=first.phone or incoming.phone, address=address
        )
        return replace(self, first=filled, deliveries=self.deliveries + 1, merged=merged)

    def accept(self, job_id: str) -> Lead:
        self._require_open()
        if self.first.is_test:
            raise RuleViolation("a test lead is kept in the inbox but never becomes a job", field="lead")
        return replace(self, status=LeadStatus.ACCEPTED, job_id=job_id)

    def decline(self, reason: str | None) -> Lead:
        self._require_open()
        text = (reason or "").strip()
        if not text:
            raise RuleViolation("a reason is required", field="reason")
        return replace(self, status=LeadStatus.DECLINED, decline_reason=text)

    def _require_open(self) -> None:
        if self.status is not LeadStatus.NEW_OFFER:
            raise LeadRefused(f"the lead is already {self.status.value}")


def duplicate_days(at: datetime) -> tuple[date, date]:
    """The days whose duplicate keys can hold a lead received within a day of ``at`` (UTC)."""
    today = at.date()
    return today, today - timedelta(days=1)
