"""Truckroll notify service: HTTP routes and event handlers. Each handler parses, calls one use case
and maps the result; the use cases live in chalicelib/notify."""

from truckroll.web import ServiceApp

app = ServiceApp("notify")
jwt_auth = app.jwt_auth
