"""The leads inbox: providers' payloads, their proofs, merging duplicates, accept and decline."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import lead_payloads as p
import pytest
from chalicelib.booking import leads
from chalicelib.booking.bootstrap import Booking, bootstrap
from chalicelib.booking.lead_schemas import (
    AcceptLeadIn,
    AngiLead,
    GoogleLead,
    ReceiversIn,
    ThumbtackWebhook,
    WebhookLead,
)
from fakes import NOW, FakeDocuments, FakePublisher, FakeUnitOfWork, InMemoryIdempotency
from pydantic import ValidationError

from truckroll.auth import Principal, Role
from truckroll.domain.booking_settings import BookingSettings
from truckroll.domain.customers import Address
from truckroll.domain.events import JobBooked
from truckroll.domain.jobs import JobSource
from truckroll.domain.lead_receivers import LeadReceivers, SecretDigest
from truckroll.domain.leads import IncomingLead, Lead, LeadChannel, LeadRefused, LeadStatus
from truckroll.domain.status import JobStatus
from truckroll.errors import RuleViolation, Unauthorized

DISPATCHER = Principal("u1", "t1", Role.DISPATCHER)
ADMIN = Principal("a1", "t1", Role.ADMIN)


def test_a_thumbtack_negotiation_becomes_a_lead() -> None:
    lead = ThumbtackWebhook.model_validate(p.thumbtack()).to_incoming()
    assert (lead.channel, lead.source_id, lead.name) == (
        LeadChannel.THUMBTACK,
        "519153480500518912",
        "Olivia Young",
    )
    assert lead.phone == "+15125550144"
    assert lead.address == Address("1400 S Congress Ave", "Austin", "TX", "78704")
    assert lead.job_type == "Central Air Conditioning Repair"
    assert "AC blows warm air" in lead.summary
    assert "Age of system: 10 - 15 years" in lead.summary


def test_an_angi_lead_and_a_google_form_become_leads() -> None:
    angi = AngiLead.model_validate(p.angi()).to_incoming()
    assert (angi.source_id, angi.name, angi.phone) == ("3314159", "Marcus Bell", "+15125550166")
    assert angi.address == Address("88 Rainey St", "Austin", "TX", "78701")
    google = GoogleLead.model_validate(p.google(is_test=True)).to_incoming()
    assert (google.name, google.phone, google.email) == (
        "Priya Natarajan",
        "+15125550188",
        "priya@example.com",
    )
    assert google.is_test
    assert google.campaign == "google_ads:20000000000"
    assert "What do you need?: Furnace tune-up" in google.summary


def test_an_unreadable_phone_is_kept_in_the_summary_not_lost() -> None:
    lead = AngiLead.model_validate(p.angi(phone="call after 5")).to_incoming()
    assert lead.phone is None
    assert "phone as given: call after 5" in lead.summary


def test_a_webhook_lead_with_a_bad_phone_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError) as caught:
        WebhookLead.model_validate(p.webhook_lead(phone="not a phone"))
    assert [e["loc"] for e in caught.value.errors()] == [("data", "phone")]


# -- proofs ----------------------------------------------------------------------------------------


@pytest.fixture
def receivers() -> LeadReceivers:
    store = FakeDocuments(LeadReceivers)
    booking = bootstrap(
        uow=FakeUnitOfWork,
        receivers=store,
        settings=FakeDocuments(BookingSettings),
        idempotency=InMemoryIdempotency(),
    )
    body = ReceiversIn.model_validate(p.RECEIVERS)
    return leads.set_receivers(body.to_credentials(), ADMIN, booking)


def test_receivers_keep_digests_of_passwords_and_keys(receivers: LeadReceivers) -> None:
    stored = json.dumps(
        [str(receivers.thumbtack_password), str(receivers.angi_key), str(receivers.google_key)]
    )
    for secret in (p.THUMBTACK_PASSWORD, p.ANGI_KEY, p.GOOGLE_KEY):
        assert secret not in stored
    receivers.check_thumbtack(p.basic()["Authorization"])
    receivers.check_angi(p.ANGI_KEY)
    receivers.check_google(p.GOOGLE_KEY)


@pytest.mark.parametrize(
    "attempt",
    [
        lambda r: r.check_thumbtack(p.basic(password="wrong-password-123")["Authorization"]),
        lambda r: r.check_thumbtack(p.basic(username="someone")["Authorization"]),
        lambda r: r.check_thumbtack(None),
        lambda r: r.check_thumbtack("Bearer abc"),
        lambda r: r.check_angi("angi-0000000000000000"),
        lambda r: r.check_angi(None),
        lambda r: r.check_google(None),
        lambda r: r.check_google(12345),
        lambda r: LeadReceivers("t1").check_angi(p.ANGI_KEY),
    ],
)
def test_wrong_or_missing_credentials_are_refused(
    receivers: LeadReceivers, attempt: Callable[[LeadReceivers], None]
) -> None:
    with pytest.raises(Unauthorized):
        attempt(receivers)


def _check(receivers: LeadReceivers, headers: dict[str, str], raw: bytes, now: datetime) -> datetime:
    return receivers.check_webhook(
        headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], raw, now
    )


def test_a_signed_webhook_is_genuine_within_five_minutes(receivers: LeadReceivers) -> None:
    at = int(NOW.timestamp())
    headers, raw = p.signed(p.webhook_lead(), "msg_1", at=at)
    assert _check(receivers, headers, raw, NOW + timedelta(minutes=4)) == NOW
    with pytest.raises(Unauthorized, match="tolerance"):
        _check(receivers, headers, raw, NOW + timedelta(minutes=6))
    with pytest.raises(Unauthorized, match="tolerance"):
        _check(receivers, headers, raw, NOW - timedelta(minutes=6))


@pytest.mark.parametrize("forgery", ["other secret", "tampered body", "other id", "other timestamp"])
def test_a_forged_webhook_is_refused(receivers: LeadReceivers, forgery: str) -> None:
    at = int(NOW.timestamp())
    secret = "whsec_" + "A" * 44 if forgery == "other secret" else p.WEBHOOK_SECRET
    headers, raw = p.signed(p.webhook_lead(), "msg_1", at=at, secret=secret)
    if forgery == "tampered body":
        raw = raw.replace(b"Sam Ortega", b"Eve Ortega")
    if forgery == "other id":
        headers["webhook-id"] = "msg_2"
    if forgery == "other timestamp":
        headers["webhook-timestamp"] = str(at + 1)
    with pytest.raises(Unauthorized, match="signature"):
        _check(receivers, headers, raw, NOW)


def test_a_webhook_secret_must_be_a_whsec_key() -> None:
    with pytest.raises(ValidationError):
        ReceiversIn.model_validate({"version": 0, "webhook": {"secret": "plain-text-secret"}})


# -- receiving, merging, accepting ------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def booking(uow: FakeUnitOfWork, clock: Clock, receivers: LeadReceivers) -> Booking:
    store = FakeDocuments(LeadReceivers)
    store.settings["t1"] = receivers
    return bootstrap(
        uow=lambda: uow,
        clock=clock,
        publisher=FakePublisher(),
        settings=FakeDocuments(BookingSettings),
        receivers=store,
        idempotency=InMemoryIdempotency(),
    )


def deliver_lead(
    tenant: str, proof: leads.Proof, payload: Callable[[], IncomingLead], booking: Booking
) -> leads.Received:
    """Admit, then receive: what a receiver route does."""
    return leads.receive_lead(tenant, leads.admit(tenant, proof, booking), payload, booking)


def receive(booking: Booking, payload: dict[str, Any], key: str = p.ANGI_KEY) -> leads.Received:
    return deliver_lead(
        "t1", leads.ApiKey(key), lambda: AngiLead.model_validate(payload).to_incoming(), booking
    )


def test_a_lead_delivered_again_is_merged_not_doubled(uow: FakeUnitOfWork, booking: Booking) -> None:
    first = receive(booking, p.angi())
    again = receive(booking, p.angi())
    assert (first.created, again.created) == (True, False)
    assert again.lead.lead_id == first.lead.lead_id
    assert again.lead.deliveries == 2
    assert len(uow.leads.leads) == 1


def test_the_same_person_at_the_same_address_within_a_day_is_merged(
    uow: FakeUnitOfWork, booking: Booking, clock: Clock
) -> None:
    first = receive(booking, p.angi(lead_oid="1", phone="512-555-0166"))
    clock.now = NOW + timedelta(hours=23)
    payload = {**p.angi(lead_oid="2", phone="+1 512 555 0166"), "address": "88  rainey st.", "email": None}
    second = receive(booking, payload)
    assert (second.created, second.lead.lead_id) == (False, first.lead.lead_id)
    assert second.lead.merged == ("angi:2",)
    clock.now = NOW + timedelta(hours=49)
    third = receive(booking, {**p.angi(lead_oid="3")})
    assert third.created
    assert len(uow.leads.leads) == 2


def test_a_refused_delivery_stores_nothing(uow: FakeUnitOfWork, booking: Booking) -> None:
    with pytest.raises(Unauthorized):
        receive(booking, p.angi(), key="angi-forged-key-000000")
    with pytest.raises(Unauthorized):
        deliver_lead(
            "t#2", leads.ApiKey(p.ANGI_KEY), lambda: IncomingLead(LeadChannel.ANGI, "x", "n", "s"), booking
        )
    assert uow.leads.leads == {}
    assert not uow.committed


def test_a_replayed_webhook_is_refused_and_a_resent_one_merges(uow: FakeUnitOfWork, booking: Booking) -> None:
    at = int(NOW.timestamp())

    def deliver(headers: dict[str, str], raw: bytes) -> leads.Received:
        proof = leads.StandardWebhook(
            headers["webhook-id"], headers["webhook-timestamp"], headers["webhook-signature"], raw
        )
        return deliver_lead("t1", proof, lambda: WebhookLead.model_validate_json(raw).to_incoming(), booking)

    first = p.signed(p.webhook_lead(), "msg_1", at=at)
    assert deliver(*first).created
    with pytest.raises(Unauthorized, match="replay"):
        deliver(*first)
    resent = deliver(*p.signed(p.webhook_lead(), "msg_1", at=at + 30))
    assert (resent.created, resent.lead.deliveries) == (False, 2)
    assert len(uow.leads.leads) == 1


def accept_body(**changes: Any) -> leads.AcceptLead:
    return AcceptLeadIn.model_validate(changes).to_command()


def test_accepting_a_lead_books_its_job_in_the_same_transaction(
    uow: FakeUnitOfWork, booking: Booking
) -> None:
    lead = receive(booking, p.angi()).lead
    accepted, job = leads.accept_lead(lead.lead_id, accept_body(phone_type="landline"), DISPATCHER, booking)
    assert (accepted.status, accepted.job_id) == (LeadStatus.ACCEPTED, job.job_id)
    assert job.status is JobStatus.UNSCHEDULED
    assert (job.details.source, job.details.campaign) == (JobSource.LEAD_INTEGRATION, "angi")
    assert job.details.job_type == "Plumbing - Repair a Water Heater"
    (event,) = uow.published
    assert isinstance(event, JobBooked)
    assert event.customer.phone.can_receive_sms is False
    assert event.location.address.street == "88 Rainey St"
    with pytest.raises(LeadRefused):
        leads.accept_lead(lead.lead_id, accept_body(), DISPATCHER, booking)


def test_a_lead_without_a_phone_or_street_needs_them_from_the_office(booking: Booking) -> None:
    lead = receive(booking, {**p.angi(), "primaryPhone": "", "address": ""}).lead
    with pytest.raises(RuleViolation, match="phone"):
        leads.accept_lead(lead.lead_id, accept_body(), DISPATCHER, booking)


def test_a_test_lead_is_kept_but_never_becomes_a_job(uow: FakeUnitOfWork, booking: Booking) -> None:
    body = p.google(is_test=True)
    received = deliver_lead(
        "t1",
        leads.GoogleKey(body["google_key"]),
        lambda: GoogleLead.model_validate(body).to_incoming(),
        booking,
    )
    assert received.lead.first.is_test
    with pytest.raises(RuleViolation, match="test lead"):
        leads.accept_lead(received.lead.lead_id, accept_body(), DISPATCHER, booking)
    assert uow.published == []


def test_declining_needs_a_reason_and_leaves_the_inbox(booking: Booking) -> None:
    lead = receive(booking, p.angi()).lead
    with pytest.raises(RuleViolation):
        leads.decline_lead(lead.lead_id, "  ", DISPATCHER, booking)
    declined = leads.decline_lead(lead.lead_id, "outside our service area", DISPATCHER, booking)
    assert (declined.status, declined.decline_reason) == (LeadStatus.DECLINED, "outside our service area")
    assert leads.inbox(LeadStatus.NEW_OFFER, DISPATCHER, booking) == []
    assert [v.lead_id for v in leads.inbox(LeadStatus.DECLINED, DISPATCHER, booking)] == [lead.lead_id]


def test_the_inbox_is_the_tenants_own(booking: Booking) -> None:
    receive(booking, p.angi())
    assert leads.inbox(LeadStatus.NEW_OFFER, Principal("u", "t2", Role.ADMIN), booking) == []


def test_merging_fills_what_the_first_delivery_lacked() -> None:
    bare = IncomingLead(LeadChannel.WEBHOOK, "a", "Sam", "fix", phone="+15125550100")
    fuller = replace(
        bare, source_id="b", email="sam@example.com", address=Address("1 Main", "Austin", "TX", "78701")
    )
    merged = Lead.receive("t1", "l1", bare, datetime(2026, 3, 2, tzinfo=UTC)).merge(fuller)
    assert (merged.first.email, merged.first.address, merged.merged) == (
        "sam@example.com",
        fuller.address,
        ("webhook:b",),
    )


def test_reserve_with_google_has_its_own_basic_credentials(receivers: LeadReceivers) -> None:
    configured = replace(
        receivers, reserve_username="google", reserve_password=SecretDigest.of("rwg-password-0123456789")
    )
    configured.check_reserve(p.basic("google", "rwg-password-0123456789")["Authorization"])
    for attempt in (
        p.basic()["Authorization"],
        p.basic("google", "wrong-password-000")["Authorization"],
        None,
    ):
        with pytest.raises(Unauthorized):
            configured.check_reserve(attempt)
    with pytest.raises(Unauthorized):
        receivers.check_reserve(p.basic("google", "rwg-password-0123456789")["Authorization"])
