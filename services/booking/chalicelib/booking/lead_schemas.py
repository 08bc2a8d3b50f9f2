"""What lead providers send, read into one :class:`IncomingLead`, and the leads inbox's own bodies.

Providers' payloads are read tolerantly (they carry many fields we do not use and add more over
time); only what a lead cannot do without is required. A phone number that cannot be read as one
is kept in the summary rather than lost.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal, TypeVar

from chalicelib.booking.leads import AcceptLead, Received, ReceiverCredentials
from chalicelib.booking.schemas import (
    AppointmentIn,
    Body,
    Id,
    LocationIn,
    LongText,
    Tags,
    Text,
    fields_at,
    visit_of,
)
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, field_validator

from truckroll.domain.customers import Address, PhoneType, normalize_phone
from truckroll.domain.jobs import Priority
from truckroll.domain.lead_receivers import LeadReceivers, webhook_key
from truckroll.domain.leads import IncomingLead, Lead, LeadChannel, LeadStatus
from truckroll.errors import FieldError, RuleViolation, ValidationFailed
from truckroll.web.requests import validation_failed

SUMMARY_LIMIT = 2000
M = TypeVar("M", bound=BaseModel)
ProviderText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
ProviderId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class _Tolerant(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, coerce_numbers_to_str=True)


def _phone(raw: str | None) -> tuple[str | None, str | None]:
    """The E.164 number, or ``None`` and a note keeping what was given."""
    if not raw or not raw.strip():
        return None, None
    try:
        return normalize_phone(raw), None
    except RuleViolation:
        return None, f"phone as given: {raw.strip()}"


def _summary(*parts: str | None) -> str:
    text = "\n".join(p.strip() for p in parts if p and p.strip())
    return (text or "(no description given)")[:SUMMARY_LIMIT]


def _address(street: str, city: str, state: str, postal_code: str) -> Address | None:
    if not any(v.strip() for v in (street, city, state, postal_code)):
        return None
    return Address(
        street=street.strip(), city=city.strip(), state=state.strip(), postal_code=postal_code.strip()
    )


def _incoming(**fields: Any) -> IncomingLead:
    with fields_at(""):
        return IncomingLead(**fields)


class QuestionAnswer(_Tolerant):
    question: ProviderText = ""
    answer: ProviderText = ""


def _answers(details: list[QuestionAnswer]) -> str:
    return "\n".join(f"{d.question}: {d.answer}" for d in details if d.question or d.answer)


# -- Thumbtack: NegotiationCreatedV4 ---------------------------------------------------------------


class ThumbtackPlace(_Tolerant):
    address1: ProviderText = ""
    address2: ProviderText = ""
    city: ProviderText = ""
    state: ProviderText = ""
    zipCode: ProviderText = ""


class ThumbtackCustomer(_Tolerant):
    customerID: ProviderText = ""
    displayName: ProviderText
    phone: ProviderText | None = None
    email: ProviderText | None = None
    location: ThumbtackPlace | None = None


class ThumbtackCategory(_Tolerant):
    categoryID: ProviderText = ""
    name: ProviderText = ""


class ThumbtackRequest(_Tolerant):
    requestID: ProviderText = ""
    description: ProviderText = ""
    schedule: ProviderText = ""
    location: ThumbtackPlace | None = None
    details: list[QuestionAnswer] = Field(default_factory=list, max_length=100)


class ThumbtackNegotiation(_Tolerant):
    negotiationID: ProviderId
    customer: ThumbtackCustomer
    category: ThumbtackCategory | None = None
    request: ThumbtackRequest | None = None
    details: list[QuestionAnswer] = Field(default_factory=list, max_length=100)


class ThumbtackEvent(_Tolerant):
    eventID: ProviderText = ""
    eventType: Literal["NegotiationCreatedV4"]


class ThumbtackWebhook(_Tolerant):
    """``{"event": {"eventType": "NegotiationCreatedV4", ...}, "data": <v4 Negotiation>}``."""

    event: ThumbtackEvent
    data: ThumbtackNegotiation

    def to_incoming(self) -> IncomingLead:
        n = self.data
        request = n.request or ThumbtackRequest()
        place = request.location or n.customer.location or ThumbtackPlace()
        phone, note = _phone(n.customer.phone)
        street = " ".join(p for p in (place.address1, place.address2) if p)
        category = n.category.name if n.category else ""
        return _incoming(
            channel=LeadChannel.THUMBTACK,
            source_id=n.negotiationID,
            name=n.customer.displayName,
            summary=_summary(category, request.description, request.schedule, _answers(n.details), note),
            phone=phone,
            email=n.customer.email or None,
            address=_address(street, place.city, place.state, place.zipCode),
            job_type=category or None,
            campaign="thumbtack",
        )


# -- Angi -----------------------------------------------------------------------------------------------


class AngiLead(_Tolerant):
    leadOid: ProviderId
    srOid: ProviderText = ""
    firstName: ProviderText = ""
    lastName: ProviderText = ""
    primaryPhone: ProviderText | None = None
    email: ProviderText | None = None
    address: ProviderText = ""
    city: ProviderText = ""
    stateProvince: ProviderText = ""
    postalCode: ProviderText = ""
    taskName: ProviderText = ""
    comments: ProviderText = ""
    interview: list[QuestionAnswer] = Field(default_factory=list, max_length=100)

    def to_incoming(self) -> IncomingLead:
        phone, note = _phone(self.primaryPhone)
        return _incoming(
            channel=LeadChannel.ANGI,
            source_id=self.leadOid,
            name=f"{self.firstName} {self.lastName}".strip(),
            summary=_summary(self.taskName, self.comments, _answers(self.interview), note),
            phone=phone,
            email=self.email or None,
            address=_address(self.address, self.city, self.stateProvince, self.postalCode),
            job_type=self.taskName or None,
            campaign="angi",
        )


# -- Google Ads lead forms -----------------------------------------------------------------------------


class GoogleColumn(_Tolerant):
    column_id: ProviderText = ""
    column_name: ProviderText = ""
    string_value: ProviderText = ""


class GoogleLead(_Tolerant):
    lead_id: ProviderId
    user_column_data: list[GoogleColumn] = Field(max_length=100)
    google_key: str
    campaign_id: ProviderText = ""
    form_id: ProviderText = ""
    gcl_id: ProviderText = ""
    is_test: bool = False

    def column(self, *ids: str) -> str:
        return next((c.string_value for c in self.user_column_data if c.column_id in ids), "")

    def to_incoming(self) -> IncomingLead:
        name = self.column("FULL_NAME") or f"{self.column('FIRST_NAME')} {self.column('LAST_NAME')}".strip()
        phone, note = _phone(self.column("PHONE_NUMBER", "WORK_PHONE"))
        known = {"FULL_NAME", "FIRST_NAME", "LAST_NAME", "PHONE_NUMBER", "EMAIL"}
        answers = "\n".join(
            f"{c.column_name or c.column_id}: {c.string_value}"
            for c in self.user_column_data
            if c.column_id not in known
        )
        address = _address(
            self.column("STREET_ADDRESS"),
            self.column("CITY"),
            self.column("REGION"),
            self.column("POSTAL_CODE"),
        )
        return _incoming(
            channel=LeadChannel.GOOGLE_ADS,
            source_id=self.lead_id,
            name=name,
            summary=_summary(answers, note),
            phone=phone,
            email=self.column("EMAIL") or None,
            address=address,
            campaign=f"google_ads:{self.campaign_id}" if self.campaign_id else "google_ads",
            is_test=self.is_test,
        )


# -- the generic signed webhook (our own format) -------------------------------------------------------


class WebhookAddress(Body):
    street: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    city: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    state: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] = ""


class WebhookLeadData(Body):
    id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    name: Text
    summary: LongText
    phone: Annotated[str, StringConstraints(max_length=40)] | None = None
    email: Annotated[str, StringConstraints(max_length=254)] | None = None
    address: WebhookAddress | None = None
    job_type: Text | None = None
    campaign: Text | None = None

    @field_validator("phone")
    @classmethod
    def _e164(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return normalize_phone(value)
        except RuleViolation as error:
            raise ValueError(error.detail) from error


class WebhookLead(Body):
    """``{"type": "lead.created", "timestamp": ..., "data": {...}}`` (Standard Webhooks' shape)."""

    type: Literal["lead.created"]
    timestamp: Annotated[str, StringConstraints(max_length=40)]
    data: WebhookLeadData

    def to_incoming(self) -> IncomingLead:
        d = self.data
        a = d.address
        return _incoming(
            channel=LeadChannel.WEBHOOK,
            source_id=d.id,
            name=d.name,
            summary=d.summary,
            phone=d.phone,
            email=d.email,
            address=_address(a.street, a.city, a.state, a.postal_code) if a else None,
            job_type=d.job_type,
            campaign=d.campaign,
        )


# -- the inbox's own bodies --------------------------------------------------------------------------------


class AcceptJobIn(Body):
    job_type: Text | None = None
    business_unit: Text | None = None
    priority: Annotated[Priority, Field(strict=False)] = Priority.NORMAL
    summary: LongText | None = None
    tags: Tags = Field(default_factory=list)


class AcceptLeadIn(Body):
    phone_type: Annotated[PhoneType, Field(strict=False)] = Field(
        default=PhoneType.MOBILE, description="the kind of line the lead's phone number is"
    )
    customer_id: Id | None = None
    location: LocationIn | None = None
    location_id: Id | None = None
    job: AcceptJobIn = Field(default_factory=AcceptJobIn)
    appointment: AppointmentIn | None = None

    def to_command(self) -> AcceptLead:
        if self.location is not None and self.location_id is not None:
            raise ValidationFailed([FieldError("location", "give either location or location_id")])
        if self.location_id is not None and self.customer_id is None:
            raise ValidationFailed([FieldError("location_id", "a stored location needs its customer_id")])
        j = self.job
        return AcceptLead(
            phone_type=self.phone_type,
            customer=self.customer_id,
            location=self.location.to_new("location") if self.location else self.location_id,
            job_type=j.job_type,
            business_unit=j.business_unit,
            priority=j.priority,
            summary=j.summary,
            tags=tuple(j.tags),
            visit=visit_of(self.appointment),
        )


class DeclineLeadIn(Body):
    reason: Text


class BasicCredentialsIn(Body):
    username: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    password: Annotated[str, StringConstraints(min_length=16, max_length=200)]


class KeyIn(Body):
    key: Annotated[str, StringConstraints(min_length=16, max_length=160)]


class WebhookSecretIn(Body):
    secret: Annotated[str, StringConstraints(max_length=200)] = Field(description="whsec_ and base64")

    @field_validator("secret")
    @classmethod
    def _whsec(cls, value: str) -> str:
        webhook_key(value)
        return value


class ReceiversIn(Body):
    version: int = Field(ge=0)
    thumbtack: BasicCredentialsIn | None = None
    reserve_with_google: BasicCredentialsIn | None = None
    angi: KeyIn | None = None
    google: KeyIn | None = None
    webhook: WebhookSecretIn | None = None

    def to_credentials(self) -> ReceiverCredentials:
        t, r = self.thumbtack, self.reserve_with_google
        return ReceiverCredentials(
            thumbtack=(t.username, t.password) if t else None,
            reserve=(r.username, r.password) if r else None,
            angi_key=self.angi.key if self.angi else None,
            google_key=self.google.key if self.google else None,
            webhook_secret=self.webhook.secret if self.webhook else None,
            version=self.version,
        )


def lead_view(lead: Lead) -> dict[str, Any]:
    first, address = lead.first, lead.first.address
    return {
        "lead_id": lead.lead_id,
        "status": lead.status.value,
        "channel": first.channel.value,
        "source_id": first.source_id,
        "received_at": lead.received_at.isoformat(),
        "name": first.name,
        "phone": first.phone,
        "email": first.email,
        "address": None
        if address is None
        else {
            "street": address.street,
            "city": address.city,
            "state": address.state,
            "postal_code": address.postal_code,
        },
        "summary": first.summary,
        "job_type": first.job_type,
        "campaign": first.campaign,
        "is_test": first.is_test,
        "deliveries": lead.deliveries,
        "merged": list(lead.merged),
        "decline_reason": lead.decline_reason,
        "job_id": lead.job_id,
        "version": lead.version,
    }


def status_of(value: str | None) -> LeadStatus:
    try:
        return LeadStatus(value or LeadStatus.NEW_OFFER.value)
    except ValueError as error:
        names = ", ".join(s.value for s in LeadStatus)
        raise ValidationFailed([FieldError("status", f"one of: {names}")]) from error


def body_bytes(raw: str | bytes | None) -> bytes:
    """The request body exactly as sent (what a signature covers)."""
    return raw.encode() if isinstance(raw, str) else raw or b""


def json_object(raw: bytes) -> dict[str, Any]:
    """The body as a JSON object, or an empty one when it is not (its key is then missing, and the
    delivery is refused as unauthenticated)."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


def validated(model: type[M], data: dict[str, Any]) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise validation_failed(error) from error


def received_view(received: Received) -> dict[str, Any]:
    return {
        "status": "received",
        "lead_id": received.lead.lead_id,
        "lead_status": received.lead.status.value,
        "duplicate": not received.created,
        "deliveries": received.lead.deliveries,
    }


def receivers_view(receivers: LeadReceivers) -> dict[str, Any]:
    return {
        "version": receivers.version,
        "thumbtack": {
            "configured": receivers.thumbtack_password is not None,
            "username": receivers.thumbtack_username,
        },
        "reserve_with_google": {
            "configured": receivers.reserve_password is not None,
            "username": receivers.reserve_username,
        },
        "angi": {"configured": receivers.angi_key is not None},
        "google": {"configured": receivers.google_key is not None},
        "webhook": {"configured": receivers.webhook_secret is not None},
    }
