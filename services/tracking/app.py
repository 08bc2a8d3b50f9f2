"""Truckroll tracking service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/tracking."""

from truckroll.web import ServiceApp

app = ServiceApp("tracking")
jwt_auth = app.jwt_auth
