"""Every (event type, version) Truckroll publishes, and the model of its ``data``."""

from __future__ import annotations

from pydantic import BaseModel

from truckroll.contracts.dispatch import (
    APPOINTMENT_EVENTS,
    AUTO_DISPATCH_REQUESTED,
    CREW_EVENTS,
    JOB_EVENTS,
    NON_JOB_EVENTS,
    TECHNICIAN_MESSAGED,
    AppointmentChangeV1,
    AutoDispatchRequestedV1,
    CrewChangeV1,
    JobChangeV1,
    NonJobEventChangeV1,
    TechniciansMessagedV1,
)
from truckroll.contracts.jobs import JOB_BOOKED, JobBookedV1
from truckroll.contracts.tracking import (
    TECHNICIAN_SHIFTS_SET,
    TRACKING_ARRIVAL_SUGGESTED,
    TRACKING_DEVICE_RESUMED,
    TRACKING_DEVICE_SILENT,
    TRACKING_ETA_CHANGED,
    TRACKING_ON_THE_WAY,
    TRACKING_POSITION_REPORTED,
    TRACKING_RUNNING_LATE,
    ArrivalSuggestedV1,
    DeviceSilenceV1,
    EtaChangedV1,
    OnTheWayV1,
    PositionReportedV1,
    RunningLateV1,
    TechnicianShiftsSetV1,
)

CATALOG: dict[tuple[str, int], type[BaseModel]] = {
    (JOB_BOOKED, 1): JobBookedV1,
    **{(event_type, 1): AppointmentChangeV1 for event_type in APPOINTMENT_EVENTS.values()},
    **{(event_type, 1): JobChangeV1 for event_type in JOB_EVENTS.values()},
    (TECHNICIAN_MESSAGED, 1): TechniciansMessagedV1,
    **{(event_type, 1): NonJobEventChangeV1 for event_type in NON_JOB_EVENTS.values()},
    **{(event_type, 1): CrewChangeV1 for event_type in CREW_EVENTS.values()},
    (TECHNICIAN_SHIFTS_SET, 1): TechnicianShiftsSetV1,
    (TRACKING_ON_THE_WAY, 1): OnTheWayV1,
    (TRACKING_ETA_CHANGED, 1): EtaChangedV1,
    (TRACKING_RUNNING_LATE, 1): RunningLateV1,
    (TRACKING_ARRIVAL_SUGGESTED, 1): ArrivalSuggestedV1,
    (TRACKING_DEVICE_SILENT, 1): DeviceSilenceV1,
    (TRACKING_DEVICE_RESUMED, 1): DeviceSilenceV1,
    (TRACKING_POSITION_REPORTED, 1): PositionReportedV1,
    (AUTO_DISPATCH_REQUESTED, 1): AutoDispatchRequestedV1,
}


def data_model(event_type: str, version: int) -> type[BaseModel] | None:
    return CATALOG.get((event_type, version))
