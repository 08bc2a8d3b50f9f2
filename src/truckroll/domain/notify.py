"""Notifications: tenant settings, which channel a message may take, templates, quiet hours, opt-out
keywords, and the delivery log.

Rules (DOMAIN.md, Notifications): a text needs a mobile number and the tenant's outbound number; a
landline customer is written to by email when there is an address; whatever cannot be sent (or is
held back by a setting, a mute or an opt-out) is recorded in the delivery log with the reason,
never dropped silently. Non-urgent customer messages wait out quiet hours (21:00-08:00 in the
customer's time, which is the UTC offset the appointment's arrival window carries).
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum

from truckroll.domain.customers import Phone
from truckroll.domain.windows import TimeWindow


class Channel(StrEnum):
    SMS = "sms"
    EMAIL = "email"
    PUSH = "push"


class DeliveryStatus(StrEnum):
    SENDING = "sending"  # claimed, handed to the provider; stays so only if the outcome is unknown
    SENT = "sent"
    FAILED = "failed"
    SUPPRESSED = "suppressed"  # held back on purpose: a setting, a mute or an opt-out (reason says)


class Template(StrEnum):
    BOOKING_CONFIRMATION = "booking_confirmation"
    RESCHEDULE_NOTICE = "reschedule_notice"
    REMINDER = "reminder"
    ON_MY_WAY = "on_my_way"  # with ETA and tracking link (arrival tracking on)
    DISPATCH_NOTICE = "dispatch_notice"  # on the way, without a link (arrival tracking off)
    RUNNING_LATE = "running_late"
    REVIEW_REQUEST = "review_request"
    TECH_ASSIGNED = "tech_assigned"
    TECH_REMOVED = "tech_removed"
    TECH_RESCHEDULED = "tech_rescheduled"
    TECH_DISPATCHED = "tech_dispatched"
    TECH_MESSAGE = "tech_message"


CUSTOMER_TEMPLATES = frozenset(
    {
        Template.BOOKING_CONFIRMATION,
        Template.RESCHEDULE_NOTICE,
        Template.REMINDER,
        Template.ON_MY_WAY,
        Template.DISPATCH_NOTICE,
        Template.RUNNING_LATE,
        Template.REVIEW_REQUEST,
    }
)
# Non-urgent messages wait out quiet hours; everything else goes at once.
NON_URGENT = frozenset({Template.REMINDER, Template.REVIEW_REQUEST})
DISPATCH_TEMPLATES = frozenset({Template.ON_MY_WAY, Template.DISPATCH_NOTICE})

PLACEHOLDERS = frozenset(
    {"company", "customer_name", "job_type", "date", "window", "tech_name", "eta", "link", "text"}
)

DEFAULT_TEXTS: dict[Template, str] = {
    Template.BOOKING_CONFIRMATION: (
        "{company}: your {job_type} visit is booked for {date}, arrival between {window}."
    ),
    Template.RESCHEDULE_NOTICE: (
        "{company}: your {job_type} visit has moved to {date}, arrival between {window}."
    ),
    Template.REMINDER: "{company}: reminder of your {job_type} visit on {date}, arrival between {window}.",
    Template.ON_MY_WAY: "{company}: {tech_name} is on the way, arriving around {eta}. Follow along: {link}",
    Template.DISPATCH_NOTICE: "{company}: {tech_name} is on the way to your {job_type} visit.",
    Template.RUNNING_LATE: (
        "{company}: sorry, {tech_name} is running late and now expects to arrive around {eta}."
    ),
    Template.REVIEW_REQUEST: "{company}: thank you for choosing us, {customer_name}. How did we do?",
    Template.TECH_ASSIGNED: "New job: {job_type} for {customer_name} on {date}, {window}.",
    Template.TECH_REMOVED: "Removed from your list: {job_type} for {customer_name} on {date}.",
    Template.TECH_RESCHEDULED: "Moved: {job_type} for {customer_name} is now {date}, {window}.",
    Template.TECH_DISPATCHED: "Dispatched: {job_type} for {customer_name}, {window}.",
    Template.TECH_MESSAGE: "{text}",
}
SMS_FOOTER = " Reply STOP to opt out."


class UnknownPlaceholders(ValueError):
    def __init__(self, names: list[str]) -> None:
        super().__init__(f"unknown placeholder(s): {', '.join(names)}")
        self.names = names


def placeholders_of(text: str) -> list[str]:
    """The ``{name}`` placeholders of a template text, in order; a malformed brace raises ValueError."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def check_template(text: str) -> None:
    """Raise :class:`UnknownPlaceholders` naming every placeholder the product cannot fill."""
    try:
        names = placeholders_of(text)
    except ValueError as error:
        raise UnknownPlaceholders([f"malformed braces ({error})"]) from error
    unknown = [n for n in dict.fromkeys(names) if n not in PLACEHOLDERS]
    if unknown:
        raise UnknownPlaceholders(unknown)


def render(text: str, values: dict[str, str]) -> str:
    """Fill a checked template; a placeholder without a value renders empty."""
    return text.format_map({name: values.get(name, "") for name in PLACEHOLDERS})


@dataclass(frozen=True)
class NotifySettings:
    tenant_id: str
    sms_from_number: str | None = None
    email_from: str | None = None
    company_name: str | None = None
    dispatch_sms: bool = True
    dispatch_email: bool = True
    arrival_tracking: bool = True
    one_dispatch_notice_per_job: bool = True
    quiet_hours: bool = True
    muted_business_units: tuple[str, ...] = ()
    muted_job_types: tuple[str, ...] = ()
    reminder_lead_minutes: tuple[int, ...] = (24 * 60, 2 * 60)

    @property
    def company(self) -> str:
        return self.company_name or "Your service company"

    def mute_reason(self, business_unit: str | None, job_type: str) -> str | None:
        if business_unit is not None and business_unit in self.muted_business_units:
            return f"customer messages are muted for business unit {business_unit!r}"
        if job_type in self.muted_job_types:
            return f"customer messages are muted for job type {job_type!r}"
        return None

    def channel_off_reason(self, template: Template, channel: Channel) -> str | None:
        if template not in DISPATCH_TEMPLATES:
            return None
        if channel is Channel.SMS and not self.dispatch_sms:
            return "dispatch texts are turned off in notify settings"
        if channel is Channel.EMAIL and not self.dispatch_email:
            return "dispatch emails are turned off in notify settings"
        return None


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
OPTED_OUT = "the customer's number is opted out of texts (replied STOP); texting resumes after START"
NO_DEVICE = "the technician has no registered device: the technician app registers it at sign-in"


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
    if channel is Channel.SMS:
        return mask_phone(recipient)
    if channel is Channel.EMAIL:
        return mask_email(recipient)
    return recipient  # a technician id


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


def clock_time(instant: datetime) -> str:
    hour = instant.hour % 12 or 12
    return f"{hour}:{instant.minute:02d} {'AM' if instant.hour < 12 else 'PM'}"


def day_label(instant: datetime) -> str:
    return f"{instant:%a %b} {instant.day}"


def window_label(window: TimeWindow) -> str:
    return f"{clock_time(window.start)}-{clock_time(window.end)}"


def compose(template: Template, text: str, channel: Channel, values: dict[str, str]) -> Message:
    """The message of ``template`` (tenant ``text`` or the default) for ``channel``: texts to
    customers end with the opt-out instruction carriers require."""
    body = render(text, values)
    if channel is Channel.SMS:
        body += SMS_FOOTER
    subject = template.value.replace("_", " ")
    if "company" in values:
        subject = f"{values['company']}: {subject}"
    if "date" in values:
        subject += f" ({values['date']})"
    return Message(subject=subject, text=body)


# -- quiet hours ----------------------------------------------------------------------------------

QUIET_FROM = time(21, 0)
QUIET_UNTIL = time(8, 0)


def quiet_until(now: datetime, local: datetime) -> datetime | None:
    """When ``now`` falls in quiet hours (21:00-08:00) in the UTC offset of ``local`` (the customer's
    time), the next 08:00 there; otherwise None."""
    here = now.astimezone(local.tzinfo)
    if QUIET_UNTIL <= here.time() < QUIET_FROM:
        return None
    morning = here.replace(hour=QUIET_UNTIL.hour, minute=0, second=0, microsecond=0)
    return morning if here.time() < QUIET_UNTIL else morning + timedelta(days=1)


# -- opt-out keywords -----------------------------------------------------------------------------

OPT_OUT_KEYWORDS = frozenset(
    {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT-OUT", "REMOVE", "ARRET"}
)
OPT_IN_KEYWORDS = frozenset({"START", "UNSTOP"})


class Keyword(StrEnum):
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"


def keyword_of(text: str) -> Keyword | None:
    """The opt-out or opt-in a reply asks for: the whole message is the keyword, any case, with
    surrounding blanks and trailing punctuation ignored. Anything else is a normal reply."""
    word = text.strip().rstrip(".!").strip().upper()
    if word in OPT_OUT_KEYWORDS:
        return Keyword.OPT_OUT
    if word in OPT_IN_KEYWORDS:
        return Keyword.OPT_IN
    return None


# -- projection of what notify needs from other services' events ---------------------------------


@dataclass(frozen=True)
class JobContact:
    """A job as notify knows it (from ``job.booked``): who to write to and what to mute by."""

    tenant_id: str
    job_id: str
    job_type: str
    business_unit: str | None
    customer_name: str
    phone: Phone
    email: str | None

    @property
    def recipient(self) -> Recipient:
        return Recipient(self.phone, self.email)


@dataclass(frozen=True)
class AppointmentFacts:
    """An appointment as notify knows it; ``as_of`` is when the producer recorded this state."""

    tenant_id: str
    job_id: str
    appointment_id: str
    arrival_window: TimeWindow
    technician_names: dict[str, str | None] = field(default_factory=dict)
    as_of: datetime | None = None


@dataclass(frozen=True)
class DueMessage:
    """A message to send at ``due``: a reminder, or a non-urgent message deferred out of quiet hours.
    ``key`` identifies it within its appointment (the sweeper's send is idempotent on it)."""

    tenant_id: str
    job_id: str
    appointment_id: str
    key: str
    template: Template
    due: datetime


def reminder_key(lead_minutes: int, window: TimeWindow) -> str:
    return f"reminder-{lead_minutes}-{int(window.start.timestamp())}"


def reminders(appointment: AppointmentFacts, settings: NotifySettings, now: datetime) -> list[DueMessage]:
    """The reminders still ahead of ``now`` for the appointment's arrival window."""
    window = appointment.arrival_window
    return [
        DueMessage(
            tenant_id=appointment.tenant_id,
            job_id=appointment.job_id,
            appointment_id=appointment.appointment_id,
            key=reminder_key(lead, window),
            template=Template.REMINDER,
            due=window.start - timedelta(minutes=lead),
        )
        for lead in sorted(set(settings.reminder_lead_minutes), reverse=True)
        if window.start - timedelta(minutes=lead) > now
    ]


@dataclass(frozen=True)
class Device:
    """A technician's phone, registered with the push provider as ``endpoint``."""

    technician_id: str
    platform: str
    endpoint: str


@dataclass(frozen=True)
class Delivery:
    """One message to one recipient, as recorded in the delivery log. ``delivery_id`` is its
    idempotency key: (what caused it, template, recipient)."""

    tenant_id: str
    delivery_id: str
    event_id: str
    job_id: str | None
    appointment_id: str | None
    template: Template
    channel: Channel
    recipient: str  # masked
    status: DeliveryStatus
    created_at: datetime
    reason: str | None = None
    provider_message_id: str | None = None
