"""Tracking's projection of appointments and destinations, and the customers' tracking links.

Key layout (in the tracking table):
  job destination    pk T#{tenant}#JOB#{job}            sk DESTINATION
  appointment        pk T#{tenant}#APPT#{appointment}   sk APPOINTMENT
  tracking link      pk LINK#{sha256 of token}          sk LINK   (gsi1: the appointment's month, as in
                                                                   truckroll.persistence.tracking)

The link is the one key that does not start with a tenant: the customer's public GET carries only
the token, so the token's hash is the whole key; the item names its tenant and appointment
(docs/decisions.md). Every read that follows it is keyed by that tenant.

Events arrive in any order and more than once: an appointment is replaced only by news that
occurred later.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pynamodb.attributes import BooleanAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import PutError

from truckroll.domain.status import AppointmentStatus, TechStatus
from truckroll.domain.tracking_links import Destination, Link, TechnicianProgress, TrackedAppointment
from truckroll.persistence.keys import tenant_prefix
from truckroll.persistence.tracking import TrackingItem, month_pk, month_sk
from truckroll.persistence.writes import CONDITION_FAILED

DESTINATION_SK = "DESTINATION"
APPOINTMENT_SK = "APPOINTMENT"
LINK_SK = "LINK"
LINK_KIND = "L"


def destination_pk(tenant_id: str, job_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#JOB#{job_id}"


def appointment_pk(tenant_id: str, appointment_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#APPT#{appointment_id}"


def link_pk(token_hash: str) -> str:
    return f"LINK#{token_hash}"


def _utc(instant: datetime) -> str:
    return instant.astimezone(UTC).isoformat(timespec="microseconds")


class DestinationItem(TrackingItem, discriminator="destination"):
    job_id = UnicodeAttribute()
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    verified = BooleanAttribute()


class AppointmentItem(TrackingItem, discriminator="appointment"):
    appointment_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    status = UnicodeAttribute()
    window_start = UnicodeAttribute()
    window_end = UnicodeAttribute()
    technicians = UnicodeAttribute()
    occurred_at = UnicodeAttribute()
    job_canceled = BooleanAttribute(null=True)  # items kept before it: not canceled


class LinkItem(TrackingItem, discriminator="link"):
    appointment_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    created_at = UnicodeAttribute()
    opens = NumberAttribute(default=0)


class DynamoAppointmentProjection:
    def put_destination(self, tenant_id: str, job_id: str, destination: Destination) -> None:
        DestinationItem(
            pk=destination_pk(tenant_id, job_id),
            sk=DESTINATION_SK,
            tenant_id=tenant_id,
            job_id=job_id,
            lat=destination.lat,
            lon=destination.lon,
            verified=destination.verified,
        ).save()

    def destination(self, tenant_id: str, job_id: str) -> Destination | None:
        try:
            item = DestinationItem.get(destination_pk(tenant_id, job_id), DESTINATION_SK)
        except DestinationItem.DoesNotExist:
            return None
        lat, lon = item.lat, item.lon
        return Destination(
            float(lat) if lat is not None else None, float(lon) if lon is not None else None, item.verified
        )

    def put(self, appointment: TrackedAppointment) -> None:
        """Keep ``appointment`` unless news about it that occurred later was already kept."""
        item = AppointmentItem(
            pk=appointment_pk(appointment.tenant_id, appointment.appointment_id),
            sk=APPOINTMENT_SK,
            tenant_id=appointment.tenant_id,
            appointment_id=appointment.appointment_id,
            job_id=appointment.job_id,
            status=appointment.status.value,
            window_start=appointment.window_start.isoformat(),
            window_end=appointment.window_end.isoformat(),
            technicians=json.dumps(
                [[t.technician_id, t.status.value, t.first_name] for t in appointment.technicians]
            ),
            occurred_at=_utc(appointment.occurred_at),
            job_canceled=appointment.job_canceled,
        )
        try:
            item.save(
                condition=AppointmentItem.pk.does_not_exist()
                | (AppointmentItem.occurred_at < item.occurred_at)
            )
        except PutError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise

    def get(self, tenant_id: str, appointment_id: str) -> TrackedAppointment | None:
        try:
            item = AppointmentItem.get(appointment_pk(tenant_id, appointment_id), APPOINTMENT_SK)
        except AppointmentItem.DoesNotExist:
            return None
        return TrackedAppointment(
            tenant_id=item.tenant_id,
            appointment_id=item.appointment_id,
            job_id=item.job_id,
            status=AppointmentStatus(item.status),
            window_start=datetime.fromisoformat(item.window_start),
            window_end=datetime.fromisoformat(item.window_end),
            technicians=tuple(_progress(t) for t in json.loads(item.technicians)),
            occurred_at=datetime.fromisoformat(item.occurred_at),
            job_canceled=bool(item.job_canceled),
        )


def _progress(stored: list[str | None]) -> TechnicianProgress:
    """One technician's ``[id, status, first name]`` (items kept before first names have two)."""
    technician_id, status = str(stored[0]), TechStatus(str(stored[1]))
    return TechnicianProgress(technician_id, status, stored[2] if len(stored) > 2 else None)


def link_item(token_hash: str, link: Link) -> LinkItem:
    day = link.day
    return LinkItem(
        pk=link_pk(token_hash),
        sk=LINK_SK,
        tenant_id=link.tenant_id,
        appointment_id=link.appointment_id,
        job_id=link.job_id,
        created_at=link.created_at.isoformat(),
        opens=0,
        gsi1pk=month_pk(link.tenant_id, day) if day is not None else None,
        gsi1sk=month_sk(day, LINK_KIND, link.appointment_id) if day is not None else None,
    )


class DynamoLinkRepository:
    def add(self, token_hash: str, link: Link) -> None:
        link_item(token_hash, link).save(condition=LinkItem.pk.does_not_exist())

    def get(self, token_hash: str) -> Link | None:
        try:
            item = LinkItem.get(link_pk(token_hash), LINK_SK)
        except LinkItem.DoesNotExist:
            return None
        return Link(
            tenant_id=item.tenant_id,
            appointment_id=item.appointment_id,
            job_id=item.job_id,
            created_at=datetime.fromisoformat(item.created_at),
            opens=int(item.opens),
        )

    def count_open(self, token_hash: str) -> None:
        """One more open: an atomic ADD, however many customers open it at once."""
        LinkItem(pk=link_pk(token_hash), sk=LINK_SK).update(actions=[LinkItem.opens.add(1)])
