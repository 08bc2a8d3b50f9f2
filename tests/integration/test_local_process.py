"""``python -m truckroll_local`` starts everything, reports healthy, and Ctrl-C leaves nothing behind.

The services here are stand-ins that declare every handler RESOURCES names, so the test depends
only on the local stack, not on the services' progress.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from truckroll.resources import RESOURCES, SERVICES

pytestmark = pytest.mark.integration


def _stand_in_services(root: Path) -> Path:
    for service in SERVICES:
        handlers = sorted(
            {q.handler for q in RESOURCES.queues if q.consumer == service}
            | {c.handler for c in RESOURCES.stream_consumers if c.consumer == service}
            | {s.handler for s in RESOURCES.schedules if s.consumer == service}
        )
        lines = ["from truckroll.web import ServiceApp", f"app = ServiceApp({service!r})"]
        for handler in handlers:
            lines += [
                f"@app.lambda_function(name={handler!r})",
                f"def {handler}(event, context):",
                "    return None",
            ]
        (root / service).mkdir(parents=True)
        (root / service / "app.py").write_text("\n".join(lines) + "\n")
    return root


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_for_health(url: str, process: subprocess.Popen[bytes], timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "truckroll_local exited during start-up"
        try:
            response = requests.get(url, timeout=2)
        except requests.ConnectionError:
            time.sleep(0.2)
            continue
        report: dict[str, Any] = response.json()
        if response.status_code == 200:
            return report
        time.sleep(0.2)
    raise AssertionError(f"never healthy: {report}")


def _gone(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in status


def test_the_stack_runs_healthy_and_stops_cleanly_on_sigint(tmp_path: Path) -> None:
    port = _free_port()
    services = _stand_in_services(tmp_path / "services")
    log = tmp_path / "stack.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "truckroll_local", "--port", str(port), "--services-dir", str(services)],
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        report = _wait_for_health(f"http://127.0.0.1:{port}/health", process, timeout=60)
        moto_pid = report["checks"]["moto"]["pid"]
        assert report["status"] == "ok"
        assert all(
            p["ok"] and p["mode"] == "background" and p["alive"] for p in report["checks"]["pumps"].values()
        )
        assert report["checks"]["ticker"]["alive"] is True
        assert not _gone(moto_pid)

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    deadline = time.monotonic() + 5
    while not _gone(moto_pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(moto_pid), f"moto server {moto_pid} outlived the stack"
    assert "Traceback" not in log.read_text()


def test_a_busy_port_is_reported_and_nothing_is_left_running(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "truckroll_local", "--port", str(port)],
            capture_output=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert b"cannot start" in result.stderr
