"""The role matrix of DOMAIN.md, route by route (:data:`truckroll.web.access.ROUTE_ROLES`).

Columns: admin, dispatcher, technician, both (signed in), a customer holding a tracking link (no
login) and an unauthenticated caller. The table must name every protected route and nothing else;
its rows must keep DOMAIN.md's rules; and every service must answer as it says: a refused role
gets 403 before its request is even parsed, a customer or anonymous caller gets 401, an allowed
role gets past the gate (its use case may still narrow a technician to their own work).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from world import Caller, World, allowed_roles, caller

from truckroll.auth import Role
from truckroll.web.access import ADMIN, FIELD, OFFICE, ROUTE_ROLES
from truckroll.web.public import PUBLIC_ROUTES, is_public
from truckroll_local.seed import DEMO_JOBS, job_request
from truckroll_local.stack import LocalStack

SIGNED_IN = (Role.ADMIN, Role.DISPATCHER, Role.TECHNICIAN, Role.BOTH)
# How the use cases refuse a role outright (not a technician's foreign work).
ROLE_REFUSALS = ("this action needs", "this role may not", "only a technician")

# DOMAIN.md: settings, users and integrations are the admin's alone.
ADMIN_ONLY = {
    ("booking", "PUT", "/settings"),
    ("booking", "GET", "/lead-receivers"),
    ("booking", "PUT", "/lead-receivers"),
    ("dispatch", "PUT", "/settings"),
    ("dispatch", "GET", "/users"),
    ("dispatch", "POST", "/users/{user_id}/deactivate"),
    ("dispatch", "POST", "/users/{user_id}/reactivate"),
    ("notify", "GET", "/settings"),
    ("notify", "PUT", "/settings"),
    ("notify", "PUT", "/templates/{name}"),
    ("tracking", "GET", "/settings"),
    ("tracking", "PUT", "/settings"),
    ("tracking", "POST", "/devices"),
}
# What a technician's own day needs: the board and their jobs, status changes, their profile,
# schedule, shifts and events, their track, their jobs' notes and photos, follow-up jobs booked
# from the field, their device and GPS.
TECHNICIAN_ROUTES = {
    ("booking", "GET", "/jobs/{job_id}"),
    ("booking", "POST", "/jobs/{job_id}/follow-ups"),
    ("dispatch", "GET", "/board"),
    ("dispatch", "GET", "/board/week"),
    ("dispatch", "GET", "/board/changes"),
    ("dispatch", "GET", "/jobs/{job_id}"),
    ("dispatch", "GET", "/jobs/{job_id}/notes"),
    ("dispatch", "POST", "/jobs/{job_id}/notes"),
    ("dispatch", "POST", "/jobs/{job_id}/photos/uploads"),
    ("dispatch", "POST", "/jobs/{job_id}/photos"),
    ("dispatch", "GET", "/jobs/{job_id}/photos"),
    ("dispatch", "POST", "/jobs/{job_id}/appointments/{appointment_id}/dispatch"),
    ("dispatch", "POST", "/jobs/{job_id}/appointments/{appointment_id}/progress"),
    ("dispatch", "GET", "/technicians/{technician_id}"),
    ("dispatch", "GET", "/technicians/{technician_id}/schedule"),
    ("dispatch", "GET", "/technicians/{technician_id}/shifts"),
    ("dispatch", "GET", "/technicians/{technician_id}/events/{date}/{event_id}"),
    ("notify", "POST", "/devices"),
    ("tracking", "POST", "/fixes"),
    ("tracking", "GET", "/technicians/{technician_id}/track"),
}


def protected_routes(stack: LocalStack) -> Iterator[tuple[str, str, str]]:
    for service, app in sorted(stack.apps.items()):
        for path, entries in sorted(app.routes.items()):
            for method in sorted(entries):
                if not is_public(service, method, path):
                    yield service, method, path


def table_rows() -> set[tuple[str, str, str]]:
    return {(service, method, path) for service, rows in ROUTE_ROLES.items() for method, path in rows}


def test_the_table_names_every_protected_route_and_nothing_else(local_stack: LocalStack) -> None:
    served = set(protected_routes(local_stack))
    assert served - table_rows() == set(), "routes without a role entry in truckroll.web.access"
    assert table_rows() - served == set(), "role entries of routes that do not exist"
    for service, public in PUBLIC_ROUTES.items():
        assert not {(service, m, p) for m, p in public} & table_rows(), "public routes take no token"


def test_the_table_keeps_the_domain_rules() -> None:
    for service, method, path in table_rows():
        rule = allowed_roles(service, method, path)
        assert rule, (service, method, path)
        if Role.DISPATCHER in rule:
            assert {Role.ADMIN, Role.BOTH} <= rule, ("admin and both have dispatcher rights", path)
        if rule != FIELD:
            assert Role.ADMIN in rule, ("the admin does everything but a technician's own GPS", path)
        if Role.TECHNICIAN in rule and rule != FIELD:
            assert rule == frozenset(Role), ("a technician's route is the office's too", path)
    assert {r for r in table_rows() if allowed_roles(*r) == ADMIN} == ADMIN_ONLY
    assert {r for r in table_rows() if Role.TECHNICIAN in allowed_roles(*r)} == TECHNICIAN_ROUTES
    assert frozenset({Role.ADMIN, Role.DISPATCHER, Role.BOTH}) == OFFICE


def test_settings_users_and_integrations_are_admin_only_whatever_their_path() -> None:
    """A route added under these names is admin-only (reading booking settings is the office's:
    booking forms need the arrival windows)."""
    for service, method, path in table_rows():
        changes_settings = path.endswith("/settings") and method != "GET"
        if changes_settings or path.startswith(("/users", "/lead-receivers")):
            assert allowed_roles(service, method, path) == ADMIN, (service, method, path)


@pytest.fixture(scope="module")
def callers(local_stack: LocalStack) -> dict[Role, Caller]:
    tenant = f"matrix-{uuid.uuid4().hex[:8]}"
    return {role: caller(local_stack, tenant, role) for role in SIGNED_IN}


@pytest.mark.parametrize("role", SIGNED_IN)
def test_every_route_answers_each_role_as_the_table_says(
    local_stack: LocalStack, world: World, callers: dict[Role, Caller], role: Role
) -> None:
    """Ids are the other tenant's: an allowed request ends in the use case (most often "not found"),
    never in the gate; a refused one is stopped by the gate, whatever its body."""
    for service, method, path in protected_routes(local_stack):
        answer = callers[role].call(method, f"/{service}{world.concrete(path)}", {})
        gated = answer.status == 403 and f"the {role.value} role may not" in answer.json()["detail"]
        assert answer.status != 401, (role, method, path, answer.text)
        if role in allowed_roles(service, method, path):
            # Nor may the use case refuse the role outright: the table and the use cases agree.
            refused_role = answer.status == 403 and answer.json()["detail"].startswith(ROLE_REFUSALS)
            assert not gated, (role, method, path, answer.text)
            assert not refused_role, (role, method, path, answer.text)
        else:
            assert gated, (role, method, path, answer.status, answer.text)
            assert answer.header("Content-Type") == "application/problem+json"


@pytest.mark.parametrize("who", ["customer link", "unauthenticated"])
def test_no_protected_route_admits_a_customer_or_an_anonymous_caller(
    local_stack: LocalStack, world: World, who: str
) -> None:
    """A customer has no login: their tracking link token is no bearer token."""
    headers = {"Authorization": f"Bearer {world.ids['token']}"} if who == "customer link" else {}
    for service, method, path in protected_routes(local_stack):
        answer = local_stack.request(method, f"/{service}{world.concrete(path)}", headers, {})
        assert answer.status == 401, (who, method, path, answer.text)
        assert not world.leaked(answer.text)


def test_a_customer_link_shows_only_its_appointments_public_facts(
    local_stack: LocalStack, world: World
) -> None:
    answer = local_stack.request("GET", f"/tracking/links/{world.ids['token']}")
    assert answer.status == 200, answer.text
    for private in (world.ids["customer_id"], world.ids["job_id"], "Secret summary", "+15125550199"):
        assert private not in answer.text


def test_a_technician_sees_and_acts_only_on_appointments_assigned_to_self(
    local_stack: LocalStack, world: World
) -> None:
    own = world.technician
    other = caller(local_stack, world.tenant, Role.TECHNICIAN)
    world.dispatcher.ok("POST", "/dispatch/technicians", {"technician_id": other.sub, "name": "Other"}, 201)
    job, appointment = world.ids["job_id"], world.ids["appointment_id"]
    assert own.call("GET", f"/dispatch/jobs/{job}").status == 200
    assert own.call("GET", f"/booking/jobs/{job}").status == 200
    for path in (f"/dispatch/jobs/{job}", f"/booking/jobs/{job}"):
        assert other.call("GET", path).status == 404, path
    board = other.ok("GET", f"/dispatch/board?date={world.ids['day']}")
    assert appointment not in str(board)
    progress = f"/dispatch/jobs/{job}/appointments/{appointment}/progress"
    refused = other.call("POST", progress, {"action": "arrived"})
    assert refused.status in (403, 404), refused.text
    as_own = other.call("POST", progress, {"action": "arrived", "technician_id": own.sub})
    assert as_own.status in (403, 404), as_own.text
    tech = world.ids["technician_id"]
    for path in (
        f"/dispatch/technicians/{tech}",
        f"/dispatch/technicians/{tech}/schedule?from={world.ids['day']}&to={world.ids['day']}",
        f"/tracking/technicians/{tech}/track?from={world.ids['day']}T00:00:00Z&to={world.ids['day']}T23:00:00Z",
    ):
        assert other.call("GET", path).status in (403, 404), path
    assert world.ids["job_id"] in world.dispatcher.call("GET", f"/dispatch/jobs/{job}").text


def test_a_technician_books_only_from_the_field(local_stack: LocalStack) -> None:
    """The office's booking form is the office's, whatever source it claims; a technician books a
    follow-up from a job of theirs (tests/integration/test_job_notes_photos.py)."""
    tech = caller(local_stack, f"field-{uuid.uuid4().hex[:8]}", Role.TECHNICIAN)
    body = job_request(DEMO_JOBS[0], date(2027, 5, 5))
    for source in ("office_call", "field_app"):
        claimed = {**body, "job": {**body["job"], "source": source}}
        refused = tech.call("POST", "/booking/jobs", claimed)
        assert refused.status == 403, refused.text
