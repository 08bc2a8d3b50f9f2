"""The synthesized cloud assembly the infra tests read, built once per state of its inputs.

Synthesis (jsii, four Chalice packages) runs in a subprocess, exactly as ``make synth`` does, into
``infra/build/test-synth/<hash of the inputs>``. A lock makes parallel workers (pytest-xdist) wait for
one synthesis instead of racing; later sessions with unchanged inputs reuse the assembly.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from infra import settings  # noqa: E402
from infra.settings import stack_name  # noqa: E402

STAGE = "dev"
SYNTH_ROOT = settings.BUILD_DIR / "test-synth"
KEEP_ASSEMBLIES = 2
_SKIP_DIRS = {"__pycache__", ".chalice", "build", "cdk.out", ".pytest_cache"}


def _input_files() -> Iterator[Path]:
    roots = [
        REPO_ROOT / "infra",
        Path(os.environ.get("DEVTMP_SERVICES") or settings.SERVICES_DIR),
        REPO_ROOT / "src" / "truckroll",
        settings.WEB_DIR,
    ]
    for root in roots:
        for directory, dirnames, filenames in os.walk(root, followlinks=True):
            dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS)
            for filename in sorted(filenames):
                if not filename.endswith((".pyc", ".pyo")):
                    yield Path(directory, filename)
    yield from sorted(settings.SERVICES_DIR.glob("*/.chalice/config.json"))
    yield settings.UV_LOCK


def inputs_hash() -> str:
    digest = hashlib.sha256()
    for path in _input_files():
        try:
            content = path.read_bytes()
        except FileNotFoundError:  # removed while we walked the tree
            continue
        digest.update(str(path.relative_to(REPO_ROOT)).encode())
        digest.update(content)
    return digest.hexdigest()[:20]


def synthesize(outdir: Path) -> None:
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "16,18,20"}
    env.pop("CDK_OUTDIR", None)
    env.pop("CDK_CONTEXT_JSON", None)
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "infra" / "synth.py"), "--out", str(outdir), "--stage", STAGE],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        shutil.rmtree(outdir, ignore_errors=True)
        pytest.fail(f"synth failed:\n{result.stdout}\n{result.stderr[-6000:]}", pytrace=False)


STARTED_FILE = "inputs-read-at"


@dataclass(frozen=True)
class Assembly:
    directory: Path

    @property
    def inputs_read_at(self) -> float:
        """When synthesis began reading the sources: files changed later are not in the packages."""
        return float((self.directory / STARTED_FILE).read_text())

    def template(self, stack: str) -> dict[str, Any]:
        return json.loads((self.directory / f"{stack}.template.json").read_text())

    @property
    def shared(self) -> dict[str, Any]:
        return self.template(stack_name(STAGE, "shared"))

    def service(self, service: str) -> dict[str, Any]:
        return self.template(stack_name(STAGE, service))

    def all_templates(self) -> dict[str, dict[str, Any]]:
        return {
            p.name.removesuffix(".template.json"): json.loads(p.read_text())
            for p in sorted(self.directory.glob("*.template.json"))
        }

    def code_package(self, service: str) -> Path:
        """The deployment zip the service's functions run (every function shares one)."""
        template = self.service(service)
        keys = {
            res["Properties"]["CodeUri"]["Key"]
            for res in template["Resources"].values()
            if res["Type"] == "AWS::Serverless::Function"
        }
        assert len(keys) == 1, f"{service}: functions use {len(keys)} code packages"
        (key,) = keys
        manifest = json.loads((self.directory / f"{stack_name(STAGE, service)}.assets.json").read_text())
        asset = manifest["files"][key.removesuffix(".zip")]["source"]["path"]
        return self.directory / asset


def synthesized_assembly() -> Assembly:
    """The assembly for the current inputs, synthesizing it if no earlier session did."""
    SYNTH_ROOT.mkdir(parents=True, exist_ok=True)
    started = time.time()
    outdir = SYNTH_ROOT / inputs_hash()
    with (SYNTH_ROOT / ".lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not (outdir / STARTED_FILE).exists():
                synthesize(outdir)
                (outdir / STARTED_FILE).write_text(repr(started))
                stale = sorted(
                    (p for p in SYNTH_ROOT.iterdir() if p.is_dir() and p != outdir),
                    key=lambda p: p.stat().st_mtime,
                    reverse=True,
                )
                for old in stale[KEEP_ASSEMBLIES - 1 :]:
                    shutil.rmtree(old, ignore_errors=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return Assembly(outdir)
