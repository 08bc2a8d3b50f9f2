"""The pieces under the stacks, without synthesizing: app isolation, wheel targeting, package checks."""

from __future__ import annotations

import importlib
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from infra import package_checks
from infra.constructs.isolation import isolated_app_import
from infra.constructs.wheelhouse import lock_constraints, pip_platforms

pytestmark = pytest.mark.infra


def make_project(root: Path, name: str, handler: str) -> Path:
    project = root / name
    (project / "chalicelib").mkdir(parents=True)
    (project / "chalicelib" / "__init__.py").write_text(f"SERVICE = {name!r}\n")
    (project / "app.py").write_text(
        "import os\nfrom chalicelib import SERVICE\n"
        f"os.environ['LEAKED_BY_{name.upper()}'] = '1'\n"
        f"def {handler}():\n    return SERVICE\n"
    )
    return project


def load_app(project: Path) -> object:
    sys.path.insert(0, str(project))
    return importlib.import_module("app")


def test_each_isolated_import_sees_its_own_app_and_leaves_no_trace(tmp_path: Path) -> None:
    first = make_project(tmp_path, "first", "on_event")
    second = make_project(tmp_path, "second", "relay_outbox")
    path_before, environ_before, cwd_before = list(sys.path), dict(os.environ), os.getcwd()
    modules_before = {name: sys.modules.get(name) for name in ("app", "chalicelib")}

    with isolated_app_import(first, work_dir=tmp_path / "work"):
        app = load_app(first)
        assert hasattr(app, "on_event")
        assert app.on_event() == "first"
        assert os.getcwd() == str(tmp_path / "work")
    with isolated_app_import(second):
        app = load_app(second)
        assert not hasattr(app, "on_event")
        assert app.relay_outbox() == "second"

    assert {name: sys.modules.get(name) for name in modules_before} == modules_before
    assert "chalicelib.svc" not in sys.modules
    assert sys.path == path_before
    assert dict(os.environ) == environ_before
    assert os.getcwd() == cwd_before


_OUTER_APP_SCENARIO = """
import sys
from pathlib import Path
from infra.constructs.isolation import isolated_app_import
outer, inner = Path(sys.argv[1]), Path(sys.argv[2])
sys.path.insert(0, str(outer))
import app as outer_app
with isolated_app_import(inner):
    sys.path.insert(0, str(inner))
    import app as inner_app
    assert hasattr(inner_app, "inner_handler")
assert sys.modules["app"] is outer_app
assert sys.modules["chalicelib"].SERVICE == "outer"
print("restored")
"""


def test_isolation_sets_aside_and_restores_an_app_imported_before(tmp_path: Path) -> None:
    # A fresh interpreter: other tests in this worker may have put services' `chalicelib` on the path.
    outer = make_project(tmp_path, "outer", "outer_handler")
    inner = make_project(tmp_path, "inner", "inner_handler")
    result = subprocess.run(
        [sys.executable, "-c", _OUTER_APP_SCENARIO, str(outer), str(inner)],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "restored"


def test_isolation_restores_state_when_packaging_fails(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "app.py").write_text("raise RuntimeError('cannot import')\n")
    path_before, app_before = list(sys.path), sys.modules.get("app")

    def package_broken_app() -> None:
        with isolated_app_import(broken):
            os.environ["HALF_DONE"] = "1"
            load_app(broken)

    with pytest.raises(RuntimeError, match="cannot import"):
        package_broken_app()
    assert "HALF_DONE" not in os.environ
    assert sys.path == path_before
    assert sys.modules.get("app") is app_before


LOCK = """
version = 1
requires-python = ">=3.11"

[[package]]
name = "numpy"
version = "2.4.6"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]

[[package]]
name = "numpy"
version = "2.5.5"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.12' and python_full_version < '3.15'"]

[[package]]
name = "pydantic"
version = "2.14.3"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "truckroll"
version = "0.1.0"
source = { editable = "." }
"""


def test_lock_constraints_pin_the_versions_resolved_for_python313(tmp_path: Path) -> None:
    lock = tmp_path / "uv.lock"
    lock.write_text(LOCK)
    assert lock_constraints(lock).splitlines() == ["numpy==2.5.5", "pydantic==2.14.3"]


def test_lock_constraints_of_the_project_cover_the_service_requirements() -> None:
    pins = dict(line.split("==") for line in lock_constraints().splitlines())
    for name in ("aws-lambda-powertools", "pydantic", "pydantic-core", "pynamodb", "pyjwt", "cryptography"):
        assert name in pins
    assert "truckroll" not in pins


def test_pip_is_offered_every_manylinux_tag_up_to_the_runtime_glibc() -> None:
    platforms = pip_platforms()
    assert "manylinux_2_34_x86_64" in platforms
    assert "manylinux_2_17_x86_64" in platforms
    assert "manylinux2014_x86_64" in platforms
    assert "manylinux_2_35_x86_64" not in platforms


# -- package checks: they must be able to fail ---------------------------------------------------


def host_extension() -> Path:
    """A compiled module of the build machine's environment (pydantic-core is always installed)."""
    import pydantic_core._pydantic_core as compiled

    return Path(compiled.__file__)


def test_elf_reader_finds_the_glibc_versions_an_object_needs() -> None:
    info = package_checks.read_elf(host_extension().read_bytes())
    assert info.machine == package_checks.EM_X86_64
    assert info.max_glibc is not None
    assert info.max_glibc >= (2, 2)
    assert any(v.startswith("GLIBC_") for v in info.needed_versions)


def zip_of(files: dict[str, bytes]) -> zipfile.ZipFile:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return zipfile.ZipFile(buffer)


def test_extension_check_refuses_other_pythons_and_newer_glibc() -> None:
    data = host_extension().read_bytes()
    needed = package_checks.read_elf(data).needed_versions
    newest = max(v for v in needed if v.startswith("GLIBC_2.") and len(v) == len("GLIBC_2.14"))
    too_new = data.replace(newest.encode() + b"\0", b"GLIBC_2.99\0")
    problems = package_checks.extension_problems(
        zip_of(
            {
                "ok/_mod.cpython-313-x86_64-linux-gnu.so": data,
                "old/_mod.cpython-311-x86_64-linux-gnu.so": data,
                "bare/_mod.so": data,
                "new/_mod.abi3.so": too_new,
            }
        )
    )
    assert len(problems) == 3, problems
    assert any("old/" in p and "cpython-311" in p for p in problems)
    assert any("bare/_mod.so" in p for p in problems)
    assert any("new/" in p and "GLIBC 2.99" in p for p in problems)


def test_wheel_tag_check_accepts_only_what_cpython313_manylinux_2_34_loads() -> None:
    def wheel(tag: str) -> bytes:
        return f"Wheel-Version: 1.0\nTag: {tag}\n".encode()

    accepted = zip_of(
        {
            "a-1.dist-info/WHEEL": wheel("py3-none-any"),
            "b-1.dist-info/WHEEL": wheel("cp311-abi3-manylinux_2_28_x86_64"),
            "c-1.dist-info/WHEEL": wheel("cp313-cp313-manylinux_2_17_x86_64"),
            "d-1.dist-info/WHEEL": wheel("cp313-cp313-manylinux2014_x86_64"),
        }
    )
    assert package_checks.wheel_tag_problems(accepted) == []
    refused = zip_of(
        {
            "e-1.dist-info/WHEEL": wheel("cp311-cp311-manylinux_2_17_x86_64"),
            "f-1.dist-info/WHEEL": wheel("cp313-cp313-manylinux_2_35_x86_64"),
            "g-1.dist-info/WHEEL": wheel("cp313-cp313-manylinux_2_17_aarch64"),
            "h-1.dist-info/WHEEL": wheel("cp313-cp313-macosx_11_0_arm64"),
        }
    )
    assert len(package_checks.wheel_tag_problems(refused)) == 4


def test_import_check_follows_our_code_and_reports_what_lambda_lacks() -> None:
    package = zip_of(
        {
            "app.py": b"from chalicelib.svc import handler\nimport truckroll\n",
            "chalicelib/svc/__init__.py": b"from . import handler\n",
            "chalicelib/svc/handler.py": (
                b"import json\nimport boto3\nimport pydantic\nfrom truckroll import extra\n"
            ),
            "truckroll/__init__.py": b"",
            "truckroll/extra.py": (
                b"import cgi\nimport pyvrp\nfrom typing import TYPE_CHECKING\n"
                b"if TYPE_CHECKING:\n    import mypy_boto3_sqs\n"
                b"try:\n    import ujson\nexcept ImportError:\n    ujson = None\n"
            ),
            "truckroll/unused.py": b"import never_imported\n",
            "pydantic/__init__.py": b"import not_followed\n",
        }
    )
    assert package_checks.unresolved_imports(package) == {
        "cgi": {"truckroll.extra"},
        "pyvrp": {"truckroll.extra"},
    }
