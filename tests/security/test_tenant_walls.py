"""No request crosses tenants: another tenant's office, holding every id of this tenant, reads,
changes and deletes nothing of it, through any route that takes an id (swept from the apps' route
tables with a valid body each), any list, or an idempotency key.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from world import PARAMETER, World, caller, sample_body

from truckroll.auth import Role
from truckroll.web.public import is_public
from truckroll_local.stack import LocalStack

# Path parameters naming something this tenant stored: a foreign one must be "not found" (or
# forbidden). The others (a technician's or vehicle's id, a day, a template name) are names any
# tenant may use in its own namespace: there the answer may succeed, on the caller's own data.
STORED = {
    "job_id",
    "appointment_id",
    "customer_id",
    "location_id",
    "project_id",
    "lead_id",
    "shift_id",
    "event_id",
    "crew_id",
    "user_id",
    "token",
}
REFUSED = {403, 404}
# Queries the list routes need (a day, a range).
QUERIES = {
    "/dispatch/board": "date=2027-05-04",
    "/dispatch/board/week": "start=2027-05-03",
    "/dispatch/board/changes": "date=2027-05-04&cursor=0",
    "/booking/customers": "phone=%2B15125550199",
    "/booking/leads": "status=new_offer",
    "/notify/deliveries": "job_id={job_id}",
    "/tracking/kpis": "from=2027-05-01&to=2027-05-31",
    "/tracking/positions": "",
    "/dispatch/technicians/{technician_id}/schedule": "from={day}&to={day}",
    "/dispatch/technicians/{technician_id}/shifts": "from={day}&to={day}",
    "/tracking/technicians/{technician_id}/track": "from={day}T00:00:00Z&to={day}T23:00:00Z",
}


def routes(stack: LocalStack, with_ids: bool) -> Iterator[tuple[str, str, str]]:
    for service, app in sorted(stack.apps.items()):
        for path, entries in sorted(app.routes.items()):
            for method in sorted(entries):
                if not is_public(service, method, path) and bool(PARAMETER.search(path)) == with_ids:
                    yield service, method, path


def snapshot(world: World) -> dict[str, Any]:
    """What the victim's own office sees of its data (compared before and after the sweep)."""
    ids, office, admin = world.ids, world.dispatcher, world.admin
    tech = ids["technician_id"]
    return {
        "job": office.ok("GET", f"/dispatch/jobs/{ids['job_id']}"),
        "customer": office.ok("GET", f"/booking/customers/{ids['customer_id']}"),
        "lead": office.ok("GET", f"/booking/leads/{ids['lead_id']}"),
        "project": office.ok("GET", f"/booking/projects/{ids['project_id']}"),
        "technician": office.ok("GET", f"/dispatch/technicians/{tech}"),
        "shifts": office.ok("GET", f"/dispatch/technicians/{tech}/shifts?from={ids['day']}&to={ids['day']}"),
        "event": office.ok("GET", f"/dispatch/technicians/{tech}/events/{ids['date']}/{ids['event_id']}"),
        "crews": office.ok("GET", "/dispatch/crews"),
        "templates": office.ok("GET", "/notify/templates"),
        "users": admin.ok("GET", "/dispatch/users"),
        "link": world.stack.request("GET", f"/tracking/links/{ids['token']}").json(),
    }


def _no_volatile(view: dict[str, Any]) -> dict[str, Any]:
    view["link"].pop("opens", None)
    return view


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER])
def test_no_route_taking_an_id_reaches_another_tenants_data(
    local_stack: LocalStack, world: World, role: Role
) -> None:
    before = _no_volatile(snapshot(world))
    intruder = caller(local_stack, f"intruder-{uuid.uuid4().hex[:8]}", role)
    # The intruder's tenant has technicians of the same ids, so bodies naming them are valid there
    # and each request goes on to look up the victim's stored id.
    for technician_id in (world.ids["technician_id"], "someone-else"):
        intruder.ok("POST", "/dispatch/technicians", {"technician_id": technician_id, "name": "Mine"}, 201)
    swept = 0
    for service, method, path in routes(local_stack, with_ids=True):
        query = QUERIES.get(f"/{service}{path}", "").format(**world.ids)
        target = f"/{service}{world.concrete(path)}" + (f"?{query}" if query else "")
        body = sample_body(world, service, method, path)
        answer = intruder.call(method, target, body)
        swept += 1
        assert answer.status < 500, (method, target, answer.status, answer.text)
        assert not world.leaked(answer.text, target), (method, target, answer.text)
        if STORED & set(PARAMETER.findall(path)):
            assert answer.status in REFUSED, (method, target, answer.status, answer.text)
    assert swept >= 40
    local_stack.drain()
    assert _no_volatile(snapshot(world)) == before


def test_every_path_parameter_has_a_victim_value(local_stack: LocalStack, world: World) -> None:
    """A route added with a new kind of id fails here until the world stores one behind it."""
    for _service, _method, path in routes(local_stack, with_ids=True):
        for name in PARAMETER.findall(path):
            assert name in world.ids, (path, name)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN])
def test_no_list_shows_another_tenants_data(local_stack: LocalStack, world: World, role: Role) -> None:
    intruder = caller(local_stack, f"intruder-{uuid.uuid4().hex[:8]}", role)
    listed = 0
    for service, method, path in routes(local_stack, with_ids=False):
        if method != "GET":
            continue
        query = QUERIES.get(f"/{service}{path}", "").format(**world.ids)
        target = f"/{service}{path}" + (f"?{query}" if query else "")
        answer = intruder.call(method, target)
        listed += 1
        assert answer.status < 500, (target, answer.text)
        assert not world.leaked(answer.text, target), (target, answer.text)
    assert listed >= 15


def test_searching_customers_never_finds_another_tenants(local_stack: LocalStack, world: World) -> None:
    intruder = caller(local_stack, f"intruder-{uuid.uuid4().hex[:8]}", Role.DISPATCHER)
    mark = world.secrets[0]
    for query in ("phone=%2B15125550199", "name=Secretcustomer", f"name={mark}"):
        answer = intruder.ok("GET", f"/booking/customers?{query}")
        assert answer["customers"] == [], query
    found = world.dispatcher.ok("GET", f"/booking/customers?name={mark}")["customers"]
    assert [c["customer_id"] for c in found] == [world.ids["customer_id"]]


def test_the_victims_own_office_does_see_its_data(world: World) -> None:
    """The sweeps above would pass vacuously if the secrets were never served at all."""
    board = world.dispatcher.call("GET", "/dispatch/board?date=2027-05-04")
    assert world.leaked(board.text)
    customers = world.dispatcher.call("GET", "/booking/customers?phone=%2B15125550199")
    assert world.ids["customer_id"] in customers.text


def test_an_idempotency_key_never_replays_another_tenants_answer(local_stack: LocalStack) -> None:
    key = f"key-{uuid.uuid4().hex}"
    first, second = (caller(local_stack, f"idem-{uuid.uuid4().hex[:8]}", Role.DISPATCHER) for _ in range(2))
    mark = uuid.uuid4().hex[:8]
    body = {"name": f"Idem {mark}", "phone": "+15125550177", "phone_type": "mobile"}
    made = first.call("POST", "/booking/customers", body, **{"Idempotency-Key": key})
    assert made.status == 201, made.text
    again = second.call("POST", "/booking/customers", {**body, "name": "Other"}, **{"Idempotency-Key": key})
    assert again.status == 201, again.text
    assert again.json()["customer_id"] != made.json()["customer_id"]
    assert mark not in again.text
    replay = first.call("POST", "/booking/customers", body, **{"Idempotency-Key": key})
    assert replay.json()["customer_id"] == made.json()["customer_id"]
    assert re.search(mark, replay.text)
