"""The HTTP edge shared by the four Chalice apps: secure-by-default routes, problem+json errors.

This is the only part of the library that imports chalice (Chalice ships its runtime inside every
deployment package). Domain code never imports it.
"""

from truckroll.web.app import ServiceApp, json_response
from truckroll.web.problems import problem_response
from truckroll.web.requests import parse_body, query_param

__all__ = ["ServiceApp", "json_response", "parse_body", "problem_response", "query_param"]
