"""Pure domain model: no AWS, no HTTP, no persistence. Aggregates record the events they cause."""
