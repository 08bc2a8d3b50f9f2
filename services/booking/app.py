"""Truckroll booking service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/booking."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from chalice.app import DynamoDBEvent, Response
from chalicelib.booking import use_cases
from chalicelib.booking.bootstrap import SERVICE, Booking, bootstrap
from chalicelib.booking.schemas import BookJobRequest, booked_view, job_view

from truckroll.resources import CORE, RESOURCES
from truckroll.web import ServiceApp, json_response, parse_body

app = ServiceApp(SERVICE)
jwt_auth = app.jwt_auth

RELAY = next(c for c in RESOURCES.stream_consumers if c.consumer == SERVICE and c.handler == "relay_outbox")


@cache
def booking() -> Booking:
    return bootstrap()


@app.route("/jobs", methods=["POST"])
def book_job() -> Response:
    request = parse_body(app.request(), BookJobRequest)
    booked = use_cases.book_job(request.to_command(), app.principal(), booking())
    return json_response(booked_view(booked), status=201)


@app.route("/jobs/{job_id}", methods=["GET"])
def get_job(job_id: str) -> Response:
    return json_response(job_view(use_cases.get_job(job_id, app.principal(), booking())))


@app.on_dynamodb_record(
    stream_arn=os.environ[CORE.stream_env_var], batch_size=RELAY.batch_size, name=RELAY.handler
)
def relay_outbox(event: DynamoDBEvent) -> PartialItemFailureResponse:
    return booking().relay(event.to_dict(), event.context)
