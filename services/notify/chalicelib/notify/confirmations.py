"""Booking confirmations: the first message a customer gets about a scheduled visit."""

from __future__ import annotations

from chalicelib.notify.ports import DeliveryRefused, Notify

from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JobBookedV1
from truckroll.domain.customers import Phone
from truckroll.domain.notify import (
    Channel,
    Delivery,
    DeliveryStatus,
    Message,
    Recipient,
    SendEmail,
    SendSms,
    Template,
    Undeliverable,
    booking_confirmation,
    mask_recipient,
    route_message,
)
from truckroll.domain.windows import TimeWindow

TEMPLATE = Template.BOOKING_CONFIRMATION


def confirm_booking(envelope: EventEnvelope, event: JobBookedV1, notify: Notify) -> Delivery | None:
    """Send the booking confirmation of a job booked with a time, and record the delivery (sent or
    failed, with the reason). A job booked without a time gets no confirmation."""
    appointment = event.appointment
    if appointment is None:
        return None
    tenant_id = envelope.tenant_id
    settings = notify.settings.get(tenant_id)
    customer = event.customer
    route = route_message(Recipient(Phone(customer.phone, customer.phone_type), customer.email), settings)
    window = TimeWindow(appointment.arrival_window.start, appointment.arrival_window.end)

    def message(channel: Channel) -> Message:
        return booking_confirmation(
            channel=channel, company=settings.company_name, job_type=event.job_type, arrival_window=window
        )

    provider_id: str | None = None
    reason: str | None = None
    match route:
        case Undeliverable(channel=channel, recipient=address, reason=reason):
            pass
        case SendSms(to=address, origination_number=origination):
            channel = Channel.SMS
            try:
                text = message(channel).text
                provider_id = notify.sms.send(to=address, origination_number=origination, text=text)
            except DeliveryRefused as refused:
                reason = str(refused)
        case SendEmail(to=address, source=source):
            channel = Channel.EMAIL
            try:
                mail = message(channel)
                provider_id = notify.email.send(
                    to=address, source=source, subject=mail.subject, text=mail.text
                )
            except DeliveryRefused as refused:
                reason = str(refused)
    delivery = Delivery(
        tenant_id=tenant_id,
        delivery_id=f"{envelope.event_id}.{TEMPLATE.value}",
        event_id=envelope.event_id,
        job_id=event.job_id,
        appointment_id=appointment.appointment_id,
        template=TEMPLATE,
        channel=channel,
        recipient=mask_recipient(channel, address),
        status=DeliveryStatus.FAILED if provider_id is None else DeliveryStatus.SENT,
        created_at=notify.clock(),
        reason=reason,
        provider_message_id=provider_id,
    )
    notify.deliveries.add(delivery)
    return delivery
