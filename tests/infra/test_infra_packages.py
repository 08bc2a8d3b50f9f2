"""Each service's deployment package, as the synthesized stacks upload it, runs on python3.13 Lambda."""

from __future__ import annotations

import os
import re
import zipfile
from pathlib import Path

import pytest
from infra_assembly import REPO_ROOT, Assembly

from infra import package_checks, settings
from infra.constructs.wheelhouse import lock_constraints
from truckroll.resources import SERVICES

pytestmark = pytest.mark.infra

LIBRARY = REPO_ROOT / "src" / "truckroll"


def source_files(root: Path, read_before: float) -> dict[str, bytes]:
    """Files under ``root`` by path relative to it, bytecode caches left out (as packaging does).

    Files changed after ``read_before`` (edited while the tests ran) cannot be judged and are left out.
    """
    files = {}
    for directory, dirnames, filenames in os.walk(root, followlinks=True):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for name in filenames:
            path = Path(directory, name)
            if name.endswith((".pyc", ".pyo")):
                continue
            try:
                if path.stat().st_mtime < read_before:
                    files[path.relative_to(root).as_posix()] = path.read_bytes()
            except FileNotFoundError:  # removed while the tests ran
                continue
    return files


@pytest.mark.parametrize("service", SERVICES)
def test_package_holds_the_handlers_and_the_shared_library(
    assembly: Assembly, packages: dict[str, zipfile.ZipFile], service: str
) -> None:
    package = packages[service]
    names = set(package.namelist())
    project = settings.SERVICES_DIR / service
    read_at = assembly.inputs_read_at
    app = source_files(project, read_at).get("app.py")
    assert app is None or package.read("app.py") == app
    assert "app.py" in names
    chalicelib = source_files(project / "chalicelib", read_at)
    assert chalicelib, f"{service} has no chalicelib"
    for relative, content in chalicelib.items():
        assert package.read(f"chalicelib/{relative}") == content, relative
    packaged_libs = {n.split("/")[1] for n in names if n.startswith("chalicelib/") and n.count("/") > 1}
    assert packaged_libs == {service}, "only the service's own chalicelib"
    library = source_files(LIBRARY, read_at)
    assert "resources.py" in library
    for relative, content in library.items():
        assert package.read(f"truckroll/{relative}") == content, relative
    assert {"chalice/__init__.py", "chalice/app.py"} <= names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


@pytest.mark.parametrize("service", SERVICES)
def test_compiled_modules_are_for_cpython313_on_manylinux(
    packages: dict[str, zipfile.ZipFile], service: str
) -> None:
    package = packages[service]
    objects = package_checks.shared_objects(package)
    # pydantic-core and cryptography are compiled: the check below must have something to check.
    assert any("_pydantic_core.cpython-313-x86_64-linux-gnu.so" in n for n in objects), objects
    assert any(n.endswith(".abi3.so") for n in objects), objects
    for name in objects:
        base = name.rsplit("/", 1)[-1]
        assert re.search(r"\.(cpython-313-x86_64-linux-gnu|abi3)\.so$", base) or base.startswith("lib"), name
    assert package_checks.extension_problems(package) == []


@pytest.mark.parametrize("service", SERVICES)
def test_installed_distributions_are_the_locked_versions_for_the_runtime(
    packages: dict[str, zipfile.ZipFile], service: str
) -> None:
    package = packages[service]
    assert package_checks.wheel_tag_problems(package) == []
    pins = dict(line.split("==") for line in lock_constraints().splitlines())
    installed = {
        m["name"]: m["version"]
        for m in (
            re.match(r"(?P<name>[^/]+)-(?P<version>[^-/]+)\.dist-info/WHEEL$", n) for n in package.namelist()
        )
        if m
    }
    assert installed
    for name, version in installed.items():
        normalized = re.sub(r"[-_.]+", "-", name).lower()
        assert pins.get(normalized) == version, f"{normalized} {version} is not the locked version"
    requirements = (settings.SERVICES_DIR / service / "requirements.txt").read_text().splitlines()
    wanted = {
        re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", line.strip(), maxsplit=1)[0]).lower()
        for line in requirements
        if line.strip() and not line.lstrip().startswith(("#", "-"))
    }
    assert wanted <= {re.sub(r"[-_.]+", "-", n).lower() for n in installed}


@pytest.mark.parametrize("service", SERVICES)
def test_everything_the_handlers_import_is_in_the_package_or_the_runtime(
    packages: dict[str, zipfile.ZipFile], service: str
) -> None:
    assert package_checks.unresolved_imports(packages[service]) == {}


@pytest.mark.parametrize("service", SERVICES)
def test_package_fits_lambda_size_limits(
    assembly: Assembly, packages: dict[str, zipfile.ZipFile], service: str
) -> None:
    zipped = assembly.code_package(service).stat().st_size
    unzipped = sum(info.file_size for info in packages[service].infolist())
    assert zipped <= settings.MAX_ZIPPED_BYTES
    template = assembly.service(service)
    layers = [
        r
        for r in template["Resources"].values()
        if r["Type"] in {"AWS::Serverless::LayerVersion", "AWS::Lambda::LayerVersion"}
    ]
    assert layers == [], "layers count towards the unzipped limit: add their size here"
    assert unzipped <= settings.MAX_UNZIPPED_BYTES


def test_the_dispatch_package_carries_the_optimizer_without_what_it_never_imports(
    packages: dict[str, zipfile.ZipFile],
) -> None:
    """Automatic dispatch solves in the dispatch function: the optimizer's modules (loaded on first
    use) must resolve, through PyVRP's own imports, while what PyVRP needs only for plotting and
    its command line stays out."""
    package = packages["dispatch"]
    optimizer = ("truckroll.optimize.solver", "truckroll.optimize.explain", "truckroll.optimize.checker")
    assert package_checks.unresolved_imports(package, optimizer, frozenset({"pyvrp", "vrplib"})) == {}
    tops = {n.split("/", 1)[0] for n in package.namelist()}
    assert {"pyvrp", "numpy", "vrplib"} <= tops
    distributions = {
        re.sub(r"[-_.]+", "-", n.split("/", 1)[0].rsplit("-", 1)[0]).lower()
        for n in package.namelist()
        if n.split("/", 1)[0].endswith(".dist-info")
    }
    assert distributions.isdisjoint(settings.NOT_PACKAGED)
    unzipped = sum(info.file_size for info in package.infolist())
    assert unzipped <= settings.MAX_UNZIPPED_BYTES
