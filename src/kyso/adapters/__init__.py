"""Adapters: the technology at the edges (database, key stores, SMTP, SMS, payments)."""
