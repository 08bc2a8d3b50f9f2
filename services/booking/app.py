"""Truckroll booking service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/booking."""

from truckroll.web import ServiceApp

app = ServiceApp("booking")
jwt_auth = app.jwt_auth
