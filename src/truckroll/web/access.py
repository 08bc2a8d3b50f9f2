"""Who may call each route: the one table of the role matrix (docs/decisions.md, 2026-11-22).

Every protected route of every service has an entry: the roles whose tokens may reach its view.
:class:`~truckroll.web.app.ServiceApp` refuses any other role with 403 before the body is even
read, and refuses every role on a route that has no entry. The use cases check again (and narrow
a technician to their own appointments, days and position), so the table is the first wall, not
the only one. ``tests/security/test_role_matrix.py`` proves the table is complete and obeyed.

Routes without a token (customer links, online booking, provider webhooks, health) are not here:
they are the allow-list of :mod:`truckroll.web.public`.
"""

from __future__ import annotations

from truckroll.auth.principal import OFFICE_ROLES, Role

Rule = frozenset[Role]

ADMIN: Rule = frozenset({Role.ADMIN})  # settings, users, integrations
OFFICE: Rule = OFFICE_ROLES  # admin, dispatcher, both
FIELD: Rule = frozenset({Role.TECHNICIAN, Role.BOTH})  # the technician app's own device and GPS
STAFF: Rule = frozenset(Role)  # every signed-in role; a technician only their own (use cases)

APPOINTMENT = "/jobs/{job_id}/appointments/{appointment_id}"
TECH = "/technicians/{technician_id}"
EVENT = TECH + "/events/{date}/{event_id}"

ROUTE_ROLES: dict[str, dict[tuple[str, str], Rule]] = {
    "booking": {
        ("POST", "/jobs"): OFFICE,
        ("GET", "/jobs/{job_id}"): STAFF,
        (
            "POST",
            "/jobs/{job_id}/follow-ups",
        ): STAFF,  # a technician books from the field, from a job of theirs
        ("POST", "/projects"): OFFICE,
        ("GET", "/projects/{project_id}"): OFFICE,
        ("POST", "/agreement-visits"): OFFICE,
        ("POST", "/customers"): OFFICE,
        ("GET", "/customers"): OFFICE,
        ("GET", "/customers/{customer_id}"): OFFICE,
        ("PUT", "/customers/{customer_id}"): OFFICE,
        ("POST", "/customers/{customer_id}/locations"): OFFICE,
        ("PUT", "/customers/{customer_id}/locations/{location_id}"): OFFICE,
        ("GET", "/settings"): OFFICE,  # booking forms need the arrival windows and required fields
        ("PUT", "/settings"): ADMIN,
        ("GET", "/leads"): OFFICE,
        ("GET", "/leads/{lead_id}"): OFFICE,
        ("POST", "/leads/{lead_id}/accept"): OFFICE,
        ("POST", "/leads/{lead_id}/decline"): OFFICE,
        ("GET", "/lead-receivers"): ADMIN,
        ("PUT", "/lead-receivers"): ADMIN,
    },
    "dispatch": {
        ("GET", "/board"): STAFF,
        ("GET", "/board/week"): STAFF,
        ("GET", "/board/changes"): STAFF,
        ("POST", "/board/assign-area"): OFFICE,
        ("GET", "/jobs/{job_id}"): STAFF,
        ("GET", "/jobs/{job_id}/audit"): OFFICE,
        ("GET", "/jobs/{job_id}/notes"): STAFF,
        ("POST", "/jobs/{job_id}/notes"): STAFF,
        ("POST", "/jobs/{job_id}/photos/uploads"): STAFF,
        ("POST", "/jobs/{job_id}/photos"): STAFF,
        ("GET", "/jobs/{job_id}/photos"): STAFF,
        ("POST", "/jobs/{job_id}/appointments"): OFFICE,
        ("DELETE", APPOINTMENT): OFFICE,
        ("POST", APPOINTMENT + "/assign"): OFFICE,
        ("POST", APPOINTMENT + "/unassign"): OFFICE,
        ("POST", APPOINTMENT + "/reassign"): OFFICE,
        ("POST", APPOINTMENT + "/reschedule"): OFFICE,
        ("POST", APPOINTMENT + "/dispatch"): STAFF,  # "on my way", by the technician themself
        ("POST", APPOINTMENT + "/progress"): STAFF,
        ("POST", APPOINTMENT + "/confirm"): OFFICE,
        ("POST", "/jobs/{job_id}/hold"): OFFICE,
        ("DELETE", "/jobs/{job_id}/hold"): OFFICE,
        ("POST", "/jobs/{job_id}/cancel"): OFFICE,
        ("POST", "/jobs/{job_id}/uncancel"): OFFICE,
        ("PUT", "/jobs/{job_id}/billing"): OFFICE,
        ("PUT", "/jobs/{job_id}/auto-dispatch"): OFFICE,
        ("GET", "/jobs/{job_id}/explain"): OFFICE,
        ("GET", "/settings"): OFFICE,  # the board map's tile server
        ("PUT", "/settings"): ADMIN,
        ("GET", "/auto-dispatch"): OFFICE,
        ("PUT", "/auto-dispatch"): OFFICE,  # the board's auto mode, a dispatcher's control
        ("POST", "/auto-dispatch/run"): OFFICE,
        ("GET", "/auto-dispatch/runs"): OFFICE,
        ("GET", "/technicians"): OFFICE,
        ("POST", "/technicians"): OFFICE,
        ("GET", TECH): STAFF,
        ("PUT", TECH): OFFICE,
        ("GET", TECH + "/schedule"): STAFF,
        ("POST", TECH + "/days/{date}/optimize"): OFFICE,
        ("GET", TECH + "/shifts"): STAFF,
        ("POST", TECH + "/shifts"): OFFICE,
        ("DELETE", TECH + "/shifts/{date}/{shift_id}"): OFFICE,
        ("POST", TECH + "/events"): OFFICE,
        ("GET", EVENT): STAFF,
        ("PUT", EVENT): OFFICE,
        ("POST", EVENT + "/complete"): OFFICE,
        ("DELETE", EVENT): OFFICE,
        ("POST", TECH + "/messages"): OFFICE,
        ("POST", "/announcements"): OFFICE,
        ("GET", "/crews"): OFFICE,
        ("POST", "/crews"): OFFICE,
        ("POST", "/crews/{crew_id}/members"): OFFICE,
        ("DELETE", "/crews/{crew_id}/members/{technician_id}"): OFFICE,
        ("GET", "/users"): ADMIN,
        ("POST", "/users/{user_id}/deactivate"): ADMIN,
        ("POST", "/users/{user_id}/reactivate"): ADMIN,
    },
    "notify": {
        ("GET", "/settings"): ADMIN,
        ("PUT", "/settings"): ADMIN,
        ("GET", "/deliveries"): OFFICE,
        ("GET", "/delivery-health"): OFFICE,
        ("GET", "/templates"): OFFICE,
        ("PUT", "/templates/{name}"): ADMIN,
        ("POST", "/templates/{name}/preview"): OFFICE,
        ("POST", "/devices"): FIELD,
    },
    "tracking": {
        ("POST", "/fixes"): FIELD,
        ("GET", "/positions"): OFFICE,
        ("GET", TECH + "/track"): STAFF,
        ("GET", "/settings"): ADMIN,
        ("PUT", "/settings"): ADMIN,
        ("POST", "/devices"): ADMIN,  # vehicle trackers: an integration
        ("PUT", "/vehicles/{vehicle_id}/drivers/{day}"): OFFICE,
        ("POST", "/appointments/{appointment_id}/links"): OFFICE,
        ("GET", "/kpis"): OFFICE,
    },
}
