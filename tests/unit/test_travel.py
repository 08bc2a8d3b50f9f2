"""Travel times: the haversine default and the Amazon Location adapter (against botocore's Stubber)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from truckroll.domain.geo import Point, distance_m
from truckroll.travel import AmazonLocationTravel, Haversine, Leg, RouteNotFound, travel_from_environment

pytestmark = pytest.mark.unit

LOOP = Point(41.8781, -87.6298)
O_HARE = Point(41.9742, -87.9073)


def test_haversine_drives_the_great_circle_times_circuity_at_its_speed() -> None:
    leg = Haversine(speed_kmh=36.0, circuity=1.5).leg(LOOP, O_HARE)
    assert leg.distance_m == pytest.approx(distance_m(LOOP, O_HARE) * 1.5)
    assert leg.duration_s == pytest.approx(leg.distance_m / 10.0)  # 36 km/h is 10 m/s


def test_haversine_matrix_is_every_origin_to_every_destination() -> None:
    travel = Haversine()
    matrix = travel.matrix([LOOP, O_HARE], [O_HARE, LOOP, LOOP])
    assert [len(row) for row in matrix] == [3, 3]
    assert matrix[0][0] == travel.leg(LOOP, O_HARE)
    assert matrix[1][1] == travel.leg(O_HARE, LOOP)
    assert matrix[0][1] == Leg(0.0, 0.0)


@pytest.mark.parametrize(("speed", "circuity"), [(0.0, 1.3), (40.0, 0.9)])
def test_haversine_refuses_impossible_settings(speed: float, circuity: float) -> None:
    with pytest.raises(ValueError, match="speed_kmh"):
        Haversine(speed_kmh=speed, circuity=circuity)


@pytest.fixture
def location() -> Iterator[tuple[Any, Stubber]]:
    client = boto3.client(
        "location", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def _cell(km: float, seconds: float) -> dict[str, float]:
    return {"Distance": km, "DurationSeconds": seconds}


def _summary(km: float, seconds: float) -> dict[str, Any]:
    return {
        "RouteBBox": [0.0, 0.0, 1.0, 1.0],
        "DataSource": "Here",
        "Distance": km,
        "DurationSeconds": seconds,
        "DistanceUnit": "Kilometers",
    }


def test_a_leg_is_one_calculate_route_in_lon_lat_order(location: tuple[Any, Stubber]) -> None:
    client, stubber = location
    stubber.add_response(
        "calculate_route",
        {"Legs": [], "Summary": _summary(28.4, 1860.0)},
        {
            "CalculatorName": "trucks",
            "DeparturePosition": [LOOP.lon, LOOP.lat],
            "DestinationPosition": [O_HARE.lon, O_HARE.lat],
            "DistanceUnit": "Kilometers",
        },
    )
    assert AmazonLocationTravel(client, "trucks").leg(LOOP, O_HARE) == Leg(28400.0, 1860.0)


def test_a_matrix_larger_than_a_chunk_is_asked_in_chunks_and_stitched(location: tuple[Any, Stubber]) -> None:
    client, stubber = location
    points = [Point(41.0 + i / 100, -87.0 - i / 100) for i in range(3)]

    def expect(origins: list[Point], destinations: list[Point], cells: list[list[dict[str, float]]]) -> None:
        stubber.add_response(
            "calculate_route_matrix",
            {
                "RouteMatrix": cells,
                "Summary": {
                    "DataSource": "Here",
                    "RouteCount": len(origins) * len(destinations),
                    "ErrorCount": 1,  # botocore's model has no valid value for "no error"
                    "DistanceUnit": "Kilometers",
                },
            },
            {
                "CalculatorName": "trucks",
                "DeparturePositions": [[p.lon, p.lat] for p in origins],
                "DestinationPositions": [[p.lon, p.lat] for p in destinations],
                "DistanceUnit": "Kilometers",
            },
        )

    # 3 origins x 3 destinations in chunks of 2 x 2: four requests, in row-major chunk order.
    expect(points[:2], points[:2], [[_cell(0, 0), _cell(1, 60)], [_cell(1, 61), _cell(0, 0)]])
    expect(points[:2], points[2:], [[_cell(2, 120)], [_cell(1.5, 90)]])
    expect(points[2:], points[:2], [[_cell(2, 121), _cell(1.5, 91)]])
    expect(points[2:], points[2:], [[_cell(0, 0)]])
    matrix = AmazonLocationTravel(client, "trucks", max_origins=2, max_destinations=2).matrix(points, points)
    assert [[leg.duration_s for leg in row] for row in matrix] == [
        [0.0, 60.0, 120.0],
        [61.0, 0.0, 90.0],
        [121.0, 91.0, 0.0],
    ]
    assert matrix[0][2].distance_m == 2000.0


def test_a_route_the_calculator_cannot_find_names_the_pair(location: tuple[Any, Stubber]) -> None:
    client, stubber = location
    stubber.add_response(
        "calculate_route_matrix",
        {
            "RouteMatrix": [[{"Error": {"Code": "RouteNotFound", "Message": "no road"}}]],
            "Summary": {"DataSource": "Here", "RouteCount": 1, "ErrorCount": 1, "DistanceUnit": "Kilometers"},
        },
    )
    with pytest.raises(RouteNotFound, match="origin 0 to destination 0: RouteNotFound no road"):
        AmazonLocationTravel(client, "trucks").matrix([LOOP], [O_HARE])


def test_chunks_beyond_the_api_limit_are_refused() -> None:
    with pytest.raises(ValueError, match="350"):
        AmazonLocationTravel(boto3.client("location", region_name="us-east-1"), "trucks", max_origins=351)


def test_the_route_calculator_named_in_the_environment_is_used_else_haversine(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert isinstance(travel_from_environment({}), Haversine)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    travel = travel_from_environment({"ROUTE_CALCULATOR": "trucks"})
    assert isinstance(travel, AmazonLocationTravel)
    assert travel.calculator_name == "trucks"
