"""The events dispatch consumes, and the use case each one runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalicelib.dispatch import auto
from chalicelib.dispatch.bootstrap import Dispatch
from chalicelib.dispatch.projection import project_device_silence, project_job_booked
from chalicelib.dispatch.triggers import request_plan

from truckroll.contracts.dispatch import AUTO_DISPATCH_REQUESTED, AutoDispatchRequestedV1
from truckroll.contracts.envelope import EventEnvelope
from truckroll.contracts.jobs import JOB_BOOKED, JobBookedV1
from truckroll.contracts.tracking import (
    TRACKING_DEVICE_RESUMED,
    TRACKING_DEVICE_SILENT,
    TRACKING_POSITION_REPORTED,
    TRACKING_RUNNING_LATE,
    DeviceSilenceV1,
    PositionReportedV1,
    RunningLateV1,
)
from truckroll.messaging.consumer import Subscription


def subscriptions(dispatch: Callable[[], Dispatch]) -> list[Subscription[Any]]:
    def on_job_booked(envelope: EventEnvelope, data: JobBookedV1) -> None:
        project_job_booked(envelope.tenant_id, data, dispatch().board)
        request_plan(envelope.tenant_id, JOB_BOOKED, dispatch())

    def on_running_late(envelope: EventEnvelope, data: RunningLateV1) -> None:
        request_plan(envelope.tenant_id, TRACKING_RUNNING_LATE, dispatch())

    def on_position(envelope: EventEnvelope, data: PositionReportedV1) -> None:
        auto.record_position(envelope.tenant_id, data, dispatch())

    def on_device_silence(envelope: EventEnvelope, data: DeviceSilenceV1) -> None:
        project_device_silence(envelope, data, dispatch().technicians)

    return [
        Subscription(JOB_BOOKED, 1, JobBookedV1, on_job_booked),
        Subscription(TRACKING_RUNNING_LATE, 1, RunningLateV1, on_running_late),
        Subscription(TRACKING_POSITION_REPORTED, 1, PositionReportedV1, on_position),
        Subscription(TRACKING_DEVICE_SILENT, 1, DeviceSilenceV1, on_device_silence),
        Subscription(TRACKING_DEVICE_RESUMED, 1, DeviceSilenceV1, on_device_silence),
    ]


def run_subscriptions(dispatch: Callable[[], Dispatch]) -> list[Subscription[Any]]:
    """The queue of automatic dispatch runs: one request, one run."""

    def on_requested(envelope: EventEnvelope, data: AutoDispatchRequestedV1) -> None:
        auto.run_requested(envelope.tenant_id, data.trigger, envelope.event_id, dispatch())

    return [Subscription(AUTO_DISPATCH_REQUESTED, 1, AutoDispatchRequestedV1, on_requested)]
