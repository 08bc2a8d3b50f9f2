"""Customer messages: which channel, masking, wording, and the booking confirmation use case."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from builders import at, booked_envelope
from chalicelib.notify.confirmations import confirm_booking
from chalicelib.notify.ports import DeliveryRefused, Notify
from fakes import FakeDeliveries, FakeEmail, FakeSettings, FakeSms, clock

from truckroll.contracts.jobs import JobBookedV1
from truckroll.domain.customers import Phone, PhoneType
from truckroll.domain.notify import (
    LANDLINE_NO_EMAIL,
    NO_EMAIL_SENDER,
    NO_SMS_NUMBER,
    Channel,
    DeliveryStatus,
    NotifySettings,
    Recipient,
    SendEmail,
    SendSms,
    Undeliverable,
    booking_confirmation,
    mask_email,
    mask_phone,
    route_message,
)
from truckroll.domain.windows import TimeWindow

MOBILE = Phone("+15125550123", PhoneType.MOBILE)
LANDLINE = Phone("+15125550199", PhoneType.LANDLINE)
FULL = NotifySettings(
    "t1", sms_from_number="+15125550100", email_from="office@example.com", company_name="Cool Air"
)


@pytest.mark.parametrize(
    ("recipient", "settings", "route"),
    [
        (Recipient(MOBILE), FULL, SendSms("+15125550123", "+15125550100")),
        (Recipient(MOBILE), NotifySettings("t1"), Undeliverable(Channel.SMS, "+15125550123", NO_SMS_NUMBER)),
        (Recipient(LANDLINE, "d@example.com"), FULL, SendEmail("d@example.com", "office@example.com")),
        (
            Recipient(LANDLINE, "d@example.com"),
            NotifySettings("t1"),
            Undeliverable(Channel.EMAIL, "d@example.com", NO_EMAIL_SENDER),
        ),
        (Recipient(LANDLINE), FULL, Undeliverable(Channel.SMS, "+15125550199", LANDLINE_NO_EMAIL)),
    ],
)
def test_routing(recipient: Recipient, settings: NotifySettings, route: object) -> None:
    assert route_message(recipient, settings) == route


def test_masks_keep_only_what_identifies_the_recipient_to_the_office() -> None:
    assert mask_phone("+15125550123") == "+*******0123"
    assert mask_email("dana.reyes@example.com") == "d***@example.com"


def test_confirmation_wording_uses_the_local_window() -> None:
    message = booking_confirmation(
        channel=Channel.SMS,
        company="Cool Air",
        job_type="AC repair",
        arrival_window=TimeWindow(at(3, 8), at(3, 12, 30)),
    )
    assert message.text == (
        "Cool Air: your AC repair visit is booked for Tue Mar 3, arrival between 8:00 AM-12:30 PM. "
        "Reply STOP to opt out."
    )
    email = booking_confirmation(
        channel=Channel.EMAIL,
        company=None,
        job_type="AC repair",
        arrival_window=TimeWindow(at(3, 8), at(3, 12)),
    )
    assert "STOP" not in email.text
    assert email.subject.startswith("Your service company")


def notify(settings: NotifySettings = FULL, sms: FakeSms | None = None) -> Notify:
    return Notify(
        settings=FakeSettings(settings),
        deliveries=FakeDeliveries(),
        sms=sms or FakeSms(),
        email=FakeEmail(),
        clock=clock,
    )


def test_a_mobile_customer_gets_a_text_from_the_tenant_number_and_it_is_logged() -> None:
    n, envelope = notify(), booked_envelope()
    data = JobBookedV1.model_validate(envelope.data)
    delivery = confirm_booking(envelope, data, n)
    assert n.sms.sent == [("+15125550123", "+15125550100", n.sms.sent[0][2])]  # type: ignore[attr-defined]
    assert delivery is not None
    assert delivery.status is DeliveryStatus.SENT
    assert delivery.provider_message_id == "sms-1"
    assert delivery.recipient == "+*******0123"
    assert (delivery.event_id, delivery.job_id) == (envelope.event_id, data.job_id)
    assert data.appointment is not None
    assert delivery.appointment_id == data.appointment.appointment_id
    assert n.deliveries.for_job("t1", data.job_id) == [delivery]


def test_without_an_outbound_number_the_failure_is_recorded_with_its_reason() -> None:
    n, envelope = notify(NotifySettings("t1")), booked_envelope()
    delivery = confirm_booking(envelope, JobBookedV1.model_validate(envelope.data), n)
    assert delivery is not None
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.reason == NO_SMS_NUMBER
    assert delivery.provider_message_id is None
    assert n.sms.sent == []  # type: ignore[attr-defined]


def test_a_landline_customer_with_email_gets_an_email() -> None:
    n, envelope = notify(), booked_envelope(phone_type=PhoneType.LANDLINE, email="dana@example.com")
    delivery = confirm_booking(envelope, JobBookedV1.model_validate(envelope.data), n)
    assert delivery is not None
    assert delivery.channel is Channel.EMAIL
    assert delivery.status is DeliveryStatus.SENT
    assert n.email.sent[0][:2] == ("dana@example.com", "office@example.com")  # type: ignore[attr-defined]
    assert delivery.recipient == "d***@example.com"


def test_a_provider_refusal_is_recorded_as_failed() -> None:
    n, envelope = (
        notify(sms=FakeSms(refuse_with=DeliveryRefused("SMS provider refused the message: OptedOut"))),
        booked_envelope(),
    )
    delivery = confirm_booking(envelope, JobBookedV1.model_validate(envelope.data), n)
    assert delivery is not None
    assert delivery.status is DeliveryStatus.FAILED
    assert delivery.reason == "SMS provider refused the message: OptedOut"


def test_transient_provider_errors_propagate_so_the_event_is_retried() -> None:
    n, envelope = notify(sms=FakeSms(refuse_with=ConnectionError("timeout"))), booked_envelope()
    with pytest.raises(ConnectionError):
        confirm_booking(envelope, JobBookedV1.model_validate(envelope.data), n)
    assert n.deliveries.for_job("t1", envelope.data["job_id"]) == []


def test_a_job_booked_without_a_time_gets_no_confirmation() -> None:
    n, envelope = notify(), booked_envelope(with_visit=False)
    assert confirm_booking(envelope, JobBookedV1.model_validate(envelope.data), n) is None
    assert n.sms.sent == []  # type: ignore[attr-defined]
    assert datetime.now(UTC) > clock()
