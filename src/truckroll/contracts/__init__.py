"""Versioned event envelopes shared between the services."""

from truckroll.contracts.envelope import EventEnvelope, new_event

__all__ = ["EventEnvelope", "new_event"]
