"""Moving events between services: the outbox relay, the SQS publisher and the consumer framework."""
