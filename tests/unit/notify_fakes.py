"""In-memory implementations of notify's ports, for its use-case tests."""

from __future__ import annotations

from datetime import datetime

from chalicelib.notify.ports import DeliveryRefused, Notify
from fakes import clock

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


class FakeSettings:
    def __init__(self, *settings: NotifySettings) -> None:
        self.settings = {s.tenant_id: s for s in settings}
        self.numbers: set[tuple[str | None, str]] = {
            (s.sms_from_number, s.tenant_id) for s in settings if s.sms_from_number
        }

    def get(self, tenant_id: str) -> NotifySettings:
        return self.settings.get(tenant_id, NotifySettings(tenant_id=tenant_id))

    def put(self, settings: NotifySettings, previous_number: str | None) -> None:
        self.numbers.discard((previous_number, settings.tenant_id))
        if settings.sms_from_number is not None:
            self.numbers.add((settings.sms_from_number, settings.tenant_id))
        self.settings[settings.tenant_id] = settings

    def tenants_of_number(self, number: str) -> list[str]:
        return sorted(t for n, t in self.numbers if n == number)


class FakeDeliveries:
    def __init__(self) -> None:
        self.deliveries: dict[tuple[str, str], Delivery] = {}

    def claim(self, delivery: Delivery) -> bool:
        return self.deliveries.setdefault((delivery.tenant_id, delivery.delivery_id), delivery) is delivery

    def finish(self, delivery: Delivery) -> None:
        self.deliveries[(delivery.tenant_id, delivery.delivery_id)] = delivery

    def release(self, delivery: Delivery) -> None:
        del self.deliveries[(delivery.tenant_id, delivery.delivery_id)]

    def for_job(self, tenant_id: str, job_id: str) -> list[Delivery]:
        return [d for (t, _), d in self.deliveries.items() if t == tenant_id and d.job_id == job_id]

    def problems(self, tenant_id: str, limit: int) -> list[Delivery]:
        failed = [
            d for (t, _), d in self.deliveries.items() if t == tenant_id and d.status in ("failed", "sending")
        ]
        return sorted(failed, key=lambda d: d.created_at, reverse=True)[:limit]

    def of(self, template: Template) -> list[Delivery]:
        return [d for d in self.deliveries.values() if d.template is template]


class FakeProjection:
    def __init__(self) -> None:
        self.jobs: dict[tuple[str, str], JobContact] = {}
        self.appointments: dict[tuple[str, str], AppointmentFacts] = {}

    def put_job(self, job: JobContact) -> None:
        self.jobs[(job.tenant_id, job.job_id)] = job

    def job(self, tenant_id: str, job_id: str) -> JobContact | None:
        return self.jobs.get((tenant_id, job_id))

    def put_appointment(self, appointment: AppointmentFacts) -> bool:
        key = (appointment.tenant_id, appointment.appointment_id)
        known = self.appointments.get(key)
        if known is not None and known.as_of and appointment.as_of and known.as_of > appointment.as_of:
            return False
        self.appointments[key] = appointment
        return True

    def appointment(self, tenant_id: str, job_id: str, appointment_id: str) -> AppointmentFacts | None:
        return self.appointments.get((tenant_id, appointment_id))


class FakeOptOuts:
    def __init__(self) -> None:
        self.opted_out: set[tuple[str, str]] = set()

    def is_opted_out(self, tenant_id: str, number: str) -> bool:
        return (tenant_id, number) in self.opted_out

    def set(self, tenant_id: str, number: str, opted_out: bool, at: datetime) -> None:
        (self.opted_out.add if opted_out else self.opted_out.discard)((tenant_id, number))


class FakeTemplates:
    def __init__(self) -> None:
        self.texts: dict[tuple[str, Template], str] = {}

    def get(self, tenant_id: str, template: Template) -> str | None:
        return self.texts.get((tenant_id, template))

    def put(self, tenant_id: str, template: Template, text: str) -> None:
        self.texts[(tenant_id, template)] = text

    def all(self, tenant_id: str) -> dict[Template, str]:
        return {t: text for (tenant, t), text in self.texts.items() if tenant == tenant_id}


class FakeDevices:
    def __init__(self) -> None:
        self.devices: dict[tuple[str, str], Device] = {}

    def add(self, tenant_id: str, device: Device, token_hash: str) -> None:
        self.devices[(tenant_id, token_hash)] = device

    def of(self, tenant_id: str, technician_id: str) -> list[Device]:
        return [
            d for (t, _), d in self.devices.items() if t == tenant_id and d.technician_id == technician_id
        ]


class FakeDue:
    def __init__(self) -> None:
        self.messages: dict[tuple[str, str, str], DueMessage] = {}

    def put(self, message: DueMessage) -> None:
        self.messages[(message.tenant_id, message.appointment_id, message.key)] = message

    def remove_appointment(self, tenant_id: str, job_id: str, appointment_id: str) -> None:
        for key in [k for k in self.messages if k[:2] == (tenant_id, appointment_id)]:
            del self.messages[key]

    def due(self, now: datetime) -> list[DueMessage]:
        return sorted((m for m in self.messages.values() if m.due <= now), key=lambda m: m.due)

    def done(self, message: DueMessage) -> None:
        key = (message.tenant_id, message.appointment_id, message.key)
        if self.messages.get(key) == message:
            del self.messages[key]


class FakeSms:
    def __init__(self, refuse_with: Exception | None = None) -> None:
        self.sent: list[tuple[str, str, str]] = []
        self.refuse_with = refuse_with

    def send(self, *, to: str, origination_number: str, text: str) -> str:
        if self.refuse_with is not None:
            raise self.refuse_with
        self.sent.append((to, origination_number, text))
        return f"sms-{len(self.sent)}"


class FakeEmail:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str, str]] = []

    def send(self, *, to: str, source: str, subject: str, text: str) -> str:
        self.sent.append((to, source, subject, text))
        return f"email-{len(self.sent)}"


class FakePush:
    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.sent: list[tuple[str, str]] = []
        self.refuse = refuse

    def register(self, *, platform: str, token: str, user_data: str) -> str:
        if token in self.refuse:
            raise DeliveryRefused("push provider refused the device: InvalidParameter")
        return f"endpoint/{platform}/{token}"

    def send(self, *, endpoint: str, title: str, text: str) -> str:
        if endpoint in self.refuse:
            raise DeliveryRefused("push provider refused the message: EndpointDisabled")
        self.sent.append((endpoint, text))
        return f"push-{len(self.sent)}"


def fake_notify(*settings: NotifySettings, sms: FakeSms | None = None, now: Clock = clock) -> Notify:
    return Notify(
        settings=FakeSettings(*settings),
        deliveries=FakeDeliveries(),
        projection=FakeProjection(),
        opt_outs=FakeOptOuts(),
        templates=FakeTemplates(),
        devices=FakeDevices(),
        due=FakeDue(),
        sms=sms or FakeSms(),
        email=FakeEmail(),
        push=FakePush(),
        clock=now,
    )
