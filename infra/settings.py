"""Paths and fixed deployment targets of the CDK app."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SERVICES_DIR = REPO_ROOT / "services"
WEB_DIR = REPO_ROOT / "web"
UV_LOCK = REPO_ROOT / "uv.lock"
# ``build/`` and ``cdk.out/`` are ignored by git at any depth.
BUILD_DIR = REPO_ROOT / "infra" / "build"
CACHE_DIR = BUILD_DIR / "cache"
DEFAULT_OUTDIR = REPO_ROOT / "infra" / "cdk.out"


def stack_name(stage: str, part: str) -> str:
    """``truckroll-<stage>-shared``, ``truckroll-<stage>-<service>`` and ``truckroll-<stage>-web``."""
    return f"truckroll-{stage}-{part}"


# Lambda target. The interpreter building the packages may be older (3.11 here): the wrapper makes
# Chalice emit this runtime and download wheels for it.
LAMBDA_PYTHON = "python3.13"
LAMBDA_ARCHITECTURE = "x86_64"
# Amazon Linux 2023 (python3.12 and later runtimes) ships glibc 2.34.
LAMBDA_GLIBC = (2, 34)

# Lambda quotas (https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
MAX_ZIPPED_BYTES = 50 * 1024 * 1024
MAX_UNZIPPED_BYTES = 250 * 1024 * 1024

# Function settings every service shares. SQS needs visibility timeout >= 6 x function timeout,
# which the service stack checks against each queue's declaration.
LAMBDA_TIMEOUT_SECONDS = 30
LAMBDA_MEMORY_MB = 512
API_GATEWAY_STAGE = "api"
LOG_RETENTION_DAYS = 30

# Distributions pulled in by a dependency but never imported by what the functions run: PyVRP
# needs them only for plotting (matplotlib and its own dependencies) and for its command line
# (tqdm). Left out of every package; tests/infra follows PyVRP's imports to prove it.
NOT_PACKAGED = frozenset(
    {"matplotlib", "contourpy", "cycler", "fonttools", "kiwisolver", "pillow", "pyparsing", "tqdm"}
)
