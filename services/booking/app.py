"""Truckroll booking service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/booking."""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import TypeVar

from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from chalice.app import DynamoDBEvent, Response
from chalicelib.booking import agreements, customers, leads, online, projects, reserve, settings, use_cases
from chalicelib.booking import lead_schemas as ls
from chalicelib.booking import online_schemas as os_
from chalicelib.booking import reserve_schemas as rs
from chalicelib.booking import schemas as s
from chalicelib.booking.bootstrap import SERVICE, Booking, bootstrap
from pydantic import BaseModel

from truckroll.domain.leads import IncomingLead
from truckroll.resources import CORE, RESOURCES
from truckroll.web import ServiceApp, json_response, parse_body, query_param

app = ServiceApp(SERVICE)
M = TypeVar("M", bound=BaseModel)
jwt_auth = app.jwt_auth

RELAY = next(c for c in RESOURCES.stream_consumers if c.consumer == SERVICE and c.handler == "relay_outbox")


@cache
def booking() -> Booking:
    return bootstrap()


def once(tenant_id: str, respond: Callable[[], Response]) -> Response:
    """``respond()`` once per Idempotency-Key of the tenant (the key is optional)."""
    return booking().idempotent(tenant_id, app.request(), respond, app.lambda_context)


@app.route("/jobs", methods=["POST"])
def book_job() -> Response:
    principal = app.principal()
    request = parse_body(app.request(), s.BookJobRequest)

    def book() -> Response:
        booked = use_cases.book_job(request.to_command(), principal, booking())
        return json_response(s.booked_view(booked), status=201)

    return once(principal.tenant_id, book)


@app.route("/jobs/{job_id}/follow-ups", methods=["POST"])
def book_follow_up(job_id: str) -> Response:
    principal = app.principal()
    body = parse_body(app.request(), s.FollowUpIn)

    def book() -> Response:
        booked = use_cases.book_follow_up(job_id, body.to_follow_up(), principal, booking())
        return json_response(s.booked_view(booked), status=201)

    return once(principal.tenant_id, book)


@app.route("/jobs/{job_id}", methods=["GET"])
def get_job(job_id: str) -> Response:
    return json_response(s.job_view(use_cases.get_job(job_id, app.principal(), booking())))


@app.route("/projects", methods=["POST"])
def create_project() -> Response:
    principal = app.principal()
    body = parse_body(app.request(), s.NewProjectIn)

    def create() -> Response:
        project = projects.create_project(body.customer_id, body.name, principal, booking())
        return json_response(s.project_view(project, []), status=201)

    return once(principal.tenant_id, create)


@app.route("/projects/{project_id}", methods=["GET"])
def get_project(project_id: str) -> Response:
    return json_response(s.project_view(*projects.get_project(project_id, app.principal(), booking())))


@app.route("/agreement-visits", methods=["POST"])
def book_agreement_visits() -> Response:
    principal = app.principal()
    body = parse_body(app.request(), s.AgreementVisitsIn)
    commands = body.to_commands()

    def book() -> Response:
        outcomes = agreements.book_agreement_visits(
            body.agreement, commands, body.confirm, principal, booking()
        )
        return json_response({"results": [s.outcome_view(o) for o in outcomes]})

    return once(principal.tenant_id, book)


# -- customers and locations ---------------------------------------------------------------------


@app.route("/customers", methods=["POST"])
def create_customer() -> Response:
    principal = app.principal()
    body = parse_body(app.request(), s.NewCustomerRequest)

    def create() -> Response:
        record = customers.create_customer(body.to_new(), body.to_locations(), principal, booking())
        return json_response(s.record_view(record), status=201)

    return once(principal.tenant_id, create)


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
    principal = app.principal()
    body = parse_body(app.request(), s.LocationIn)

    def add() -> Response:
        location = customers.add_location(customer_id, body.to_new(), principal, booking())
        return json_response(s.location_view(location), status=201)

    return once(principal.tenant_id, add)


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


# -- the leads inbox -------------------------------------------------------------------------------


@app.route("/leads", methods=["GET"])
def get_leads() -> Response:
    status = ls.status_of(query_param(app.request(), "status", required=False))
    found = leads.inbox(status, app.principal(), booking())
    return json_response({"leads": [ls.lead_view(lead) for lead in found]})


@app.route("/leads/{lead_id}", methods=["GET"])
def get_lead(lead_id: str) -> Response:
    return json_response(ls.lead_view(leads.get_lead(lead_id, app.principal(), booking())))


@app.route("/leads/{lead_id}/accept", methods=["POST"])
def accept_lead(lead_id: str) -> Response:
    principal = app.principal()
    body = parse_body(app.request(), ls.AcceptLeadIn)

    def accept() -> Response:
        lead, job = leads.accept_lead(lead_id, body.to_command(), principal, booking())
        return json_response({"lead": ls.lead_view(lead), "job": s.job_view(job)}, status=201)

    return once(principal.tenant_id, accept)


@app.route("/leads/{lead_id}/decline", methods=["POST"])
def decline_lead(lead_id: str) -> Response:
    principal = app.principal()
    body = parse_body(app.request(), ls.DeclineLeadIn)

    def decline() -> Response:
        return json_response(ls.lead_view(leads.decline_lead(lead_id, body.reason, principal, booking())))

    return once(principal.tenant_id, decline)


@app.route("/lead-receivers", methods=["GET"])
def get_receivers() -> Response:
    return json_response(ls.receivers_view(leads.get_receivers(app.principal(), booking())))


@app.route("/lead-receivers", methods=["PUT"])
def put_receivers() -> Response:
    body = parse_body(app.request(), ls.ReceiversIn)
    stored = leads.set_receivers(body.to_credentials(), app.principal(), booking())
    return json_response(ls.receivers_view(stored))


# -- lead receivers: public, each provider proves it speaks for the tenant -------------------------


def _intake(tenant_id: str, proof: leads.Proof, read: Callable[[], IncomingLead]) -> Response:
    """Admit the delivery (the provider's proof), then receive it once per Idempotency-Key."""
    receipt = leads.admit(tenant_id, proof, booking())

    def receive() -> Response:
        return json_response(ls.received_view(leads.receive_lead(tenant_id, receipt, read, booking())))

    return once(tenant_id, receive)


@app.route("/intake/thumbtack/{tenant_id}", methods=["POST"])
def thumbtack_lead(tenant_id: str) -> Response:
    request = app.request()
    proof = leads.BasicCredentials(request.headers.get("authorization"))
    return _intake(tenant_id, proof, lambda: parse_body(request, ls.ThumbtackWebhook).to_incoming())


@app.route("/intake/angi/{tenant_id}", methods=["POST"])
def angi_lead(tenant_id: str) -> Response:
    request = app.request()
    proof = leads.ApiKey(request.headers.get("x-api-key"))
    return _intake(tenant_id, proof, lambda: parse_body(request, ls.AngiLead).to_incoming())


@app.route("/intake/google/{tenant_id}", methods=["POST"])
def google_lead(tenant_id: str) -> Response:
    body = ls.json_object(ls.body_bytes(app.request().raw_body))
    proof = leads.GoogleKey(body.get("google_key"))
    return _intake(tenant_id, proof, lambda: ls.validated(ls.GoogleLead, body).to_incoming())


@app.route("/intake/webhook/{tenant_id}", methods=["POST"])
def webhook_lead(tenant_id: str) -> Response:
    request = app.request()
    h = request.headers
    raw = ls.body_bytes(request.raw_body)
    proof = leads.StandardWebhook(
        h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature"), raw
    )
    return _intake(tenant_id, proof, lambda: parse_body(request, ls.WebhookLead).to_incoming())


# -- online self-booking: public, rate limited per tenant and client --------------------------------


def client_of() -> str:
    """Who is asking, for rate limits: the caller's address as the gateway saw it."""
    identity = app.request().context.get("identity") or {}
    return str(identity.get("sourceIp") or "unknown")


@app.route("/online/{tenant_id}/availability", methods=["GET"])
def online_availability(tenant_id: str) -> Response:
    request = app.request()
    service = query_param(request, "service") or ""
    day = os_.parse_day(query_param(request, "date"))
    offer, slots = online.availability(tenant_id, client_of(), service, day, booking())
    return json_response(os_.availability_view(offer, day, slots))


@app.route("/online/{tenant_id}/bookings", methods=["POST"])
def online_booking(tenant_id: str) -> Response:
    body = parse_body(app.request(), os_.OnlineBookingIn)
    client = client_of()

    def book() -> Response:
        _, job = online.book_online(tenant_id, client, body.service, body.to_booking(), booking())
        return json_response(os_.online_booked_view(job), status=201)

    return once(tenant_id, book)


# -- Reserve with Google's booking server (API v3): public, HTTP Basic per tenant -----------------

RWG = "/rwg/{tenant_id}/v3"


def _admitted(tenant_id: str, model: type[M]) -> M:
    """Google's HTTP Basic credentials for this tenant first (401 otherwise), then the body."""
    request = app.request()
    reserve.admit(tenant_id, request.headers.get("authorization"), booking())
    return parse_body(request, model)


@app.route(RWG + "/HealthCheck", methods=["GET"])
def rwg_health(tenant_id: str) -> Response:
    reserve.admit(tenant_id, app.request().headers.get("authorization"), booking())
    return json_response({})


@app.route(RWG + "/BatchAvailabilityLookup", methods=["POST"])
def rwg_batch_availability(tenant_id: str) -> Response:
    body = _admitted(tenant_id, rs.BatchAvailabilityLookupIn)

    def answer() -> Response:
        slots = [s.ref() for s in body.slot_time]
        found = reserve.batch_availability(tenant_id, body.merchant_id, slots, booking())
        return json_response(rs.availability_view(body, found))

    return once(tenant_id, answer)


@app.route(RWG + "/CheckAvailability", methods=["POST"])
def rwg_check_availability(tenant_id: str) -> Response:
    body = _admitted(tenant_id, rs.CheckAvailabilityIn)
    slot = body.slot

    def answer() -> Response:
        count = reserve.check_availability(tenant_id, slot.merchant_id, slot.ref(), booking())
        return json_response({"slot": rs.slot_view(slot.merchant_id, slot.ref()), "count_available": count})

    return once(tenant_id, answer)


@app.route(RWG + "/CreateBooking", methods=["POST"])
def rwg_create_booking(tenant_id: str) -> Response:
    body = _admitted(tenant_id, rs.CreateBookingIn)

    def answer() -> Response:
        try:
            request = body.to_request()
            reservation = reserve.create_booking(tenant_id, body.slot.merchant_id, request, booking())
        except reserve.BookingFailure as failure:
            return json_response(rs.failure_view(failure.cause, failure.detail))
        return json_response({"booking": rs.booking_view(reservation, "CONFIRMED")})

    return once(tenant_id, answer)


@app.route(RWG + "/UpdateBooking", methods=["POST"])
def rwg_update_booking(tenant_id: str) -> Response:
    body = _admitted(tenant_id, rs.UpdateBookingIn)

    def answer() -> Response:
        try:
            reservation, status = reserve.update_booking(tenant_id, body.to_request(), booking())
        except reserve.BookingFailure as failure:
            return json_response(rs.failure_view(failure.cause, failure.detail))
        return json_response({"booking": rs.booking_view(reservation, status)})

    return once(tenant_id, answer)


@app.route(RWG + "/GetBookingStatus", methods=["POST"])
def rwg_booking_status(tenant_id: str) -> Response:
    body = _admitted(tenant_id, rs.GetBookingStatusIn)

    def answer() -> Response:
        reservation, status = reserve.booking_status(tenant_id, body.booking_id, booking())
        return json_response(rs.status_view(reservation, status))

    return once(tenant_id, answer)


@app.route(RWG + "/ListBookings", methods=["POST"])
def rwg_list_bookings(tenant_id: str) -> Response:
    body = _admitted(tenant_id, rs.ListBookingsIn)

    def answer() -> Response:
        found = reserve.list_bookings(tenant_id, body.user_id, booking())
        return json_response({"bookings": [rs.booking_view(r, status) for r, status in found]})

    return once(tenant_id, answer)


@app.on_dynamodb_record(
    stream_arn=os.environ[CORE.stream_env_var], batch_size=RELAY.batch_size, name=RELAY.handler
)
def relay_outbox(event: DynamoDBEvent) -> PartialItemFailureResponse:
    return booking().relay(event.to_dict(), event.context)
