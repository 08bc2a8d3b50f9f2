"""Synthesize every stack into infra/cdk.out without the CDK CLI: ``python infra/synth.py``.

The CDK CLI runs the same file (see infra/cdk.json) and passes its output directory and context.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

# Run as a script, Python puts infra/ first on sys.path, where infra/constructs would shadow the
# `constructs` library. Import from the repository root instead.
_REPO_ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == _REPO_ROOT / "infra":
    sys.path[0] = str(_REPO_ROOT)
elif str(_REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(_REPO_ROOT))

# jsii prints a banner for every Node version it does not list; the node here is fine for synth.
for _name in ("DEPRECATED_NODE_VERSION", "UNTESTED_NODE_VERSION"):
    os.environ.setdefault(f"JSII_SILENCE_WARNING_{_name}", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16,18,20")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="output directory (default: $CDK_OUTDIR or infra/cdk.out)")
    parser.add_argument("--stage", help="stage name (default: the `stage` context, else dev)")
    parser.add_argument(
        "--services-dir", type=Path, help="directory of the Chalice projects (default: services/)"
    )
    args = parser.parse_args(argv)

    from infra import settings
    from infra.app import build_app

    outdir = args.out or (None if os.environ.get("CDK_OUTDIR") else settings.DEFAULT_OUTDIR)
    if outdir is not None and outdir.exists():
        if any(outdir.iterdir()) and not (outdir / "manifest.json").exists():
            parser.error(f"{outdir} is not empty and holds no cloud assembly; refusing to replace it")
        # A fresh directory: CDK never removes the assets of earlier runs.
        shutil.rmtree(outdir)
    settings.BUILD_DIR.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    work_dir = Path(tempfile.mkdtemp(prefix="synth-", dir=settings.BUILD_DIR))
    try:
        extra = {"services_dir": args.services_dir.resolve()} if args.services_dir else {}
        app = build_app(work_dir=work_dir, outdir=outdir, stage=args.stage, **extra)
        assembly = app.synth()
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)
    names = ", ".join(stack.stack_name for stack in assembly.stacks)
    print(
        f"synthesized {names} into {assembly.directory} in {time.monotonic() - started:.1f}s", file=sys.stderr
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
