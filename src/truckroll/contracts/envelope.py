"""The event envelope every Truckroll event travels in (see docs/events.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from ulid import ULID


class EventEnvelope(BaseModel):
    """Metadata plus ``data``; ``event_id`` is a ULID and the idempotency key of every consumer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: str = Field(min_length=26, max_length=26)
    event_type: str = Field(pattern=r"^[a-z_]+\.[a-z_]+$")
    event_version: int = Field(ge=1)
    occurred_at: datetime
    tenant_id: str = Field(min_length=1)
    producer: str = Field(min_length=1)
    correlation_id: str = Field(min_length=1)
    causation_id: str | None = None
    data: dict[str, Any]


def new_event(
    event_type: str,
    *,
    tenant_id: str,
    producer: str,
    data: dict[str, Any],
    correlation_id: str | None = None,
    causation_id: str | None = None,
    version: int = 1,
    occurred_at: datetime | None = None,
) -> EventEnvelope:
    event_id = str(ULID())
    return EventEnvelope(
        event_id=event_id,
        event_type=event_type,
        event_version=version,
        occurred_at=occurred_at or datetime.now(UTC),
        tenant_id=tenant_id,
        producer=producer,
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        data=data,
    )
