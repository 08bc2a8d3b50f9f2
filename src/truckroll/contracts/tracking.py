"""Contracts of tracking: what it consumes from dispatch and what it publishes.

``technician.shifts_set`` v1 is what tracking needs from dispatch (which owns technicians and
shifts) to know when a technician is on shift: nothing is kept of a technician's position outside
their shifts. Version 1 may only grow by optional fields; anything else is version 2.
"""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

TECHNICIAN_SHIFTS_SET = "technician.shifts_set"


class _Data(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class ShiftV1(_Data):
    start: AwareDatetime
    end: AwareDatetime


class TechnicianShiftsSetV1(_Data):
    """``technician.shifts_set`` v1: the whole list of a technician's shifts on one day, replacing
    what was said before about that day (an empty list: off all day). On-call and time-off shifts
    are not in it: they are not working time."""

    technician_id: str = Field(min_length=1)
    day: date = Field(description="the business's local calendar day the shifts belong to")
    shifts: list[ShiftV1] = Field(description="working shifts; times carry the local UTC offset")


TRACKING_ON_THE_WAY = "tracking.on_the_way"
TRACKING_ETA_CHANGED = "tracking.eta_changed"
TRACKING_RUNNING_LATE = "tracking.running_late"
TRACKING_ARRIVAL_SUGGESTED = "tracking.arrival_suggested"
TRACKING_DEVICE_SILENT = "tracking.device_silent"
TRACKING_DEVICE_RESUMED = "tracking.device_resumed"


class OnTheWayV1(_Data):
    """``tracking.on_the_way`` v1: a technician was dispatched to an appointment and the customer's
    tracking link was minted. One per technician dispatched; the link is the same for all of them.
    ``eta`` and ``distance_m`` are absent when the technician's position is unknown or the address
    is not verified (the link then shows name and destination only)."""

    appointment_id: str = Field(min_length=1)
    job_id: str = Field(min_length=1)
    technician_id: str = Field(min_length=1)
    technician_first_name: str | None = None
    link_url: str = Field(min_length=1, description="the public tracking link, token included")
    eta: AwareDatetime | None = None
    distance_m: float | None = Field(default=None, ge=0)
    arrival_window_start: AwareDatetime
    arrival_window_end: AwareDatetime


class EtaChangedV1(_Data):
    """``tracking.eta_changed`` v1: the ETA of an on-the-way technician moved by at least the
    tenant's threshold (``previous_eta`` absent for the first estimate)."""

    appointment_id: str = Field(min_length=1)
    job_id: str = Field(min_length=1)
    technician_id: str = Field(min_length=1)
    eta: AwareDatetime
    previous_eta: AwareDatetime | None = None
    distance_m: float = Field(ge=0)


class RunningLateV1(_Data):
    """``tracking.running_late`` v1: the ETA falls after the end of the arrival window."""

    appointment_id: str = Field(min_length=1)
    job_id: str = Field(min_length=1)
    technician_id: str = Field(min_length=1)
    eta: AwareDatetime
    arrival_window_end: AwareDatetime
    minutes_late: int = Field(ge=1)


class ArrivalSuggestedV1(_Data):
    """``tracking.arrival_suggested`` v1: the technician has stayed within 150 m of the destination
    for 2 minutes; the technician app offers to mark the appointment Working."""

    appointment_id: str = Field(min_length=1)
    job_id: str = Field(min_length=1)
    technician_id: str = Field(min_length=1)
    since: AwareDatetime = Field(description="the first fix of the stay within the radius")


class DeviceSilenceV1(_Data):
    """``tracking.device_silent`` / ``tracking.device_resumed`` v1: an on-shift technician's device
    has sent nothing for longer than the tenant's limit, or has started sending again."""

    technician_id: str = Field(min_length=1)
    last_fix_at: AwareDatetime | None = None


TRACKING_POSITION_REPORTED = "tracking.position_reported"


class PositionReportedV1(_Data):
    """``tracking.position_reported`` v1: a technician's latest position, published at most once
    every few minutes per technician (not per fix) so that planners such as automatic dispatch
    start routes from where technicians really are."""

    technician_id: str = Field(min_length=1)
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    at: AwareDatetime
