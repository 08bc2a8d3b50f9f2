"""Tenant notification settings and the delivery log, as the HTTP API shows them."""

from __future__ import annotations

from typing import Annotated, Any

from chalicelib.notify.ports import Notify
from pydantic import BaseModel, ConfigDict, StringConstraints

from truckroll.auth import Principal
from truckroll.domain.customers import E164
from truckroll.domain.notify import Delivery, NotifySettings

PhoneNumber = Annotated[str, StringConstraints(pattern=E164.pattern)]
Email = Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class SettingsIn(BaseModel):
    """The whole settings document (PUT replaces it); a missing field is cleared."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)

    sms_from_number: PhoneNumber | None = None
    email_from: Email | None = None
    company_name: Name | None = None


def get_settings(principal: Principal, notify: Notify) -> NotifySettings:
    principal.require_admin()
    return notify.settings.get(principal.tenant_id)


def put_settings(body: SettingsIn, principal: Principal, notify: Notify) -> NotifySettings:
    principal.require_admin()
    settings = NotifySettings(
        tenant_id=principal.tenant_id,
        sms_from_number=body.sms_from_number,
        email_from=body.email_from,
        company_name=body.company_name,
    )
    notify.settings.put(settings)
    return settings


def job_deliveries(job_id: str, principal: Principal, notify: Notify) -> list[Delivery]:
    principal.require_office()
    return notify.deliveries.for_job(principal.tenant_id, job_id)


def settings_view(settings: NotifySettings) -> dict[str, Any]:
    return {
        "sms_from_number": settings.sms_from_number,
        "email_from": settings.email_from,
        "company_name": settings.company_name,
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
