"""Travel times between points: the port planners (automatic dispatch, ETAs) ask, and its adapters.

- :class:`Haversine` (the default, no network): great-circle distance times a circuity factor,
  driven at a constant speed.
- :class:`AmazonLocationTravel`: an Amazon Location Service route calculator; one leg through
  ``CalculateRoute``, a matrix through ``CalculateRouteMatrix`` in chunks of at most 350 departures by
  350 destinations (the API's limit; a calculator whose provider allows less, such as Esri for
  positions more than 10 km apart, is given smaller chunks).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import boto3

from truckroll.domain.geo import Point, distance_m

MATRIX_LIMIT = 350
#: Names the Amazon Location route calculator to use; unset, travel is haversine.
ROUTE_CALCULATOR_ENV = "ROUTE_CALCULATOR"


@dataclass(frozen=True)
class Leg:
    distance_m: float
    duration_s: float


class TravelTimes(Protocol):
    def leg(self, origin: Point, destination: Point) -> Leg: ...

    def matrix(self, origins: Sequence[Point], destinations: Sequence[Point]) -> list[list[Leg]]:
        """``result[i][j]``: from ``origins[i]`` to ``destinations[j]``."""
        ...


@dataclass(frozen=True)
class Haversine:
    """Straight-line distance times ``circuity`` (roads are longer), at ``speed_kmh``."""

    speed_kmh: float = 40.0
    circuity: float = 1.3

    def __post_init__(self) -> None:
        if self.speed_kmh <= 0 or self.circuity < 1:
            raise ValueError("speed_kmh must be positive and circuity at least 1")

    def leg(self, origin: Point, destination: Point) -> Leg:
        metres = distance_m(origin, destination) * self.circuity
        return Leg(distance_m=metres, duration_s=metres / (self.speed_kmh / 3.6))

    def matrix(self, origins: Sequence[Point], destinations: Sequence[Point]) -> list[list[Leg]]:
        return [[self.leg(o, d) for d in destinations] for o in origins]


class LocationClient(Protocol):
    """The two calls of boto3's ``location`` client this adapter makes."""

    def calculate_route(self, **kwargs: Any) -> Mapping[str, Any]: ...

    def calculate_route_matrix(self, **kwargs: Any) -> Mapping[str, Any]: ...


class RouteNotFound(LookupError):
    """Amazon Location found no route between two positions (say, across water)."""


def _position(point: Point) -> list[float]:
    return [point.lon, point.lat]


class AmazonLocationTravel:
    """Travel by road from an Amazon Location route calculator (distances asked in kilometres)."""

    def __init__(
        self,
        client: LocationClient,
        calculator_name: str,
        *,
        max_origins: int = MATRIX_LIMIT,
        max_destinations: int = MATRIX_LIMIT,
    ) -> None:
        if not (0 < max_origins <= MATRIX_LIMIT and 0 < max_destinations <= MATRIX_LIMIT):
            raise ValueError(f"matrix chunks hold 1 to {MATRIX_LIMIT} positions a side")
        self._client = client
        self._calculator = calculator_name
        self._max_origins = max_origins
        self._max_destinations = max_destinations

    @property
    def calculator_name(self) -> str:
        return self._calculator

    def leg(self, origin: Point, destination: Point) -> Leg:
        response = self._client.calculate_route(
            CalculatorName=self._calculator,
            DeparturePosition=_position(origin),
            DestinationPosition=_position(destination),
            DistanceUnit="Kilometers",
        )
        summary = response["Summary"]
        return Leg(distance_m=float(summary["Distance"]) * 1000, duration_s=float(summary["DurationSeconds"]))

    def matrix(self, origins: Sequence[Point], destinations: Sequence[Point]) -> list[list[Leg]]:
        rows: list[list[Leg]] = [[] for _ in origins]
        for first in range(0, len(origins), self._max_origins):
            chunk = origins[first : first + self._max_origins]
            for start in range(0, len(destinations), self._max_destinations):
                targets = destinations[start : start + self._max_destinations]
                for i, row in enumerate(self._chunk(chunk, targets, first, start)):
                    rows[first + i].extend(row)
        return rows

    def _chunk(
        self, origins: Sequence[Point], destinations: Sequence[Point], first: int, start: int
    ) -> list[list[Leg]]:
        response = self._client.calculate_route_matrix(
            CalculatorName=self._calculator,
            DeparturePositions=[_position(p) for p in origins],
            DestinationPositions=[_position(p) for p in destinations],
            DistanceUnit="Kilometers",
        )
        legs: list[list[Leg]] = []
        for i, row in enumerate(response["RouteMatrix"]):
            out: list[Leg] = []
            for j, cell in enumerate(row):
                if "Error" in cell or "DurationSeconds" not in cell:
                    error = cell.get("Error", {})
                    raise RouteNotFound(
                        f"no route from origin {first + i} to destination {start + j}: "
                        f"{error.get('Code', 'unknown')} {error.get('Message', '')}".strip()
                    )
                out.append(Leg(float(cell["Distance"]) * 1000, float(cell["DurationSeconds"])))
            legs.append(out)
        return legs


def travel_from_environment(environ: Mapping[str, str] = os.environ) -> TravelTimes:
    """Road times from the route calculator named in ``ROUTE_CALCULATOR``, else haversine."""
    name = environ.get(ROUTE_CALCULATOR_ENV)
    if not name:
        return Haversine()
    return AmazonLocationTravel(boto3.client("location"), name)
