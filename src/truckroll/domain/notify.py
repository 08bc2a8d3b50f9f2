"""Customer notifications: tenant settings, which channel a message may take, and the delivery log.

Rules (DOMAIN.md, Notifications): a text needs a mobile number and the tenant's outbound number; a
landline customer is written to by email when there is an address; whatever cannot be sent is
recorded as a failed delivery that says why, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from truckroll.domain.customers import Phone
from truckroll.domain.windows import TimeWindow


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class DeliveryStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"


class Template(StrEnum):
    BOOKING_CONFIRMATION = "booking_confirmation"


@dataclass(frozen=True)
class NotifySettings:
    tenant_id: str
    sms_from_number: str | None = None
    email_from: str | None = None
    company_name: str | None = None


@dataclass(frozen=True)
class Recipient:
    phone: Phone
    email: str | None = None


@dataclass(frozen=True)
class SendSms:
    to: str
    origination_number: str


@dataclass(frozen=True)
class SendEmail:
    to: str
    source: str


@dataclass(frozen=True)
class Undeliverable:
    channel: Channel
    recipient: str
    reason: str


Route = SendSms | SendEmail | Undeliverable

NO_SMS_NUMBER = "the tenant has no outbound SMS number: set sms_from_number in notify settings"
NO_EMAIL_SENDER = (
    "the customer has a landline and the tenant has no email sender: set email_from in notify settings"
)
LANDLINE_NO_EMAIL = (
    "the customer's number is a landline, which cannot receive texts, and no email address is known"
)


def route_message(recipient: Recipient, settings: NotifySettings) -> Route:
    """Where a customer message goes: a text to a mobile number, else an email, else nowhere (and why)."""
    phone = recipient.phone
    if phone.can_receive_sms:
        if settings.sms_from_number is None:
            return Undeliverable(Channel.SMS, phone.number, NO_SMS_NUMBER)
        return SendSms(to=phone.number, origination_number=settings.sms_from_number)
    if recipient.email is None:
        return Undeliverable(Channel.SMS, phone.number, LANDLINE_NO_EMAIL)
    if settings.email_from is None:
        return Undeliverable(Channel.EMAIL, recipient.email, NO_EMAIL_SENDER)
    return SendEmail(to=recipient.email, source=settings.email_from)


def mask_phone(number: str) -> str:
    """Keep the country prefix sign and the last four digits: ``+15125550123`` -> ``+*******0123``."""
    return "+" + "*" * max(len(number) - 5, 0) + number[-4:]


def mask_email(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def mask_recipient(channel: Channel, recipient: str) -> str:
    return mask_phone(recipient) if channel is Channel.SMS else mask_email(recipient)


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


def booking_confirmation(
    *, channel: Channel, company: str | None, job_type: str, arrival_window: TimeWindow
) -> Message:
    """The confirmation sent when an appointment is first scheduled, in the window's local time.
    Texts end with the opt-out instruction carriers require."""
    start, end = arrival_window.start, arrival_window.end
    day = f"{start:%a %b} {start.day}"
    sender = company or "Your service company"
    window = f"{_clock(start)}-{_clock(end)}"
    text = f"{sender}: your {job_type} visit is booked for {day}, arrival between {window}."
    if channel is Channel.SMS:
        text += " Reply STOP to opt out."
    return Message(subject=f"{sender}: your visit on {day} is booked", text=text)


def _clock(instant: datetime) -> str:
    hour = instant.hour % 12 or 12
    return f"{hour}:{instant.minute:02d} {'AM' if instant.hour < 12 else 'PM'}"


@dataclass(frozen=True)
class Delivery:
    """One attempt to send one message, as recorded in the delivery log."""

    tenant_id: str
    delivery_id: str
    event_id: str
    job_id: str
    appointment_id: str | None
    template: Template
    channel: Channel
    recipient: str  # masked
    status: DeliveryStatus
    created_at: datetime
    reason: str | None = None
    provider_message_id: str | None = None
