"""Build the CDK app: the shared stack and one stack per service, all from ``RESOURCES``, and the
web stack serving the pages and routing each service's path to its API."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import aws_cdk as cdk

from infra import settings
from infra.settings import stack_name
from infra.stacks.service import ServiceStack
from infra.stacks.shared import SharedStack
from infra.stacks.web import WebStack
from truckroll.resources import RESOURCES, SERVICES, Resources

# Stages whose data outlives `cdk destroy` (tables and user pool are retained and deletion-protected).
RETAINED_STAGES = frozenset({"prod"})


def build_app(
    *,
    work_dir: Path,
    outdir: Path | None = None,
    stage: str | None = None,
    resources: Resources = RESOURCES,
    services_dir: Path = settings.SERVICES_DIR,
    web_dir: Path = settings.WEB_DIR,
) -> cdk.App:
    """``work_dir`` receives Chalice's intermediate packages; it may be deleted after ``synth()``.

    The stage comes from context (``-c stage=prod``), default ``dev``; account and region from the
    CDK CLI's environment (``CDK_DEFAULT_ACCOUNT``/``CDK_DEFAULT_REGION``) when set, else the stacks
    are environment-agnostic.
    """
    # cdk.json's context, so synthesizing without the CLI gives what the CLI would (the CLI's own
    # context, -c included, takes precedence).
    cdk_json = json.loads((settings.REPO_ROOT / "infra" / "cdk.json").read_text())
    app = cdk.App(outdir=str(outdir) if outdir is not None else None, context=cdk_json.get("context", {}))
    stage = stage or str(app.node.try_get_context("stage") or "dev")
    if not re.fullmatch(r"[a-z][a-z0-9]{0,15}", stage):
        raise ValueError(
            f"stage {stage!r}: use 1-16 lowercase letters and digits (it prefixes resource names)"
        )
    retain = str(app.node.try_get_context("retain") or "").lower()
    retain_data = stage in RETAINED_STAGES if retain == "" else retain in {"1", "true", "yes"}
    env = _environment()
    shared = SharedStack(
        app,
        stack_name(stage, "shared"),
        stage=stage,
        resources=resources,
        retain_data=retain_data,
        env=env,
        description=f"Truckroll {stage}: tables, queues, DLQs, alarms, user pool",
    )
    apis: dict[str, str] = {}
    for service in SERVICES:
        stack = ServiceStack(
            app,
            stack_name(stage, service),
            service=service,
            stage=stage,
            shared=shared,
            resources=resources,
            source_dir=services_dir / service,
            work_dir=work_dir / service,
            env=env,
            description=f"Truckroll {stage}: the {service} service",
        )
        apis[service] = stack.api_domain_name
    WebStack(
        app,
        stack_name(stage, "web"),
        web_dir=web_dir,
        apis=apis,
        env=env,
        description=f"Truckroll {stage}: the web pages on S3 and the APIs behind one CloudFront distribution",
    )
    cdk.Tags.of(app).add("truckroll:stage", stage)
    return app


def _environment() -> cdk.Environment | None:
    account, region = os.environ.get("CDK_DEFAULT_ACCOUNT"), os.environ.get("CDK_DEFAULT_REGION")
    if account and region:
        return cdk.Environment(account=account, region=region)
    return None
