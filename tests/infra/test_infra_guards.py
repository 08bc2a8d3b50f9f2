"""The service stack refuses apps that disagree with the declaration, and applies the declaration's
event-source settings over whatever the app's decorators say. Small fixture apps, synthesized in
process (several apps in one process, which is what the wrapper's isolation is for)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from truckroll.resources import Queue, Resources, Schedule, StreamConsumer, Table, Topic

pytestmark = pytest.mark.infra

FIXTURE_RESOURCES = Resources(
    tables=(
        Table(name="core", env_var="CORE_TABLE", owners=("booking", "dispatch"), stream=True),
        Table(name="notify", env_var="NOTIFY_TABLE", owners=("notify",)),
    ),
    queues=(
        Queue(
            name="dispatch-events",
            env_var="DISPATCH_EVENTS_QUEUE",
            consumer="dispatch",
            handler="on_event",
            event_types=("job.booked",),
            batch_size=7,
        ),
    ),
    stream_consumers=(
        StreamConsumer(table="core", consumer="booking", handler="relay_outbox", maximum_retry_attempts=3),
    ),
    topics=(Topic(name="alarms", env_var="ALARMS_TOPIC"),),
    schedules=(Schedule(consumer="notify", handler="send_due", rate_minutes=5),),
)

APPS = {
    "booking": """
@app.on_dynamodb_record(stream_arn=os.environ["CORE_TABLE_STREAM_ARN"])
def relay_outbox(event):
    return None
""",
    "dispatch": """
@app.on_sqs_message(queue_arn=os.environ["DISPATCH_EVENTS_QUEUE_ARN"], batch_size=2)
def on_event(event):
    return None
""",
    "notify": """
@app.schedule("rate(1 hour)")
def send_due(event):
    return None
""",
}


def write_app(root: Path, service: str, handlers: str) -> Path:
    project = root / service
    (project / ".chalice").mkdir(parents=True)
    (project / ".chalice" / "config.json").write_text(
        json.dumps({"version": "2.0", "app_name": f"fixture-{service}"})
    )
    (project / "app.py").write_text(
        f"import os\nfrom chalice import Chalice\n\napp = Chalice(app_name='fixture-{service}')\n\n"
        f"@app.route('/{service}')\ndef index():\n    return {{}}\n{handlers}"
    )
    return project


def synthesize(tmp_path: Path, apps: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Templates of the shared stack and one stack per app, in one CDK app (and one process)."""
    os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "16,18,20")
    import aws_cdk as cdk

    from infra.stacks.service import ServiceStack
    from infra.stacks.shared import SharedStack

    app = cdk.App(outdir=str(tmp_path / "out"))
    shared = SharedStack(app, "shared", stage="test", resources=FIXTURE_RESOURCES, retain_data=False)
    stacks = {"shared": shared}
    for service, handlers in apps.items():
        stacks[service] = ServiceStack(
            app,
            service,
            service=service,
            stage="test",
            shared=shared,
            resources=FIXTURE_RESOURCES,
            source_dir=write_app(tmp_path / "apps", service, handlers),
            work_dir=tmp_path / "work" / service,
            cache_dir=tmp_path / "cache",
        )
    assembly = app.synth()
    return {name: assembly.get_stack_by_name(stack.stack_name).template for name, stack in stacks.items()}


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        res["Properties"]["Handler"]: res["Properties"]
        for res in template["Resources"].values()
        if res["Type"] == "AWS::Serverless::Function"
    }


def only_event(function: dict[str, Any]) -> dict[str, Any]:
    (event,) = function["Events"].values()
    return event["Properties"]


def test_apps_in_one_process_keep_their_handlers_and_get_the_declared_event_settings(tmp_path: Path) -> None:
    # One synthesis for both halves: it is the slow part, and must not be repeated per xdist worker.
    templates = synthesize(tmp_path, APPS)
    assert set(functions(templates["booking"])) == {"app.app", "app.relay_outbox"}
    assert set(functions(templates["dispatch"])) == {"app.app", "app.on_event"}
    assert set(functions(templates["notify"])) == {"app.app", "app.send_due"}

    sqs = only_event(functions(templates["dispatch"])["app.on_event"])
    assert sqs["BatchSize"] == 7  # declared, not the decorator's 2
    assert sqs["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    stream = only_event(functions(templates["booking"])["app.relay_outbox"])
    assert stream["MaximumRetryAttempts"] == 3
    assert stream["BisectBatchOnFunctionError"] is True
    assert "Fn::ImportValue" in stream["DestinationConfig"]["OnFailure"]["Destination"]
    schedule = only_event(functions(templates["notify"])["app.send_due"])
    assert schedule["Schedule"] == "rate(5 minutes)"  # declared, not the decorator's hourly rate


@pytest.mark.parametrize(
    ("dispatch_handlers", "refusal"),
    [
        pytest.param("", "no such function", id="declared-consumer-missing"),
        pytest.param(
            APPS["dispatch"]
            + "\n@app.on_sqs_message(queue='elsewhere')\ndef stray(event):\n    return None\n",
            "declares no such consumer",
            id="undeclared-consumer",
        ),
        pytest.param(
            "\n@app.on_sqs_message(queue='truckroll-test-dispatch-events')\n"
            "def on_event(event):\n    return None\n",
            "must consume",
            id="consumer-on-another-queue",
        ),
    ],
)
def test_apps_that_disagree_with_the_declaration_are_refused(
    tmp_path: Path, dispatch_handlers: str, refusal: str
) -> None:
    from infra.stacks.service import DeclarationMismatch

    with pytest.raises(DeclarationMismatch, match=refusal):
        synthesize(tmp_path, {"dispatch": dispatch_handlers})
