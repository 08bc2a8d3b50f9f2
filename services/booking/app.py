"""Truckroll booking service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/booking."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from chalice.app import DynamoDBEvent, Response
from chalicelib.booking import customers, settings, use_cases
from chalicelib.booking import schemas as s
from chalicelib.booking.bootstrap import SERVICE, Booking, bootstrap

from truckroll.resources import CORE, RESOURCES
from truckroll.web import ServiceApp, json_response, parse_body, query_param

app = ServiceApp(SERVICE)
jwt_auth = app.jwt_auth

RELAY = next(c for c in RESOURCES.stream_consumers if c.consumer == SERVICE and c.handler == "relay_outbox")


@cache
def booking() -> Booking:
    return bootstrap()


@app.route("/jobs", methods=["POST"])
def book_job() -> Response:
    request = parse_body(app.request(), s.BookJobRequest)
    booked = use_cases.book_job(request.to_command(), app.principal(), booking())
    return json_response(s.booked_view(booked), status=201)


@app.route("/jobs/{job_id}", methods=["GET"])
def get_job(job_id: str) -> Response:
    return json_response(s.job_view(use_cases.get_job(job_id, app.principal(), booking())))


# -- customers and locations ---------------------------------------------------------------------


@app.route("/customers", methods=["POST"])
def create_customer() -> Response:
    body = parse_body(app.request(), s.NewCustomerRequest)
    record = customers.create_customer(body.to_new(), body.to_locations(), app.principal(), booking())
    return json_response(s.record_view(record), status=201)


@app.route("/customers", methods=["GET"])
def search_customers() -> Response:
    request = app.request()
    phone = query_param(request, "phone", required=False)
    name = query_param(request, "name", required=False)
    found = customers.search_customers(phone, name, app.principal(), booking())
    return json_response({"customers": [s.match_view(m) for m in found]})


@app.route("/customers/{customer_id}", methods=["GET"])
def get_customer(customer_id: str) -> Response:
    return json_response(s.record_view(customers.get_customer(customer_id, app.principal(), booking())))


@app.route("/customers/{customer_id}", methods=["PUT"])
def replace_customer(customer_id: str) -> Response:
    body = parse_body(app.request(), s.CustomerIn)
    record = customers.replace_customer(customer_id, body.to_new(), app.principal(), booking())
    return json_response(s.record_view(record))


@app.route("/customers/{customer_id}/locations", methods=["POST"])
def add_location(customer_id: str) -> Response:
    body = parse_body(app.request(), s.LocationIn)
    location = customers.add_location(customer_id, body.to_new(), app.principal(), booking())
    return json_response(s.location_view(location), status=201)


@app.route("/customers/{customer_id}/locations/{location_id}", methods=["PUT"])
def replace_location(customer_id: str, location_id: str) -> Response:
    body = parse_body(app.request(), s.LocationIn)
    location = customers.replace_location(customer_id, location_id, body.to_new(), app.principal(), booking())
    return json_response(s.location_view(location))


# -- the tenant's booking settings ---------------------------------------------------------------


@app.route("/settings", methods=["GET"])
def get_settings() -> Response:
    return json_response(s.settings_view(settings.get_settings(app.principal(), booking())))


@app.route("/settings", methods=["PUT"])
def put_settings() -> Response:
    principal = app.principal()
    body = parse_body(app.request(), s.BookingSettingsIn)
    stored = settings.put_settings(body.to_settings(principal.tenant_id), principal, booking())
    return json_response(s.settings_view(stored))


@app.on_dynamodb_record(
    stream_arn=os.environ[CORE.stream_env_var], batch_size=RELAY.batch_size, name=RELAY.handler
)
def relay_outbox(event: DynamoDBEvent) -> PartialItemFailureResponse:
    return booking().relay(event.to_dict(), event.context)
