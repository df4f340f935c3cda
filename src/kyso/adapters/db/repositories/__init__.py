"""Repositories: map rows to domain objects. They never commit."""
