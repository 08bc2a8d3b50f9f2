"""A place on the dispatch map: an appointment's destination or a technician's home."""

from __future__ import annotations

from dataclasses import dataclass

from truckroll.domain.geo import Point


@dataclass(frozen=True)
class Place:
    """An address with its map point; ``verified`` means it was confirmed (geocoded or checked by a
    person), which tracking and route optimisation rely on."""

    street: str
    city: str
    state: str
    postal_code: str
    verified: bool
    lat: float | None = None
    lon: float | None = None

    @property
    def point(self) -> Point | None:
        """Its map point, when it has one."""
        return None if self.lat is None or self.lon is None else Point(self.lat, self.lon)
