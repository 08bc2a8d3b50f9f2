"""``make typecheck``'s second half: mypy over each service, one service per run.

Every service has a top-level module ``app`` and its own part of the ``chalicelib`` namespace, so
the four cannot be checked in one mypy run (``app`` would be defined four times). Each run uses the
project's mypy settings, sees ``services/<svc>`` on its path and keeps its own cache.
"""

from __future__ import annotations

import os
import subprocess
import sys

from truckroll.resources import SERVICES
from truckroll_local import REPO_ROOT


def check_service(service: str) -> int:
    directory = REPO_ROOT / "services" / service
    targets = [str(directory / "app.py")]
    if (directory / "chalicelib").is_dir():
        targets.append(str(directory / "chalicelib"))
    command = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(REPO_ROOT / "pyproject.toml"),
        "--cache-dir",
        str(REPO_ROOT / ".mypy_cache" / "services" / service),
        *targets,
    ]
    print(f"mypy services/{service}", flush=True)
    env = {**os.environ, "MYPYPATH": str(directory)}
    return subprocess.run(command, cwd=REPO_ROOT, env=env, check=False).returncode  # noqa: S603


def main() -> int:
    failures = [service for service in SERVICES if check_service(service) != 0]
    if failures:
        print(f"type errors in: {', '.join(failures)}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
