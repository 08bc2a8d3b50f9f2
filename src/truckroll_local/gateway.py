"""One front door for the local stack, answering the way our API Gateway is configured in AWS.

``/booking/*``, ``/dispatch/*``, ``/notify/*`` and ``/tracking/*`` go to each app through Chalice's
``LocalGateway`` (which runs the built-in JWT authorizer) with the base path stripped. API Gateway's
own answers are RFC 9457 problems, as the gateway responses in infra render them:

- no ``Authorization`` header, or an authorizer failing with exactly ``Unauthorized`` → 401;
- an authorizer that denies → 403; an authorizer that fails otherwise → 500;
- no such route → 404 (API Gateway's "Missing Authentication Token"); a route without that
  method → 405 with ``Allow``.

``/s3/*`` is the embedded S3, on the pages' own origin: presigned URLs for photos are signed for
``{gateway}/s3`` so a browser can PUT and GET them without CORS (in AWS they name S3 itself).

Every answer carries ``Server-Timing: app;dur=...``, the milliseconds the stack took to make it, so a
page's resource timings tell the server's share from the network's and the browser's.

Also served: ``/health``, the issuer under ``/auth/``, the static pages of ``web/`` under ``/web/``
(public: the APIs they call need the token) and a small index at ``/``. A browser opening a
customer's tracking link (``GET /tracking/links/{token}`` asking for HTML) gets the tracking page,
which reads the same URL as JSON.
"""

from __future__ import annotations

import base64
import html
import http.client
import logging
import mimetypes
import threading
import time
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chalice.app import Chalice
from chalice.config import Config
from chalice.local import (
    ForbiddenError,
    InvalidAuthorizerError,
    LocalGateway,
    NotAuthorizedError,
    RouteMatcher,
)

from truckroll_local.issuer import LocalIssuer
from truckroll_local.responses import HttpResponse, json_response, problem

logger = logging.getLogger("truckroll_local.gateway")

API_TIMEOUT_SECONDS = 29  # API Gateway's integration timeout
TRACKING_LINKS = "tracking/links/"
TRACKING_PAGE = "track.html"
STORAGE_PREFIX = "s3"  # the embedded S3 under /s3/
# What a presigned request to S3 carries beyond its query string; everything else stays here.
_STORAGE_REQUEST_HEADERS = ("content-type", "content-md5", "range", "if-none-match", "if-match")
_STORAGE_RESPONSE_HEADERS = ("content-type", "etag", "last-modified", "content-range", "accept-ranges")


def _wants_html(method: str, headers: Mapping[str, str]) -> bool:
    """A browser navigating to the URL (a page's ``fetch`` asks for JSON or anything)."""
    accept = next((v for k, v in headers.items() if k.lower() == "accept"), "")
    return method in ("GET", "HEAD") and "text/html" in accept


def _unauthorized() -> HttpResponse:
    return problem(
        401,
        "Unauthorized",
        "A valid bearer token is required.",
        {"WWW-Authenticate": 'Bearer realm="truckroll"'},
    )


def _from_lambda(response: Mapping[str, Any]) -> HttpResponse:
    """A Lambda proxy-integration response as HTTP."""
    headers = {str(k): str(v) for k, v in (response.get("headers") or {}).items()}
    for name, values in (response.get("multiValueHeaders") or {}).items():
        headers[str(name)] = ", ".join(str(v) for v in values)
    body = response.get("body")
    if body is None:
        raw = b""
    elif response.get("isBase64Encoded"):
        raw = base64.b64decode(body)
    else:
        raw = body.encode() if isinstance(body, str) else bytes(body)
    return HttpResponse(int(response["statusCode"]), headers, raw)


class ServiceEndpoint:
    """One Chalice app behind its base path."""

    def __init__(self, base_path: str, app: Chalice) -> None:
        self.base_path = base_path
        self.app = app
        config = Config(
            chalice_stage="local",
            function_name="api_handler",
            user_provided_params={
                "app_name": app.app_name,
                "lambda_timeout": API_TIMEOUT_SECONDS,
                "lambda_memory_size": 1024,
            },
        )
        self._local = LocalGateway(app, config)
        self._routes = RouteMatcher(list(app.routes))

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes | None
    ) -> HttpResponse:
        try:
            route = self._routes.match_route(target).route
        except ValueError:
            return problem(404, "Not found", f"No route /{self.base_path}{target.partition('?')[0]}.")
        methods = self.app.routes[route]
        if method not in methods and method != "OPTIONS":
            allowed = ", ".join(sorted(methods))
            return problem(405, "Method not allowed", f"{method} is not allowed here.", {"Allow": allowed})
        try:
            response = self._local.handle_request(method, target, dict(headers), body)
        except NotAuthorizedError:
            return _unauthorized()
        except ForbiddenError:
            return problem(403, "Forbidden", "The authorizer denied this request.")
        except InvalidAuthorizerError:
            return problem(500, "Internal error", "The authorizer returned no policy.")
        except Exception as exc:
            if str(exc) == "Unauthorized":
                return _unauthorized()
            logger.exception("authorizer failed on %s %s", method, target)
            return problem(500, "Internal error", "The authorizer failed.")
        return _from_lambda(response)


_INDEX = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Truckroll (local)</title></head>
<body><h1>Truckroll, running locally</h1>
<ul>
<li><a href="/health">/health</a>: every part of the local stack</li>
<li><a href="/web/">/web/</a>: the web pages</li>
<li><a href="/auth/users">/auth/users</a>: seeded users;
<code>/auth/dev-token?user=dispatcher@demo</code> signs a token for one</li>
<li><a href="/auth/.well-known/jwks.json">/auth/.well-known/jwks.json</a>: the issuer's keys</li>
{services}
</ul></body></html>
"""


class StorageProxy:
    """Forwards ``/s3/...`` to the embedded S3 as it came: the presigned query authorizes it."""

    def __init__(self, endpoint: str) -> None:
        parts = urlsplit(endpoint)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes | None
    ) -> HttpResponse:
        sent = {k: v for k, v in headers.items() if k.lower() in _STORAGE_REQUEST_HEADERS}
        connection = http.client.HTTPConnection(self._host, self._port, timeout=API_TIMEOUT_SECONDS)
        try:
            connection.request(method, target, body=body, headers=sent)
            answer = connection.getresponse()
            raw = answer.read()
            kept = {k: v for k, v in answer.getheaders() if k.lower() in _STORAGE_RESPONSE_HEADERS}
            return HttpResponse(answer.status, kept, raw)
        except OSError:
            logger.exception("embedded S3 failed on %s %s", method, target)
            return problem(502, "Bad gateway", "The embedded S3 did not answer.")
        finally:
            connection.close()


class Gateway:
    def __init__(
        self,
        issuer: LocalIssuer,
        health: Callable[[], dict[str, Any]],
        web_root: Path,
        storage: StorageProxy | None = None,
    ) -> None:
        self._issuer = issuer
        self._health = health
        self._web_root = web_root.resolve()
        self._storage = storage
        self._services: dict[str, ServiceEndpoint] = {}

    def mount(self, base_path: str, app: Chalice) -> None:
        """Serve ``app`` under ``/<base_path>``."""
        self._services[base_path] = ServiceEndpoint(base_path, app)

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes | None
    ) -> HttpResponse:
        path, _, query = target.partition("?")
        if path == "/":
            return self._index()
        if path == "/health":
            report = self._health()
            return json_response(report, 200 if report["status"] == "ok" else 503)
        first, _, rest = path[1:].partition("/")
        if first == "auth":
            return self._issuer.handle(method, f"/{rest}", query)
        if first == "web":
            return self._static(rest)
        if first == STORAGE_PREFIX and self._storage is not None:
            return self._storage.handle(method, f"/{rest}" + (f"?{query}" if query else ""), headers, body)
        if path[1:].startswith(TRACKING_LINKS) and _wants_html(method, headers):
            return self._static(TRACKING_PAGE)
        endpoint = self._services.get(first)
        if endpoint is None:
            return problem(404, "Not found", f"Nothing is served at {path}.")
        return endpoint.handle(method, f"/{rest}" + (f"?{query}" if query else ""), headers, body)

    def service_health(self) -> dict[str, dict[str, Any]]:
        """Each app's own ``GET /health``."""
        report: dict[str, dict[str, Any]] = {}
        for name, endpoint in self._services.items():
            response = endpoint.handle("GET", "/health", {}, None)
            report[name] = {"ok": response.status == 200, "status": response.status}
        return report

    def _index(self) -> HttpResponse:
        services = "\n".join(
            f'<li><a href="/{html.escape(n)}/health">/{html.escape(n)}/</a>: {html.escape(n)} API</li>'
            for n in self._services
        )
        body = _INDEX.format(services=services).encode()
        return HttpResponse(200, {"Content-Type": "text/html; charset=utf-8"}, body)

    def _static(self, relative: str) -> HttpResponse:
        target = (self._web_root / relative).resolve()
        if not target.is_relative_to(self._web_root):
            return problem(404, "Not found", "No such page.")
        if target.is_dir():
            target = target / "index.html"
        if not target.is_file():
            return problem(404, "Not found", "No such page.")
        content_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return HttpResponse(
            200, {"Content-Type": content_type, "Cache-Control": "no-cache"}, target.read_bytes()
        )


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: GatewayServer

    def _dispatch(self) -> None:
        started = time.monotonic()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        gateway = self.server.gateway
        try:
            if gateway is None:
                response = problem(
                    503, "Service unavailable", "The local stack is starting.", {"Retry-After": "1"}
                )
            else:
                response = gateway.handle(self.command, self.path, dict(self.headers.items()), body)
        except Exception:
            logger.exception("gateway failed on %s %s", self.command, self.path)
            response = problem(500, "Internal error", "The local gateway failed; see its log.")
        handled_ms = (time.monotonic() - started) * 1000
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Server-Timing", f"app;dur={handled_ms:.1f}")
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info("%s %s %d %.0fms", self.command, self.path, response.status, elapsed_ms)

    def __getattr__(self, name: str) -> Any:
        """Every method (GET, TRACE, QUERY...) goes to the gateway, which answers 405 with ``Allow``
        for one a route lacks, where http.server would send a 501 HTML page."""
        if name.startswith("do_"):
            return self._dispatch
        raise AttributeError(name)

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Requests are logged by :meth:`_dispatch`, with their duration."""

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug(format, *args)


class GatewayServer(ThreadingHTTPServer):
    """Binds and serves at once (the port is known before the apps load, and clients get 503
    while the stack starts); answers through its gateway once :meth:`attach` gives it one."""

    daemon_threads = True
    request_queue_size = 1024  # many clients connect at once (load and race tests); the default is 5

    def __init__(self, host: str, port: int) -> None:
        super().__init__((host, port), _RequestHandler)
        self.gateway: Gateway | None = None
        self._thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.1}, name="gateway", daemon=True
        )
        self._thread.start()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def attach(self, gateway: Gateway) -> None:
        self.gateway = gateway

    def close(self) -> None:
        self.shutdown()
        self._thread.join()
        self.server_close()
