"""Truckroll notify service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/notify."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from chalice.app import CloudWatchEvent, Rate, Response, SQSEvent
from chalicelib.notify import devices, inbound, reminders, templates
from chalicelib.notify import settings as use_cases
from chalicelib.notify.bootstrap import SERVICE, NotifyService, bootstrap

from truckroll.resources import RESOURCES
from truckroll.web import ServiceApp, json_response, parse_body, query_param

app = ServiceApp(SERVICE)
jwt_auth = app.jwt_auth

EVENTS = next(q for q in RESOURCES.queues if q.consumer == SERVICE and q.handler == "on_event")
SWEEP = next(s for s in RESOURCES.schedules if s.consumer == SERVICE and s.handler == "send_due_messages")


@cache
def service() -> NotifyService:
    return bootstrap()


@app.route("/settings", methods=["GET"])
def get_settings() -> Response:
    return json_response(use_cases.settings_view(use_cases.get_settings(app.principal(), service().notify)))


@app.route("/settings", methods=["PUT"])
def put_settings() -> Response:
    body = parse_body(app.request(), use_cases.SettingsIn)
    saved = use_cases.put_settings(body, app.principal(), service().notify)
    return json_response(use_cases.settings_view(saved))


@app.route("/deliveries", methods=["GET"])
def get_deliveries() -> Response:
    request = app.request()
    job_id = query_param(request, "job_id") or ""
    appointment_id = query_param(request, "appointment_id", required=False)
    deliveries = use_cases.job_deliveries(job_id, appointment_id, app.principal(), service().notify)
    return json_response({"job_id": job_id, "deliveries": [use_cases.delivery_view(d) for d in deliveries]})


@app.route("/delivery-health", methods=["GET"])
def get_delivery_health() -> Response:
    return json_response(use_cases.delivery_health(app.principal(), service().notify))


@app.route("/templates", methods=["GET"])
def get_templates() -> Response:
    listed = templates.list_templates(app.principal(), service().notify)
    return json_response({"templates": [templates.template_view(t, text) for t, text in listed.items()]})


@app.route("/templates/{name}", methods=["PUT"])
def put_template(name: str) -> Response:
    body = parse_body(app.request(), templates.TemplateIn)
    saved, text = templates.put_template(name, body, app.principal(), service().notify)
    return json_response(templates.template_view(saved, text))


@app.route("/templates/{name}/preview", methods=["POST"])
def preview_template(name: str) -> Response:
    body = parse_body(app.request(), templates.PreviewIn)
    return json_response(templates.preview(name, body, app.principal(), service().notify))


@app.route("/devices", methods=["POST"])
def post_device() -> Response:
    body = parse_body(app.request(), devices.DeviceIn)
    device = devices.register_device(body, app.principal(), service().notify)
    return json_response(devices.device_view(device), status=201)


# SNS posts its HTTPS notifications as text/plain.
@app.route("/sms/inbound", methods=["POST"], content_types=["text/plain", "application/json"])
def post_inbound_sms() -> Response:
    reply = inbound.receive_sms(app.request().raw_body, service().inbound, service().notify)
    return json_response({"outcome": reply.outcome})


@app.on_sqs_message(
    queue_arn=os.environ[EVENTS.arn_env_var], batch_size=EVENTS.batch_size, name=EVENTS.handler
)
def on_event(event: SQSEvent) -> PartialItemFailureResponse:
    return service().consumer(event.to_dict(), event.context)


@app.schedule(Rate(SWEEP.rate_minutes, unit=Rate.MINUTES), name=SWEEP.handler)
def send_due_messages(event: CloudWatchEvent) -> dict[str, int]:
    return {"handled": reminders.send_due_messages(service().notify)}
