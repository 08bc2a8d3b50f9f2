"""Sending one message exactly once, and logging what became of it.

Every message has a delivery id: (what caused it, template, recipient). Before anything is sent the
delivery is *claimed*: written to the log as ``sending`` with a conditional put on that id. A second
attempt (an event delivered again, a retried batch, a second technician dispatched when the tenant
wants one notice per job) finds the claim and sends nothing. After the provider answers, the record
becomes ``sent``, ``failed`` (with the reason) or, when a setting, a mute or an opt-out holds it
back, ``suppressed`` (with the reason). A transient provider error releases the claim and raises, so
the event is retried. A crash between the provider's acceptance and the final write leaves the claim
as ``sending`` and the message is not sent again: a customer never gets the same text twice, and the
log shows the delivery whose outcome is unknown.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime

from chalicelib.notify.ports import DeliveryRefused, Notify

from truckroll.domain.notify import (
    DEFAULT_TEXTS,
    NO_DEVICE,
    NON_URGENT,
    OPTED_OUT,
    AppointmentFacts,
    Channel,
    Delivery,
    DeliveryStatus,
    DueMessage,
    JobContact,
    NotifySettings,
    SendEmail,
    SendSms,
    Template,
    Undeliverable,
    compose,
    day_label,
    mask_recipient,
    quiet_until,
    route_message,
    window_label,
)

logger = logging.getLogger(__name__)


def template_text(notify: Notify, tenant_id: str, template: Template) -> str:
    return notify.templates.get(tenant_id, template) or DEFAULT_TEXTS[template]


def visit_values(settings: NotifySettings, job: JobContact, appointment: AppointmentFacts) -> dict[str, str]:
    window = appointment.arrival_window
    return {
        "company": settings.company,
        "customer_name": job.customer_name,
        "job_type": job.job_type,
        "date": day_label(window.start),
        "window": window_label(window),
    }


def _claimed(notify: Notify, delivery: Delivery) -> bool:
    if notify.deliveries.claim(delivery):
        return True
    logger.info("delivery %s was already handled: not sent again", delivery.delivery_id)
    return False


def _finish(
    notify: Notify,
    delivery: Delivery,
    status: DeliveryStatus,
    reason: str | None = None,
    provider_message_id: str | None = None,
) -> Delivery:
    done = replace(delivery, status=status, reason=reason, provider_message_id=provider_message_id)
    notify.deliveries.finish(done)
    if done.status is DeliveryStatus.FAILED:
        logger.warning("delivery %s failed: %s", done.delivery_id, done.reason)
    return done


def to_customer(
    notify: Notify,
    *,
    event_id: str,
    key: str,
    job: JobContact,
    appointment: AppointmentFacts,
    template: Template,
    extra: dict[str, str] | None = None,
) -> Delivery | DueMessage | None:
    """Send ``template`` about ``appointment`` to the job's customer once per ``key``.

    A non-urgent message in quiet hours is not sent: it is kept as a due message for 08:00 customer
    time (returned). None when the delivery was already handled."""
    tenant_id = job.tenant_id
    settings = notify.settings.get(tenant_id)
    now = notify.clock()
    if template in NON_URGENT and settings.quiet_hours:
        until = quiet_until(now, appointment.arrival_window.start)
        if until is not None:
            deferred = DueMessage(tenant_id, job.job_id, appointment.appointment_id, key, template, until)
            notify.due.put(deferred)
            logger.info("%s for %s deferred to %s (quiet hours)", template, appointment.appointment_id, until)
            return deferred
    route = route_message(job.recipient, settings)
    match route:
        case SendSms(to=address):
            channel = Channel.SMS
        case SendEmail(to=address):
            channel = Channel.EMAIL
        case Undeliverable(channel=channel, recipient=address):
            pass
    delivery = Delivery(
        tenant_id=tenant_id,
        delivery_id=f"{key}.{template.value}",
        event_id=event_id,
        job_id=job.job_id,
        appointment_id=appointment.appointment_id,
        template=template,
        channel=channel,
        recipient=mask_recipient(channel, address),
        status=DeliveryStatus.SENDING,
        created_at=now,
    )
    if not _claimed(notify, delivery):
        return None
    held_back = settings.mute_reason(job.business_unit, job.job_type) or settings.channel_off_reason(
        template, channel
    )
    if held_back is not None:
        return _finish(notify, delivery, DeliveryStatus.SUPPRESSED, reason=held_back)
    if isinstance(route, Undeliverable):
        return _finish(notify, delivery, DeliveryStatus.FAILED, reason=route.reason)
    values = {**visit_values(settings, job, appointment), **(extra or {})}
    message = compose(template, template_text(notify, tenant_id, template), channel, values)
    try:
        if isinstance(route, SendSms):
            # The opt-out store is read right before the send: a STOP that arrived a moment ago counts.
            if notify.opt_outs.is_opted_out(tenant_id, route.to):
                return _finish(notify, delivery, DeliveryStatus.SUPPRESSED, reason=OPTED_OUT)
            provider_id = notify.sms.send(
                to=route.to, origination_number=route.origination_number, text=message.text
            )
        else:
            provider_id = notify.email.send(
                to=route.to, source=route.source, subject=message.subject, text=message.text
            )
    except DeliveryRefused as refused:
        return _finish(notify, delivery, DeliveryStatus.FAILED, reason=str(refused))
    except Exception:
        notify.deliveries.release(delivery)
        raise
    return _finish(notify, delivery, DeliveryStatus.SENT, provider_message_id=provider_id)


def to_technician(
    notify: Notify,
    *,
    event_id: str,
    tenant_id: str,
    technician_id: str,
    job_id: str | None,
    appointment_id: str | None,
    template: Template,
    values: dict[str, str],
) -> Delivery | None:
    """Push ``template`` to every registered device of the technician, once per event."""
    delivery = Delivery(
        tenant_id=tenant_id,
        delivery_id=f"{event_id}.{template.value}.{technician_id}",
        event_id=event_id,
        job_id=job_id,
        appointment_id=appointment_id,
        template=template,
        channel=Channel.PUSH,
        recipient=technician_id,
        status=DeliveryStatus.SENDING,
        created_at=notify.clock(),
    )
    if not _claimed(notify, delivery):
        return None
    devices = notify.devices.of(tenant_id, technician_id)
    if not devices:
        return _finish(notify, delivery, DeliveryStatus.FAILED, reason=NO_DEVICE)
    message = compose(template, template_text(notify, tenant_id, template), Channel.PUSH, values)
    sent: list[str] = []
    refused: list[str] = []
    for device in devices:
        try:
            sent.append(notify.push.send(endpoint=device.endpoint, title=message.subject, text=message.text))
        except DeliveryRefused as error:
            refused.append(str(error))
        except Exception:
            if sent:  # some devices have it: a retry would push it to them again
                logger.exception("push to a device of %s failed after others got it", technician_id)
                refused.append("a device could not be reached")
                continue
            notify.deliveries.release(delivery)
            raise
    reason = "; ".join(refused) or None
    if not sent:
        return _finish(notify, delivery, DeliveryStatus.FAILED, reason=reason)
    return _finish(
        notify, delivery, status=DeliveryStatus.SENT, provider_message_id=",".join(sent), reason=reason
    )


def local_time(instant: datetime, like: datetime) -> datetime:
    return instant.astimezone(like.tzinfo)
