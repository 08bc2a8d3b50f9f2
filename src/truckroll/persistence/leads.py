"""The leads inbox in the core table.

A lead is one item, listed by status on gsi1 (newest first). Guard items point a source id, and a
duplicate key of a day, at the lead; they are written only if absent, in the transaction that
creates or merges the lead, so concurrent deliveries of one lead cannot make two. A webhook
receipt (message id and timestamp) is written in that same transaction: a replayed delivery
finds it and is refused.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol

from pydantic import TypeAdapter

from truckroll.domain.leads import IncomingLead, Lead, LeadStatus
from truckroll.persistence import keys
from truckroll.persistence.core_models import CoreItem, LeadGuardItem, LeadItem, WebhookReceiptItem
from truckroll.persistence.writes import Write

SOURCE_GUARD_RETENTION = timedelta(days=90)
DUPLICATE_GUARD_RETENTION = timedelta(days=3)
RECEIPT_RETENTION = timedelta(days=1)
INBOX_LIMIT = 100
_INCOMING = TypeAdapter(IncomingLead)


class Stager(Protocol):
    def stage(self, write: Write) -> None: ...


class DynamoLeadRepository:
    def __init__(self, uow: Stager) -> None:
        self._uow = uow

    def get(self, tenant_id: str, lead_id: str) -> Lead | None:
        try:
            item = LeadItem.get(keys.lead_pk(tenant_id, lead_id), keys.LEAD_SK, consistent_read=True)
        except LeadItem.DoesNotExist:
            return None
        return _lead(item)

    def by_source(self, tenant_id: str, source_ref: str) -> str | None:
        """The lead a source id (``channel:id``) was first delivered as."""
        return _guarded(keys.lead_source_pk(tenant_id, source_ref))

    def by_duplicate(self, tenant_id: str, day: date, duplicate_key: str) -> str | None:
        """The lead of that person at that address received on ``day``."""
        return _guarded(keys.lead_duplicate_pk(tenant_id, day, duplicate_key))

    def has_receipt(self, tenant_id: str, message_id: str, timestamp: str) -> bool:
        try:
            pk = keys.webhook_receipt_pk(tenant_id, message_id)
            WebhookReceiptItem.get(pk, timestamp, consistent_read=True)
        except WebhookReceiptItem.DoesNotExist:
            return False
        return True

    def inbox(self, tenant_id: str, status: LeadStatus) -> list[Lead]:
        """The tenant's leads of ``status``, newest first (one Query, at most 100)."""
        items = LeadItem.by_status.query(
            keys.leads_of_status_pk(tenant_id, status.value), scan_index_forward=False, limit=INBOX_LIMIT
        )
        return [_lead(i) for i in items]

    def save(self, lead: Lead, previous: Lead | None) -> None:
        """Stage ``lead``: new (``previous`` is ``None``) or replacing the version read."""
        item = LeadItem(
            pk=keys.lead_pk(lead.tenant_id, lead.lead_id),
            sk=keys.LEAD_SK,
            tenant_id=lead.tenant_id,
            lead_id=lead.lead_id,
            received_at=lead.received_at.isoformat(),
            status=lead.status.value,
            first=_INCOMING.dump_json(lead.first).decode(),
            deliveries=lead.deliveries,
            merged=list(lead.merged),
            decline_reason=lead.decline_reason,
            job_id=lead.job_id,
            gsi1pk=keys.leads_of_status_pk(lead.tenant_id, lead.status.value),
            gsi1sk=f"{lead.received_at.isoformat()}#{lead.lead_id}",
        )
        if previous is None:
            self._uow.stage(Write("put", item, CoreItem.pk.does_not_exist()))
        else:
            item.version = previous.version
            self._uow.stage(Write("put", item))

    def guard_source(self, lead: Lead, source_ref: str, now: datetime) -> None:
        self._guard(keys.lead_source_pk(lead.tenant_id, source_ref), lead, now + SOURCE_GUARD_RETENTION)

    def guard_duplicate(self, lead: Lead, day: date, duplicate_key: str, now: datetime) -> None:
        pk = keys.lead_duplicate_pk(lead.tenant_id, day, duplicate_key)
        self._guard(pk, lead, now + DUPLICATE_GUARD_RETENTION)

    def receipt(self, tenant_id: str, message_id: str, timestamp: str, now: datetime) -> None:
        item = WebhookReceiptItem(
            pk=keys.webhook_receipt_pk(tenant_id, message_id),
            sk=timestamp,
            tenant_id=tenant_id,
            expires_at=now + RECEIPT_RETENTION,
        )
        self._uow.stage(Write("put", item, CoreItem.pk.does_not_exist()))

    def _guard(self, pk: str, lead: Lead, expires_at: datetime) -> None:
        item = LeadGuardItem(
            pk=pk, sk=keys.GUARD_SK, tenant_id=lead.tenant_id, lead_id=lead.lead_id, expires_at=expires_at
        )
        self._uow.stage(Write("put", item, CoreItem.pk.does_not_exist()))


def _guarded(pk: str) -> str | None:
    try:
        return LeadGuardItem.get(pk, keys.GUARD_SK, consistent_read=True).lead_id
    except LeadGuardItem.DoesNotExist:
        return None


def _lead(item: LeadItem) -> Lead:
    return Lead(
        tenant_id=item.tenant_id,
        lead_id=item.lead_id,
        received_at=datetime.fromisoformat(item.received_at),
        first=_INCOMING.validate_json(item.first),
        status=LeadStatus(item.status),
        deliveries=int(item.deliveries or 1),
        merged=tuple(item.merged),
        decline_reason=item.decline_reason,
        job_id=item.job_id,
        version=int(item.version or 0),
    )
