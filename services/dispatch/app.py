"""Truckroll dispatch service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/dispatch."""

from __future__ import annotations

import os
from functools import cache

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from chalice.app import Response, SQSEvent
from chalicelib.dispatch.board import board_day, board_view, parse_day
from chalicelib.dispatch.bootstrap import SERVICE, Dispatch, bootstrap

from truckroll.resources import RESOURCES
from truckroll.web import ServiceApp, json_response, query_param

app = ServiceApp(SERVICE)
jwt_auth = app.jwt_auth

EVENTS = next(q for q in RESOURCES.queues if q.consumer == SERVICE and q.handler == "on_event")


@cache
def dispatch() -> Dispatch:
    return bootstrap()


@app.route("/board", methods=["GET"])
def get_board() -> Response:
    day = parse_day(query_param(app.request(), "date"))
    return json_response(board_view(board_day(day, app.principal(), dispatch().board)))


@app.on_sqs_message(
    queue_arn=os.environ[EVENTS.arn_env_var], batch_size=EVENTS.batch_size, name=EVENTS.handler
)
def on_event(event: SQSEvent) -> PartialItemFailureResponse:
    return dispatch().consumer(event.to_dict(), event.context)
