"""Truckroll dispatch service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/dispatch."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from chalice.app import CloudWatchEvent, DynamoDBEvent, Response, SQSEvent
from chalicelib.dispatch import actions, auto, crews, dayroute, notes, people, timeline, users
from chalicelib.dispatch import schemas as s
from chalicelib.dispatch import settings as dispatch_settings
from chalicelib.dispatch.board import parse_cursor, parse_day, read_board, read_changes, read_week
from chalicelib.dispatch.bootstrap import SERVICE, Dispatch, bootstrap

from truckroll.domain.jobs import Job, TechAction
from truckroll.domain.users import UserStatus
from truckroll.resources import CORE, RESOURCES
from truckroll.web import ServiceApp, json_response, parse_body, query_param

app = ServiceApp(SERVICE)
jwt_auth = app.jwt_auth

EVENTS = next(q for q in RESOURCES.queues if q.consumer == SERVICE and q.handler == "on_event")
RELAY = next(c for c in RESOURCES.stream_consumers if c.consumer == SERVICE and c.handler == "relay_outbox")
RUNS = next(q for q in RESOURCES.queues if q.consumer == SERVICE and q.handler == "on_run_request")
AUTO = next(s for s in RESOURCES.schedules if s.consumer == SERVICE and s.handler == "auto_dispatch")
APPOINTMENT = "/jobs/{job_id}/appointments/{appointment_id}"
SHIFTS = "/technicians/{technician_id}/shifts"
EVENTS_OF = "/technicians/{technician_id}/events"
EVENT = EVENTS_OF + "/{date}/{event_id}"


@cache
def dispatch() -> Dispatch:
    return bootstrap()


def job_response(job: Job, status: int = 200) -> Response:
    return json_response(s.job_view(job), status=status)


# -- the board -----------------------------------------------------------------------------------


@app.route("/board", methods=["GET"])
def get_board() -> Response:
    day = parse_day(query_param(app.request(), "date"))
    return json_response(read_board(day, app.principal(), dispatch()))


@app.route("/board/week", methods=["GET"])
def get_board_week() -> Response:
    first = parse_day(query_param(app.request(), "start"), "start")
    return json_response(read_week(first, app.principal(), dispatch()))


@app.route("/board/changes", methods=["GET"])
def get_board_changes() -> Response:
    request = app.request()
    day = parse_day(query_param(request, "date"))
    cursor = parse_cursor(query_param(request, "cursor"))
    return json_response(read_changes(day, cursor, app.principal(), dispatch()))


@app.route("/board/assign-area", methods=["POST"])
def assign_area() -> Response:
    body = parse_body(app.request(), s.AreaAssignIn)
    outcomes = actions.assign_area(
        parse_day(body.date), body.to_shape(), body.technician_id, body.force, app.principal(), dispatch()
    )
    return json_response({"results": [vars(o) for o in outcomes]})


# -- jobs and appointments -----------------------------------------------------------------------


@app.route("/jobs/{job_id}", methods=["GET"])
def get_job(job_id: str) -> Response:
    return job_response(actions.get_job(job_id, app.principal(), dispatch()))


@app.route("/jobs/{job_id}/audit", methods=["GET"])
def get_audit(job_id: str) -> Response:
    entries = actions.audit(job_id, app.principal(), dispatch())
    return json_response({"job_id": job_id, "entries": [s.audit_view(e) for e in entries]})


@app.route("/jobs/{job_id}/notes", methods=["GET"])
def list_notes(job_id: str) -> Response:
    found = notes.list_notes(job_id, app.principal(), dispatch())
    return json_response({"job_id": job_id, "notes": [s.note_view(n) for n in found]})


@app.route("/jobs/{job_id}/notes", methods=["POST"])
def add_note(job_id: str) -> Response:
    body = parse_body(app.request(), s.NoteIn)
    note = notes.add_note(job_id, body.text, body.public, app.principal(), dispatch())
    return json_response(s.note_view(note), status=201)


@app.route("/jobs/{job_id}/photos/uploads", methods=["POST"])
def request_photo_upload(job_id: str) -> Response:
    body = parse_body(app.request(), s.PhotoUploadIn)
    ticket = notes.request_upload(job_id, body.content_type, body.size, app.principal(), dispatch())
    return json_response(s.upload_view(ticket), status=201)


@app.route("/jobs/{job_id}/photos", methods=["POST"])
def register_photo(job_id: str) -> Response:
    body = parse_body(app.request(), s.PhotoIn)
    shown = notes.register_photo(job_id, body.photo_id, body.caption, app.principal(), dispatch())
    return json_response(s.photo_view(shown), status=201)


@app.route("/jobs/{job_id}/photos", methods=["GET"])
def list_photos(job_id: str) -> Response:
    shown = notes.list_photos(job_id, app.principal(), dispatch())
    return json_response({"job_id": job_id, "photos": [s.photo_view(p) for p in shown]})


@app.route("/jobs/{job_id}/appointments", methods=["POST"])
def add_appointment(job_id: str) -> Response:
    body = parse_body(app.request(), s.NewAppointmentIn)
    job = actions.add_appointment(
        job_id, body.to_visit(), tuple(body.technician_ids), body.force, app.principal(), dispatch()
    )
    return job_response(job, status=201)


@app.route(APPOINTMENT, methods=["DELETE"])
def delete_appointment(job_id: str, appointment_id: str) -> Response:
    reason = query_param(app.request(), "reason", required=False)
    return job_response(
        actions.delete_appointment(job_id, appointment_id, reason, app.principal(), dispatch())
    )


@app.route(APPOINTMENT + "/assign", methods=["POST"])
def assign(job_id: str, appointment_id: str) -> Response:
    body = parse_body(app.request(), s.AssignIn)
    ids = tuple(body.technician_ids)
    return job_response(actions.assign(job_id, appointment_id, ids, body.force, app.principal(), dispatch()))


@app.route(APPOINTMENT + "/unassign", methods=["POST"])
def unassign(job_id: str, appointment_id: str) -> Response:
    body = parse_body(app.request(), s.UnassignIn)
    ids = tuple(body.technician_ids)
    return job_response(actions.unassign(job_id, appointment_id, ids, app.principal(), dispatch()))


@app.route(APPOINTMENT + "/reassign", methods=["POST"])
def reassign(job_id: str, appointment_id: str) -> Response:
    body = parse_body(app.request(), s.ReassignIn)
    job = actions.reassign(
        job_id,
        appointment_id,
        body.from_technician_id,
        body.to_technician_id,
        body.force,
        app.principal(),
        dispatch(),
    )
    return job_response(job)


@app.route(APPOINTMENT + "/reschedule", methods=["POST"])
def reschedule(job_id: str, appointment_id: str) -> Response:
    body = parse_body(app.request(), s.RescheduleIn)
    ids = None if body.technician_ids is None else tuple(body.technician_ids)
    job = actions.reschedule(
        job_id, appointment_id, body.to_visit(), ids, body.force, app.principal(), dispatch()
    )
    return job_response(job)


@app.route(APPOINTMENT + "/dispatch", methods=["POST"])
def dispatch_technician(job_id: str, appointment_id: str) -> Response:
    body = parse_body(app.request(), s.DispatchIn)
    progress = actions.Progress(appointment_id, body.technician_id, TechAction.ON_MY_WAY)
    return job_response(actions.report_progress(job_id, progress, app.principal(), dispatch()))


@app.route(APPOINTMENT + "/progress", methods=["POST"])
def report_progress(job_id: str, appointment_id: str) -> Response:
    body = parse_body(app.request(), s.ProgressIn)
    progress = actions.Progress(appointment_id, body.technician_id, body.action, body.reason)
    return job_response(actions.report_progress(job_id, progress, app.principal(), dispatch()))


@app.route(APPOINTMENT + "/confirm", methods=["POST"])
def confirm(job_id: str, appointment_id: str) -> Response:
    return job_response(actions.confirm(job_id, appointment_id, app.principal(), dispatch()))


@app.route("/jobs/{job_id}/hold", methods=["POST"])
def hold(job_id: str) -> Response:
    body = parse_body(app.request(), s.ReasonIn)
    return job_response(actions.hold(job_id, body.reason, app.principal(), dispatch()))


@app.route("/jobs/{job_id}/hold", methods=["DELETE"])
def remove_hold(job_id: str) -> Response:
    reason = query_param(app.request(), "reason", required=False)
    return job_response(actions.remove_hold(job_id, reason, app.principal(), dispatch()))


@app.route("/jobs/{job_id}/cancel", methods=["POST"])
def cancel(job_id: str) -> Response:
    body = parse_body(app.request(), s.ReasonIn)
    return job_response(actions.cancel(job_id, body.reason, app.principal(), dispatch()))


@app.route("/jobs/{job_id}/uncancel", methods=["POST"])
def uncancel(job_id: str) -> Response:
    body = parse_body(app.request(), s.UncancelIn)
    return job_response(actions.uncancel(job_id, body.reason, body.force, app.principal(), dispatch()))


@app.route("/jobs/{job_id}/billing", methods=["PUT"])
def put_billing(job_id: str) -> Response:
    body = parse_body(app.request(), s.BillingIn)
    items = tuple(body.invoice_items)
    return job_response(actions.set_billing(job_id, body.payments, items, app.principal(), dispatch()))


@app.route("/jobs/{job_id}/auto-dispatch", methods=["PUT"])
def put_job_auto_dispatch(job_id: str) -> Response:
    body = parse_body(app.request(), s.AutoTogglesIn)
    job = auto.set_toggles(job_id, body.auto_dispatch, body.technician_specific, app.principal(), dispatch())
    return job_response(job)


@app.route("/jobs/{job_id}/explain", methods=["GET"])
def explain_job(job_id: str) -> Response:
    appointment_id = query_param(app.request(), "appointment_id", required=False)
    explanation = auto.explain_job(job_id, appointment_id, app.principal(), dispatch())
    return json_response(s.explanation_view(explanation))


# -- the tenant's dispatch settings (the board map's tiles) ---------------------------------------


@app.route("/settings", methods=["GET"])
def get_settings() -> Response:
    read = dispatch_settings.get_settings(app.principal(), dispatch())
    return json_response(dispatch_settings.settings_view(read))


@app.route("/settings", methods=["PUT"])
def put_settings() -> Response:
    body = parse_body(app.request(), dispatch_settings.SettingsIn)
    saved = dispatch_settings.put_settings(body, app.principal(), dispatch())
    return json_response(dispatch_settings.settings_view(saved))


# -- automatic dispatch ----------------------------------------------------------------------------


@app.route("/auto-dispatch", methods=["GET"])
def get_auto_dispatch() -> Response:
    return json_response(s.settings_view(auto.get_settings(app.principal(), dispatch())))


@app.route("/auto-dispatch", methods=["PUT"])
def put_auto_dispatch() -> Response:
    principal = app.principal()
    body = parse_body(app.request(), s.AutoSettingsIn)
    settings = auto.put_settings(body.to_settings(principal.tenant_id), principal, dispatch())
    return json_response(s.settings_view(settings))


@app.route("/auto-dispatch/runs", methods=["GET"])
def get_auto_dispatch_runs() -> Response:
    return json_response(
        {"runs": [s.run_record_view(r) for r in auto.run_history(app.principal(), dispatch())]}
    )


@app.route("/auto-dispatch/run", methods=["POST"])
def run_auto_dispatch() -> Response:
    return json_response(s.run_view(auto.run_now(app.principal(), dispatch())))


# -- technicians -----------------------------------------------------------------------------------


@app.route("/technicians", methods=["GET"])
def list_technicians() -> Response:
    technicians = people.list_technicians(app.principal(), dispatch())
    return json_response({"technicians": [s.technician_view(t) for t in technicians]})


@app.route("/technicians", methods=["POST"])
def add_technician() -> Response:
    principal = app.principal()
    body = parse_body(app.request(), s.NewTechnicianIn)
    technician = body.to_technician(principal.tenant_id, body.technician_id)
    return json_response(
        s.technician_view(people.put_technician(technician, principal, dispatch())), status=201
    )


@app.route("/technicians/{technician_id}", methods=["GET"])
def get_technician(technician_id: str) -> Response:
    return json_response(s.technician_view(people.get_technician(technician_id, app.principal(), dispatch())))


@app.route("/technicians/{technician_id}", methods=["PUT"])
def put_technician(technician_id: str) -> Response:
    principal = app.principal()
    body = parse_body(app.request(), s.TechnicianIn)
    technician = body.to_technician(principal.tenant_id, technician_id)
    return json_response(s.technician_view(people.put_technician(technician, principal, dispatch())))


@app.route("/technicians/{technician_id}/schedule", methods=["GET"])
def get_schedule(technician_id: str) -> Response:
    request = app.request()
    first = parse_day(query_param(request, "from"), "from")
    last = parse_day(query_param(request, "to"), "to")
    days = people.technician_days(technician_id, first, last, app.principal(), dispatch())
    return json_response({"technician_id": technician_id, "days": [s.booked_view(d) for d in days]})


@app.route("/technicians/{technician_id}/days/{date}/optimize", methods=["POST"])
def optimize_day(technician_id: str, date: str) -> Response:
    result = dayroute.optimize_day(technician_id, parse_day(date), app.principal(), dispatch())
    return json_response(s.day_optimized_view(result))


@app.route(SHIFTS, methods=["GET"])
def list_shifts(technician_id: str) -> Response:
    request = app.request()
    first = parse_day(query_param(request, "from"), "from")
    last = parse_day(query_param(request, "to"), "to")
    days = people.technician_shifts(technician_id, first, last, app.principal(), dispatch())
    return json_response({"technician_id": technician_id, "days": [s.shifts_view(d) for d in days]})


@app.route(SHIFTS, methods=["POST"])
def add_shift(technician_id: str) -> Response:
    body = parse_body(app.request(), s.ShiftIn)
    shift = timeline.add_shift(technician_id, body.to_shift(), app.principal(), dispatch())
    return json_response(s.shift_view(shift), status=201)


@app.route(SHIFTS + "/{date}/{shift_id}", methods=["DELETE"])
def delete_shift(technician_id: str, date: str, shift_id: str) -> Response:
    timeline.delete_shift(technician_id, parse_day(date), shift_id, app.principal(), dispatch())
    return Response(body="", status_code=204)


@app.route(EVENTS_OF, methods=["POST"])
def add_event(technician_id: str) -> Response:
    body = parse_body(app.request(), s.NonJobEventIn)
    event = timeline.add_event(technician_id, body.to_event(), body.force, app.principal(), dispatch())
    return json_response(s.event_view(event), status=201)


@app.route(EVENT, methods=["GET"])
def get_event(technician_id: str, date: str, event_id: str) -> Response:
    event = timeline.get_event(technician_id, parse_day(date), event_id, app.principal(), dispatch())
    return json_response(s.event_view(event))


@app.route(EVENT, methods=["PUT"])
def edit_event(technician_id: str, date: str, event_id: str) -> Response:
    body = parse_body(app.request(), s.NonJobEventIn)
    draft = body.to_event(event_id)
    event = timeline.edit_event(
        technician_id, parse_day(date), draft, body.force, app.principal(), dispatch()
    )
    return json_response(s.event_view(event))


@app.route(EVENT + "/complete", methods=["POST"])
def complete_event(technician_id: str, date: str, event_id: str) -> Response:
    event = timeline.complete_event(technician_id, parse_day(date), event_id, app.principal(), dispatch())
    return json_response(s.event_view(event))


@app.route(EVENT, methods=["DELETE"])
def delete_event(technician_id: str, date: str, event_id: str) -> Response:
    timeline.delete_event(technician_id, parse_day(date), event_id, app.principal(), dispatch())
    return Response(body="", status_code=204)


@app.route("/technicians/{technician_id}/messages", methods=["POST"])
def message_technician(technician_id: str) -> Response:
    body = parse_body(app.request(), s.MessageIn)
    message_id = people.message((technician_id,), body.text, False, app.principal(), dispatch())
    return json_response({"message_id": message_id}, status=202)


@app.route("/announcements", methods=["POST"])
def announce() -> Response:
    body = parse_body(app.request(), s.AnnouncementIn)
    message_id = people.message(tuple(body.technician_ids), body.text, True, app.principal(), dispatch())
    return json_response({"message_id": message_id}, status=202)


# -- crews ---------------------------------------------------------------------------------------


@app.route("/crews", methods=["GET"])
def list_crews() -> Response:
    return json_response({"crews": [s.crew_view(c) for c in crews.list_crews(app.principal(), dispatch())]})


@app.route("/crews", methods=["POST"])
def create_crew() -> Response:
    body = parse_body(app.request(), s.CrewIn)
    members = tuple(m.to_member() for m in body.members)
    return json_response(
        s.crew_view(crews.create_crew(body.name, members, app.principal(), dispatch())), status=201
    )


@app.route("/crews/{crew_id}/members", methods=["POST"])
def add_crew_member(crew_id: str) -> Response:
    body = parse_body(app.request(), s.CrewMemberIn)
    crew = crews.add_member(crew_id, body.technician_id, body.kind, app.principal(), dispatch())
    return json_response(s.crew_view(crew))


@app.route("/crews/{crew_id}/members/{technician_id}", methods=["DELETE"])
def remove_crew_member(crew_id: str, technician_id: str) -> Response:
    return json_response(
        s.crew_view(crews.remove_member(crew_id, technician_id, app.principal(), dispatch()))
    )


# -- users (admin) ---------------------------------------------------------------------------------


@app.route("/users", methods=["GET"])
def list_users() -> Response:
    return json_response({"users": [s.user_view(u) for u in users.list_users(app.principal(), dispatch())]})


@app.route("/users/{user_id}/deactivate", methods=["POST"])
def deactivate_user(user_id: str) -> Response:
    user = users.set_status(user_id, UserStatus.DEACTIVATED, app.principal(), dispatch())
    return json_response(s.user_view(user))


@app.route("/users/{user_id}/reactivate", methods=["POST"])
def reactivate_user(user_id: str) -> Response:
    user = users.set_status(user_id, UserStatus.ACTIVE, app.principal(), dispatch())
    return json_response(s.user_view(user))


# -- event handlers --------------------------------------------------------------------------------


@app.on_sqs_message(
    queue_arn=os.environ[EVENTS.arn_env_var], batch_size=EVENTS.batch_size, name=EVENTS.handler
)
def on_event(event: SQSEvent) -> PartialItemFailureResponse:
    return dispatch().consumer(event.to_dict(), event.context)


@app.on_sqs_message(queue_arn=os.environ[RUNS.arn_env_var], batch_size=RUNS.batch_size, name=RUNS.handler)
def on_run_request(event: SQSEvent) -> PartialItemFailureResponse:
    return dispatch().runs(event.to_dict(), event.context)


@app.schedule(f"rate({AUTO.rate_minutes} minutes)", name=AUTO.handler)
def auto_dispatch(event: CloudWatchEvent) -> dict[str, int]:
    return {"requested": auto.request_all(dispatch())}


@app.on_dynamodb_record(
    stream_arn=os.environ[CORE.stream_env_var], batch_size=RELAY.batch_size, name=RELAY.handler
)
def relay_outbox(event: DynamoDBEvent) -> PartialItemFailureResponse:
    return dispatch().relay(event.to_dict(), event.context)
