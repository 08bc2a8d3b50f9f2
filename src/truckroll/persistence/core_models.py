"""PynamoDB models of the core table (see :mod:`truckroll.persistence.keys` for the key layout).

All items share one base model with a ``kind`` discriminator, so one Query on a job's partition
returns the job and its appointments as their own classes.
"""

from __future__ import annotations

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    VersionAttribute,
)
from pynamodb.models import Model

from truckroll.persistence.tables import TableMeta


class CoreItem(Model):
    class Meta(metaclass=TableMeta):
        logical_table = "core"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    tenant_id = UnicodeAttribute()


def _strings() -> ListAttribute[str]:
    return ListAttribute[str](default=list)


class CustomerItem(CoreItem, discriminator="customer"):
    customer_id = UnicodeAttribute()
    name = UnicodeAttribute()
    phone = UnicodeAttribute()
    phone_type = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    tags = _strings()


class LocationItem(CoreItem, discriminator="location"):
    location_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    street = UnicodeAttribute()
    city = UnicodeAttribute()
    state = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    verified = BooleanAttribute()
    tags = _strings()


class JobItem(CoreItem, discriminator="job"):
    job_id = UnicodeAttribute()
    customer_id = UnicodeAttribute()
    location_id = UnicodeAttribute()
    job_type = UnicodeAttribute()
    summary = UnicodeAttribute()
    priority = UnicodeAttribute()
    business_unit = UnicodeAttribute(null=True)
    tags = _strings()
    source = UnicodeAttribute()
    campaign = UnicodeAttribute(null=True)
    call_id = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    offer = UnicodeAttribute(null=True)
    hold_reason = UnicodeAttribute(null=True)
    cancel_reason = UnicodeAttribute(null=True)
    status = UnicodeAttribute()  # derived; stored for reading and filtering only
    version = VersionAttribute()


class AppointmentItem(CoreItem, discriminator="appointment"):
    appointment_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()
    window_start = UnicodeAttribute()
    window_end = UnicodeAttribute()
    status = UnicodeAttribute()
    technician_ids = _strings()


class OutboxItem(CoreItem, discriminator="outbox"):
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    producer = UnicodeAttribute()
    envelope = UnicodeAttribute()  # the EventEnvelope as JSON
    expires_at = TTLAttribute()


class BoardEntryItem(CoreItem, discriminator="board_entry"):
    appointment_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    start = UnicodeAttribute()
    end = UnicodeAttribute()
    window_start = UnicodeAttribute()
    window_end = UnicodeAttribute()
    status = UnicodeAttribute()
    job_status = UnicodeAttribute()
    customer_name = UnicodeAttribute()
    job_type = UnicodeAttribute()
    business_unit = UnicodeAttribute(null=True)
    summary = UnicodeAttribute()
    priority = UnicodeAttribute()
    tags = _strings()
    street = UnicodeAttribute()
    city = UnicodeAttribute()
    state = UnicodeAttribute()
    postal_code = UnicodeAttribute()
    verified = BooleanAttribute()
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    technician_ids = _strings()
    alerts = _strings()
