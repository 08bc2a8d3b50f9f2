"""Contracts tracking consumes that no service publishes yet.

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
