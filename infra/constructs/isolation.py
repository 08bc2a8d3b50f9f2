"""Import a Chalice project's ``app`` as if no other project had been or will be imported.

Chalice loads a project by putting it on ``sys.path`` and importing ``app`` (and through it
``chalicelib``), copies the stage's environment variables into ``os.environ`` and writes
``chalice.out/`` into the working directory. Several projects in one process would otherwise see the
first one's cached modules and each other's settings (aws/chalice#2030).
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Module names an app's import leaves behind that belong to that app alone.
_APP_MODULES = ("app", "chalicelib")


def _is_app_module(name: str) -> bool:
    return any(name == root or name.startswith(root + ".") for root in _APP_MODULES)


def _loaded_from(module: Any, directory: Path) -> bool:
    location = getattr(module, "__file__", None)
    if not location:
        return False
    return Path(os.path.abspath(location)).is_relative_to(directory)


@contextmanager
def isolated_app_import(project_dir: Path, work_dir: Path | None = None) -> Iterator[None]:
    """Run the body as if no other Chalice app had been (or will be) loaded in this process.

    On entry, ``app``/``chalicelib*`` modules already imported are set aside; on exit every module
    the body imported from ``project_dir`` (and every ``app``/``chalicelib*``) is dropped and the set-
    aside ones come back. ``sys.path``, ``os.environ`` and the working directory are restored.
    """
    project_dir = Path(os.path.abspath(project_dir))
    saved_path = list(sys.path)
    saved_environ = dict(os.environ)
    saved_cwd = os.getcwd()
    displaced = {name: sys.modules.pop(name) for name in list(sys.modules) if _is_app_module(name)}
    importlib.invalidate_caches()
    try:
        if work_dir is not None:
            work_dir.mkdir(parents=True, exist_ok=True)
            os.chdir(work_dir)
        yield
    finally:
        for name, module in list(sys.modules.items()):
            if _is_app_module(name) or _loaded_from(module, project_dir):
                del sys.modules[name]
        sys.modules.update(displaced)
        sys.path[:] = saved_path
        os.environ.clear()
        os.environ.update(saved_environ)
        os.chdir(saved_cwd)
        importlib.invalidate_caches()
