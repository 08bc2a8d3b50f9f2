"""The store of technicians on the way against the embedded DynamoDB: a dispatch is recorded once
with its link and events, a reschedule moves the window, a stale route write is refused, and only
the route's own appointment ends it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from truckroll.contracts.envelope import new_event
from truckroll.domain.geo import Point
from truckroll.domain.tracking_links import Link, LinkToken
from truckroll.domain.tracking_progress import EnRoute
from truckroll.domain.windows import TimeWindow
from truckroll.persistence.tracking_links import DynamoLinkRepository
from truckroll.persistence.tracking_progress import DynamoProgressStore
from truckroll.persistence.writes import StaleRead
from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration

NOW = datetime(2026, 3, 3, 16, tzinfo=UTC)
WINDOW = TimeWindow(NOW, NOW + timedelta(hours=2))


def route(tenant: str, event_id: str = "e1") -> EnRoute:
    return EnRoute(tenant, "tech-1", "a1", "j1", WINDOW, Point(30.3, -97.74), dispatch_event_id=event_id)


def test_a_dispatch_is_recorded_once_and_its_route_follows_the_appointment(local_stack: LocalStack) -> None:
    tenant, store = f"route-{uuid.uuid4().hex[:8]}", DynamoProgressStore()
    token = LinkToken.new()
    link = (token.hash, Link(tenant, "a1", "j1", NOW, day=NOW.date()))
    event = new_event("tracking.on_the_way", tenant_id=tenant, producer="tracking", data={})
    assert store.dispatched(route(tenant), link, [event], NOW)
    assert not store.dispatched(route(tenant), None, [event], NOW)  # the same dispatch again
    assert DynamoLinkRepository().get(token.hash) is not None
    with pytest.raises(StaleRead):  # a second link for the same token is refused, with the rest
        store.dispatched(route(tenant, "e2"), link, [], NOW)

    later = TimeWindow(NOW + timedelta(hours=3), NOW + timedelta(hours=5))
    store.rescheduled(tenant, "tech-1", "a1", later)
    store.rescheduled(tenant, "tech-1", "other", WINDOW)  # another appointment's: nothing
    seen = store.seen(tenant, "tech-1")
    assert seen.route is not None
    assert (seen.route.window, seen.revision) == (later, 2)
    with pytest.raises(StaleRead):  # written from what was read before the reschedule
        store.moved(route(tenant), 1, [], NOW)
    store.moved(seen.route, seen.revision, [], NOW)

    store.ended(tenant, "tech-1", "other")
    assert store.seen(tenant, "tech-1").route is not None
    store.ended(tenant, "tech-1", "a1")
    assert store.seen(tenant, "tech-1").route is None
