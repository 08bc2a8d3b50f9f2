"""Reading outbox items back from the core table's stream."""

from __future__ import annotations

from typing import Any

from truckroll.contracts.envelope import EventEnvelope
from truckroll.persistence.core_models import OutboxItem

OUTBOX_KIND = "outbox"


def outbox_envelope(image: dict[str, Any]) -> EventEnvelope | None:
    """The envelope in a stream record's raw ``NewImage``, or None when the item is no outbox item."""
    if image.get("kind", {}).get("S") != OUTBOX_KIND:
        return None
    item = OutboxItem.from_raw_data(image)
    return EventEnvelope.model_validate_json(item.envelope)
