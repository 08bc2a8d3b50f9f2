"""Mass assignment: fields a caller must never set (tenant, role, status, version, authorship,
ids, timestamps) are refused in the body of every create and update route: 422 problem+json naming
each one, so nothing of it can take effect. Routes and their documented fields come from the
apps' route tables and docs/api; a route whose body ignores unknown fields fails here.
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import yaml
from world import World, allowed_roles, caller

from truckroll.auth import Role
from truckroll.web.public import is_public
from truckroll_local.stack import LocalStack

ROOT = Path(__file__).resolve().parents[2]
INJECTED: dict[str, Any] = {
    "tenant_id": "someone-elses-tenant",
    "role": "admin",
    "status": "complete",
    "version": 99,
    "created_by": "mallory",
    "created_at": "2020-01-01T00:00:00Z",
    "updated_by": "mallory",
    "owner": "mallory",
    "is_admin": True,
    "sub": "mallory",
}


def documented_fields(service: str, method: str, path: str) -> set[str] | None:
    """The top-level fields docs/api gives the route's JSON body (None: it takes no body)."""
    spec = yaml.safe_load((ROOT / "docs" / "api" / f"{service}.yaml").read_text())
    operation = spec["paths"][path][method.lower()]
    if "requestBody" not in operation:
        return None
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    fields = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        ref = part.get("$ref")
        target = spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else part
        fields |= set(target.get("properties", {}))
    return fields


def writes(stack: LocalStack) -> list[tuple[str, str, str]]:
    return [
        (service, method, path)
        for service, app in sorted(stack.apps.items())
        for path, entries in sorted(app.routes.items())
        for method in sorted(entries)
        if method in ("POST", "PUT") and not is_public(service, method, path)
    ]


def test_every_create_and_update_route_refuses_fields_the_caller_may_not_set(
    local_stack: LocalStack, world: World
) -> None:
    checked = 0
    for service, method, path in writes(local_stack):
        documented = documented_fields(service, method, path)
        if documented is None:
            continue  # reads no body at all
        # Each route as a role it admits (the gate refuses the others before any parsing).
        role = Role.ADMIN if Role.ADMIN in allowed_roles(service, method, path) else Role.TECHNICIAN
        injected = {k: v for k, v in INJECTED.items() if k not in documented}
        answer = caller(local_stack, world.tenant, role).call(
            method, f"/{service}{world.concrete(path)}", injected
        )
        assert answer.status == 422, (method, path, answer.status, answer.text)
        named = {e["field"] for e in answer.json().get("errors", [])}
        assert set(injected) <= named, (method, path, sorted(set(injected) - named), answer.text)
        checked += 1
    assert checked >= 30


def test_the_public_online_booking_refuses_them_too(local_stack: LocalStack, world: World) -> None:
    """The customer's own booking form (no login): its tenant is the path's, never the body's.
    Provider webhooks and Reserve with Google keep ignoring unknown fields (providers add some
    without notice); their tenant too comes only from the path and their credentials."""
    path = "/online/{tenant_id}/bookings"
    injected = {
        k: v for k, v in INJECTED.items() if k not in (documented_fields("booking", "POST", path) or ())
    }
    answer = local_stack.request("POST", f"/booking{world.concrete(path)}", {}, injected)
    assert answer.status == 422, answer.text
    assert set(injected) <= {e["field"] for e in answer.json()["errors"]}


def test_nested_objects_refuse_them_too(local_stack: LocalStack, world: World) -> None:
    body = {
        "customer": {"name": "N", "phone": "+15125550100", "phone_type": "mobile", "tenant_id": "x"},
        "location": {
            "street": "1 Main",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
            "verified": True,
        },
        "job": {"job_type": "AC Repair", "business_unit": "HVAC", "summary": "s", "status": "complete"},
    }
    answer = world.dispatcher.call("POST", "/booking/jobs", body)
    assert answer.status == 422, answer.text
    assert {e["field"] for e in answer.json()["errors"]} == {"customer.tenant_id", "job.status"}


def test_a_technician_profile_cannot_grant_an_office_role(local_stack: LocalStack, world: World) -> None:
    """``role`` is a profile field (technician or both: can they be scheduled), never an access role."""
    new = {"technician_id": f"t-{uuid.uuid4().hex[:6]}", "name": "N", "role": "admin"}
    answer = world.dispatcher.call("POST", "/dispatch/technicians", new)
    assert answer.status == 422, answer.text
    assert [e["field"] for e in answer.json()["errors"]] == ["role"]
    tech = world.ids["technician_id"]
    replaced = world.dispatcher.call(
        "PUT", f"/dispatch/technicians/{tech}", {"name": "N", "role": "dispatcher"}
    )
    assert replaced.status == 422, replaced.text
    # Whatever a profile says, the token's role decides what its holder may do.
    assert world.technician.call("GET", "/dispatch/technicians").status == 403
