"""The leads inbox: receiving leads from providers (each proving it speaks for the tenant), listing
them, accepting one (it becomes a job, in the same transaction) and declining one."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from chalicelib.booking.bootstrap import Booking
from chalicelib.booking.use_cases import BookJob, NewCustomer, NewLocation, stage_booking

from truckroll.auth import Principal
from truckroll.domain.booking_settings import UNKNOWN_JOB_TYPE
from truckroll.domain.customers import Phone, PhoneType
from truckroll.domain.ids import new_id
from truckroll.domain.jobs import Job, JobDetails, JobSource, Priority, Visit
from truckroll.domain.lead_receivers import LeadReceivers, SecretDigest
from truckroll.domain.leads import IncomingLead, Lead, LeadStatus, duplicate_days
from truckroll.errors import NotFound, RuleViolation, Unauthorized
from truckroll.persistence.ports import LeadRepository
from truckroll.persistence.writes import StaleRead

MAX_ATTEMPTS = 3
TENANT_ID = re.compile(r"^[0-9A-Za-z_.-]{1,64}$")


# -- proofs of the providers ----------------------------------------------------------------------


@dataclass(frozen=True)
class BasicCredentials:
    """Thumbtack: the ``Authorization: Basic`` header."""

    authorization: str | None

    def check(self, receivers: LeadReceivers, booking: Booking) -> WebhookReceipt | None:
        receivers.check_thumbtack(self.authorization)
        return None


@dataclass(frozen=True)
class ApiKey:
    """Angi: the ``x-api-key`` header."""

    key: str | None

    def check(self, receivers: LeadReceivers, booking: Booking) -> WebhookReceipt | None:
        receivers.check_angi(self.key)
        return None


@dataclass(frozen=True)
class GoogleKey:
    """Google Ads lead forms: ``google_key`` in the body."""

    key: object

    def check(self, receivers: LeadReceivers, booking: Booking) -> WebhookReceipt | None:
        receivers.check_google(self.key)
        return None


@dataclass(frozen=True)
class WebhookReceipt:
    message_id: str
    timestamp: str


@dataclass(frozen=True)
class StandardWebhook:
    """Any other system: the Standard Webhooks headers over the raw body."""

    message_id: str | None
    timestamp: str | None
    signatures: str | None
    body: bytes

    def check(self, receivers: LeadReceivers, booking: Booking) -> WebhookReceipt | None:
        receivers.check_webhook(self.message_id, self.timestamp, self.signatures, self.body, booking.clock())
        return WebhookReceipt(self.message_id or "", self.timestamp or "")


Proof = BasicCredentials | ApiKey | GoogleKey | StandardWebhook


@dataclass(frozen=True)
class Received:
    lead: Lead
    created: bool  # False: merged into a lead already in the inbox


def admit(tenant_id: str, proof: Proof, booking: Booking) -> WebhookReceipt | None:
    """Check the provider's proof against the tenant's receivers, and refuse a replayed webhook
    delivery (401); what a signed delivery's receipt will be."""
    if not TENANT_ID.fullmatch(tenant_id):
        raise Unauthorized("no receiver answers at this address")
    receipt = proof.check(booking.receivers.get(tenant_id), booking)
    with booking.uow() as uow:
        if receipt is not None and uow.leads.has_receipt(tenant_id, receipt.message_id, receipt.timestamp):
            raise Unauthorized("this webhook delivery was received already: a replay is refused")
    return receipt


def receive_lead(
    tenant_id: str, receipt: WebhookReceipt | None, payload: Callable[[], IncomingLead], booking: Booking
) -> Received:
    """Read the payload of an admitted delivery and put the lead in the inbox, merged into the lead
    it repeats or duplicates."""
    incoming = payload()
    attempts = MAX_ATTEMPTS
    while True:
        try:
            return _receive(tenant_id, incoming, receipt, booking)
        except StaleRead:  # a concurrent delivery of the same lead won: merge into it
            attempts -= 1
            if not attempts:
                raise


def _receive(
    tenant: str, incoming: IncomingLead, receipt: WebhookReceipt | None, booking: Booking
) -> Received:
    now = booking.clock()
    with booking.uow() as uow:
        leads = uow.leads
        if receipt is not None and leads.has_receipt(tenant, receipt.message_id, receipt.timestamp):
            raise Unauthorized("this webhook delivery was received already: a replay is refused")
        found = _existing(leads, tenant, incoming, booking)
        if found is None:
            lead = Lead.receive(tenant, new_id(), incoming, now)
            leads.save(lead, previous=None)
            leads.guard_source(lead, incoming.source_ref, now)
            key = incoming.duplicate_key()
            if key is not None:
                leads.guard_duplicate(lead, now.date(), key, now)
        else:
            stored, by_source = found
            lead = stored.merge(incoming)
            leads.save(lead, previous=stored)
            if not by_source:
                leads.guard_source(lead, incoming.source_ref, now)
        if receipt is not None:
            leads.receipt(tenant, receipt.message_id, receipt.timestamp, now)
        uow.commit()
    return Received(replace(lead, version=lead.version + 1), created=found is None)


def _existing(
    leads: LeadRepository, tenant: str, incoming: IncomingLead, booking: Booking
) -> tuple[Lead, bool] | None:
    """The lead this delivery repeats (same source id) or duplicates (same phone and address
    received within a day), and whether it was found by its source id."""
    lead_id = leads.by_source(tenant, incoming.source_ref)
    lead = leads.get(tenant, lead_id) if lead_id else None
    if lead is not None:
        return lead, True
    key = incoming.duplicate_key()
    if key is None:
        return None
    now = booking.clock()
    for day in duplicate_days(now):
        lead_id = leads.by_duplicate(tenant, day, key)
        lead = leads.get(tenant, lead_id) if lead_id else None
        if lead is not None and lead.is_duplicate_window(now):
            return lead, False
    return None


# -- the inbox --------------------------------------------------------------------------------------


def inbox(status: LeadStatus, principal: Principal, booking: Booking) -> list[Lead]:
    principal.require_office()
    with booking.uow() as uow:
        return uow.leads.inbox(principal.tenant_id, status)


def get_lead(lead_id: str, principal: Principal, booking: Booking) -> Lead:
    principal.require_office()
    with booking.uow() as uow:
        return _lead(uow.leads, principal.tenant_id, lead_id)


@dataclass(frozen=True)
class AcceptLead:
    """What the office adds to a lead to book it; ``None`` takes what the lead says."""

    phone_type: PhoneType
    customer: str | None  # a stored customer instead of a new one from the lead
    location: NewLocation | str | None  # a new or stored location instead of the lead's address
    job_type: str | None
    business_unit: str | None
    priority: Priority
    summary: str | None
    tags: tuple[str, ...]
    visit: Visit | None


def accept_lead(
    lead_id: str, command: AcceptLead, principal: Principal, booking: Booking
) -> tuple[Lead, Job]:
    """Book the lead's job (Unscheduled, or Scheduled with a visit) and mark the lead accepted, in
    one transaction: the job is published as job.booked like any other."""
    principal.require_office()
    tenant = principal.tenant_id
    with booking.uow() as uow:
        lead = _lead(uow.leads, tenant, lead_id)
        job = stage_booking(uow, tenant, _booking_of(lead, command), booking)
        accepted = lead.accept(job.job_id)
        uow.leads.save(accepted, previous=lead)
        uow.commit()
    return replace(accepted, version=lead.version + 1), job


def _booking_of(lead: Lead, command: AcceptLead) -> BookJob:
    first = lead.first
    customer: NewCustomer | str
    if command.customer is not None:
        customer = command.customer
    elif first.phone is None:
        raise RuleViolation("the lead has no phone number: give a stored customer_id", field="customer_id")
    else:
        phone = Phone(first.phone, command.phone_type)
        customer = NewCustomer(name=first.name, phone=phone, email=first.email, tags=())
    location: NewLocation | str
    if command.location is not None:
        location = command.location
    elif first.address is None or not first.address.street.strip():
        raise RuleViolation("the lead has no street address: give a location", field="location")
    else:
        location = NewLocation(address=first.address, point=None, verified=False, tags=())
    details = JobDetails(
        job_type=command.job_type or first.job_type or UNKNOWN_JOB_TYPE,
        summary=command.summary or first.summary,
        priority=command.priority,
        business_unit=command.business_unit,
        tags=command.tags,
        source=JobSource.LEAD_INTEGRATION,
        campaign=first.campaign or first.channel.value,
    )
    return BookJob(customer=customer, location=location, details=details, visit=command.visit)


def decline_lead(lead_id: str, reason: str | None, principal: Principal, booking: Booking) -> Lead:
    principal.require_office()
    with booking.uow() as uow:
        lead = _lead(uow.leads, principal.tenant_id, lead_id)
        declined = lead.decline(reason)
        uow.leads.save(declined, previous=lead)
        uow.commit()
    return replace(declined, version=lead.version + 1)


def _lead(leads: LeadRepository, tenant: str, lead_id: str) -> Lead:
    lead = leads.get(tenant, lead_id)
    if lead is None:
        raise NotFound(f"lead {lead_id} not found")
    return lead


# -- the receivers' credentials -----------------------------------------------------------------------


@dataclass(frozen=True)
class ReceiverCredentials:
    """New credentials of the receivers; a receiver left ``None`` keeps what it has."""

    thumbtack: tuple[str, str] | None  # username, password
    reserve: tuple[str, str] | None  # Reserve with Google's username, password
    angi_key: str | None
    google_key: str | None
    webhook_secret: str | None
    version: int


def get_receivers(principal: Principal, booking: Booking) -> LeadReceivers:
    principal.require_admin()
    return booking.receivers.get(principal.tenant_id)


def set_receivers(given: ReceiverCredentials, principal: Principal, booking: Booking) -> LeadReceivers:
    """Set the credentials each provider must present (admins); only digests of passwords and keys
    are kept."""
    principal.require_admin()
    current = replace(booking.receivers.get(principal.tenant_id), version=given.version)
    if given.thumbtack is not None:
        username, password = given.thumbtack
        current = replace(current, thumbtack_username=username, thumbtack_password=SecretDigest.of(password))
    if given.reserve is not None:
        username, password = given.reserve
        current = replace(current, reserve_username=username, reserve_password=SecretDigest.of(password))
    if given.angi_key is not None:
        current = replace(current, angi_key=SecretDigest.of(given.angi_key))
    if given.google_key is not None:
        current = replace(current, google_key=SecretDigest.of(given.google_key))
    if given.webhook_secret is not None:
        current = replace(current, webhook_secret=given.webhook_secret)
    return booking.receivers.put(current)
