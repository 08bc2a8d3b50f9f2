"""Shapes a dispatcher draws on the map to pick appointments: polygon, rectangle, circle."""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_M = 6_371_000.0


@dataclass(frozen=True)
class Point:
    lat: float
    lon: float


@dataclass(frozen=True)
class Polygon:
    """A simple polygon; points on or near an edge may fall either side."""

    vertices: tuple[Point, ...]

    def contains(self, point: Point) -> bool:
        inside = False
        previous = self.vertices[-1]
        for vertex in self.vertices:
            crosses = (vertex.lat > point.lat) != (previous.lat > point.lat)
            if crosses:
                lon_at = vertex.lon + (point.lat - vertex.lat) * (previous.lon - vertex.lon) / (
                    previous.lat - vertex.lat
                )
                if point.lon < lon_at:
                    inside = not inside
            previous = vertex
        return inside


@dataclass(frozen=True)
class Rectangle:
    south_west: Point
    north_east: Point

    def contains(self, point: Point) -> bool:
        return (
            self.south_west.lat <= point.lat <= self.north_east.lat
            and self.south_west.lon <= point.lon <= self.north_east.lon
        )


@dataclass(frozen=True)
class Circle:
    center: Point
    radius_m: float

    def contains(self, point: Point) -> bool:
        return distance_m(self.center, point) <= self.radius_m


Shape = Polygon | Rectangle | Circle


def distance_m(a: Point, b: Point) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(a.lat), math.radians(b.lat)
    dphi, dlmb = phi2 - phi1, math.radians(b.lon - a.lon)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(h))
