"""Truckroll tracking service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/tracking."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from chalice.app import CloudWatchEvent, DynamoDBEvent, Rate, Response, SQSEvent
from chalicelib.tracking import devices, fixes, kpis, links, positions, progress
from chalicelib.tracking import settings as tracking_settings
from chalicelib.tracking.bootstrap import SERVICE, TrackingService, bootstrap
from chalicelib.tracking.schemas import path_day, path_id

from truckroll.resources import RESOURCES, TRACKING
from truckroll.web import ServiceApp, json_response, parse_body, query_param

app = ServiceApp(SERVICE)
jwt_auth = app.jwt_auth

EVENTS = next(q for q in RESOURCES.queues if q.consumer == SERVICE and q.handler == "on_event")
RELAY = next(c for c in RESOURCES.stream_consumers if c.consumer == SERVICE and c.handler == "relay_outbox")
SWEEP = next(s for s in RESOURCES.schedules if s.consumer == SERVICE and s.handler == "sweep_silent_devices")
DEVICE_KEY_HEADER = "x-device-key"


@cache
def service() -> TrackingService:
    return bootstrap()


@app.route("/fixes", methods=["POST"])
def post_fixes() -> Response:
    body = parse_body(app.request(), fixes.TechnicianBatchIn)
    return json_response(fixes.result_view(fixes.ingest_own(body, app.principal(), service().tracking)))


@app.route("/device-fixes", methods=["POST"])
def post_device_fixes() -> Response:
    request = app.request()
    body = parse_body(request, fixes.BatchIn)
    key = request.headers.get(DEVICE_KEY_HEADER)
    return json_response(fixes.result_view(fixes.ingest_from_device(body, key, service().tracking)))


@app.route("/positions", methods=["GET"])
def get_positions() -> Response:
    return json_response(
        positions.positions_view(positions.latest_positions(app.principal(), service().tracking))
    )


@app.route("/technicians/{technician_id}/track", methods=["GET"])
def get_track(technician_id: str) -> Response:
    request = app.request()
    start = positions.parse_instant("from", query_param(request, "from"))
    end = positions.parse_instant("to", query_param(request, "to"))
    technician_id = path_id("technician_id", technician_id)
    track = positions.track(technician_id, start, end, app.principal(), service().tracking)
    return json_response({"technician_id": technician_id, "fixes": [positions.fix_view(f) for f in track]})


@app.route("/settings", methods=["GET"])
def get_settings() -> Response:
    read = tracking_settings.get_settings(app.principal(), service().tracking)
    return json_response(tracking_settings.settings_view(read))


@app.route("/settings", methods=["PUT"])
def put_settings() -> Response:
    body = parse_body(app.request(), tracking_settings.SettingsIn)
    saved = tracking_settings.put_settings(body, app.principal(), service().tracking)
    return json_response(tracking_settings.settings_view(saved))


@app.route("/devices", methods=["POST"])
def post_device() -> Response:
    body = parse_body(app.request(), devices.DeviceIn)
    registered = devices.register_device(body, app.principal(), service().tracking)
    return json_response(devices.registered_view(registered), status=201)


@app.route("/vehicles/{vehicle_id}/drivers/{day}", methods=["PUT"])
def put_driver(vehicle_id: str, day: str) -> Response:
    vehicle, on = path_id("vehicle_id", vehicle_id), path_day("day", day)
    body = parse_body(app.request(), devices.DriverIn)
    devices.set_driver(vehicle, on, body, app.principal(), service().tracking)
    return json_response({"vehicle_id": vehicle, "day": on.isoformat(), "technician_id": body.technician_id})


@app.route("/appointments/{appointment_id}/links", methods=["POST"])
def post_link(appointment_id: str) -> Response:
    appointment_id = path_id("appointment_id", appointment_id)
    token = links.issue_link(appointment_id, app.principal(), service().links)
    return json_response(links.issued_view(token, appointment_id), status=201)


@app.route("/kpis", methods=["GET"])
def get_kpis() -> Response:
    request = app.request()
    first = path_day("from", query_param(request, "from") or "")
    last = path_day("to", query_param(request, "to") or "")
    return json_response(
        kpis.kpis_view(first, last, kpis.measure(first, last, app.principal(), service().measures))
    )


@app.route("/links/{token}", methods=["GET"])
def get_link(token: str) -> Response:
    return json_response(links.tracked_view(links.open_link(token, service().links)))


@app.on_sqs_message(
    queue_arn=os.environ[EVENTS.arn_env_var], batch_size=EVENTS.batch_size, name=EVENTS.handler
)
def on_event(event: SQSEvent) -> PartialItemFailureResponse:
    return service().consumer(event.to_dict(), event.context)


@app.on_dynamodb_record(
    stream_arn=os.environ[TRACKING.stream_env_var], batch_size=RELAY.batch_size, name=RELAY.handler
)
def relay_outbox(event: DynamoDBEvent) -> PartialItemFailureResponse:
    return service().relay(event.to_dict(), event.context)


@app.schedule(Rate(SWEEP.rate_minutes, unit=Rate.MINUTES), name=SWEEP.handler)
def sweep_silent_devices(event: CloudWatchEvent) -> dict[str, int]:
    return {"flagged": progress.sweep(service().tracking)}
