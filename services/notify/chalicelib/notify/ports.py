"""What notify's use cases need: message providers, repositories, a clock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from truckroll.domain.windows import Clock
from truckroll.persistence.ports import DeliveryRepository, NotifySettingsRepository


class DeliveryRefused(Exception):
    """The provider refused this message for good (bad number, unverified sender...); retrying would
    not help, so the delivery is recorded as failed with this reason. Transient provider errors are
    raised as they are, and the event is retried."""


class SmsSender(Protocol):
    def send(self, *, to: str, origination_number: str, text: str) -> str:
        """Send a text; return the provider's message id."""
        ...


class EmailSender(Protocol):
    def send(self, *, to: str, source: str, subject: str, text: str) -> str:
        """Send a plain-text email; return the provider's message id."""
        ...


@dataclass(frozen=True)
class Notify:
    """Everything notify's use cases work with."""

    settings: NotifySettingsRepository
    deliveries: DeliveryRepository
    sms: SmsSender
    email: EmailSender
    clock: Clock
