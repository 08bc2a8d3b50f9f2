"""Static checks of a Lambda deployment package, for a runtime the build machine cannot run.

The packages target CPython 3.13 on Amazon Linux 2023 (glibc 2.34, x86_64) while they are built by
another interpreter, so nothing here imports the package: it reads the zip.

* :func:`wheel_tag_problems`: every installed distribution's WHEEL tags fit the runtime.
* :func:`extension_problems`: every compiled module is named for cp313 (or the stable ABI) and no
  ELF object needs a glibc symbol version newer than the runtime's (read from ``.gnu.version_r``).
* :func:`unresolved_imports`: following imports from ``app.py`` through our own code, every
  third-party module is in the package, in the standard library, or in the Lambda runtime.
"""

from __future__ import annotations

import ast
import posixpath
import re
import struct
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from packaging.tags import Tag, compatible_tags, cpython_tags

from infra import settings

SO_TAG = re.compile(r"\.cpython-(?P<version>\d+)(?P<flags>[a-z]*)-(?P<platform>[a-z0-9_]+-linux-gnu)\.so$")
GLIBC_VERSION = re.compile(r"^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$")
# Modules the python3.13 Lambda runtime provides besides the standard library.
RUNTIME_PROVIDED = frozenset({"boto3", "botocore", "s3transfer", "jmespath", "dateutil", "urllib3", "six"})
# Removed from the standard library in 3.13 (PEP 594, lib2to3); the building interpreter still has them.
REMOVED_IN_313 = frozenset(
    {
        "aifc",
        "audioop",
        "cgi",
        "cgitb",
        "chunk",
        "crypt",
        "imghdr",
        "lib2to3",
        "mailcap",
        "msilib",
        "nis",
        "nntplib",
        "ossaudiodev",
        "pipes",
        "sndhdr",
        "spwd",
        "sunau",
        "telnetlib",
        "uu",
        "xdrlib",
    }
)
# Our code, whose imports are followed; everything else is a dependency resolved by pip.
FIRST_PARTY = frozenset({"app", "chalicelib", "truckroll", "chalice"})


def _runtime_version() -> tuple[int, int]:
    major, minor = settings.LAMBDA_PYTHON.removeprefix("python").split(".")
    return int(major), int(minor)


def runtime_platforms(glibc: tuple[int, int] = settings.LAMBDA_GLIBC, machine: str = "x86_64") -> list[str]:
    """Platform tags the runtime loads, newest first, legacy manylinux aliases included."""
    major, newest = glibc
    perennial = [f"manylinux_{major}_{minor}_{machine}" for minor in range(newest, 4, -1)]
    legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
    aliases = [f"{name}_{machine}" for minor, name in legacy.items() if minor <= newest]
    return [*perennial, *aliases, f"linux_{machine}"]


def runtime_tags() -> frozenset[Tag]:
    """Every wheel tag CPython 3.13 on the Lambda platform accepts (per ``packaging.tags``)."""
    version = _runtime_version()
    abi = f"cp{version[0]}{version[1]}"
    platforms = runtime_platforms()
    tags = set(cpython_tags(python_version=version, abis=[abi], platforms=platforms))
    tags |= set(compatible_tags(python_version=version, interpreter=abi, platforms=platforms))
    return frozenset(tags)


def wheel_tag_problems(package: zipfile.ZipFile) -> list[str]:
    supported = runtime_tags()
    problems = []
    wheel_files = [n for n in package.namelist() if re.fullmatch(r"[^/]+\.dist-info/WHEEL", n)]
    for name in wheel_files:
        lines = package.read(name).decode().splitlines()
        tags = [line.split(":", 1)[1].strip() for line in lines if line.startswith("Tag:")]
        if not tags:
            problems.append(f"{name}: no Tag lines")
        elif not any(Tag(*tag.split("-")) in supported for tag in tags):
            problems.append(f"{name}: {tags} not loadable by {settings.LAMBDA_PYTHON} on manylinux x86_64")
    if not wheel_files:
        problems.append("no installed distributions (*.dist-info/WHEEL) in the package")
    return problems


# -- ELF ------------------------------------------------------------------------------------------

SHT_GNU_VERNEED = 0x6FFFFFFE
EM_X86_64 = 62


@dataclass(frozen=True)
class ElfInfo:
    machine: int
    needed_versions: frozenset[str]

    @property
    def max_glibc(self) -> tuple[int, ...] | None:
        versions = [
            tuple(int(p) for p in m.groups() if p is not None)
            for m in (GLIBC_VERSION.match(v) for v in self.needed_versions)
            if m
        ]
        return max(versions) if versions else None


def read_elf(data: bytes) -> ElfInfo:
    """Machine and the symbol versions an ELF64 little-endian object needs (``.gnu.version_r``)."""
    if data[:4] != b"\x7fELF":
        raise ValueError("not an ELF file")
    if data[4] != 2 or data[5] != 1:
        raise ValueError("only ELF64 little-endian objects are expected on x86_64 Lambda")
    (machine,) = struct.unpack_from("<H", data, 18)
    (shoff,) = struct.unpack_from("<Q", data, 40)
    shentsize, shnum = struct.unpack_from("<HH", data, 58)
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    needed: set[str] = set()
    for _name, sh_type, _flags, _addr, offset, _size, link, info, _align, _entsize in sections:
        if sh_type != SHT_GNU_VERNEED:
            continue
        strtab_offset = sections[link][4]
        entry = offset
        for _ in range(info):  # sh_info holds the number of Verneed entries
            _version, count, _file, aux, next_entry = struct.unpack_from("<HHIII", data, entry)
            aux_offset = entry + aux
            for _ in range(count):
                _hash, _aflags, _other, name, next_aux = struct.unpack_from("<IHHII", data, aux_offset)
                end = data.index(b"\0", strtab_offset + name)
                needed.add(data[strtab_offset + name : end].decode())
                aux_offset += next_aux
            entry += next_entry
    return ElfInfo(machine=machine, needed_versions=frozenset(needed))


def _is_shared_object(name: str) -> bool:
    base = posixpath.basename(name)
    return base.endswith(".so") or ".so." in base


def extension_problems(package: zipfile.ZipFile) -> list[str]:
    version = "".join(str(p) for p in _runtime_version())
    problems = []
    for info in package.infolist():
        name = info.filename
        if not _is_shared_object(name):
            continue
        base = posixpath.basename(name)
        match = SO_TAG.search(base)
        if match:
            if match["version"] != version or match["platform"] != "x86_64-linux-gnu":
                problems.append(f"{name}: built for cpython-{match['version']} {match['platform']}")
        elif not base.endswith(".abi3.so"):
            in_libs_dir = any(part.endswith(".libs") for part in name.split("/")[:-1])
            if not (in_libs_dir or base.startswith("lib")):
                problems.append(f"{name}: an extension module without a cpython-{version} or abi3 tag")
        data = package.read(info)
        if data[:4] != b"\x7fELF":
            problems.append(f"{name}: not an ELF object")
            continue
        elf = read_elf(data)
        if elf.machine != EM_X86_64:
            problems.append(f"{name}: ELF machine {elf.machine}, not x86_64")
        newest = elf.max_glibc
        if newest is not None and newest[:2] > settings.LAMBDA_GLIBC:
            problems.append(
                f"{name}: needs GLIBC {'.'.join(map(str, newest))} > runtime's "
                f"{'.'.join(map(str, settings.LAMBDA_GLIBC))}"
            )
    return problems


def shared_objects(package: zipfile.ZipFile) -> list[str]:
    return [n for n in package.namelist() if _is_shared_object(n)]


# -- imports --------------------------------------------------------------------------------------


def _module_index(names: Iterable[str]) -> dict[str, str]:
    """Dotted module name -> path in the zip, for every Python source in it."""
    index = {}
    for name in names:
        if not name.endswith(".py") or ".dist-info/" in name:
            continue
        parts = name[:-3].split("/")
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if parts and all(p.isidentifier() for p in parts):
            index[".".join(parts)] = name
    return index


def _top_levels(names: Iterable[str]) -> set[str]:
    tops = set()
    for name in names:
        first = name.split("/", 1)[0]
        if "/" in name and not first.endswith((".dist-info", ".libs", ".data")):
            tops.add(first)
        elif "/" not in name:
            tops.add(first.split(".", 1)[0])
    return tops


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _guards_import_error(handlers: list[ast.ExceptHandler]) -> bool:
    for handler in handlers:
        kinds = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
        if any(isinstance(k, ast.Name) and k.id in {"ImportError", "ModuleNotFoundError"} for k in kinds):
            return True
    return False


def _imports(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Absolute names imported by a module, except under ``if TYPE_CHECKING`` or ``except ImportError``."""
    package = module if is_package else module.rpartition(".")[0]

    def visit(node: ast.AST) -> Iterator[str]:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from (name for child in node.orelse for name in visit(child))
            return
        if isinstance(node, ast.Try) and _guards_import_error(node.handlers):
            return
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)] if node.level > 1 else anchor
                base = ".".join([*anchor, base]) if base else ".".join(anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        for child in ast.iter_child_nodes(node):
            yield from visit(child)

    yield from visit(tree)


def unresolved_imports(
    package: zipfile.ZipFile,
    entries: tuple[str, ...] = ("app",),
    follow: frozenset[str] = frozenset(),
) -> dict[str, set[str]]:
    """Top-level modules reachable from ``entries`` that Lambda could not import -> who imports
    them. Imports are followed through our own code and through the packages in ``follow``."""
    names = package.namelist()
    index = _module_index(names)
    present = _top_levels(names)
    stdlib = set(sys.stdlib_module_names) - REMOVED_IN_313
    missing: dict[str, set[str]] = {}
    seen: set[str] = set()
    queue = list(entries)
    while queue:
        module = queue.pop()
        if module in seen:
            continue
        seen.add(module)
        path = index[module]
        tree = ast.parse(package.read(path), filename=path)
        for imported in _imports(tree, module, path.endswith("__init__.py")):
            top = imported.split(".", 1)[0]
            if (top in FIRST_PARTY or top in follow) and top in present:
                # Follow our own modules (and each parent package, which runs first).
                parts = imported.split(".")
                for i in range(1, len(parts) + 1):
                    candidate = ".".join(parts[:i])
                    if candidate in index and candidate not in seen:
                        queue.append(candidate)
            elif top in present or top in RUNTIME_PROVIDED or top in stdlib or top == "__future__":
                continue
            else:
                missing.setdefault(top, set()).add(module)
    return missing
