"""Tenant notification settings, the delivery log and the notification health, as the HTTP API shows
them."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta
from typing import Annotated, Any

from chalicelib.notify.ports import Notify
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from truckroll.auth import Principal
from truckroll.domain.customers import E164
from truckroll.domain.notify import Delivery, DeliveryStatus, NotifySettings

PhoneNumber = Annotated[str, StringConstraints(pattern=E164.pattern)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
LeadMinutes = Annotated[int, Field(ge=5, le=7 * 24 * 60)]
HEALTH_LIMIT = 50
UNFINISHED_AFTER = timedelta(minutes=10)
OUTCOME_UNKNOWN = (
    "the provider's answer was not recorded: the message may have been sent, and is not sent again"
)


class SettingsIn(BaseModel):
    """The whole settings document (PUT replaces it); a missing field takes its default."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    sms_from_number: PhoneNumber | None = None
    email_from: Email | None = None
    company_name: Name | None = None
    dispatch_sms: bool = True
    dispatch_email: bool = True
    arrival_tracking: bool = True
    one_dispatch_notice_per_job: bool = True
    quiet_hours: bool = True
    muted_business_units: list[Name] = Field(default_factory=list, max_length=50)
    muted_job_types: list[Name] = Field(default_factory=list, max_length=50)
    reminder_lead_minutes: list[LeadMinutes] = Field(default_factory=lambda: [24 * 60, 2 * 60], max_length=5)


def get_settings(principal: Principal, notify: Notify) -> NotifySettings:
    principal.require_admin()
    return notify.settings.get(principal.tenant_id)


def put_settings(body: SettingsIn, principal: Principal, notify: Notify) -> NotifySettings:
    principal.require_admin()
    previous = notify.settings.get(principal.tenant_id)
    settings = NotifySettings(
        tenant_id=principal.tenant_id,
        sms_from_number=body.sms_from_number,
        email_from=body.email_from,
        company_name=body.company_name,
        dispatch_sms=body.dispatch_sms,
        dispatch_email=body.dispatch_email,
        arrival_tracking=body.arrival_tracking,
        one_dispatch_notice_per_job=body.one_dispatch_notice_per_job,
        quiet_hours=body.quiet_hours,
        muted_business_units=tuple(dict.fromkeys(body.muted_business_units)),
        muted_job_types=tuple(dict.fromkeys(body.muted_job_types)),
        reminder_lead_minutes=tuple(sorted(set(body.reminder_lead_minutes), reverse=True)),
    )
    notify.settings.put(settings, previous.sms_from_number)
    return settings


def job_deliveries(
    job_id: str, appointment_id: str | None, principal: Principal, notify: Notify
) -> list[Delivery]:
    """The job's delivery log (one Query), narrowed to one appointment when asked."""
    principal.require_office()
    deliveries = notify.deliveries.for_job(principal.tenant_id, job_id)
    return [d for d in deliveries if appointment_id in (None, d.appointment_id)]


def delivery_health(principal: Principal, notify: Notify) -> dict[str, Any]:
    """The latest failed deliveries, and those whose provider's answer was never recorded (claimed
    more than a few minutes ago and still ``sending``), with how many share each reason; ``ok``
    when there are none."""
    principal.require_office()
    stale_before = notify.clock() - UNFINISHED_AFTER
    failed = [
        d if d.status is DeliveryStatus.FAILED else replace(d, reason=OUTCOME_UNKNOWN)
        for d in notify.deliveries.problems(principal.tenant_id, HEALTH_LIMIT)
        if d.status is DeliveryStatus.FAILED or d.created_at < stale_before
    ]
    reasons = Counter(d.reason or "unknown" for d in failed)
    return {
        "ok": not failed,
        "failed_reasons": [{"reason": r, "count": n} for r, n in reasons.most_common()],
        "recent_failures": [delivery_view(d) for d in failed],
    }


def settings_view(settings: NotifySettings) -> dict[str, Any]:
    return {
        "sms_from_number": settings.sms_from_number,
        "email_from": settings.email_from,
        "company_name": settings.company_name,
        "dispatch_sms": settings.dispatch_sms,
        "dispatch_email": settings.dispatch_email,
        "arrival_tracking": settings.arrival_tracking,
        "one_dispatch_notice_per_job": settings.one_dispatch_notice_per_job,
        "quiet_hours": settings.quiet_hours,
        "muted_business_units": list(settings.muted_business_units),
        "muted_job_types": list(settings.muted_job_types),
        "reminder_lead_minutes": list(settings.reminder_lead_minutes),
    }


def delivery_view(delivery: Delivery) -> dict[str, Any]:
    return {
        "delivery_id": delivery.delivery_id,
        "channel": delivery.channel.value,
        "template": delivery.template.value,
        "recipient": delivery.recipient,
        "status": delivery.status.value,
        "reason": delivery.reason,
        "provider_message_id": delivery.provider_message_id,
        "event_id": delivery.event_id,
        "job_id": delivery.job_id,
        "appointment_id": delivery.appointment_id,
        "created_at": delivery.created_at.isoformat(),
    }
