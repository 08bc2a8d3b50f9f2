"""Cross-target dependency builder: CPython 3.13 manylinux wheels, whatever interpreter runs synth.

Chalice's own builder lets pip resolve for the *running* interpreter and then re-downloads
incompatible wheels with ``--abi`` but without ``--python-version``, so on 3.11 it cannot produce a
3.13 package. This builder asks pip for the whole closure at once for the Lambda target
(``--python-version 3.13 --implementation cp --abi cp313 --platform manylinux_2_17..2_34``,
binary only), pinned to the versions in ``uv.lock``, and caches the downloaded wheels per input
hash, so packaging is offline and fast after the first run.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from chalice.deploy.packager import DependencyBuilder, Package
from chalice.utils import OSUtils
from packaging.markers import Marker

from infra import settings

# Bump when the way wheelhouses are built changes, to invalidate old caches.
_BUILDER_VERSION = "1"


class WheelhouseError(RuntimeError):
    """The requirements cannot be satisfied with wheels for the Lambda runtime."""


def _target_environment() -> dict[str, str]:
    major, minor = settings.LAMBDA_PYTHON.removeprefix("python").split(".")
    return {
        "python_version": f"{major}.{minor}",
        "python_full_version": f"{major}.{minor}.0",
        "implementation_name": "cpython",
        "platform_python_implementation": "CPython",
        "sys_platform": "linux",
        "platform_system": "Linux",
        "os_name": "posix",
        "platform_machine": settings.LAMBDA_ARCHITECTURE,
    }


def lock_constraints(lock_file: Path = settings.UV_LOCK) -> str:
    """``name==version`` lines for every registry package that ``uv.lock`` resolves for the target.

    Used as pip constraints, so deployment packages carry exactly the locked versions of whatever
    a service's requirements.txt names (and nothing the service does not name).
    """
    lock = tomllib.loads(lock_file.read_text())
    environment = _target_environment()
    pins: dict[str, str] = {}
    for package in lock.get("package", []):
        if "registry" not in package.get("source", {}):
            continue  # the project itself (editable) and path/git sources
        markers = package.get("resolution-markers")
        if markers and not any(Marker(m).evaluate(environment) for m in markers):
            continue
        pins[package["name"]] = package["version"]
    return "".join(f"{name}=={version}\n" for name, version in sorted(pins.items()))


def pip_platforms(glibc: tuple[int, int] = settings.LAMBDA_GLIBC, machine: str = "x86_64") -> list[str]:
    """Every manylinux tag the runtime accepts; pip takes each --platform literally."""
    major, newest = glibc
    tags = [f"manylinux_{major}_{minor}_{machine}" for minor in range(newest, 16, -1)]
    return [*tags, f"manylinux2014_{machine}"]


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive lock between processes (parallel test workers, a synth beside the tests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pip_download(requirements: Path, constraints: Path, abi: str, machine: str, dest: Path) -> None:
    major, minor = settings.LAMBDA_PYTHON.removeprefix("python").split(".")
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--disable-pip-version-check",
        "--quiet",
        "--only-binary=:all:",
        "--implementation",
        "cp",
        "--python-version",
        f"{major}.{minor}",
        "--abi",
        abi,
        "--dest",
        str(dest),
        "-r",
        str(requirements),
        "-c",
        str(constraints),
    ]
    for platform in pip_platforms(machine=machine):
        command += ["--platform", platform]
    result = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise WheelhouseError(
            f"pip could not download {settings.LAMBDA_PYTHON} wheels for {requirements}:\n{result.stderr}"
        )


def wheelhouse_for(requirements: Path, abi: str, machine: str, cache_dir: Path, constraints: str) -> Path:
    """A directory holding every wheel ``requirements`` needs on the target, downloaded once."""
    key_material = json.dumps(
        {
            "builder": _BUILDER_VERSION,
            "requirements": requirements.read_text(),
            "constraints": constraints,
            "abi": abi,
            "machine": machine,
            "glibc": settings.LAMBDA_GLIBC,
            "python": settings.LAMBDA_PYTHON,
        },
        sort_keys=True,
    )
    key = hashlib.sha256(key_material.encode()).hexdigest()[:24]
    wheels_root = cache_dir / "wheels"
    wheelhouse = wheels_root / key
    with locked(wheels_root / ".lock"):
        if wheelhouse.is_dir():
            return wheelhouse
        wheels_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=wheels_root))
        try:
            constraints_file = staging / "constraints.txt"
            constraints_file.write_text(constraints)
            download_dir = staging / "wheels"
            _pip_download(requirements, constraints_file, abi, machine, download_dir)
            download_dir.rename(wheelhouse)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return wheelhouse


def distribution_of(wheel: str) -> str:
    """The normalized distribution name of a wheel file (``Pillow-12.0-...whl`` -> ``pillow``)."""
    return re.sub(r"[-_.]+", "-", wheel.split("-", 1)[0]).lower()


class WheelhouseDependencyBuilder(DependencyBuilder):
    """Drop-in for ``chalice.deploy.packager.DependencyBuilder`` (same constructor, same entry point)."""

    def __init__(
        self,
        osutils: OSUtils,
        pip_runner: Any = None,
        architecture: str = "x86_64",
        *,
        cache_dir: Path,
        constraints: str,
    ) -> None:
        super().__init__(osutils, pip_runner, architecture)
        self._cache_dir = cache_dir
        self._constraints = constraints

    def build_site_packages(self, abi: str, requirements_filepath: str, target_directory: str) -> None:
        if not self._has_at_least_one_package(requirements_filepath):
            return
        wheelhouse = wheelhouse_for(
            Path(requirements_filepath), abi, self._machine, self._cache_dir, self._constraints
        )
        wheels = {
            Package(str(wheelhouse), name)
            for name in sorted(os.listdir(wheelhouse))
            if name.endswith(".whl") and distribution_of(name) not in settings.NOT_PACKAGED
        }
        incompatible = sorted(
            w.filename for w in wheels if not self._is_compatible_wheel_filename(abi, w.filename)
        )
        if incompatible:
            raise WheelhouseError(f"wheels not loadable by {settings.LAMBDA_PYTHON}: {incompatible}")
        self._install_wheels(str(wheelhouse), target_directory, wheels)
