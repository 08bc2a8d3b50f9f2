"""Technicians on the way, tracking's outbox, and the registry of tenants the silence sweeper visits.

Key layout (in the tracking table, next to :mod:`truckroll.persistence.tracking`):
  on the way         pk T#{tenant}#ENROUTE                  sk {tech}
  outbox item        pk T#{tenant}#OUTBOX#{event_id}        sk OUTBOX            (TTL expires_at)
  tracked tenant     pk TRACKED_TENANTS                     sk {tenant}

- A technician is on the way to one appointment at a time: the item is replaced at each dispatch
  (conditioned on the dispatch event, so a redelivered event writes nothing and publishes nothing)
  and deleted when they arrive, are taken off or the appointment ends.
- Events are written as outbox items in the same transaction as the state they describe; the table's
  stream carries them to :class:`truckroll.messaging.outbox.OutboxRelay` (items of the same shape as
  the core table's, so the relay reads both).
- The registry has one item per tenant that has sent a fix: the sweeper Queries it (no Scan). Like
  the link's key, it is not a tenant's key: it names tenants, and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from pynamodb.attributes import BooleanAttribute, NumberAttribute, TTLAttribute, UnicodeAttribute
from pynamodb.exceptions import DeleteError, UpdateError

from truckroll.contracts.envelope import EventEnvelope
from truckroll.domain.geo import Point
from truckroll.domain.tracking import Position
from truckroll.domain.tracking_links import Link
from truckroll.domain.tracking_progress import EnRoute, Marks, Seen
from truckroll.domain.windows import TimeWindow
from truckroll.persistence.keys import tenant_prefix
from truckroll.persistence.tracking import PositionItem, TrackingItem, latest_pk
from truckroll.persistence.tracking_links import link_item
from truckroll.persistence.writes import CONDITION_FAILED, StaleRead, Write, transact

OUTBOX_SK = "OUTBOX"
OUTBOX_RETENTION = timedelta(days=7)
TENANTS_PK = "TRACKED_TENANTS"


def en_route_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#ENROUTE"


def outbox_pk(tenant_id: str, event_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#OUTBOX#{event_id}"


def _iso(instant: datetime | None) -> str | None:
    return instant.astimezone(UTC).isoformat() if instant is not None else None


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class TrackingOutboxItem(TrackingItem, discriminator="outbox"):
    event_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    producer = UnicodeAttribute()
    envelope = UnicodeAttribute()  # the EventEnvelope as JSON
    expires_at = TTLAttribute()


class EnRouteItem(TrackingItem, discriminator="en_route"):
    technician_id = UnicodeAttribute()
    appointment_id = UnicodeAttribute()
    job_id = UnicodeAttribute()
    window_start = UnicodeAttribute()
    window_end = UnicodeAttribute()
    lat = NumberAttribute(null=True)
    lon = NumberAttribute(null=True)
    dispatch_event_id = UnicodeAttribute()
    eta = UnicodeAttribute(null=True)
    distance_m = NumberAttribute(null=True)
    late = BooleanAttribute()
    near_since = UnicodeAttribute(null=True)
    arrival_suggested = BooleanAttribute()
    revision = NumberAttribute()  # +1 at each write: a concurrent writer's change is never lost

    def to_route(self) -> EnRoute:
        lat, lon = self.lat, self.lon
        return EnRoute(
            tenant_id=self.tenant_id,
            technician_id=self.technician_id,
            appointment_id=self.appointment_id,
            job_id=self.job_id,
            window=TimeWindow(
                datetime.fromisoformat(self.window_start), datetime.fromisoformat(self.window_end)
            ),
            destination=Point(float(lat), float(lon)) if lat is not None and lon is not None else None,
            dispatch_event_id=self.dispatch_event_id,
            eta=_instant(self.eta),
            distance_m=float(self.distance_m) if self.distance_m is not None else None,
            late=bool(self.late),
            near_since=_instant(self.near_since),
            arrival_suggested=bool(self.arrival_suggested),
        )


class TrackedTenantItem(TrackingItem, discriminator="tracked_tenant"):
    pass


class UnheardItem(TrackingItem, discriminator="unheard"):
    """A technician flagged silent without any fix kept; removed by their first fix."""

    silent_since = UnicodeAttribute()


def unheard_pk(tenant_id: str) -> str:
    return f"{tenant_prefix(tenant_id)}#UNHEARD"


def _route_item(route: EnRoute, revision: int) -> EnRouteItem:
    destination = route.destination
    return EnRouteItem(
        pk=en_route_pk(route.tenant_id),
        sk=route.technician_id,
        tenant_id=route.tenant_id,
        technician_id=route.technician_id,
        appointment_id=route.appointment_id,
        job_id=route.job_id,
        window_start=route.window.start.isoformat(),
        window_end=route.window.end.isoformat(),
        lat=destination.lat if destination is not None else None,
        lon=destination.lon if destination is not None else None,
        dispatch_event_id=route.dispatch_event_id,
        eta=_iso(route.eta),
        distance_m=route.distance_m,
        late=route.late,
        near_since=_iso(route.near_since),
        arrival_suggested=route.arrival_suggested,
        revision=revision,
    )


def outbox_write(envelope: EventEnvelope, now: datetime) -> Write:
    item = TrackingOutboxItem(
        pk=outbox_pk(envelope.tenant_id, envelope.event_id),
        sk=OUTBOX_SK,
        tenant_id=envelope.tenant_id,
        event_id=envelope.event_id,
        event_type=envelope.event_type,
        producer=envelope.producer,
        envelope=envelope.model_dump_json(),
        expires_at=now + OUTBOX_RETENTION,
    )
    return Write("put", item, TrackingOutboxItem.pk.does_not_exist())


class DynamoProgressStore:
    def seen(self, tenant_id: str, technician_id: str) -> Seen:
        """The technician's position marks and route: one BatchGetItem."""
        items = list(
            TrackingItem.batch_get(
                [
                    (latest_pk(tenant_id), technician_id),
                    (en_route_pk(tenant_id), technician_id),
                    (unheard_pk(tenant_id), technician_id),
                ]
            )
        )
        position = next((i for i in items if isinstance(i, PositionItem)), None)
        route = next((i for i in items if isinstance(i, EnRouteItem)), None)
        return Seen(
            marks=position.marks() if position is not None else Marks(),
            route=route.to_route() if route is not None else None,
            revision=int(route.revision) if route is not None else 0,
            known=position is not None,
            unheard=any(isinstance(i, UnheardItem) for i in items),
        )

    def unheard(self, tenant_id: str) -> set[str]:
        """The technicians flagged silent without any fix kept: one Query."""
        return {item.sk for item in UnheardItem.query(unheard_pk(tenant_id))}

    def flag_unheard(
        self, tenant_id: str, technician_id: str, envelope: EventEnvelope, now: datetime
    ) -> None:
        """The flag and its event in one transaction, once (a flag already there keeps both out)."""
        item = UnheardItem(
            pk=unheard_pk(tenant_id), sk=technician_id, tenant_id=tenant_id, silent_since=_iso(now)
        )
        try:
            transact([Write("put", item, UnheardItem.pk.does_not_exist()), outbox_write(envelope, now)])
        except StaleRead:
            return  # flagged meanwhile by another sweep

    def heard(self, tenant_id: str, technician_id: str, envelope: EventEnvelope, now: datetime) -> None:
        """Clear the flag and publish its event in one transaction, once."""
        item = UnheardItem(pk=unheard_pk(tenant_id), sk=technician_id)
        try:
            transact([Write("delete", item, UnheardItem.pk.exists()), outbox_write(envelope, now)])
        except StaleRead:
            return  # cleared meanwhile by another batch of their fixes

    def register_tenant(self, tenant_id: str) -> None:
        TrackedTenantItem(pk=TENANTS_PK, sk=tenant_id, tenant_id=tenant_id).save()

    def tenants(self) -> list[str]:
        """Every tenant that has sent a fix: one Query (paged by DynamoDB past 1 MB)."""
        return [item.tenant_id for item in TrackedTenantItem.query(TENANTS_PK)]

    def dispatched(
        self, route: EnRoute, link: tuple[str, Link] | None, envelopes: Sequence[EventEnvelope], now: datetime
    ) -> bool:
        """Start following ``route`` with its events (and the appointment's new link): all or none.
        False when this dispatch was already recorded (a redelivered event)."""
        item = _route_item(route, revision=1)
        writes = [
            Write(
                "put",
                item,
                EnRouteItem.pk.does_not_exist() | (EnRouteItem.dispatch_event_id != route.dispatch_event_id),
            ),
            *(outbox_write(e, now) for e in envelopes),
        ]
        if link is not None:
            token_hash, new_link = link
            writes.append(Write("put", link_item(token_hash, new_link), TrackingItem.pk.does_not_exist()))
        try:
            transact(writes)
        except StaleRead:
            if self._already_dispatched(route):
                return False
            raise  # another technician's dispatch minted the link meanwhile: the retry finds it
        return True

    @staticmethod
    def _already_dispatched(route: EnRoute) -> bool:
        try:
            current = EnRouteItem.get(en_route_pk(route.tenant_id), route.technician_id, consistent_read=True)
        except EnRouteItem.DoesNotExist:
            return False
        return current.dispatch_event_id == route.dispatch_event_id

    def moved(self, route: EnRoute, revision: int, envelopes: Sequence[EventEnvelope], now: datetime) -> None:
        """Keep ``route`` as fixes left it, with its events, unless it changed since read at
        ``revision`` (:class:`truckroll.persistence.writes.StaleRead`)."""
        condition = EnRouteItem.revision == revision
        writes = [
            Write("put", _route_item(route, revision + 1), condition),
            *(outbox_write(e, now) for e in envelopes),
        ]
        transact(writes)

    def publish(self, envelopes: Sequence[EventEnvelope], now: datetime) -> None:
        """Events about no stored state of their own (position reports, a device resuming): one
        conditional put each (no transaction is needed for a single item)."""
        for envelope in envelopes:
            write = outbox_write(envelope, now)
            write.item.save(condition=write.condition)

    def rescheduled(
        self, tenant_id: str, technician_id: str, appointment_id: str, window: TimeWindow
    ) -> None:
        """The appointment the technician is on the way to has a new window: lateness is judged
        against it from the next fix on (a new episode if still late)."""
        try:
            EnRouteItem._get_connection().update_item(
                en_route_pk(tenant_id),
                technician_id,
                actions=[
                    EnRouteItem.window_start.set(window.start.isoformat()),
                    EnRouteItem.window_end.set(window.end.isoformat()),
                    EnRouteItem.late.set(False),
                    EnRouteItem.revision.add(1),
                ],
                condition=EnRouteItem.appointment_id == appointment_id,
            )
        except UpdateError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise

    def ended(self, tenant_id: str, technician_id: str, appointment_id: str) -> None:
        """Stop following the technician to ``appointment_id`` (nothing if on the way elsewhere)."""
        try:
            EnRouteItem(pk=en_route_pk(tenant_id), sk=technician_id).delete(
                condition=EnRouteItem.appointment_id == appointment_id
            )
        except DeleteError as error:
            if error.cause_response_code != CONDITION_FAILED:
                raise

    def positions(self, tenant_id: str, now: datetime) -> list[tuple[Position, Marks]]:
        """Every unexpired latest position of the tenant with its marks: one Query."""
        items = PositionItem.query(
            latest_pk(tenant_id), filter_condition=PositionItem.expires_at > int(now.timestamp())
        )
        return [(item.to_position(), item.marks()) for item in items]

    def fell_silent(self, tenant_id: str, position: Position, envelope: EventEnvelope, now: datetime) -> None:
        """Flag the technician silent with the event, unless a fix arrived meanwhile or it is flagged."""
        item = PositionItem.get(latest_pk(tenant_id), position.fix.technician_id, consistent_read=True)
        unchanged = (PositionItem.fix_ms == item.fix_ms) & PositionItem.silent_since.does_not_exist()
        if item.to_position().fix.instant != position.fix.instant or item.silent_since:
            return
        item.silent_since = now.astimezone(UTC).isoformat()
        try:
            transact([Write("put", item, unchanged), outbox_write(envelope, now)])
        except StaleRead:
            return  # a fix arrived between the read and the write: not silent after all
