"""The outbox relay forwards this producer's new outbox items to every subscribed queue."""

from __future__ import annotations

from builders import booked_envelope, outbox_image, stream_record
from fakes import FakePublisher

from truckroll.messaging.outbox import OutboxRelay
from truckroll.resources import RESOURCES


def failed(response: dict[str, list[dict[str, str]]]) -> list[str]:
    return [f["itemIdentifier"] for f in response["batchItemFailures"]]


def test_an_outbox_insert_goes_to_every_subscribed_queue() -> None:
    publisher, envelope = FakePublisher(), booked_envelope()
    response = OutboxRelay("booking", publisher)({"Records": [stream_record(outbox_image(envelope), "100")]})
    assert failed(response) == []
    queues = sorted(m.queue.name for m in publisher.sent)
    assert (
        queues
        == sorted(q.name for q in RESOURCES.queues_for("job.booked"))
        == ["dispatch-events", "notify-events", "tracking-events"]
    )
    assert all(m.envelope == envelope for m in publisher.sent)


def test_other_records_are_acknowledged_untouched() -> None:
    publisher, envelope = FakePublisher(), booked_envelope()
    job_item = {"pk": {"S": "T#t1#JOB#j1"}, "sk": {"S": "JOB"}, "kind": {"S": "job"}}
    foreign = envelope.model_copy(update={"producer": "dispatch"})
    records = [
        stream_record(job_item, "1"),
        stream_record(outbox_image(envelope), "2", event_name="MODIFY"),
        stream_record(outbox_image(foreign), "3"),
    ]
    assert failed(OutboxRelay("booking", publisher)({"Records": records})) == []
    assert publisher.sent == []


def test_records_that_could_not_be_sent_or_read_fail_alone() -> None:
    publisher = FakePublisher(failing_queues=frozenset({"notify-events"}))
    sent, corrupt = booked_envelope(), outbox_image(booked_envelope())
    corrupt["envelope"] = {"S": "{not json"}
    response = OutboxRelay("booking", publisher)(
        {"Records": [stream_record(corrupt, "7"), stream_record(outbox_image(sent), "8")]}
    )
    assert failed(response) == ["7", "8"]
    assert sorted(m.queue.name for m in publisher.sent) == ["dispatch-events", "tracking-events"]
