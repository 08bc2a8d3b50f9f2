"""Notify's own table: settings, the delivery log, its projection of jobs and appointments, opt-outs,
templates, technicians' devices and the messages due later (reminders, deferred messages).

Key layout:
  settings           pk T#{tenant}#SETTINGS                sk NOTIFY
  outbound number    pk SMSNUMBER#{e164}                   sk TENANT#{tenant}  (who texts from it)
  delivery           pk T#{tenant}#JOB#{job}               sk DELIVERY#{delivery_id}
                     (deliveries of no job, e.g. a board message: pk T#{tenant}#MESSAGE#{event_id})
                     gsi1pk T#{tenant}#DELIVERY_PROBLEMS   gsi1sk {created_at}#{delivery_id}
                     (failed, or still claimed: the final write of a sent message removes them)
  job contact        pk T#{tenant}#JOB#{job}               sk CONTACT
  appointment        pk T#{tenant}#JOB#{job}               sk APPT#{appointment}
  due message        pk T#{tenant}#JOB#{job}               sk DUE#{appointment}#{key}
                     gsi1pk DUE#{utc yyyy-mm-ddThh}        gsi1sk {due utc}#{tenant}#{job}#{appointment}#{key}
  sweep cursor       pk SWEEPER                            sk DUE_CURSOR
  opt-out            pk T#{tenant}#OPTOUT#{e164}           sk SMS
  template           pk T#{tenant}#TEMPLATES               sk {template}
  device             pk T#{tenant}#TECH#{technician}       sk DEVICE#{sha256 of the device token}

Two keys do not start with a tenant, because what reads them has none yet: the outbound number
(an inbound reply names only the number it was sent to) and the due-message index with its cursor
(one sweeper serves every tenant). Each item they lead to names its tenant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    JSONAttribute,
    UnicodeAttribute,
)
from pynamodb.exceptions import DeleteError, PutError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from truckroll.domain.customers import Phone, PhoneType
from truckroll.domain.notify import (
    AppointmentFacts,
    Channel,
    Delivery,
    DeliveryStatus,
    Device,
    DueMessage,
    JobContact,
    NotifySettings,
    Template,
)
from truckroll.domain.windows import TimeWindow
from truckroll.persistence import keys
from truckroll.persistence.tables import TableMeta, TableModel
from truckroll.persistence.writes import CONDITION_FAILED

M = TypeVar("M", bound=Model)
CONTACT_SK = "CONTACT"
SWEEPER_PK, CURSOR_SK = "SWEEPER", "DUE_CURSOR"
# A sweep looks back at most this far for due messages a failed sweep left behind.
SWEEP_LOOKBACK = timedelta(days=3)


def _conditional_failed(error: PutError | DeleteError) -> bool:
    return error.cause_response_code == CONDITION_FAILED


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat()


class NotifyItem(TableModel):
    class Meta(metaclass=TableMeta):
        logical_table = "notify"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    tenant_id = UnicodeAttribute()


class SettingsItem(NotifyItem, discriminator="settings"):
    sms_from_number = UnicodeAttribute(null=True)
    email_from = UnicodeAttribute(null=True)
    company_name = UnicodeAttribute(null=True)
    dispatch_sms = BooleanAttribute(null=True)
    dispatch_email = BooleanAttribute(null=True)
    arrival_tracking = BooleanAttribute(null=True)
    one_dispatch_notice_per_job = BooleanAttribute(null=True)
    quiet_hours = BooleanAttribute(null=True)
    muted_business_units = JSONAttribute(null=True)
    muted_job_types = JSONAttribute(null=True)
    reminder_lead_minutes = JSONAttribute(null=True)


class NumberItem(NotifyItem, discriminator="sms_number"):
    pass


def _flag(value: bool | None, default: bool) -> bool:
    return default if value is None else value


class DynamoNotifySettingsRepository:
    def get(self, tenant_id: str) -> NotifySettings:
        try:
            item = SettingsItem.get(keys.notify_settings_pk(tenant_id), keys.NOTIFY_SETTINGS_SK)
        except SettingsItem.DoesNotExist:
            return NotifySettings(tenant_id=tenant_id)
        defaults = NotifySettings(tenant_id=tenant_id)
        return NotifySettings(
            tenant_id=tenant_id,
            sms_from_number=item.sms_from_number,
            email_from=item.email_from,
            company_name=item.company_name,
            dispatch_sms=_flag(item.dispatch_sms, defaults.dispatch_sms),
            dispatch_email=_flag(item.dispatch_email, defaults.dispatch_email),
            arrival_tracking=_flag(item.arrival_tracking, defaults.arrival_tracking),
            one_dispatch_notice_per_job=_flag(
                item.one_dispatch_notice_per_job, defaults.one_dispatch_notice_per_job
            ),
            quiet_hours=_flag(item.quiet_hours, defaults.quiet_hours),
            muted_business_units=tuple(item.muted_business_units or ()),
            muted_job_types=tuple(item.muted_job_types or ()),
            reminder_lead_minutes=tuple(
                defaults.reminder_lead_minutes
                if item.reminder_lead_minutes is None
                else item.reminder_lead_minutes
            ),
        )

    def put(self, settings: NotifySettings, previous_number: str | None) -> None:
        tenant_id, number = settings.tenant_id, settings.sms_from_number
        if number is not None:
            NumberItem(
                pk=keys.sms_number_pk(number), sk=keys.sms_number_sk(tenant_id), tenant_id=tenant_id
            ).save()
        SettingsItem(
            pk=keys.notify_settings_pk(tenant_id),
            sk=keys.NOTIFY_SETTINGS_SK,
            tenant_id=tenant_id,
            sms_from_number=number,
            email_from=settings.email_from,
            company_name=settings.company_name,
            dispatch_sms=settings.dispatch_sms,
            dispatch_email=settings.dispatch_email,
            arrival_tracking=settings.arrival_tracking,
            one_dispatch_notice_per_job=settings.one_dispatch_notice_per_job,
            quiet_hours=settings.quiet_hours,
            muted_business_units=list(settings.muted_business_units),
            muted_job_types=list(settings.muted_job_types),
            reminder_lead_minutes=list(settings.reminder_lead_minutes),
        ).save()
        if previous_number is not None and previous_number != number:
            NumberItem(pk=keys.sms_number_pk(previous_number), sk=keys.sms_number_sk(tenant_id)).delete()

    def tenants_of_number(self, number: str) -> list[str]:
        return [item.tenant_id for item in NumberItem.query(keys.sms_number_pk(number))]


# -- delivery log ---------------------------------------------------------------------------------


class Gsi1(GlobalSecondaryIndex[M]):  # type: ignore[no-untyped-call]
    """The notify table's one index: each kind of item that uses it gives the keys its own meaning."""

    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class DeliveryItem(NotifyItem, discriminator="delivery"):
    delivery_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    job_id = UnicodeAttribute(null=True)
    appointment_id = UnicodeAttribute(null=True)
    template = UnicodeAttribute()
    channel = UnicodeAttribute()
    recipient = UnicodeAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    gsi1pk = UnicodeAttribute(null=True)
    gsi1sk = UnicodeAttribute(null=True)
    # A tenant's failed and unfinished deliveries by time (only they carry the index keys).
    problems: Gsi1[DeliveryItem] = Gsi1()


def _delivery_pk(delivery: Delivery) -> str:
    if delivery.job_id is not None:
        return keys.job_pk(delivery.tenant_id, delivery.job_id)
    return keys.message_pk(delivery.tenant_id, delivery.event_id)


def _delivery_item(delivery: Delivery) -> DeliveryItem:
    item = DeliveryItem(
        pk=_delivery_pk(delivery),
        sk=keys.delivery_sk(delivery.delivery_id),
        tenant_id=delivery.tenant_id,
        delivery_id=delivery.delivery_id,
        event_id=delivery.event_id,
        job_id=delivery.job_id,
        appointment_id=delivery.appointment_id,
        template=delivery.template.value,
        channel=delivery.channel.value,
        recipient=delivery.recipient,
        status=delivery.status.value,
        reason=delivery.reason,
        provider_message_id=delivery.provider_message_id,
        created_at=delivery.created_at.isoformat(),
    )
    if delivery.status in (DeliveryStatus.FAILED, DeliveryStatus.SENDING):  # the outcome replaces a claim
        item.gsi1pk = keys.delivery_problems_pk(delivery.tenant_id)
        item.gsi1sk = f"{_utc(delivery.created_at)}#{delivery.delivery_id}"
    return item


class DynamoDeliveryLog:
    def claim(self, delivery: Delivery) -> bool:
        try:
            _delivery_item(delivery).save(DeliveryItem.pk.does_not_exist())
        except PutError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def finish(self, delivery: Delivery) -> None:
        _delivery_item(delivery).save()

    def release(self, delivery: Delivery) -> None:
        _delivery_item(delivery).delete()

    def for_job(self, tenant_id: str, job_id: str) -> list[Delivery]:
        items = DeliveryItem.query(
            keys.job_pk(tenant_id, job_id), DeliveryItem.sk.startswith(keys.DELIVERY_SK_PREFIX)
        )
        return sorted((_delivery(item) for item in items), key=lambda d: (d.created_at, d.delivery_id))

    def problems(self, tenant_id: str, limit: int) -> list[Delivery]:
        items = DeliveryItem.problems.query(
            keys.delivery_problems_pk(tenant_id), scan_index_forward=False, limit=limit
        )
        return [_delivery(item) for item in items]


def _delivery(item: DeliveryItem) -> Delivery:
    return Delivery(
        tenant_id=item.tenant_id,
        delivery_id=item.delivery_id,
        event_id=item.event_id,
        job_id=item.job_id,
        appointment_id=item.appointment_id,
        template=Template(item.template),
        channel=Channel(item.channel),
        recipient=item.recipient,
        status=DeliveryStatus(item.status),
        reason=item.reason,
        provider_message_id=item.provider_message_id,
        created_at=datetime.fromisoformat(item.created_at),
    )


# -- projection -----------------------------------------------------------------------------------


class ContactItem(NotifyItem, discriminator="contact"):
    job_id = UnicodeAttribute()
    job_type = UnicodeAttribute()
    business_unit = UnicodeAttribute(null=True)
    customer_name = UnicodeAttribute()
    phone = UnicodeAttribute()
    phone_type = UnicodeAttribute()
    email = UnicodeAttribute(null=True)


class AppointmentItem(NotifyItem, discriminator="appointment"):
    job_id = UnicodeAttribute()
    appointment_id = UnicodeAttribute()
    window_start = UnicodeAttribute()
    window_end = UnicodeAttribute()
    technicians = JSONAttribute()  # {technician id: first name or null}
    as_of = UnicodeAttribute()  # UTC ISO instant: later states replace earlier ones


class DynamoProjection:
    def put_job(self, job: JobContact) -> None:
        ContactItem(
            pk=keys.job_pk(job.tenant_id, job.job_id),
            sk=CONTACT_SK,
            tenant_id=job.tenant_id,
            job_id=job.job_id,
            job_type=job.job_type,
            business_unit=job.business_unit,
            customer_name=job.customer_name,
            phone=job.phone.number,
            phone_type=job.phone.type.value,
            email=job.email,
        ).save()

    def job(self, tenant_id: str, job_id: str) -> JobContact | None:
        try:
            item = ContactItem.get(keys.job_pk(tenant_id, job_id), CONTACT_SK)
        except ContactItem.DoesNotExist:
            return None
        return JobContact(
            tenant_id=tenant_id,
            job_id=job_id,
            job_type=item.job_type,
            business_unit=item.business_unit,
            customer_name=item.customer_name,
            phone=Phone(item.phone, PhoneType(item.phone_type)),
            email=item.email,
        )

    def put_appointment(self, appointment: AppointmentFacts) -> bool:
        as_of = _utc(appointment.as_of or datetime.now(UTC))
        try:
            AppointmentItem(
                pk=keys.job_pk(appointment.tenant_id, appointment.job_id),
                sk=keys.appointment_sk(appointment.appointment_id),
                tenant_id=appointment.tenant_id,
                job_id=appointment.job_id,
                appointment_id=appointment.appointment_id,
                window_start=appointment.arrival_window.start.isoformat(),
                window_end=appointment.arrival_window.end.isoformat(),
                technicians=dict(appointment.technician_names),
                as_of=as_of,
            ).save(AppointmentItem.pk.does_not_exist() | (AppointmentItem.as_of <= as_of))
        except PutError as error:
            if _conditional_failed(error):
                return False
            raise
        return True

    def appointment(self, tenant_id: str, job_id: str, appointment_id: str) -> AppointmentFacts | None:
        try:
            item = AppointmentItem.get(keys.job_pk(tenant_id, job_id), keys.appointment_sk(appointment_id))
        except AppointmentItem.DoesNotExist:
            return None
        return AppointmentFacts(
            tenant_id=tenant_id,
            job_id=job_id,
            appointment_id=appointment_id,
            arrival_window=TimeWindow(
                datetime.fromisoformat(item.window_start), datetime.fromisoformat(item.window_end)
            ),
            technician_names=dict(item.technicians),
            as_of=datetime.fromisoformat(item.as_of),
        )


# -- opt-outs, templates, devices -----------------------------------------------------------------


class OptOutItem(NotifyItem, discriminator="opt_out"):
    opted_out = BooleanAttribute()
    at = UnicodeAttribute()


class DynamoOptOuts:
    def is_opted_out(self, tenant_id: str, number: str) -> bool:
        try:
            item = OptOutItem.get(keys.opt_out_pk(tenant_id, number), keys.OPT_OUT_SK, consistent_read=True)
        except OptOutItem.DoesNotExist:
            return False
        return item.opted_out

    def set(self, tenant_id: str, number: str, opted_out: bool, at: datetime) -> None:
        OptOutItem(
            pk=keys.opt_out_pk(tenant_id, number),
            sk=keys.OPT_OUT_SK,
            tenant_id=tenant_id,
            opted_out=opted_out,
            at=_utc(at),
        ).save()


class TemplateItem(NotifyItem, discriminator="template"):
    text = UnicodeAttribute()


class DynamoTemplates:
    def get(self, tenant_id: str, template: Template) -> str | None:
        try:
            return TemplateItem.get(keys.templates_pk(tenant_id), template.value).text
        except TemplateItem.DoesNotExist:
            return None

    def put(self, tenant_id: str, template: Template, text: str) -> None:
        TemplateItem(
            pk=keys.templates_pk(tenant_id), sk=template.value, tenant_id=tenant_id, text=text
        ).save()

    def all(self, tenant_id: str) -> dict[Template, str]:
        return {Template(item.sk): item.text for item in TemplateItem.query(keys.templates_pk(tenant_id))}


class DeviceItem(NotifyItem, discriminator="device"):
    technician_id = UnicodeAttribute()
    platform = UnicodeAttribute()
    endpoint = UnicodeAttribute()


class DynamoDevices:
    def add(self, tenant_id: str, device: Device, token_hash: str) -> None:
        DeviceItem(
            pk=keys.technician_devices_pk(tenant_id, device.technician_id),
            sk=keys.device_sk(token_hash),
            tenant_id=tenant_id,
            technician_id=device.technician_id,
            platform=device.platform,
            endpoint=device.endpoint,
        ).save()

    def of(self, tenant_id: str, technician_id: str) -> list[Device]:
        items = DeviceItem.query(
            keys.technician_devices_pk(tenant_id, technician_id),
            DeviceItem.sk.startswith(keys.DEVICE_SK_PREFIX),
        )
        return [Device(item.technician_id, item.platform, item.endpoint) for item in items]


# -- messages due later ---------------------------------------------------------------------------


class DueItem(NotifyItem, discriminator="due"):
    job_id = UnicodeAttribute()
    appointment_id = UnicodeAttribute()
    key = UnicodeAttribute()
    template = UnicodeAttribute()
    due = UnicodeAttribute()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    # Every tenant's due messages of one UTC hour, in due order.
    by_time: Gsi1[DueItem] = Gsi1()


class CursorItem(NotifyItem, discriminator="sweep_cursor"):
    hour = UnicodeAttribute()


def _hour(instant: datetime) -> datetime:
    return instant.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def _hour_pk(hour: datetime) -> str:
    return f"DUE#{hour:%Y-%m-%dT%H}"


def _hours(first: datetime, last: datetime) -> Iterator[datetime]:
    hour = first
    while hour <= last:
        yield hour
        hour += timedelta(hours=1)


class DynamoDueMessages:
    """Due messages are found by Querying the hour buckets from the sweep cursor to now: the cursor
    stays at the oldest bucket that still held a due message, so one a failed sweep left behind is
    found again, and it moves on once that bucket is done."""

    def put(self, message: DueMessage) -> None:
        due = _utc(message.due)
        DueItem(
            pk=keys.job_pk(message.tenant_id, message.job_id),
            sk=keys.due_sk(message.appointment_id, message.key),
            tenant_id=message.tenant_id,
            job_id=message.job_id,
            appointment_id=message.appointment_id,
            key=message.key,
            template=message.template.value,
            due=due,
            gsi1pk=_hour_pk(_hour(message.due)),
            gsi1sk=f"{due}#{message.tenant_id}#{message.job_id}#{message.appointment_id}#{message.key}",
        ).save()

    def remove_appointment(self, tenant_id: str, job_id: str, appointment_id: str) -> None:
        items = DueItem.query(
            keys.job_pk(tenant_id, job_id), DueItem.sk.startswith(keys.due_sk(appointment_id, ""))
        )
        for item in items:
            item.delete()

    def due(self, now: datetime) -> list[DueMessage]:
        current = _hour(now)
        earliest = _hour(now - SWEEP_LOOKBACK)
        try:
            cursor = datetime.fromisoformat(CursorItem.get(SWEEPER_PK, CURSOR_SK).hour)
        except CursorItem.DoesNotExist:
            cursor = earliest  # the first sweep looks back as far as any sweep does
        first = max(min(cursor, current), earliest)
        upto = f"{_utc(now)}~"
        found = [
            _due(item)
            for hour in _hours(first, current)
            for item in DueItem.by_time.query(_hour_pk(hour), DueItem.gsi1sk <= upto)
        ]
        oldest = min((_hour(m.due) for m in found), default=current)
        if oldest != cursor:
            CursorItem(pk=SWEEPER_PK, sk=CURSOR_SK, tenant_id="*", hour=oldest.isoformat()).save()
        return found

    def done(self, message: DueMessage) -> None:
        try:
            DueItem(
                pk=keys.job_pk(message.tenant_id, message.job_id),
                sk=keys.due_sk(message.appointment_id, message.key),
            ).delete(DueItem.due == _utc(message.due))
        except DeleteError as error:
            if not _conditional_failed(error):
                raise


def _due(item: DueItem) -> DueMessage:
    return DueMessage(
        tenant_id=item.tenant_id,
        job_id=item.job_id,
        appointment_id=item.appointment_id,
        key=item.key,
        template=Template(item.template),
        due=datetime.fromisoformat(item.due),
    )
