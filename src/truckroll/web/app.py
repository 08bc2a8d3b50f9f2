"""``ServiceApp``: a Chalice app whose routes are protected unless allow-listed.

- Every route gets the JWT authorizer unless it is in :data:`truckroll.web.public.PUBLIC_ROUTES`;
  the authorizer refuses deactivated users, and each protected view first checks the caller's role
  against the route's entry in :data:`truckroll.web.access.ROUTE_ROLES` (403 otherwise).
- Every view's :class:`~truckroll.errors.TruckrollError` becomes an RFC 9457 problem response; any
  other exception is logged with its stack and answered with a 500 problem that leaks nothing,
  except DynamoDB throttling that outlasted botocore's retries: a 503 problem with Retry-After.
- ``current_request`` and ``lambda_context`` are thread-local, so one process may serve several
  requests at once (the local gateway does; Lambda never does).
"""

from __future__ import annotations

import functools
import json
import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from chalice.app import AuthRequest, AuthResponse, Chalice, Request, Response

from truckroll.auth import Principal, TokenVerifier
from truckroll.config import settings
from truckroll.domain.users import UserDirectory, admit
from truckroll.errors import Forbidden, ServiceUnavailable, TruckrollError, Unauthorized
from truckroll.persistence.throttling import throttled
from truckroll.persistence.users import DynamoUserDirectory
from truckroll.web.access import ROUTE_ROLES, Rule
from truckroll.web.problems import internal_error_response, problem_response
from truckroll.web.public import is_public

logger = logging.getLogger("truckroll.web")

# What a request answers when DynamoDB still throttles after botocore's retries: the refused write
# did not happen, so the client may send the same request again (with the same Idempotency-Key).
THROTTLED_RETRY_AFTER_SECONDS = 2
THROTTLED = ServiceUnavailable(
    "The database is busy; nothing was changed. Send the same request again shortly.",
    retry_after_seconds=THROTTLED_RETRY_AFTER_SECONDS,
)

# The authorizer's mark on a request it let through because DynamoDB throttled the user directory.
DIRECTORY_CONTEXT = "directory"
DIRECTORY_UNAVAILABLE = "unavailable"


class GatewayUnauthorized(Exception):
    """Raised by the authorizer; API Gateway answers 401 only for exactly this message."""

    def __init__(self) -> None:
        super().__init__("Unauthorized")


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        body=json.dumps(body, default=str),
        status_code=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


class ServiceApp(Chalice):
    def __init__(self, service: str, access: Mapping[tuple[str, str], Rule] | None = None) -> None:
        """``access``: the roles of each ``(method, path)``; the service's rows of
        :data:`~truckroll.web.access.ROUTE_ROLES` unless given."""
        self._tls = threading.local()
        super().__init__(app_name=f"truckroll-{service}")
        self.service = service
        self.access = ROUTE_ROLES.get(service, {}) if access is None else access
        self._verifier: TokenVerifier | None = None
        self._directory: UserDirectory | None = None

        def jwt_auth(auth_request: AuthRequest) -> AuthResponse:
            return self._authorize(auth_request)

        # app.py must expose this object as module attribute ``jwt_auth``: it is the authorizer
        # Lambda's handler (``app.jwt_auth``). API Gateway must not cache its answers (a TTL of 0):
        # a deactivated user is refused at their next request, not when a cached "allow" expires.
        self.jwt_auth = self.authorizer(name="jwt_auth", ttl_seconds=0)(jwt_auth)

        @self.route("/health", methods=["GET"])
        def health() -> Response:
            return json_response({"service": service, "status": "ok"})

    # Chalice assigns these per invocation; keep them per thread.
    @property
    def current_request(self) -> Request | None:
        return getattr(self._tls, "request", None)

    @current_request.setter
    def current_request(self, value: Request | None) -> None:
        self._tls.request = value

    @property
    def lambda_context(self) -> Any:
        return getattr(self._tls, "context", None)

    @lambda_context.setter
    def lambda_context(self, value: Any) -> None:
        self._tls.context = value

    def _authorize(self, auth_request: AuthRequest) -> AuthResponse:
        token = auth_request.token or ""
        scheme, _, credentials = token.partition(" ")
        if scheme.lower() != "bearer" or not credentials:
            logger.info("token refused: no Bearer credentials")
            raise GatewayUnauthorized
        if self._verifier is None:
            self._verifier = TokenVerifier(settings().auth)
        try:
            principal = self._verifier.verify(credentials)
        except Unauthorized as error:
            logger.info("token refused: %s", error.detail)
            raise GatewayUnauthorized from error
        context = principal.to_context()
        try:
            admitted = admit(principal, self.directory(), datetime.now(UTC))
        except Exception as error:
            if not throttled(error):
                raise
            # An authorizer can only allow or deny, and a failing one is a 500 at API Gateway: let
            # the request through marked, and the route answers 503 before its view runs.
            logger.warning("DynamoDB throttled the user directory: the request answers 503", exc_info=True)
            context[DIRECTORY_CONTEXT] = DIRECTORY_UNAVAILABLE
            admitted = True
        if not admitted:
            logger.info(
                "token refused: user %s of tenant %s is deactivated", principal.sub, principal.tenant_id
            )
            raise GatewayUnauthorized
        return AuthResponse(routes=["*"], principal_id=principal.sub, context=context)

    def directory(self) -> UserDirectory:
        """The tenant user directory every authorization reads (one GetItem, never cached)."""
        if self._directory is None:
            self._directory = DynamoUserDirectory()
        return self._directory

    def request(self) -> Request:
        """The request being handled (routes only)."""
        request = self.current_request
        if request is None:
            raise RuntimeError("no request is being handled")
        return request

    def principal(self) -> Principal:
        request = self.current_request
        context = (request.context.get("authorizer") if request is not None else None) or {}
        try:
            return Principal.from_context(context)
        except (KeyError, ValueError) as exc:
            raise Unauthorized("request carries no verified principal") from exc

    def _directory_unavailable(self) -> bool:
        """Whether the authorizer let this request through unable to read the user directory."""
        authorizer = self.request().context.get("authorizer") or {}
        return bool(authorizer.get(DIRECTORY_CONTEXT) == DIRECTORY_UNAVAILABLE)

    def _check_role(self, path: str) -> None:
        """The role matrix (:mod:`truckroll.web.access`), before the request is even parsed."""
        method = self.request().method
        role = self.principal().role
        if role not in self.access.get((method, path), frozenset()):
            raise Forbidden(f"the {role.value} role may not {method} {path}")

    def route(self, path: str, **kwargs: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        methods = kwargs.get("methods", ["GET"])
        public = [is_public(self.service, m, path) for m in methods]
        if any(public) and not all(public):
            raise ValueError(f"{path}: public and protected methods must be separate routes")
        protected = not all(public)
        if protected:
            kwargs.setdefault("authorizer", self.jwt_auth)
        register = super().route(path, **kwargs)

        def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(view)
            def guarded(*args: Any, **kw: Any) -> Any:
                try:
                    if protected and self._directory_unavailable():
                        return problem_response(THROTTLED)
                    if protected:
                        self._check_role(path)
                    return view(*args, **kw)
                except TruckrollError as error:
                    return problem_response(error)
                except Exception as error:
                    if throttled(error):
                        logger.warning("DynamoDB throttled %s %s: answered 503", methods, path, exc_info=True)
                        return problem_response(THROTTLED)
                    logger.exception("unhandled error in %s %s", methods, path)
                    context = self.lambda_context
                    return internal_error_response(getattr(context, "aws_request_id", None))

            register(guarded)
            return view

        return decorator
