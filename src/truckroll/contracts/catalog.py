"""Every (event type, version) Truckroll publishes, and the model of its ``data``."""

from __future__ import annotations

from pydantic import BaseModel

from truckroll.contracts.jobs import JOB_BOOKED, JobBookedV1

CATALOG: dict[tuple[str, int], type[BaseModel]] = {
    (JOB_BOOKED, 1): JobBookedV1,
}


def data_model(event_type: str, version: int) -> type[BaseModel] | None:
    return CATALOG.get((event_type, version))
