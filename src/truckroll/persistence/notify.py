"""Notify's own table: tenant notification settings and the delivery log."""

from __future__ import annotations

from datetime import datetime

from pynamodb.attributes import DiscriminatorAttribute, UnicodeAttribute
from pynamodb.models import Model

from truckroll.domain.notify import Channel, Delivery, DeliveryStatus, NotifySettings, Template
from truckroll.persistence import keys
from truckroll.persistence.tables import TableMeta


class NotifyItem(Model):
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


class DeliveryItem(NotifyItem, discriminator="delivery"):
    delivery_id = UnicodeAttribute()
    event_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    appointment_id = UnicodeAttribute(null=True)
    template = UnicodeAttribute()
    channel = UnicodeAttribute()
    recipient = UnicodeAttribute()
    status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()


class DynamoNotifySettingsRepository:
    def get(self, tenant_id: str) -> NotifySettings:
        try:
            item = SettingsItem.get(keys.notify_settings_pk(tenant_id), keys.NOTIFY_SETTINGS_SK)
        except SettingsItem.DoesNotExist:
            return NotifySettings(tenant_id=tenant_id)
        return NotifySettings(
            tenant_id=tenant_id,
            sms_from_number=item.sms_from_number,
            email_from=item.email_from,
            company_name=item.company_name,
        )

    def put(self, settings: NotifySettings) -> None:
        SettingsItem(
            pk=keys.notify_settings_pk(settings.tenant_id),
            sk=keys.NOTIFY_SETTINGS_SK,
            tenant_id=settings.tenant_id,
            sms_from_number=settings.sms_from_number,
            email_from=settings.email_from,
            company_name=settings.company_name,
        ).save()


class DynamoDeliveryRepository:
    def add(self, delivery: Delivery) -> None:
        DeliveryItem(
            pk=keys.job_pk(delivery.tenant_id, delivery.job_id),
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
        ).save()

    def for_job(self, tenant_id: str, job_id: str) -> list[Delivery]:
        items = DeliveryItem.query(
            keys.job_pk(tenant_id, job_id), DeliveryItem.sk.startswith(keys.DELIVERY_SK_PREFIX)
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
