"""A tenant with something behind every kind of id, built through the API like any client would,
and the sample request bodies the sweeps send (valid, so a request gets past validation and reaches
the lookup the tenant wall must stop).

``World.ids`` maps each path parameter name of the route tables to this tenant's value, so a route
added later with a known parameter is swept with no change here; ``World.secrets`` are strings that
only this tenant's data contains.
"""

from __future__ import annotations

import base64
import re
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import lead_payloads

from truckroll.auth import Role
from truckroll.web.access import ROUTE_ROLES, Rule
from truckroll_local.responses import HttpResponse
from truckroll_local.seed import DemoJob, job_request
from truckroll_local.stack import LocalStack

DAY = date(2027, 5, 4)
DAY_TEXT = DAY.isoformat()
PARAMETER = re.compile(r"\{([^}]+)\}")


def allowed_roles(service: str, method: str, path: str) -> Rule:
    """The roles the role table gives a route (none for a route it does not name)."""
    return ROUTE_ROLES.get(service, {}).get((method, path), frozenset())


def at(hour: int) -> str:
    return f"{DAY_TEXT}T{hour:02d}:00:00+00:00"


def window(start: int, end: int) -> dict[str, str]:
    return {"start": at(start), "end": at(end)}


@dataclass
class Caller:
    """One signed-in user of a tenant."""

    stack: LocalStack
    tenant: str
    sub: str
    role: Role

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.stack.issuer.mint(self.sub, self.tenant, self.role)}"}

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> HttpResponse:
        return self.stack.request(method, path, {**self.headers, **headers}, body)

    def ok(self, method: str, path: str, body: Any = None, status: int = 200) -> dict[str, Any]:
        response = self.call(method, path, body)
        assert response.status == status, (method, path, response.status, response.text)
        answer: dict[str, Any] = response.json()
        return answer


def caller(stack: LocalStack, tenant: str, role: Role) -> Caller:
    return Caller(stack, tenant, f"{role.value}-{uuid.uuid4().hex[:8]}", role)


@dataclass
class World:
    stack: LocalStack
    tenant: str
    admin: Caller
    dispatcher: Caller
    technician: Caller
    ids: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)

    def concrete(self, path: str) -> str:
        return PARAMETER.sub(lambda m: self.ids.get(m.group(1), "unknown-0"), path)

    def leaked(self, text: str, path: str = "") -> list[str]:
        """This tenant's strings found in ``text`` (ids the request itself named do not count)."""
        return [s for s in self.secrets if s in text and s not in path]


def build_world(stack: LocalStack) -> World:
    tenant = f"wall-{uuid.uuid4().hex[:10]}"
    mark = uuid.uuid4().hex[:8]
    world = World(
        stack,
        tenant,
        admin=caller(stack, tenant, Role.ADMIN),
        dispatcher=caller(stack, tenant, Role.DISPATCHER),
        technician=caller(stack, tenant, Role.TECHNICIAN),
    )
    office, admin, tech = world.dispatcher, world.admin, world.technician.sub
    office.ok("POST", "/dispatch/technicians", {"technician_id": tech, "name": f"Techname {mark}"}, 201)

    demo = DemoJob(
        f"Secretcustomer {mark}", "+15125550199", "mobile", f"secret-{mark}@example.com",
        f"{mark} Hidden Lane", "78701", 30.27, -97.74, "AC Repair", "HVAC", "high",
        f"Secret summary {mark}", ("hvac",), 9, 1.0,
    )  # fmt: skip
    job = office.ok("POST", "/booking/jobs", job_request(demo, DAY), 201)
    appointment_id = job["appointments"][0]["appointment_id"]
    path = f"/dispatch/jobs/{job['job_id']}/appointments/{appointment_id}/assign"
    office.ok("POST", path, {"technician_ids": [tech]})
    project = office.ok(
        "POST", "/booking/projects", {"customer_id": job["customer_id"], "name": f"Proj {mark}"}, 201
    )
    shift = office.ok("POST", f"/dispatch/technicians/{tech}/shifts", window(7, 17), 201)
    event = {**window(16, 17), "type": f"Secret training {mark}"}
    event_id = office.ok("POST", f"/dispatch/technicians/{tech}/events", event, 201)["event_id"]
    crew = {"name": f"Crew {mark}", "members": [{"technician_id": tech, "kind": "linked"}]}
    crew_id = office.ok("POST", "/dispatch/crews", crew, 201)["crew_id"]
    admin.ok("PUT", "/notify/templates/reminder", {"text": f"Reminder {mark} for {{window}}"})
    vehicle = f"van-{mark}"
    admin.ok("POST", "/tracking/devices", {"vehicle_id": vehicle}, 201)
    office.ok("PUT", f"/tracking/vehicles/{vehicle}/drivers/{DAY_TEXT}", {"technician_id": tech})
    lead_id = _lead(world, mark)
    office.ok("POST", path.replace("/assign", "/dispatch"), {"technician_id": tech})
    stack.drain()
    token = office.ok("POST", f"/tracking/appointments/{appointment_id}/links", None, 201)["token"]

    world.ids.update(
        job_id=job["job_id"],
        appointment_id=appointment_id,
        customer_id=job["customer_id"],
        location_id=job["location_id"],
        project_id=project["project_id"],
        lead_id=lead_id,
        technician_id=tech,
        shift_id=shift["shift_id"],
        event_id=event_id,
        date=DAY_TEXT,
        day=DAY_TEXT,
        crew_id=crew_id,
        user_id=world.technician.sub,
        name="reminder",
        vehicle_id=vehicle,
        token=token,
        tenant_id=tenant,
    )
    world.secrets = [
        mark,
        job["job_id"],
        appointment_id,
        job["customer_id"],
        job["location_id"],
        project["project_id"],
        lead_id,
        shift["shift_id"],
        event_id,
        crew_id,
        tech,
        world.admin.sub,
        world.dispatcher.sub,
        "+15125550199",
    ]
    return world


def _lead(world: World, mark: str) -> str:
    version = world.admin.ok("GET", "/booking/lead-receivers")["version"]
    world.admin.ok("PUT", "/booking/lead-receivers", {**lead_payloads.RECEIVERS, "version": version})
    basic = base64.b64encode(f"{lead_payloads.THUMBTACK_USER}:{lead_payloads.THUMBTACK_PASSWORD}".encode())
    delivery = lead_payloads.thumbtack(negotiation_id=str(uuid.uuid4().int)[:18], phone="(512) 555-0198")
    delivery["data"]["customer"]["displayName"] = f"Leadname {mark}"
    answer = world.stack.request(
        "POST",
        f"/booking/intake/thumbtack/{world.tenant}",
        {"Authorization": f"Basic {basic.decode()}"},
        delivery,
    )
    assert answer.status in (200, 201, 202), answer.text
    leads = world.dispatcher.ok("GET", "/booking/leads?status=new_offer")["leads"]
    (lead,) = leads
    lead_id: str = lead["lead_id"]
    return lead_id


def sample_body(world: World, service: str, method: str, path: str) -> Any:
    """A valid body for ``method path`` naming ``world``'s ids (``{}`` where none is known)."""
    ids = world.ids
    tech = ids["technician_id"]
    visit = {**window(10, 11), "arrival_window": window(10, 12)}
    bodies: dict[tuple[str, str, str], Any] = {
        ("booking", "PUT", "/customers/{customer_id}"): {
            "name": "Renamed",
            "phone": "+15125550100",
            "phone_type": "mobile",
        },
        ("booking", "POST", "/customers/{customer_id}/locations"): {
            "street": "1 Main St",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
            "verified": False,
        },
        ("booking", "PUT", "/customers/{customer_id}/locations/{location_id}"): {
            "street": "1 Main St",
            "city": "Austin",
            "state": "TX",
            "postal_code": "78701",
            "verified": False,
        },
        ("booking", "POST", "/leads/{lead_id}/accept"): {},
        ("booking", "POST", "/leads/{lead_id}/decline"): {"reason": "spam"},
        ("dispatch", "POST", "/jobs/{job_id}/appointments"): visit,
        ("dispatch", "POST", "/jobs/{job_id}/appointments/{appointment_id}/assign"): {
            "technician_ids": [tech]
        },
        ("dispatch", "POST", "/jobs/{job_id}/appointments/{appointment_id}/unassign"): {
            "technician_ids": [tech]
        },
        ("dispatch", "POST", "/jobs/{job_id}/appointments/{appointment_id}/reassign"): {
            "from_technician_id": tech,
            "to_technician_id": "someone-else",
        },
        ("dispatch", "POST", "/jobs/{job_id}/appointments/{appointment_id}/reschedule"): visit,
        ("dispatch", "POST", "/jobs/{job_id}/appointments/{appointment_id}/dispatch"): {
            "technician_id": tech
        },
        ("dispatch", "POST", "/jobs/{job_id}/appointments/{appointment_id}/progress"): {
            "action": "on_my_way",
            "technician_id": tech,
        },
        ("booking", "POST", "/jobs/{job_id}/follow-ups"): {"job_type": "Repair", "summary": "Follow-up"},
        ("dispatch", "POST", "/jobs/{job_id}/notes"): {"text": "gate code 1234"},
        ("dispatch", "POST", "/jobs/{job_id}/photos/uploads"): {"content_type": "image/jpeg", "size": 1000},
        ("dispatch", "POST", "/jobs/{job_id}/photos"): {"photo_id": "01M824QMJSQ2FPJNJ7BASY1FG9"},
        ("dispatch", "POST", "/jobs/{job_id}/hold"): {"reason": "part needed"},
        ("dispatch", "POST", "/jobs/{job_id}/cancel"): {"reason": "customer canceled"},
        ("dispatch", "POST", "/jobs/{job_id}/uncancel"): {"reason": "back on"},
        ("dispatch", "PUT", "/jobs/{job_id}/billing"): {"payments": 1, "invoice_items": ["x"]},
        ("dispatch", "PUT", "/jobs/{job_id}/auto-dispatch"): {
            "auto_dispatch": False,
            "technician_specific": True,
        },
        ("dispatch", "PUT", "/technicians/{technician_id}"): {"name": "Overwritten"},
        ("dispatch", "POST", "/technicians/{technician_id}/shifts"): window(6, 7),
        ("dispatch", "POST", "/technicians/{technician_id}/events"): {**window(5, 6), "type": "meeting"},
        ("dispatch", "PUT", "/technicians/{technician_id}/events/{date}/{event_id}"): {
            **window(5, 6),
            "type": "meeting",
        },
        ("dispatch", "POST", "/technicians/{technician_id}/messages"): {"text": "hello"},
        ("dispatch", "POST", "/crews/{crew_id}/members"): {
            "technician_id": "someone-else",
            "kind": "floating",
        },
        ("notify", "PUT", "/templates/{name}"): {"text": "Overwritten {window}"},
        ("notify", "POST", "/templates/{name}/preview"): {},
        ("tracking", "PUT", "/vehicles/{vehicle_id}/drivers/{day}"): {"technician_id": "someone-else"},
    }
    return bodies.get((service, method, path), {} if method in ("POST", "PUT") else None)
