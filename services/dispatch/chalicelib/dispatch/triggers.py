"""What asks automatic dispatch to plan a tenant, debounced (docs/decisions.md, 2026-11-22).

A trigger stores the tenant's plan request on the condition that none is pending; the one that
succeeds sends ``dispatch.auto_dispatch_requested`` to the queue of runs, delayed by the tenant's
debounce. Every other trigger of the burst finds the request and stops, so a burst of bookings or
status changes collapses into one run. The run clears the request before it plans.
"""

from __future__ import annotations

from chalicelib.dispatch.bootstrap import Dispatch

from truckroll.contracts.dispatch import AUTO_DISPATCH_REQUESTED, AutoDispatchRequestedV1
from truckroll.contracts.envelope import new_event
from truckroll.messaging.sqs import OutboundMessage
from truckroll.resources import RESOURCES

QUEUE = next(q for q in RESOURCES.queues if q.consumer == "dispatch" and q.handler == "on_run_request")


def request_plan(tenant_id: str, trigger: str, dispatch: Dispatch) -> bool:
    """Ask for a run of automatic dispatch for the tenant; False when auto mode is off or a run
    is already pending."""
    settings = dispatch.auto.settings(tenant_id)
    if not settings.enabled:
        return False
    now = dispatch.clock()
    if not dispatch.auto.request_plan(tenant_id, now):
        return False
    data = AutoDispatchRequestedV1(requested_at=now, trigger=trigger)
    envelope = new_event(
        AUTO_DISPATCH_REQUESTED, tenant_id=tenant_id, producer="dispatch", data=data.model_dump(mode="json")
    )
    try:
        dispatch.later.send_later(OutboundMessage(QUEUE, envelope), settings.debounce_seconds)
    except Exception:
        dispatch.auto.clear_request(tenant_id)  # or no trigger could ask again until it goes stale
        raise
    return True
