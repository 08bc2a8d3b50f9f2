"""PynamoDB models and the repositories over them. Models never leave this package: repositories
take and return domain objects."""
