"""What notify's use cases need: message providers, its own table's repositories, a clock."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from truckroll.domain.notify import (
    AppointmentFacts,
    Delivery,
    Device,
    DueMessage,
    JobContact,
    NotifySettings,
    Template,
)
from truckroll.domain.windows import Clock
from truckroll.errors import RuleViolation


class DeliveryRefused(Exception):
    """The provider refused this message for good (bad number, unverified sender, disabled device...);
    retrying would not help, so the delivery is recorded as failed with this reason. Transient
    provider errors are raised as they are, and the event is retried."""


class PushNotConfigured(RuleViolation):
    """No push platform application is set up for the device's platform."""


class SmsSender(Protocol):
    def send(self, *, to: str, origination_number: str, text: str) -> str:
        """Send a text; return the provider's message id."""
        ...


class EmailSender(Protocol):
    def send(self, *, to: str, source: str, subject: str, text: str) -> str:
        """Send a plain-text email; return the provider's message id."""
        ...


class PushSender(Protocol):
    def register(self, *, platform: str, token: str, user_data: str) -> str:
        """Register a device token with the push provider; return its endpoint."""
        ...

    def send(self, *, endpoint: str, title: str, text: str) -> str:
        """Push a notification to one device endpoint; return the provider's message id."""
        ...


class NotifySettingsRepository(Protocol):
    def get(self, tenant_id: str) -> NotifySettings:
        """The tenant's settings; defaults when none were saved."""
        ...

    def put(self, settings: NotifySettings, previous_number: str | None) -> None:
        """Save the settings and record that the tenant texts from its outbound number (a reply
        names only the number it was sent to)."""
        ...

    def tenants_of_number(self, number: str) -> list[str]:
        """The tenants that text from ``number`` (more than one only if they share a number)."""
        ...


class DeliveryLog(Protocol):
    def claim(self, delivery: Delivery) -> bool:
        """Record ``delivery`` unless one with its id exists; False when it does (already handled)."""
        ...

    def finish(self, delivery: Delivery) -> None:
        """Replace the claimed record by its outcome."""
        ...

    def release(self, delivery: Delivery) -> None:
        """Remove a claim whose message was certainly not sent (a transient provider error)."""
        ...

    def for_job(self, tenant_id: str, job_id: str) -> list[Delivery]: ...

    def problems(self, tenant_id: str, limit: int) -> list[Delivery]:
        """The tenant's latest failed deliveries and claims not finished yet, newest first."""
        ...


class Projection(Protocol):
    """Notify's own copy of what other services' events said about jobs and appointments."""

    def put_job(self, job: JobContact) -> None: ...

    def job(self, tenant_id: str, job_id: str) -> JobContact | None: ...

    def put_appointment(self, appointment: AppointmentFacts) -> bool:
        """Keep ``appointment`` unless a later state is known; True when it was kept."""
        ...

    def appointment(self, tenant_id: str, job_id: str, appointment_id: str) -> AppointmentFacts | None: ...


class OptOuts(Protocol):
    def is_opted_out(self, tenant_id: str, number: str) -> bool: ...

    def set(self, tenant_id: str, number: str, opted_out: bool, at: datetime) -> None: ...


class Templates(Protocol):
    def get(self, tenant_id: str, template: Template) -> str | None:
        """The tenant's text for ``template``; None when it uses the default."""
        ...

    def put(self, tenant_id: str, template: Template, text: str) -> None: ...

    def all(self, tenant_id: str) -> dict[Template, str]: ...


class Devices(Protocol):
    def add(self, tenant_id: str, device: Device, token_hash: str) -> None: ...

    def of(self, tenant_id: str, technician_id: str) -> list[Device]: ...


class DueMessages(Protocol):
    def put(self, message: DueMessage) -> None:
        """Keep ``message`` (replacing one of the same appointment and key)."""
        ...

    def remove_appointment(self, tenant_id: str, job_id: str, appointment_id: str) -> None: ...

    def due(self, now: datetime) -> Sequence[DueMessage]:
        """Every tenant's messages due at or before ``now`` that are still waiting."""
        ...

    def done(self, message: DueMessage) -> None:
        """Remove ``message`` unless it was moved meanwhile."""
        ...


@dataclass(frozen=True)
class Notify:
    """Everything notify's use cases work with."""

    settings: NotifySettingsRepository
    deliveries: DeliveryLog
    projection: Projection
    opt_outs: OptOuts
    templates: Templates
    devices: Devices
    due: DueMessages
    sms: SmsSender
    email: EmailSender
    push: PushSender
    clock: Clock
