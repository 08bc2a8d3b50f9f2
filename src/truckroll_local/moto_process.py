"""moto's server in a child process: the embedded AWS, on its own core.

The child binds a free loopback port, prints it on stdout and serves until its stdin closes. The
parent holds the other end of that pipe, so however the parent ends (Ctrl-C, SIGTERM, a crash,
SIGKILL) the child sees end-of-file and stops: no orphaned moto servers. The child also runs in
its own session, so a terminal's Ctrl-C reaches only the parent, which then stops it in order.
"""

from __future__ import annotations

import logging
import os
import selectors
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

logger = logging.getLogger("truckroll_local.moto")

LISTEN_BACKLOG = 1024  # clients open hundreds of connections at once in the race tests


class MotoServer:
    """A moto server subprocess on ``host`` and a free port."""

    def __init__(self, host: str = "127.0.0.1", startup_timeout: float = 30.0) -> None:
        self._host = host
        self._startup_timeout = startup_timeout
        self._process: subprocess.Popen[bytes] | None = None
        self._port = 0

    @property
    def endpoint(self) -> str:
        if not self._port:
            raise RuntimeError("moto server is not started")
        return f"http://{self._host}:{self._port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        if self._process is not None:
            raise RuntimeError("moto server already started")
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "truckroll_local.moto_process", self._host],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            self._port = self._read_port(self._process)
            self._wait_until_answering()
        except BaseException:
            self.stop()
            raise
        logger.info("moto server pid %s on %s", self._process.pid, self.endpoint)

    def _read_port(self, process: subprocess.Popen[bytes]) -> int:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            if not selector.select(self._startup_timeout):
                raise TimeoutError(f"moto server did not start within {self._startup_timeout}s")
        line = process.stdout.readline().decode().strip()
        if not line.isdigit():
            raise RuntimeError(f"moto server failed to start (exit code {process.poll()})")
        return int(line)

    def _wait_until_answering(self) -> None:
        deadline = time.monotonic() + self._startup_timeout
        while not self.answers():
            if time.monotonic() > deadline:
                raise TimeoutError(f"moto server at {self.endpoint} does not answer")
            time.sleep(0.05)

    def alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def answers(self) -> bool:
        """True if the server process runs and answers HTTP."""
        if not self.alive():
            return False
        try:
            with urllib.request.urlopen(f"{self.endpoint}/moto-api/", timeout=2) as response:  # noqa: S310
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def stop(self, timeout: float = 5.0) -> None:
        """Close the child's stdin (its signal to stop), then wait; terminate or kill if it lingers."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
        self._port = 0


def serve(host: str) -> None:
    """Child side: serve on a free port until stdin reaches end-of-file."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    from truckroll_local import moto_dynamodb

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto_dynamodb.install()
    app = moto_dynamodb.SerializedWrites(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, 0, app, threaded=True, request_handler=MotoRequestHandler)
    server.socket.listen(LISTEN_BACKLOG)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.buffer.read()
    os._exit(0)  # moto keeps nothing worth flushing; a graceful shutdown only costs time


if __name__ == "__main__":
    serve(sys.argv[1])
