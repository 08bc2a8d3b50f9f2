"""``ChaliceService``: one Chalice app as a CDK construct, safe to use several times per process.

``chalice.cdk.Chalice`` packages the app during synth by importing its ``app.py``. Two hazards
follow when several apps are synthesized by one process (see aws/chalice#2030):

* the module cache: the second app would get the first app's cached ``app`` (and ``chalicelib``)
  module, so its template would list the first app's handlers;
* process state: Chalice puts the project on ``sys.path``, copies the stage's environment variables
  into ``os.environ`` and writes ``chalice.out/`` into the working directory.

The wrapper snapshots and restores all of it around the construct. Inside the same isolation it
makes Chalice target the Lambda runtime rather than the running interpreter: ``Config`` reports
``python3.13`` (the template's ``Runtime``), and dependencies come from
:class:`~infra.constructs.wheelhouse.WheelhouseDependencyBuilder` (cp313 manylinux wheels). It also
keeps ``__pycache__`` out of the package and caches built packages under ``infra/build``.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from chalice.cdk import Chalice
from chalice.config import Config
from chalice.deploy import deployer as chalice_deployer
from chalice.deploy.packager import LambdaDeploymentPackager
from chalice.utils import OSUtils
from constructs import Construct

from infra import settings
from infra.constructs.isolation import isolated_app_import
from infra.constructs.wheelhouse import WheelhouseDependencyBuilder, lock_constraints, locked


def _walk_without_bytecode(
    original: Callable[..., Iterator[tuple[str, list[str], list[str]]]],
) -> Callable[..., Iterator[tuple[str, list[str], list[str]]]]:
    @functools.wraps(original)
    def walk(
        self: OSUtils, path: str, followlinks: bool = False
    ) -> Iterator[tuple[str, list[str], list[str]]]:
        for root, dirnames, filenames in original(self, path, followlinks=followlinks):
            dirnames[:] = [d for d in dirnames if d != "__pycache__"]
            yield root, dirnames, [f for f in filenames if not f.endswith((".pyc", ".pyo"))]

    return walk


def _cached_package_filename(cache_dir: Path, extra_key: str) -> Callable[..., str]:
    """Keep built packages under ``cache_dir`` (not in the service tree) and key them on more than
    Chalice does: its hash covers requirements.txt, app files and vendor/, ours adds the lock
    constraints and the target runtime."""
    original = LambdaDeploymentPackager.deployment_package_filename

    def deployment_package_filename(
        self: LambdaDeploymentPackager, project_dir: str, python_version: str
    ) -> str:
        chalice_name = os.path.basename(original(self, project_dir, python_version))
        service = os.path.basename(os.path.abspath(project_dir))
        return str(cache_dir / "packages" / f"{service}-{extra_key}-{chalice_name}")

    return deployment_package_filename


def _create_from_cached_dependencies(
    cache_dir: Path, extra_key: str
) -> Callable[[LambdaDeploymentPackager, str, str], str]:
    """Replacement for ``LambdaDeploymentPackager.create_deployment_package``.

    Chalice compresses the whole dependency tree again for every package, and the four services
    share theirs. Here the dependencies are zipped once per requirements file (under
    ``cache_dir/dependencies``); a package is a copy of that zip with the app files and ``vendor/``
    appended. Packages are written under a temporary name and renamed, so an interrupted build
    never leaves a truncated zip to be reused (Chalice writes in place).
    """

    def create_deployment_package(
        self: LambdaDeploymentPackager, project_dir: str, python_version: str
    ) -> str:
        final = Path(self.deployment_package_filename(project_dir, python_version))
        if final.exists():
            return str(final)
        final.parent.mkdir(parents=True, exist_ok=True)
        requirements = Path(self._get_requirements_filename(project_dir))
        dependencies = _dependencies_zip(self, requirements, python_version, cache_dir, extra_key)
        fd, partial = tempfile.mkstemp(suffix=".zip.partial", dir=final.parent)
        os.close(fd)
        try:
            shutil.copyfile(dependencies, partial)
            with zipfile.ZipFile(partial, "a", zipfile.ZIP_DEFLATED) as package:
                self._add_app_files(package, project_dir)
                self._add_vendor_files(package, os.path.join(project_dir, self._VENDOR_DIR))
            os.replace(partial, final)
        finally:
            Path(partial).unlink(missing_ok=True)
        _prune_packages(final)
        return str(final)

    return create_deployment_package


def _dependencies_zip(
    packager: LambdaDeploymentPackager,
    requirements: Path,
    python_version: str,
    cache_dir: Path,
    extra_key: str,
) -> Path:
    content = requirements.read_bytes() if requirements.is_file() else b""
    key = hashlib.sha256(b"\0".join([content, extra_key.encode(), python_version.encode()])).hexdigest()[:24]
    root = cache_dir / "dependencies"
    target = root / f"{key}.zip"
    root.mkdir(parents=True, exist_ok=True)
    with locked(root / ".lock"):
        if target.exists():
            return target
        with tempfile.TemporaryDirectory(dir=root) as staging:
            site_packages = os.path.join(staging, "site-packages")
            os.makedirs(site_packages)
            packager._build_python_dependencies(
                python_version, str(requirements), site_packages_dir=site_packages
            )
            partial = os.path.join(staging, "dependencies.zip")
            with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
                packager._add_py_deps(archive, deps_dir=site_packages)
            os.replace(partial, target)
    return target


def _prune_packages(newest: Path, keep: int = 2) -> None:
    """Each source change makes a new package; keep the last few per service."""
    service = newest.name.split("-", 1)[0]
    packages = sorted(newest.parent.glob(f"{service}-*.zip"), key=lambda p: p.stat().st_mtime, reverse=True)
    for stale in packages[keep:]:
        stale.unlink(missing_ok=True)


@contextmanager
def lambda_runtime_packaging(cache_dir: Path) -> Iterator[None]:
    """Make Chalice package for :data:`settings.LAMBDA_PYTHON` with cp313 manylinux wheels."""
    constraints = lock_constraints()
    extra_key = hashlib.sha256(
        f"{settings.LAMBDA_PYTHON}\n{settings.LAMBDA_ARCHITECTURE}\n{constraints}\n"
        f"{sorted(settings.NOT_PACKAGED)}".encode()
    ).hexdigest()[:12]
    builder = functools.partial(WheelhouseDependencyBuilder, cache_dir=cache_dir, constraints=constraints)
    with ExitStack() as stack:
        stack.enter_context(
            mock.patch.object(
                Config, "lambda_python_version", new=property(lambda _self: settings.LAMBDA_PYTHON)
            )
        )
        stack.enter_context(mock.patch.object(chalice_deployer, "PipDependencyBuilder", new=builder))
        stack.enter_context(mock.patch.object(OSUtils, "walk", new=_walk_without_bytecode(OSUtils.walk)))
        stack.enter_context(
            mock.patch.object(
                LambdaDeploymentPackager,
                "deployment_package_filename",
                new=_cached_package_filename(cache_dir, extra_key),
            )
        )
        stack.enter_context(
            mock.patch.object(
                LambdaDeploymentPackager,
                "create_deployment_package",
                new=_create_from_cached_dependencies(cache_dir, extra_key),
            )
        )
        # Chalice warns that the running interpreter differs from the runtime: that is the point.
        stack.enter_context(warnings.catch_warnings())
        warnings.filterwarnings("ignore", message="You are currently running")
        yield


class ChaliceService(Construct):
    """Exactly one Chalice app, packaged for the Lambda runtime, in isolation from any other.

    ``sam_resources`` is the packaged SAM template's ``Resources`` as Chalice wrote them (logical
    ids preserved), for callers that need to find functions and their event sources; customise them
    through :meth:`resource` (the ``CfnInclude``d resource).
    """

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        source_dir: Path,
        stage_config: dict[str, Any],
        work_dir: Path,
        cache_dir: Path = settings.CACHE_DIR,
    ) -> None:
        super().__init__(scope, construct_id)
        source_dir = Path(os.path.abspath(source_dir))
        stage_config = {
            **stage_config,
            "environment_variables": dict(stage_config.get("environment_variables", {})),
        }
        with isolated_app_import(source_dir, work_dir), lambda_runtime_packaging(cache_dir):
            # The region only feeds service principal names; any partition-standard one will do.
            os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
            self.chalice = Chalice(
                self, "App", source_dir=str(source_dir), stage_config=stage_config, preserve_logical_ids=True
            )
        # The construct exposes no public path to the package it built (a temporary directory).
        package_dir = Path(self.chalice._sam_package_dir)
        self.sam_resources: dict[str, dict[str, Any]] = json.loads((package_dir / "sam.json").read_text())[
            "Resources"
        ]

    def resource(self, logical_id: str) -> Any:
        return self.chalice.get_resource(logical_id)

    def functions(self) -> dict[str, dict[str, Any]]:
        """``AWS::Serverless::Function`` resources by logical id."""
        return {
            lid: res for lid, res in self.sam_resources.items() if res["Type"] == "AWS::Serverless::Function"
        }
