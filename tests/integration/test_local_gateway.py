"""The local gateway: the four apps under their base paths, API Gateway's auth answers as problems,
the issuer's endpoints, health and static pages."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from chalice.app import AuthRequest, AuthResponse, Chalice

from truckroll.auth import Principal, Role, TokenVerifier
from truckroll.config import AuthSettings
from truckroll.resources import RESOURCES, SERVICES
from truckroll.web import ServiceApp, json_response
from truckroll.web.access import STAFF
from truckroll_local.gateway import Gateway, GatewayServer, StorageProxy
from truckroll_local.issuer import LocalIssuer
from truckroll_local.responses import HttpResponse
from truckroll_local.stack import LocalStack

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Probe:
    """A gateway of its own, sharing the stack's issuer, serving two test apps over HTTP:
    ``/probe`` (protected by our JWT authorizer) and ``/denied`` (an authorizer that denies)."""

    gateway: Gateway
    base_url: str

    def request(self, method: str, path: str, headers: dict[str, str] | None = None) -> HttpResponse:
        return self.gateway.handle(method, path, headers or {}, None)


@pytest.fixture(scope="module")
def probe(local_stack: LocalStack) -> Iterator[Probe]:
    app = ServiceApp("probe", access={("GET", "/whoami"): STAFF})

    @app.route("/whoami", methods=["GET"])
    def whoami() -> Any:
        principal = app.principal()
        return json_response({"sub": principal.sub, "tenant_id": principal.tenant_id, "role": principal.role})

    denied = Chalice("denied")

    @denied.authorizer()
    def deny_all(auth_request: AuthRequest) -> AuthResponse:
        return AuthResponse(routes=[], principal_id="nobody")

    @denied.route("/secret", authorizer=deny_all)
    def secret() -> dict[str, str]:
        return {"secret": "never"}

    gateway = Gateway(local_stack.issuer, local_stack.health, local_stack.web_root)
    gateway.mount("probe", app)
    gateway.mount("denied", denied)
    server = GatewayServer("127.0.0.1", 0)
    server.attach(gateway)
    try:
        yield Probe(gateway, f"http://127.0.0.1:{server.port}")
    finally:
        server.close()


def _assert_problem(response: HttpResponse, status: int) -> dict[str, Any]:
    assert response.status == status
    assert response.header("Content-Type") == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://")
    assert body["title"]
    assert body["detail"]
    return body


def test_every_service_answers_its_health_through_its_base_path(local_stack: LocalStack) -> None:
    for service in SERVICES:
        response = local_stack.request("GET", f"/{service}/health")
        assert response.status == 200
        assert response.json() == {"service": service, "status": "ok"}


def test_health_reports_every_part(local_stack: LocalStack) -> None:
    response = local_stack.request("GET", "/health")
    report = response.json()
    checks = report["checks"]
    assert response.status == (200 if report["status"] == "ok" else 503)
    assert checks["moto"]["ok"] is True
    assert {name: c["ok"] for name, c in checks["services"].items()} == dict.fromkeys(SERVICES, True)
    expected_pumps = {f"sqs:{q.name}" for q in RESOURCES.queues} | {
        f"stream:{c.table}:{c.consumer}" for c in RESOURCES.stream_consumers
    }
    assert set(checks["pumps"]) == expected_pumps
    assert all(p["last_error"] is None for p in checks["pumps"].values())
    assert "ok" in checks["ticker"]


def test_jwks_is_served_and_dev_tokens_verify_with_the_functions_verifier(local_stack: LocalStack) -> None:
    stack = local_stack
    jwks = stack.request("GET", "/auth/.well-known/jwks.json").json()
    issued = stack.request("GET", "/auth/dev-token?user=tech-1@demo&ttl=600").json()

    assert issued["token_type"] == "Bearer"
    assert issued["expires_in"] == 600
    verifier = TokenVerifier(AuthSettings(f"{stack.base_url}/auth", "truckroll", None, json.dumps(jwks)))
    assert verifier.verify(issued["access_token"]) == Principal("tech-1@demo", "demo", Role.TECHNICIAN)


def test_seeded_users_span_two_tenants_and_every_role(local_stack: LocalStack) -> None:
    users = local_stack.request("GET", "/auth/users").json()["users"]
    assert {u["tenant_id"] for u in users} == {"demo", "acme"}
    assert {u["role"] for u in users if u["tenant_id"] == "demo"} == {r.value for r in Role}
    assert {"tech-1@demo", "tech-2@demo", "tech-3@demo"} <= {u["username"] for u in users}


@pytest.mark.parametrize(
    ("query", "status"),
    [("user=nobody@demo", 404), ("user=dispatcher@demo&ttl=0", 422), ("user=dispatcher@demo&ttl=x", 422)],
)
def test_dev_token_refuses_unknown_users_and_bad_lifetimes(
    local_stack: LocalStack, query: str, status: int
) -> None:
    _assert_problem(local_stack.request("GET", f"/auth/dev-token?{query}"), status)


def test_a_valid_token_reaches_the_view_with_its_principal(local_stack: LocalStack, probe: Probe) -> None:
    response = probe.request("GET", "/probe/whoami", local_stack.auth_headers("dispatcher@acme"))
    assert response.status == 200
    assert response.json() == {"sub": "dispatcher@acme", "tenant_id": "acme", "role": "dispatcher"}


def _other_key_token(stack: LocalStack) -> str:
    return LocalIssuer(stack.issuer.issuer_url).token_for("dispatcher@demo")


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no-header"),
        pytest.param(lambda s: f"Bearer {s.token(ttl_seconds=-120)}", id="expired"),
        pytest.param(lambda s: f"Bearer {_other_key_token(s)}", id="other-key"),
        pytest.param(lambda s: f"Basic {s.token()}", id="not-bearer"),
        pytest.param(lambda s: "Bearer not.a.jwt", id="garbage"),
    ],
)
def test_requests_without_a_valid_token_get_401_problems(
    local_stack: LocalStack, probe: Probe, authorization: Callable[[LocalStack], str] | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization(local_stack)}
    response = probe.request("GET", "/probe/whoami", headers)
    body = _assert_problem(response, 401)
    assert body["title"] == "Unauthorized"
    assert (response.header("WWW-Authenticate") or "").startswith("Bearer ")


def test_an_authorizer_deny_is_a_403_problem(probe: Probe) -> None:
    _assert_problem(probe.request("GET", "/denied/secret", {"Authorization": "anything"}), 403)


def test_unknown_routes_are_404_and_wrong_methods_405_problems(local_stack: LocalStack, probe: Probe) -> None:
    _assert_problem(probe.request("GET", "/probe/nowhere", local_stack.auth_headers()), 404)
    _assert_problem(local_stack.request("GET", "/nowhere/at/all"), 404)
    response = probe.request("DELETE", "/probe/whoami", local_stack.auth_headers())
    _assert_problem(response, 405)
    assert response.header("Allow") == "GET"
    for method in ("TRACE", "QUERY"):
        odd = requests.request(method, f"{probe.base_url}/probe/whoami", timeout=10)
        assert (odd.status_code, odd.headers["Allow"]) == (405, "GET")
        assert odd.headers["Content-Type"] == "application/problem+json"


def test_the_http_server_serves_concurrent_requests_each_with_its_own_principal(
    local_stack: LocalStack, probe: Probe
) -> None:
    users = [u.username for u in local_stack.issuer.users] * 3

    def whoami(username: str) -> str:
        headers = {"Authorization": f"Bearer {local_stack.token(username)}"}
        response = requests.get(f"{probe.base_url}/probe/whoami", headers=headers, timeout=10)
        assert response.status_code == 200
        return str(response.json()["sub"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(whoami, users)) == users

    unauthorized = requests.get(f"{probe.base_url}/probe/whoami", timeout=10)
    assert unauthorized.status_code == 401
    assert unauthorized.headers["Content-Type"] == "application/problem+json"


def test_every_answer_over_http_says_how_long_the_stack_took(probe: Probe) -> None:
    for path in ("/probe/whoami", "/nowhere", "/health"):
        timing = requests.get(f"{probe.base_url}{path}", timeout=10).headers["Server-Timing"]
        name, duration = timing.split(";dur=")
        assert name == "app"
        assert float(duration) >= 0


def test_static_pages_are_served_from_the_web_root_only(tmp_path: Path) -> None:
    web = tmp_path / "web"
    (web / "board").mkdir(parents=True)
    (web / "board" / "index.html").write_text("<h1>Board</h1>")
    (web / "app.js").write_text("console.log('hi')")
    (tmp_path / "secret.txt").write_text("nope")
    gateway = Gateway(LocalIssuer("http://127.0.0.1:1/auth"), lambda: {"status": "ok"}, web)

    page = gateway.handle("GET", "/web/board/", {}, None)
    assert (page.status, page.text) == (200, "<h1>Board</h1>")
    assert page.header("Content-Type") == "text/html"
    script = gateway.handle("GET", "/web/app.js", {}, None)
    assert script.header("Content-Type") == "text/javascript"
    _assert_problem(gateway.handle("GET", "/web/../secret.txt", {}, None), 404)
    _assert_problem(gateway.handle("GET", "/web/missing.css", {}, None), 404)
    index = gateway.handle("GET", "/", {}, None)
    assert index.status == 200
    assert "/health" in index.text


def test_the_embedded_s3_is_served_under_s3_and_its_absence_is_a_problem(
    local_stack: LocalStack, tmp_path: Path
) -> None:
    bucket = local_stack.environment[RESOURCES.buckets[0].env_var]
    listing = local_stack.request("GET", f"/s3/{bucket}?list-type=2")  # moto answers without a signature
    assert listing.status == 200
    assert bucket in listing.text
    assert listing.header("Content-Type") is not None
    unreachable = Gateway(
        LocalIssuer("http://127.0.0.1:1/auth"),
        lambda: {"status": "ok"},
        tmp_path,
        StorageProxy("http://127.0.0.1:1"),
    )
    _assert_problem(unreachable.handle("GET", f"/s3/{bucket}/key", {}, None), 502)
    without = Gateway(LocalIssuer("http://127.0.0.1:1/auth"), lambda: {"status": "ok"}, tmp_path)
    _assert_problem(without.handle("GET", f"/s3/{bucket}/key", {}, None), 404)


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/web/", "text/html"),
        ("/web/board.html", "text/html"),
        ("/web/tech.html", "text/html"),
        ("/web/track.html", "text/html"),
        ("/web/js/board.js", "text/javascript"),
        ("/web/css/app.css", "text/css"),
        ("/web/sw.js", "text/javascript"),
        ("/web/manifest.json", "application/json"),
        ("/web/icon.svg", "image/svg+xml"),
    ],
)
def test_the_web_pages_are_public_while_the_apis_they_call_are_not(
    local_stack: LocalStack, path: str, content_type: str
) -> None:
    page = local_stack.request("GET", path)
    assert (page.status, page.header("Content-Type")) == (200, content_type)
    _assert_problem(local_stack.request("GET", "/dispatch/board?date=2026-11-24"), 401)


def test_a_browser_opening_a_tracking_link_gets_the_tracking_page(local_stack: LocalStack) -> None:
    browser = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = local_stack.request("GET", "/tracking/links/unknown-token", browser)
    assert (page.status, page.header("Content-Type")) == (200, "text/html")
    assert "/web/js/track.js" in page.text
    for accept in ({"Accept": "application/json"}, {"accept": "*/*"}, {}):
        _assert_problem(local_stack.request("GET", "/tracking/links/unknown-token", accept), 404)
    post = local_stack.request("POST", "/tracking/links/unknown-token", browser)
    assert post.status == 405
