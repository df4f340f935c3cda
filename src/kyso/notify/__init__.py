"""Notifications: the durable outbox (email, SMS) and the in-app inbox."""
